// A database of its own for tests that must not touch the shared one.
import { randomUUID } from 'node:crypto';

import pg from 'pg';

import { startPgliteServer } from '../../infra/db/pglite-server.js';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function isPglite(url: string): Promise<boolean> {
  return withClient(url, async (c) => /PGlite/.test((await c.query<{ v: string }>('SELECT version() AS v')).rows[0]!.v));
}

/**
 * On PostgreSQL a new database on the same server (dropped afterwards); on PGlite, which serves a
 * single database, a separate in-memory PGlite server.
 */
export async function createScratchDatabase(sharedUrl: string): Promise<ScratchDatabase> {
  if (await isPglite(sharedUrl)) {
    const server = await startPgliteServer({ port: 0 });
    return { url: server.url, drop: () => server.close() };
  }
  const name = `jiuzhu_scratch_${randomUUID().replaceAll('-', '')}`;
  await withClient(sharedUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(sharedUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withClient(sharedUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
