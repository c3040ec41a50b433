import { ArrayMaxSize, ArrayUnique, IsInt, IsOptional, Length, Matches, Max, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { ConnectionArgs } from '../../shared/pagination/connection';

const NOT_BLANK = /\S/;

@InputType()
export class SendMessageInput {
  @Field(() => ID)
  ticketId!: string;

  @Field()
  @Length(1, 5000)
  @Matches(NOT_BLANK, { message: 'body must not be blank' })
  body!: string;

  @Field(() => Boolean, { nullable: true, description: 'Staff only: an internal note, never shown to the customer.' })
  @IsOptional()
  internal?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Chosen by the client; a resend with the same id returns the first message.' })
  @IsOptional()
  @Length(1, 100)
  clientMessageId?: string | null;

  @Field(() => [ID], { nullable: true, description: 'Your own uploads not yet attached to a message.' })
  @IsOptional()
  @ArrayMaxSize(10)
  @ArrayUnique()
  attachmentIds?: string[] | null;
}

@InputType()
export class EditMessageInput {
  @Field(() => ID)
  id!: string;

  @Field()
  @Length(1, 5000)
  @Matches(NOT_BLANK, { message: 'body must not be blank' })
  body!: string;
}

@ArgsType()
export class TicketMessagesArgs extends ConnectionArgs {
  @Field(() => Int, { nullable: true, description: 'Only messages with a greater seq (resume after the last one seen).' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  afterSeq?: number | null;
}
