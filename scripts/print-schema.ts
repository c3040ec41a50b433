import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { printSortedSchema } from '../src/server/schema';

/** Writes the served SDL, sorted, to schema/schema.graphql (committed; a test checks it is current). */
async function main() {
  const target = path.resolve(__dirname, '..', 'schema', 'schema.graphql');
  writeFileSync(target, await printSortedSchema());
  console.log(`wrote ${path.relative(process.cwd(), target)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
