import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrateIfPending, pendingMigrations } from '../../infra/db/migrate.js';
import { createScratchDatabase } from './scratch-database.js';
import { testDatabaseUrl } from '../support/database.js';

const migrationsDir = path.resolve(import.meta.dirname, '../../prisma/migrations');
const all = fs.readdirSync(migrationsDir).filter((n) => fs.existsSync(path.join(migrationsDir, n, 'migration.sql'))).sort();

describe('pending migrations', () => {
  it('are none on the migrated test database', async () => {
    expect(await pendingMigrations(testDatabaseUrl())).toEqual([]);
  });

  it('are all of them on an empty database, until migrateIfPending applies them', async () => {
    const scratch = await createScratchDatabase(testDatabaseUrl());
    try {
      expect(all.length).toBeGreaterThanOrEqual(3);
      expect(await pendingMigrations(scratch.url)).toEqual(all);
      expect(await migrateIfPending(scratch.url)).toEqual(all);
      expect(await pendingMigrations(scratch.url)).toEqual([]);
      expect(await migrateIfPending(scratch.url)).toEqual([]);
    } finally {
      await scratch.drop();
    }
  }, 120_000);
});
