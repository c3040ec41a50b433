import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsIn, IsInt, IsOptional, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { ConnectionArgs } from '../../shared/pagination/connection';
import { SortDirection, TicketChannel, TicketOrderField, TicketPriority, TicketStatus } from './ticket.enums';

export const MAX_TAGS = 20;
export const MAX_BULK = 100;

@InputType()
export class CreateTicketInput {
  @Field()
  @Length(1, 200)
  subject!: string;

  @Field()
  @Length(1, 5000)
  description!: string;

  @Field(() => TicketPriority, { nullable: true })
  @IsOptional()
  priority?: TicketPriority | null;

  @Field(() => TicketChannel, { nullable: true })
  @IsOptional()
  channel?: TicketChannel | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 100)
  category?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 100)
  department?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(MAX_TAGS)
  @Length(1, 50, { each: true })
  tags?: string[] | null;

  @Field(() => String, { nullable: true, description: 'The conversation language, e.g. "en" or "pt-br"; routing prefers agents who speak it.' })
  @IsOptional()
  @Matches(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, { message: 'language must be a language tag such as en or pt-br' })
  language?: string | null;

  @Field(() => ID, { nullable: true, description: 'Staff only: open the ticket on behalf of this customer (phone, walk-in, e-mail).' })
  @IsOptional()
  customerId?: string | null;
}

@InputType()
export class UpdateTicketInput {
  @Field(() => ID)
  ticketId!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200)
  subject?: string | null;

  @Field(() => String, { nullable: true, description: 'Staff only. An empty string clears it.' })
  @IsOptional()
  @MaxLength(100)
  category?: string | null;

  @Field(() => String, { nullable: true, description: 'Staff only. An empty string clears it.' })
  @IsOptional()
  @MaxLength(100)
  department?: string | null;

  @Field(() => [String], { nullable: true, description: 'Staff only. Replaces the tags.' })
  @IsOptional()
  @ArrayMaxSize(MAX_TAGS)
  @Length(1, 50, { each: true })
  tags?: string[] | null;
}

@InputType()
export class UpdateTicketStatusInput {
  @Field(() => ID)
  ticketId!: string;

  @Field(() => TicketStatus)
  status!: TicketStatus;
}

@InputType()
export class UpdateTicketPriorityInput {
  @Field(() => ID)
  ticketId!: string;

  @Field(() => TicketPriority)
  priority!: TicketPriority;
}

@InputType()
export class AssignTicketInput {
  @Field(() => ID)
  ticketId!: string;

  @Field(() => ID, { nullable: true, description: 'Null unassigns.' })
  @IsOptional()
  agentId?: string | null;
}

@InputType()
export class BulkUpdateTicketsInput {
  @Field(() => [ID])
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK)
  @ArrayUnique()
  ticketIds!: string[];

  @Field(() => TicketStatus, { nullable: true })
  @IsOptional()
  status?: TicketStatus | null;

  @Field(() => TicketPriority, { nullable: true })
  @IsOptional()
  priority?: TicketPriority | null;

  @Field(() => ID, { nullable: true, description: 'An agent id; an explicit null unassigns.' })
  @IsOptional()
  assigneeId?: string | null;
}

@InputType()
export class RateTicketInput {
  @Field(() => ID)
  ticketId!: string;

  @Field(() => Int)
  @IsInt()
  @Min(1)
  @Max(5)
  rating!: number;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  feedback?: string | null;
}

@InputType()
export class TicketFilter {
  @Field(() => [TicketStatus], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(10)
  status?: TicketStatus[] | null;

  @Field(() => [TicketPriority], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(10)
  priority?: TicketPriority[] | null;

  @Field(() => [TicketChannel], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(10)
  channel?: TicketChannel[] | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  assigneeId?: string | null;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  unassigned?: boolean | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  customerId?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  department?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  category?: string | null;

  @Field(() => [String], { nullable: true, description: 'Tickets carrying every one of these tags.' })
  @IsOptional()
  @ArrayMaxSize(MAX_TAGS)
  @MaxLength(50, { each: true })
  tags?: string[] | null;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  createdAfter?: Date | null;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  createdBefore?: Date | null;

  @Field(() => String, { nullable: true, description: 'Full-text search over number, subject, description and message bodies.' })
  @IsOptional()
  @MaxLength(200)
  search?: string | null;
}

@InputType()
export class TicketOrder {
  @Field(() => TicketOrderField)
  @IsIn(Object.values(TicketOrderField))
  field!: TicketOrderField;

  @Field(() => SortDirection)
  @IsIn(Object.values(SortDirection))
  direction!: SortDirection;
}

@ArgsType()
export class TicketsArgs extends ConnectionArgs {
  @Field(() => TicketFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  filter?: TicketFilter | null;

  @Field(() => TicketOrder, { nullable: true })
  @IsOptional()
  @ValidateNested()
  orderBy?: TicketOrder | null;
}
