import { Field, Float, ObjectType } from 'type-graphql';
import { Faq } from './faq.entity';

@ObjectType()
export class FaqPayload {
  @Field(() => Faq)
  faq!: Faq;
}

@ObjectType()
export class FaqSearchHit {
  @Field(() => Faq)
  faq!: Faq;

  @Field(() => Float, { description: 'ts_rank of the match: higher is better; only comparable within one search.' })
  rank!: number;

  @Field({ description: 'Matching passage of the answer with the matched words wrapped in <mark></mark>.' })
  highlight!: string;
}
