// The database layer's entry point: PostgreSQL when a URL is configured, else the embedded PGlite
// server in the data directory; migrations are applied before the client is handed out.
import { createPrismaClient, type PrismaClient } from './client.js';
import { migrateIfPending } from './migrate.js';
import { startPgliteServer } from './pglite-server.js';

export { appendAudit, verifyAuditChain, type AuditInput, type AuditRecord, type VerifyResult } from '../audit-chain.js';
export { createPrismaClient, Prisma, PrismaClient, type Db } from './client.js';
export { migrateDatabase, migrateIfPending, pendingMigrations, runPrismaCli } from './migrate.js';
export { startPgliteServer, type PgliteServer } from './pglite-server.js';
export { dbNotificationKind, dbReportCycleKind, notificationKindOf, reportCycleKindOf, type DbNotificationKind, type DbReportCycleKind } from './kinds.js';

export type DatabaseKind = 'postgresql' | 'pglite';

export interface OpenDatabaseOptions {
  /** A PostgreSQL URL; without it the embedded PGlite server is started. */
  databaseUrl?: string;
  /** The app's data directory (PGlite's files go to `<dataDir>/pglite`). */
  dataDir: string;
  /** Port of the PGlite server (default 0: any free port). */
  pglitePort?: number;
}

export interface Database {
  prisma: PrismaClient;
  url: string;
  kind: DatabaseKind;
  close(): Promise<void>;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const databaseUrl = options.databaseUrl?.trim() || undefined;
  const server = databaseUrl ? undefined : await startPgliteServer({ dataDir: options.dataDir, port: options.pglitePort ?? 0 });
  const url = databaseUrl ?? server!.url;
  try {
    await migrateIfPending(url);
  } catch (error) {
    await server?.close();
    throw error;
  }
  const prisma = createPrismaClient(url);
  let closing: Promise<void> | undefined;
  return {
    prisma,
    url,
    kind: server ? 'pglite' : 'postgresql',
    close() {
      closing ??= (async () => {
        try {
          await prisma.$disconnect();
        } finally {
          await server?.close();
        }
      })();
      return closing;
    },
  };
}
