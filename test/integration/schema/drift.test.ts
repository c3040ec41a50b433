import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '../../../src/infra/orm-options';
import { printSortedSchema } from '../../../src/server/schema';
import { createTestDatabase } from '../../support/database';

const root = path.resolve(__dirname, '..', '..', '..');

describe('committed artefacts are current', () => {
  it('schema/schema.graphql matches the served schema (run `npm run schema`)', async () => {
    const committed = readFileSync(path.join(root, 'schema', 'schema.graphql'), 'utf8');
    expect(committed).toBe(await printSortedSchema());
  });

  it('the migrations create exactly what the entities describe (run `npm run migration:create`)', async () => {
    const database = await createTestDatabase();
    const orm = await MikroORM.init(ormOptions(database.url, { poolMax: 1 }));
    try {
      const pending = await orm.getMigrator().getPendingMigrations();
      expect(pending).toEqual([]);
      const diff = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
      expect(diff.trim()).toBe('');
    } finally {
      await orm.close(true);
      await database.drop();
    }
  });

  it('every migration can be rolled back', () => {
    for (const file of readdirSync(path.join(root, 'migrations')).filter((name) => name.endsWith('.ts'))) {
      expect(readFileSync(path.join(root, 'migrations', file), 'utf8')).toMatch(/async down\(\)/);
    }
  });

  it('the generated client code matches the operations and schema (run `npm run codegen`)', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'parley-codegen-'));
    try {
      execFileSync(process.execPath, [path.join(root, 'node_modules', '@graphql-codegen', 'cli', 'cjs', 'bin.js'), '--config', 'codegen.ts'], {
        cwd: root,
        env: { ...process.env, PARLEY_CODEGEN_OUT: `${out}/` },
        stdio: 'pipe',
      });
      for (const file of ['graphql.ts', 'gql.ts', 'index.ts']) {
        expect(readFileSync(path.join(out, file), 'utf8')).toBe(readFileSync(path.join(root, 'test', '__generated__', file), 'utf8'));
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
