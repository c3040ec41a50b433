import type { EntityManager } from '@mikro-orm/postgresql';
import { arrayLiteral, selectBound } from '../../../src/infra/sql';
import { startTestServer, type TestServer } from '../../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const em = () => server.app.services.orm.em as unknown as EntityManager;

describe('arrayLiteral (one bind parameter for a list)', () => {
  it('hands PostgreSQL every string as it is, whatever it holds', async () => {
    const values = ['ses_01abc', 'with "quotes"', 'a,b', '{braces}', 'back\\slash', 'NULL', '', ' spaced ', 'ünï'];
    const rows = await selectBound<{ value: string }>(em(), 'select unnest(?::text[]) as value', [arrayLiteral(values)]);
    expect(rows.map((row) => row.value)).toEqual(values);
  });

  it('hands on numbers and flags', async () => {
    const rows = await selectBound<{ n: number; flag: boolean }>(em(), 'select unnest(?::int[]) as n, unnest(?::bool[]) as flag', [arrayLiteral([3, 0, -7]), arrayLiteral([true, false, true])]);
    expect(rows).toEqual([
      { n: 3, flag: true },
      { n: 0, flag: false },
      { n: -7, flag: true },
    ]);
  });
});
