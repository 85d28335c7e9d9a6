// The whole migration flow through the real Prisma CLI and scripts/prisma-schema-engine.mjs. The
// CLI <-> engine protocol and the driver adapter are internal to Prisma: an upgrade that changes them
// must fail here, loudly.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { migrateDatabase, runPrismaCli, SCHEMA_ENGINE_SHIM } from '../../infra/db/migrate.js';
import { copyProject, migrationNames } from './migration-project.js';
import { createScratchDatabase, withClient, type ScratchDatabase } from './scratch-database.js';
import { testDatabaseUrl } from '../support/database.js';

const execFileAsync = promisify(execFile);
/** Tests that run the Prisma CLI several times (each run takes 2-4 s on an idle 2-core machine). */
const CLI_TIMEOUT = 240_000;
const url = testDatabaseUrl();

describe('migrations on the shared test database', () => {
  it('has applied every migration in prisma/migrations', async () => {
    const rows = await withClient(url, async (c) =>
      (await c.query<{ migration_name: string }>('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name')).rows,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(migrationNames);
  });

  it('migrate deploy a second time is a no-op', async () => {
    const before = await migrationRows(url);
    const result = await migrateDatabase(url);
    expect(result.applied).toEqual([]);
    expect(result.output).toContain('No pending migrations to apply.');
    expect(await migrationRows(url)).toEqual(before);
  });

  it('prisma migrate status says the database is up to date', async () => {
    const { exitCode, output } = await runPrismaCli(['migrate', 'status'], { databaseUrl: url });
    expect(output).toContain('Database schema is up to date!');
    expect(exitCode).toBe(0);
  });

  it('shows no drift between the database, the migrations and schema.prisma', async () => {
    // From the live database (introspection reads "char" columns: fix 1 of the shim).
    const fromDb = await runPrismaCli(['migrate', 'diff', '--from-config-datasource', '--to-schema', 'prisma/schema.prisma', '--exit-code'], { databaseUrl: url });
    expect(fromDb.output).toContain('No difference detected.');
    expect(fromDb.exitCode).toBe(0);
    // From the migrations, replayed in a shadow database (fix 3), with the trigger's $$ body (fix 2).
    const fromMigrations = await runPrismaCli(['migrate', 'diff', '--from-migrations', 'prisma/migrations', '--to-schema', 'prisma/schema.prisma', '--exit-code'], { databaseUrl: url });
    expect(fromMigrations.output).toContain('No difference detected.');
    expect(fromMigrations.exitCode).toBe(0);
  }, CLI_TIMEOUT);
});

describe('a broken migration', () => {
  let scratch: ScratchDatabase;
  let dir: string;
  let configFile: string;
  const broken = '29991231000000_broken';

  beforeAll(async () => {
    scratch = await createScratchDatabase(url);
    ({ dir, configFile } = copyProject());
  });

  afterAll(async () => {
    await scratch?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rolls back fully, is recorded as failed, blocks deploy until resolved', async () => {
    const cli = (args: string[]) => runPrismaCli(args, { databaseUrl: scratch.url, configFile });

    const good = await cli(['migrate', 'deploy']);
    expect(good.exitCode, good.output).toBe(0);
    await withClient(scratch.url, (c) => c.query(`INSERT INTO "Notice" (id, "workflowId", note) VALUES ('s1', 'wf-1', 'before')`));
    const before = await schemaSnapshot(scratch.url);

    fs.mkdirSync(path.join(dir, 'migrations', broken));
    fs.writeFileSync(
      path.join(dir, 'migrations', broken, 'migration.sql'),
      `-- Several changes, then a failure: none of them may survive.
CREATE TABLE "Partial" ("id" INTEGER PRIMARY KEY);
ALTER TABLE "Notice" ADD COLUMN "extra" TEXT;
UPDATE "Notice" SET note = 'changed';
DROP TABLE "ProcessedEvent";
CREATE FUNCTION "partial_fn"() RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    RETURN 1; -- a semicolon inside a dollar-quoted body
END;
$$;
SELECT * FROM "DoesNotExist";
`,
    );

    const failed = await cli(['migrate', 'deploy']);
    expect(failed.exitCode).not.toBe(0);
    expect(failed.output).toMatch(/DoesNotExist/);

    expect(await schemaSnapshot(scratch.url)).toEqual(before);
    const rows = await withClient(scratch.url, async (c) => (await c.query(`SELECT note FROM "Notice"`)).rows);
    expect(rows).toEqual([{ note: 'before' }]);
    const record = await withClient(scratch.url, async (c) =>
      (await c.query<{ finished_at: Date | null; logs: string | null }>('SELECT finished_at, logs FROM _prisma_migrations WHERE migration_name = $1', [broken])).rows,
    );
    expect(record).toHaveLength(1);
    expect(record[0]!.finished_at).toBeNull();
    expect(record[0]!.logs).toMatch(/DoesNotExist/);

    const blocked = await cli(['migrate', 'deploy']);
    expect(blocked.exitCode).not.toBe(0);
    expect(blocked.output).toContain('P3009');

    const resolved = await cli(['migrate', 'resolve', '--rolled-back', broken]);
    expect(resolved.exitCode, resolved.output).toBe(0);
    fs.rmSync(path.join(dir, 'migrations', broken), { recursive: true });
    const status = await cli(['migrate', 'status']);
    expect(status.output).toContain('Database schema is up to date!');
    expect(status.exitCode).toBe(0);
  }, CLI_TIMEOUT);
});

describe('creating a migration after editing schema.prisma', () => {
  let scratch: ScratchDatabase;
  let dir: string;
  let configFile: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase(url);
    ({ dir, configFile } = copyProject());
  });

  afterAll(async () => {
    await scratch?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prisma migrate dev --create-only writes the next migration, deploy applies it', async () => {
    const cli = (args: string[]) => runPrismaCli(args, { databaseUrl: scratch.url, configFile });
    expect((await cli(['migrate', 'deploy'])).exitCode).toBe(0);
    fs.appendFileSync(path.join(dir, 'schema.prisma'), `\nmodel Probe {\n  id   Int    @id @default(autoincrement())\n  name String @unique\n}\n`);

    // Replays the existing migrations (trigger included) in a shadow database, then diffs.
    const created = await cli(['migrate', 'dev', '--create-only', '--name', 'add_probe']);
    expect(created.exitCode, created.output).toBe(0);
    const added = fs.readdirSync(path.join(dir, 'migrations')).filter((name) => name.endsWith('_add_probe'));
    expect(added).toHaveLength(1);
    const sql = fs.readFileSync(path.join(dir, 'migrations', added[0]!, 'migration.sql'), 'utf8');
    expect(sql).toContain('CREATE TABLE "Probe"');
    expect(sql).not.toContain('AuditEntry');

    // A pending --create-only migration: migrate dev applies it (the engine's warm-up quirk, fix 4).
    const dev = await cli(['migrate', 'dev']);
    expect(dev.exitCode, dev.output).toBe(0);
    expect(dev.output).toMatch(/in sync/);
    const status = await cli(['migrate', 'status']);
    expect(status.output).toContain('Database schema is up to date!');
  }, CLI_TIMEOUT);
});

