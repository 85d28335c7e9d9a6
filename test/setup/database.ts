import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';

import { migrateDatabase } from '../../infra/db/migrate.js';
import { startPgliteServer } from '../../infra/db/pglite-server.js';

export interface TestDatabase {
  url: string;
  kind: 'postgresql' | 'pglite';
  /**
   * PostgreSQL: a migrated database no test connects to, which each test file copies
   * (`CREATE DATABASE … TEMPLATE`, test/setup/file-database.ts). PGlite serves one database: none.
   */
  template?: string;
  teardown(): Promise<void>;
}

/** The same server's URL with another database name. */
export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * The database for one test run, migrated once: the real PostgreSQL named by DATABASE_URL (see
 * scripts/postgres.sh), or else a PGlite server on a random loopback port over a temporary folder.
 */
export async function setupDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL?.trim();
  if (url) {
    await migrateDatabase(url);
    // Copied from the migrated database while nothing else is connected to it.
    const template = `jiuzhu_tpl_${process.pid}_${Date.now().toString(36)}`;
    await adminQuery(url, `CREATE DATABASE "${template}" TEMPLATE "${new URL(url).pathname.slice(1)}"`);
    const teardown = async () => {
      await adminQuery(url, `DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    };
    return { url, kind: 'postgresql', template, teardown };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-pglite-'));
  const server = await startPgliteServer({ dataDir: dir, port: 0 });
  const teardown = async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await migrateDatabase(server.url);
  } catch (error) {
    await teardown();
    throw error;
  }
  return { url: server.url, kind: 'pglite', teardown };
}
