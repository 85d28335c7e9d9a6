import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { migrateDatabase } from '../../app/db/migrate.js';
import { startPgliteServer } from '../../app/db/pglite-server.js';

export interface TestDatabase {
  url: string;
  kind: 'postgresql' | 'pglite';
  teardown(): Promise<void>;
}

/**
 * The database for one test run, migrated once: the real PostgreSQL named by DATABASE_URL (see
 * scripts/postgres.sh), or else a PGlite server on a random loopback port over a temporary folder.
 */
export async function setupDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL?.trim();
  if (url) {
    await migrateDatabase(url);
    return { url, kind: 'postgresql', teardown: async () => {} };
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
