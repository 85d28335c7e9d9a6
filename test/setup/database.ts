import http from 'node:http';
import type { AddressInfo } from 'node:net';

import pg from 'pg';

import { migrateDatabase } from '../../infra/db/migrate.js';
import { startPgliteServer, type PgliteServer } from '../../infra/db/pglite-server.js';

export interface TestDatabase {
  url: string;
  kind: 'postgresql' | 'pglite';
  /**
   * PostgreSQL: a migrated database no test connects to, which each test file copies
   * (`CREATE DATABASE … TEMPLATE`, test/setup/file-database.ts). PGlite: none.
   */
  template?: string;
  /** PGlite: the endpoint that serves each test file a copy of the migrated database (test/setup/file-database.ts). */
  fileDatabases?: string;
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
  // PGlite serves one database per instance: migrate one in memory, keep its dump as the template, and
  // serve each test file an in-memory copy of it from this process (startPgliteFileDatabases).
  const server = await startPgliteServer({ port: 0 });
  try {
    await migrateDatabase(server.url);
  } catch (error) {
    await server.close();
    throw error;
  }
  const files = await startPgliteFileDatabases(await server.dump());
  const teardown = async () => {
    await files.close();
    await server.close();
  };
  return { url: server.url, kind: 'pglite', fileDatabases: files.url, teardown };
}

/**
 * A loopback HTTP endpoint in the global-setup process that gives each test file a PGlite database of its
 * own, copied from the migrated template: `POST /` answers the new database's URL, `DELETE /?url=…` closes
 * it. The PGlite instances live here, not in the test's worker, so a test may block its own event loop
 * (a CLI run with execFileSync) while the database answers.
 */
async function startPgliteFileDatabases(template: Blob): Promise<{ url: string; close(): Promise<void> }> {
  const open = new Map<string, PgliteServer>();
  const server = http.createServer((req, res) => {
    const answer = (status: number, body: string) => res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    void (async () => {
      if (req.method === 'POST') {
        const db = await startPgliteServer({ port: 0, loadDataDir: template });
        open.set(db.url, db);
        return answer(200, db.url);
      }
      if (req.method === 'DELETE') {
        const url = new URL(req.url ?? '/', 'http://x').searchParams.get('url') ?? '';
        await open.get(url)?.close();
        open.delete(url);
        return answer(200, 'closed');
      }
      answer(405, 'POST or DELETE');
    })().catch((error: unknown) => answer(500, String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...open.values()].map((db) => db.close().catch(() => {})));
      open.clear();
    },
  };
}
