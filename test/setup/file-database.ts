// Runs before every file of the database-backed projects (vitest `setupFiles`): gives the file a
// database of its own on PostgreSQL, copied from the run's migrated template (test/setup/database.ts)
// in a fraction of a second, dropped after the file, its row ids starting at an offset of its own.
// On PGlite the file gets an in-memory copy of the migrated database, served by the global setup's process.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { FILE_DATABASE_ENV } from '../support/database.js';
import { withDatabaseName } from './database.js';

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Row ids start at a random offset of this file: natural-key workflow ids built from them (county,
 * member, staff ids) stay distinct from other files' on the shared Temporal dev server. */
async function offsetSequences(url: string): Promise<void> {
  const base = 10_000_000 + Math.floor(Math.random() * 900_000_000); // at most 9 digits, as chat commands accept
  await adminQuery(url, `DO $$ DECLARE r record; BEGIN
    FOR r IN SELECT schemaname, sequencename FROM pg_sequences LOOP
      EXECUTE format('SELECT setval(%L, ${base}, false)', quote_ident(r.schemaname) || '.' || quote_ident(r.sequencename));
    END LOOP; END $$`);
}

const shared = inject('databaseUrl');
const template = inject('databaseTemplate');
const pgliteFiles = inject('pgliteFileDatabases');
if (template) {
  const name = `jiuzhu_file_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await adminQuery(shared, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      break;
    } catch (error) {
      // Two files copying the template at the same instant: PostgreSQL may refuse one; try again.
      if (attempt >= 5 || !/being accessed by other users/.test((error as Error).message)) throw error;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
  const url = withDatabaseName(shared, name);
  await offsetSequences(url);
  process.env[FILE_DATABASE_ENV] = url;
  afterAll(async () => {
    await adminQuery(shared, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
} else if (pgliteFiles) {
  const res = await fetch(pgliteFiles, { method: 'POST' });
  const url = await res.text();
  if (!res.ok) throw new Error(`PGlite file database: ${url}`);
  await offsetSequences(url);
  process.env[FILE_DATABASE_ENV] = url;
  afterAll(async () => {
    await fetch(`${pgliteFiles}?url=${encodeURIComponent(url)}`, { method: 'DELETE' });
  });
} else {
  process.env[FILE_DATABASE_ENV] = shared;
}
