import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/infra/embedded-postgres';
import { createLogger } from '../src/infra/logger';
import { DEFAULT_ADMIN, ORM_WRITER_LIMIT, SeedRefused, seedDatabase } from './seed/run';

const USAGE = `Fills the database with a realistic demo (npm run seed -- [options]).

  --tickets N   how many tickets (default 300); above ${ORM_WRITER_LIMIT} they are bulk-inserted through pg
  --reset       wipe every table first (otherwise a database with data is refused)
  --seed S      PRNG seed (default 42): the same seed gives the same demo
  --bulk        bulk-insert through pg whatever the size
  --help

The database is DATABASE_URL, or the embedded PostgreSQL that \`npm start\` uses (stop the server
first: the embedded database serves one process). The admin is ADMIN_EMAIL / ADMIN_PASSWORD, or
${DEFAULT_ADMIN.email} / ${DEFAULT_ADMIN.password}.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      tickets: { type: 'string', default: '300' },
      reset: { type: 'boolean', default: false },
      seed: { type: 'string', default: '42' },
      bulk: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const tickets = Number(values.tickets);
  const seed = Number(values.seed);
  if (!Number.isInteger(tickets) || tickets < 0 || !Number.isInteger(seed)) {
    console.error(`--tickets and --seed take whole numbers\n\n${USAGE}`);
    return 64; // EX_USAGE
  }

  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  let embedded: EmbeddedDatabase | undefined;
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      console.log(`DATABASE_URL is not set: seeding the embedded PostgreSQL in ${config.embeddedPgDir}`);
      embedded = await startEmbeddedPostgres(config.embeddedPgDir, logger);
      databaseUrl = embedded.url;
    }
    const result = await seedDatabase({
      databaseUrl,
      tickets,
      seed,
      reset: values.reset,
      writer: values.bulk ? 'sql' : 'auto',
      admin: config.admin,
      log: (line) => console.log(`  ${line}`),
    });
    const { counts, logins } = result;
    console.log(
      `\nSeeded in ${(result.durationMs / 1000).toFixed(1)} s (${result.writer === 'sql' ? 'bulk through pg' : 'through the ORM'}): ` +
        `${counts.tickets} tickets, ${counts.messages} messages, ${counts.events} events, ${counts.readCursors} read cursors; ` +
        `${counts.agents} agents, ${counts.customers} customers.\n`,
    );
    console.log('Sign in (login mutation, or GraphiQL at http://localhost:4000/graphiql):');
    console.log(`  admin       ${logins.admin.email} / ${logins.admin.created ? logins.admin.password : '(existing account, password unchanged)'}`);
    console.log(`  supervisor  ${logins.supervisor} / ${logins.password}`);
    console.log(`  agents      ${logins.agents.slice(0, 3).join(', ')}${logins.agents.length > 3 ? ` … (${logins.agents.length})` : ''} / ${logins.password}`);
    console.log(`  customers   ${logins.customers.slice(0, 3).join(', ')} … (${logins.customers.length}) / ${logins.password}`);
    return 0;
  } catch (error) {
    if (error instanceof SeedRefused) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    console.error(error);
    process.exit(1);
  },
);
