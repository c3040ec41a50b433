// PostGraphile v5 over Parley's tables, as a team would start it: the Amber preset, the public
// schema, a pg pool of Parley's size (20). No authentication (PostGraphile would hand it to
// PostgreSQL roles and row-level security, which Parley's database does not have): it answers
// as the database owner. Env: DATABASE_URL, PORT.
import { createServer } from 'node:http';
import pg from 'pg';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ pool, schemas: ['public'] })],
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on('error', (error) => console.error(error));
server.keepAliveTimeout = 65_000;
serv.addTo(server).then(() => server.listen(Number(process.env.PORT ?? 4301), '127.0.0.1'));

const stop = () => {
  server.close();
  server.closeAllConnections();
  Promise.allSettled([pgl.release(), pool.end()]).finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
