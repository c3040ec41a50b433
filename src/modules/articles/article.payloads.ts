import { Field, Float, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../shared/pagination/connection';
import { Article } from './article.entity';

@ObjectType()
export class ArticlePayload {
  @Field(() => Article)
  article!: Article;
}

@ObjectType()
export class ArticleConnection extends ConnectionType('Article', Article) {}

@ObjectType()
export class ArticleSearchHit {
  @Field(() => Article)
  article!: Article;

  @Field(() => Float, { description: 'ts_rank of the match: higher is better; only comparable within one search.' })
  rank!: number;

  @Field({ description: 'Matching passage with the matched words wrapped in <mark></mark>.' })
  highlight!: string;

  @Field({ description: 'The title, HTML-escaped, with the matched words wrapped in <mark></mark>.' })
  titleHighlight!: string;
}
