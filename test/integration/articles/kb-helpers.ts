import type { EntityManager } from '@mikro-orm/postgresql';
import { Ticket } from '../../../src/modules/tickets/ticket.entity';
import {
  CreateArticleDocument,
  CreateFaqDocument,
  PublishArticleDocument,
  type CreateArticleInput,
  type CreateFaqInput,
} from '../../__generated__/graphql';
import type { GraphQLTestClient } from '../../support/client';
import type { Actor } from '../../support/factories';
import type { TestServer } from '../../support/server';

export type ArticleRef = { id: string; slug: string; title: string };

/** An article written (as a draft) by `editor`. */
export async function draftArticle(editor: GraphQLTestClient, input: Partial<CreateArticleInput> & { title: string }): Promise<ArticleRef> {
  const { createArticle } = await editor.data(CreateArticleDocument, { input: { body: `About ${input.title}.`, ...input } });
  return createArticle.article;
}

/** An article written and published by `editor`. */
export async function publishedArticle(editor: GraphQLTestClient, input: Partial<CreateArticleInput> & { title: string }): Promise<ArticleRef> {
  const article = await draftArticle(editor, input);
  await editor.data(PublishArticleDocument, { id: article.id });
  return article;
}

export async function createFaq(editor: GraphQLTestClient, input: Partial<CreateFaqInput> & { question: string }) {
  const { createFaq } = await editor.data(CreateFaqDocument, { input: { answer: `Answer to ${input.question}`, published: true, ...input } });
  return createFaq.faq;
}

let ticketSeq = 0;

/** A ticket of `customer`, straight through the ORM: these tests need its text, not its workflow. */
export async function ticketOf(server: TestServer, customer: Actor, subject: string, description: string): Promise<string> {
  const em = server.app.services.orm.em.fork() as EntityManager;
  ticketSeq += 1;
  const ticket = em.create(Ticket, {
    number: `TKT-20990101-${String(ticketSeq).padStart(5, '0')}-${process.pid}`,
    subject,
    description,
    customer: customer.user.id,
  });
  await em.flush();
  return ticket.id;
}
