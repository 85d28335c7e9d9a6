// A copy of schema.prisma and prisma/migrations in a temporary folder, with a Prisma config pointing
// there: for tests that run the real Prisma CLI on migrations of their own choosing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { PROJECT_ROOT } from '../../infra/db/migrate.js';

export const migrationsDir = path.join(PROJECT_ROOT, 'prisma', 'migrations');

/** The migrations in prisma/migrations, in the order they apply. */
export const migrationNames = fs
  .readdirSync(migrationsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

export interface MigrationProject {
  dir: string;
  configFile: string;
  /** Copies one more migration of prisma/migrations into the copy. */
  addMigration(name: string): void;
  remove(): void;
}

/**
 * The copy; with `before`, only the migrations that apply before that one (the others can be added
 * one by one with `addMigration`).
 */
export function copyProject(options: { before?: string } = {}): MigrationProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-migrations-'));
  const addMigration = (name: string) => fs.cpSync(path.join(migrationsDir, name), path.join(dir, 'migrations', name), { recursive: true });
  if (options.before === undefined) {
    fs.cpSync(migrationsDir, path.join(dir, 'migrations'), { recursive: true });
  } else {
    if (!migrationNames.includes(options.before)) throw new Error(`no migration ${options.before} in prisma/migrations`);
    fs.mkdirSync(path.join(dir, 'migrations'));
    fs.copyFileSync(path.join(migrationsDir, 'migration_lock.toml'), path.join(dir, 'migrations', 'migration_lock.toml'));
    for (const name of migrationNames.filter((n) => n < options.before!)) addMigration(name);
  }
  fs.copyFileSync(path.join(PROJECT_ROOT, 'prisma', 'schema.prisma'), path.join(dir, 'schema.prisma'));
  // A config without imports, so that it loads from a folder with no node_modules.
  const configFile = path.join(dir, 'prisma.config.mjs');
  fs.writeFileSync(
    configFile,
    `export default {
  schema: ${JSON.stringify(path.join(dir, 'schema.prisma'))},
  migrations: { path: ${JSON.stringify(path.join(dir, 'migrations'))} },
  datasource: { url: process.env.DATABASE_URL },
};
`,
  );
  return { dir, configFile, addMigration, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