describe('scripts/prisma-schema-engine.mjs', () => {
  it('reports the engine commit of the installed Prisma CLI', async () => {
    const { stdout } = await execFileAsync(process.execPath, [SCHEMA_ENGINE_SHIM, '--version']);
    const { enginesVersion } = createRequire(import.meta.url)('@prisma/engines-version') as { enginesVersion: string };
    expect(stdout.trim()).toBe(`schema-engine-cli ${enginesVersion}`);
  });

  it.skipIf(inject('databaseKind') === 'pglite')('one-shot cli commands: can-connect (P1003), create-database, drop-database', async () => {
    const target = new URL(url);
    target.pathname = `/jiuzhu_shim_${Date.now()}`;
    const run = (command: string) =>
      execFileAsync(process.execPath, [SCHEMA_ENGINE_SHIM, '--datasource', JSON.stringify({ url: target.toString() }), 'cli', command]).then(
        (r) => ({ code: 0, stderr: r.stderr }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
    const missing = await run('can-connect-to-database');
    expect(missing.code).toBe(1);
    const lines = missing.stderr.trim().split('\n').slice(1).map((l) => JSON.parse(l) as { level: string; fields: { error_code?: string } });
    expect(lines.find((l) => l.level === 'ERROR')?.fields.error_code).toBe('P1003');
    expect((await run('create-database')).code).toBe(0);
    expect((await run('can-connect-to-database')).code).toBe(0);
    expect((await run('drop-database')).code).toBe(0);
    expect((await run('can-connect-to-database')).code).toBe(1);
  });
});

async function migrationRows(databaseUrl: string) {
  return withClient(databaseUrl, async (c) => (await c.query('SELECT id, checksum, migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY id')).rows);
}

/** Tables, columns, indexes, functions and triggers of the public schema, as text. */
async function schemaSnapshot(databaseUrl: string): Promise<string[]> {
  return withClient(databaseUrl, async (c) => {
    const q = async (sql: string) => (await c.query<{ x: string }>(sql)).rows.map((r) => r.x);
    return [
      ...(await q(`SELECT table_name || '.' || column_name || ':' || data_type || ':' || is_nullable AS x FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1`)),
      ...(await q(`SELECT indexdef AS x FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`)),
      ...(await q(`SELECT 'function ' || p.proname AS x FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' ORDER BY 1`)),
      ...(await q(`SELECT 'trigger ' || t.tgname || ' on ' || t.tgrelid::regclass::text AS x FROM pg_trigger t WHERE NOT t.tgisinternal ORDER BY 1`)),
    ];
  });
}
