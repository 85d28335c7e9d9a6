// The Prisma client (Prisma 7: generated TypeScript in prisma/generated, run `npx prisma generate`),
// talking to PostgreSQL or the PGlite server through the pg driver adapter. No native engine.
import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient } from '../../prisma/generated/client.js';

export { Prisma, PrismaClient } from '../../prisma/generated/client.js';

export function createPrismaClient(url: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
}
