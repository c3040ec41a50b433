import 'reflect-metadata';
import type { GraphQLObjectType, GraphQLResolveInfo } from 'graphql';
import { Message } from '../../src/modules/messages/message.entity';
import { getSchema } from '../../src/server/schema';

const fieldsOf = async (type: string) => ((await getSchema()).getType(type) as GraphQLObjectType).getFields();
const info = {} as GraphQLResolveInfo;

describe('lean resolvers', () => {
  it('read plain property fields as they are, promises included (GraphQL awaits them)', async () => {
    const seq = (await fieldsOf('Message')).seq;
    expect(String(seq.resolve)).not.toContain('applyMiddlewares');
    expect(seq.resolve!(Object.assign(new Message(), { seq: 7 }), {}, {}, info)).toBe(7);
    const unreadCount = (await fieldsOf('NotificationConnection')).unreadCount;
    const pending = Promise.resolve(3);
    expect(unreadCount.resolve!({ unreadCount: pending }, {}, {}, info)).toBe(pending);
  });

  it('call root-and-context field resolvers directly, and keep type-graphql’s wrapper for fields with arguments', async () => {
    const message = (await fieldsOf('Message')).body;
    const viewer = { userId: 'usr_someone', role: 'AGENT' };
    const root = Object.assign(new Message(), { body: 'hello', deletedAt: null });
    expect(message.resolve!(root, {}, { viewer }, info)).toBe('hello');
    // Ticket.messages takes arguments (converted and validated by type-graphql): not replaced, so
    // it is type-graphql's own resolver, which reads its metadata by name.
    expect(String((await fieldsOf('Ticket')).messages.resolve)).not.toContain('rootType');
  });

  it('hand a root that is not an instance of the type to type-graphql, which rebuilds it', async () => {
    const body = (await fieldsOf('Message')).body;
    const plain = { body: 'from a plain object', deletedAt: null };
    expect(body.resolve!(plain, {}, { viewer: { userId: 'usr_someone', role: 'AGENT' } }, info)).toBe('from a plain object');
  });
});
