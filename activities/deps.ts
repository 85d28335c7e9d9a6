import type { PrismaClient } from '../prisma/generated/client.js';

/** What activities need from the outside world; built once per worker. */
export interface Database {
  prisma: PrismaClient;
  /** The data folder (JIUZHU_DATA_DIR): statutory tables go to `<dataDir>/reports/`. */
  dataDir?: string;
}
