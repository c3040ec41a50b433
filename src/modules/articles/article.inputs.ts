import { ArrayMaxSize, IsIn, IsInt, IsOptional, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { ForwardConnectionArgs } from '../../shared/pagination/connection';
import { ArticleStatus } from './article.enums';
import { MAX_SEARCH_LENGTH } from './kb-search';
import { SLUG_MAX, SLUG_PATTERN } from './slug';

export const TITLE_MAX = 200;
export const BODY_MAX = 50_000;
export const EXCERPT_MAX = 500;
export const META_DESCRIPTION_MAX = 300;
export const CATEGORY_MAX = 100;
export const TAGS_MAX = 20;
export const TAG_MAX = 50;
export const VISITOR_ID_MIN = 8;
export const VISITOR_ID_MAX = 128;

/** Something other than whitespace: a title of three spaces is as empty as no title. */
export const NOT_BLANK = /\S/;
const SLUG_MESSAGE = 'slug must be lower-case letters and digits separated by single dashes';
const STATUSES = Object.values(ArticleStatus);

@InputType()
export class CreateArticleInput {
  @Field()
  @Length(1, TITLE_MAX)
  @Matches(NOT_BLANK, { message: 'title must not be blank' })
  title!: string;

  @Field({ description: 'Markdown.' })
  @Length(1, BODY_MAX)
  @Matches(NOT_BLANK, { message: 'body must not be blank' })
  body!: string;

  @Field(() => String, { nullable: true, description: 'Made from the title when left out; a taken one answers CONFLICT.' })
  @IsOptional()
  @Length(1, SLUG_MAX)
  @Matches(SLUG_PATTERN, { message: SLUG_MESSAGE })
  slug?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(EXCERPT_MAX)
  excerpt?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(META_DESCRIPTION_MAX)
  metaDescription?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(CATEGORY_MAX)
  category?: string | null;

  @Field(() => [String], { nullable: true, description: `At most ${TAGS_MAX}; stored trimmed and lower-cased.` })
  @IsOptional()
  @ArrayMaxSize(TAGS_MAX)
  @Length(1, TAG_MAX, { each: true })
  tags?: string[] | null;
}

/** Fields left out stay as they are; an empty string or null clears excerpt, meta description and category. */
@InputType()
export class UpdateArticleInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, TITLE_MAX)
  @Matches(NOT_BLANK, { message: 'title must not be blank' })
  title?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, BODY_MAX)
  @Matches(NOT_BLANK, { message: 'body must not be blank' })
  body?: string | null;

  @Field(() => String, { nullable: true, description: 'The previous slug keeps leading to the article.' })
  @IsOptional()
  @Length(1, SLUG_MAX)
  @Matches(SLUG_PATTERN, { message: SLUG_MESSAGE })
  slug?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(EXCERPT_MAX)
  excerpt?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(META_DESCRIPTION_MAX)
  metaDescription?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(CATEGORY_MAX)
  category?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(TAGS_MAX)
  @Length(1, TAG_MAX, { each: true })
  tags?: string[] | null;
}

@InputType()
export class ArticleFilter {
  @Field(() => [ArticleStatus], { nullable: true, description: 'Customers and anonymous readers see PUBLISHED only, whatever they ask.' })
  @IsOptional()
  @IsIn(STATUSES, { each: true })
  status?: ArticleStatus[] | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(CATEGORY_MAX)
  category?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(TAG_MAX)
  tag?: string | null;

  @Field(() => String, { nullable: true, description: 'Full-text search, best match first.' })
  @IsOptional()
  @MaxLength(MAX_SEARCH_LENGTH)
  search?: string | null;
}

@ArgsType()
export class ArticlesArgs extends ForwardConnectionArgs {
  @Field(() => ArticleFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  filter?: ArticleFilter | null;
}

@ArgsType()
export class ArticleLookupArgs {
  @Field(() => ID, { nullable: true })
  id?: string | null;

  @Field(() => String, { nullable: true, description: 'The current slug or any earlier one.' })
  @IsOptional()
  @MaxLength(SLUG_MAX)
  slug?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'For readers without a token: a stable random id the client keeps (e.g. in local storage), so their views are counted once a day. Signed-in readers are counted by account.',
  })
  @IsOptional()
  @Length(VISITOR_ID_MIN, VISITOR_ID_MAX)
  visitorId?: string | null;
}

@ArgsType()
export class SearchArticlesArgs {
  @Field({ description: 'What the reader typed: words, "quoted phrases", or, -excluded; the last word may be unfinished.' })
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

  @Field(() => [ArticleStatus], { nullable: true, description: 'PUBLISHED by default. Customers and anonymous readers get PUBLISHED ones only, whatever they ask.' })
  @IsOptional()
  @IsIn(STATUSES, { each: true })
  status?: ArticleStatus[] | null;
}

@ArgsType()
export class SuggestedArticlesArgs {
  @Field(() => ID)
  ticketId!: string;

  @Field(() => Int, { nullable: true, description: 'At most 20; 5 by default.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  first?: number | null;
}
