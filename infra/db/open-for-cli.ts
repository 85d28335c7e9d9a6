import type { AppConfig } from '../config.js';
import { createPrismaClient } from './client.js';
import { openDatabase, type Database } from './index.js';
import { findServedPglite } from './pglite-server.js';

/**
 * The database for a one-shot CLI command (import, match, report):
 * - DATABASE_URL set: that PostgreSQL;
 * - else, while `jiuzhu start` runs, the PGlite it serves (only one process
 *   may open the folder, so the CLI connects to the running service);
 * - else the PGlite folder itself, opened by this process for the command.
 */
export async function openDatabaseForCli(config: AppConfig): Promise<Database> {
  if (config.databaseUrl) return openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const served = findServedPglite(config.dataDir);
  if (served) {
    const prisma = createPrismaClient(served.url);
    return { prisma, url: served.url, kind: 'pglite', close: () => prisma.$disconnect() };
  }
  return openDatabase({ dataDir: config.dataDir, pglitePort: 0 });
}
