// The Prisma client (Prisma 7: generated TypeScript in prisma/generated, run `npx prisma generate`),
// talking to PostgreSQL or the PGlite server through the pg driver adapter. No native engine.
import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient, type Prisma } from '../../prisma/generated/client.js';

export { Prisma, PrismaClient } from '../../prisma/generated/client.js';

/**
 * What a helper that only reads and writes rows takes: the client or the client of a transaction
 * (inside `$transaction`). Both satisfy it (the client is a transaction client with more), so such a
 * helper is called with either, no cast.
 */
export type Db = Prisma.TransactionClient;

/** Marks the URL of the embedded PGlite server (infra/db/pglite-server.ts). */
export const PGLITE_URL_MARKER = 'application_name=jiuzhu-pglite';

/**
 * A client on `url`. On the embedded PGlite server the pool has ONE connection:
 * pglite-socket queues messages, not extended-protocol cycles, so two
 * connections' Parse/Bind/Execute can interleave (seen: "bind message supplies
 * 2 parameters, but prepared statement requires 3"). One connection per
 * process keeps each cycle whole; PostgreSQL gets the usual pool.
 */
export function createPrismaClient(url: string): PrismaClient {
  const pglite = url.includes(PGLITE_URL_MARKER);
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, ...(pglite ? { max: 1 } : {}) }) });
  urls.set(client, url);
  return client;
}

const urls = new WeakMap<PrismaClient, string>();

/** The URL a client made by `createPrismaClient` talks to (for work beside Prisma on the same database, e.g. COPY). */
export function databaseUrlOf(client: PrismaClient): string | undefined {
  return urls.get(client);
}
