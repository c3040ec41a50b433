import { IsInt, IsOptional, Length, Max, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';

@InputType({
  description:
    'Which tickets the statistics cover: created in [from, to) (the last 30 days by default, at most 366 days), ' +
    "optionally of one department (the ticket's) and one agent (the assignee).",
})
export class StatsFilter {
  @Field(() => Date, { nullable: true, description: 'Default: the start of the day (in the statistics time zone) 29 days before `to`.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Exclusive. Default: now.' })
  to?: Date | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 100)
  department?: string | null;

  @Field(() => ID, { nullable: true })
  agentId?: string | null;
}

@ArgsType()
export class LiveChartArgs {
  @Field(() => Int, { nullable: true, description: 'How many hours, the current one included: 1 to 168, default 6.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(168)
  hours?: number | null;
}
