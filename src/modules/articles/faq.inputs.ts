import { IsInt, IsOptional, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { CATEGORY_MAX, NOT_BLANK, VISITOR_ID_MAX, VISITOR_ID_MIN } from './article.inputs';
import { MAX_SEARCH_LENGTH } from './kb-search';

export const QUESTION_MAX = 300;
export const ANSWER_MAX = 10_000;
export const POSITION_MAX = 10_000;

@InputType()
export class CreateFaqInput {
  @Field()
  @Length(1, QUESTION_MAX)
  @Matches(NOT_BLANK, { message: 'question must not be blank' })
  question!: string;

  @Field()
  @Length(1, ANSWER_MAX)
  @Matches(NOT_BLANK, { message: 'answer must not be blank' })
  answer!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(CATEGORY_MAX)
  category?: string | null;

  @Field(() => Int, { nullable: true, description: 'Place within the category, from 1; the end when left out or beyond it.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(POSITION_MAX)
  position?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'False (the default) keeps it for staff until it is published.' })
  @IsOptional()
  published?: boolean | null;
}

@InputType()
export class UpdateFaqInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, QUESTION_MAX)
  @Matches(NOT_BLANK, { message: 'question must not be blank' })
  question?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, ANSWER_MAX)
  @Matches(NOT_BLANK, { message: 'answer must not be blank' })
  answer?: string | null;

  @Field(() => String, { nullable: true, description: 'Moves the question to the end of that category (or to `position` in it); an empty string uncategorizes it.' })
  @IsOptional()
  @MaxLength(CATEGORY_MAX)
  category?: string | null;

  @Field(() => Int, { nullable: true, description: 'New place within the category; the others close up around it.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(POSITION_MAX)
  position?: number | null;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  published?: boolean | null;
}

@ArgsType()
export class FaqsArgs {
  @Field(() => String, { nullable: true, description: 'One category ("" for the uncategorized); every category when left out.' })
  @IsOptional()
  @MaxLength(CATEGORY_MAX)
  category?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Staff only: unpublished questions too. Ignored for everyone else.' })
  @IsOptional()
  includeUnpublished?: boolean | null;
}

@ArgsType()
export class SearchFaqsArgs {
  @Field()
  @MaxLength(MAX_SEARCH_LENGTH)
  query!: string;

  @Field(() => Int, { nullable: true, description: 'At most 50; 10 by default.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  first?: number | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(CATEGORY_MAX)
  category?: string | null;
}

@ArgsType()
export class RecordFaqViewArgs {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: 'For readers without a token: the same stable id as for articles.' })
  @IsOptional()
  @Length(VISITOR_ID_MIN, VISITOR_ID_MAX)
  visitorId?: string | null;
}
