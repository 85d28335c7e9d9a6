import { inject } from 'vitest';

/** The environment variable test/setup/file-database.ts sets to this test file's database. */
export const FILE_DATABASE_ENV = 'JIUZHU_TEST_FILE_DATABASE_URL';

/**
 * The database of this test file: on PostgreSQL a copy of the run's migrated template made for this
 * file alone (test/setup/file-database.ts), so no other file's rows (notifications a delivery loop
 * would send, natural keys, counts) are in it; on PGlite, which serves one database, the run's.
 */
export function testDatabaseUrl(): string {
  return process.env[FILE_DATABASE_ENV] || inject('databaseUrl');
}
