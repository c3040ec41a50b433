import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import { Faq } from './faq.entity';
import { CreateFaqInput, FaqsArgs, RecordFaqViewArgs, SearchFaqsArgs, UpdateFaqInput } from './faq.inputs';
import { FaqPayload, FaqSearchHit } from './faq.payloads';
import * as faqs from './faq.service';

@Resolver()
export class FaqResolver {
  @Query(() => [Faq], { description: 'Published FAQs in order: by category, then position.' })
  faqs(@Args(() => FaqsArgs) args: FaqsArgs, @Ctx() ctx: RequestContext): Promise<Faq[]> {
    return faqs.listFaqs(ctx, args);
  }

  @Query(() => [FaqSearchHit], { description: 'Published FAQs matching what the reader typed, best first.' })
  searchFaqs(@Args(() => SearchFaqsArgs) args: SearchFaqsArgs, @Ctx() ctx: RequestContext): Promise<FaqSearchHit[]> {
    return faqs.searchFaqs(ctx, args);
  }

  @Mutation(() => Faq, { description: 'A reader opened the question: counted once per reader and day.' })
  recordFaqView(@Args(() => RecordFaqViewArgs) args: RecordFaqViewArgs, @Ctx() ctx: RequestContext): Promise<Faq> {
    return faqs.recordFaqView(ctx, args);
  }

  @Mutation(() => FaqPayload, { description: 'Staff only.' })
  async createFaq(@Arg('input') input: CreateFaqInput, @Ctx() ctx: RequestContext): Promise<FaqPayload> {
    return { faq: await faqs.createFaq(ctx, input) };
  }

  @Mutation(() => FaqPayload, { description: 'Staff only: edit, publish or unpublish, move.' })
  async updateFaq(@Arg('input') input: UpdateFaqInput, @Ctx() ctx: RequestContext): Promise<FaqPayload> {
    return { faq: await faqs.updateFaq(ctx, input) };
  }

  @Mutation(() => Boolean, { description: 'Admins only.' })
  deleteFaq(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return faqs.deleteFaq(ctx, id);
  }

  @Mutation(() => FaqPayload, { description: 'One vote per person (or guest session); voting again the other way moves it.' })
  async voteFaq(@Arg('id', () => ID) id: string, @Arg('helpful') helpful: boolean, @Ctx() ctx: RequestContext): Promise<FaqPayload> {
    return { faq: await faqs.voteFaq(ctx, id, helpful) };
  }
}
