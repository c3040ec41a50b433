import { Agent } from '../../../src/modules/agents/agent.entity';
import { User } from '../../../src/modules/accounts/user.entity';
import { findReadOnly } from '../../../src/shared/read-only-entities';
import { createCast, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});
afterAll(() => server.stop());

/** What GraphQL could read of a value: own properties, references as their ids. */
function readable(value: object, names: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const field = (value as Record<string, unknown>)[name];
    out[name] = field && typeof field === 'object' && !(field instanceof Date) && !Array.isArray(field) ? (field as { id: string }).id : field;
  }
  return out;
}

describe('read-only entities', () => {
  it('have every column a managed entity has, converted the same way, and refuse writes', async () => {
    const em = server.app.services.orm.em.fork();
    for (const [entity, id] of [
      [User, cast.agent.user.id],
      [Agent, cast.agent.agent!.id],
    ] as const) {
      const [value] = await findReadOnly(em, entity as never, 'id', [id]);
      const managed = await em.findOneOrFail(entity as never, { id } as never);
      const names = em
        .getMetadata()
        .get(entity.name)
        .props.filter((prop) => !prop.lazy && (prop.kind === 'scalar' || prop.kind === 'm:1' || (prop.kind === '1:1' && prop.owner)))
        .map((prop) => prop.name);
      expect(value).toBeInstanceOf(entity);
      expect(readable(value as object, names)).toEqual(readable(managed as object, names));
      expect(() => {
        (value as { id: string }).id = 'changed';
      }).toThrow(TypeError);
    }
  });
});
