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
    // Copied from the migrated database while nothing else is connected to it. The migrator's own
    // connection may linger for a moment after it returns (PostgreSQL then refuses the copy with
    // "being accessed by other users"): end such leftover sessions of this run's database and retry.
    const source = new URL(url).pathname.slice(1);
    const template = `jiuzhu_tpl_${process.pid}_${Date.now().toString(36)}`;
    const admin = withDatabaseName(url, 'postgres');
    for (let attempt = 1; ; attempt++) {
      try {
        await adminQuery(admin, `CREATE DATABASE "${template}" TEMPLATE "${source}"`);
        break;
      } catch (error) {
        if (attempt >= 8 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await adminQuery(admin, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${source.replaceAll("'", "''")}' AND pid <> pg_backend_pid()`);
        await new Promise((r) => setTimeout(r, 250 * attempt));
      }
    }
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
