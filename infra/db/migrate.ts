// Applies pending migrations with the real Prisma CLI (`prisma migrate deploy`), the same command an
// operator runs by hand, with scripts/prisma-schema-engine.mjs standing in for the native schema engine
// that cannot be downloaded here.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';

import { PROJECT_ROOT } from '../project-root.js';

const require = createRequire(import.meta.url);

/** The repository root: prisma.config.ts, prisma/ and scripts/ live there. */
export { PROJECT_ROOT };
export const PRISMA_CONFIG_FILE = path.join(PROJECT_ROOT, 'prisma.config.ts');
export const SCHEMA_ENGINE_SHIM = path.join(PROJECT_ROOT, 'scripts', 'prisma-schema-engine.mjs');

/** node_modules/prisma/build/index.js, wherever node_modules is. */
export function prismaCliPath(): string {
  return path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
}

export interface PrismaCliOptions {
  /** DATABASE_URL for the command. */
  databaseUrl: string;
  /** Another Prisma config file (default: the project's prisma.config.ts). */
  configFile?: string;
  /** Working directory (default: the config file's folder). */
  cwd?: string;
  /** Extra environment variables. */
  env?: NodeJS.ProcessEnv;
  /** Give up after this long (default 5 minutes). */
  timeoutMs?: number;
}

export interface PrismaCliResult {
  exitCode: number;
  /** stdout and stderr, interleaved as they came. */
  output: string;
}

/** Runs `prisma <args> --config <file>` in a child process and collects its output; never throws on a non-zero exit. */
export function runPrismaCli(args: string[], options: PrismaCliOptions): Promise<PrismaCliResult> {
  const configFile = options.configFile ?? PRISMA_CONFIG_FILE;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // A real engine configured by the caller still wins (as in prisma.config.ts).
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? SCHEMA_ENGINE_SHIM,
    // No network: no update check, no telemetry.
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    ...options.env,
    DATABASE_URL: options.databaseUrl,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [prismaCliPath(), ...args, '--config', configFile], {
      cwd: options.cwd ?? path.dirname(configFile),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 5 * 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? (signal ? 128 : 1), output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

export interface MigrateResult {
  /** Migrations applied by this call (empty when the database was up to date). */
  applied: string[];
  output: string;
}

/** Applies pending migrations (`prisma migrate deploy`); throws with the CLI's output if it fails. */
export async function migrateDatabase(url: string, options: Omit<PrismaCliOptions, 'databaseUrl'> = {}): Promise<MigrateResult> {
  const { exitCode, output } = await runPrismaCli(['migrate', 'deploy'], { ...options, databaseUrl: url });
  if (exitCode !== 0) {
    throw new Error(`prisma migrate deploy failed (exit code ${exitCode}):\n${redact(output, url)}`);
  }
  return { applied: parseApplied(output), output };
}

/**
 * Names of the migrations in prisma/migrations that the database has not
 * finished applying. A cheap query, so one-shot CLI commands skip the Prisma
 * CLI (seconds) when nothing is pending.
 */
export async function pendingMigrations(url: string, migrationsDir = path.join(PROJECT_ROOT, 'prisma', 'migrations')): Promise<string[]> {
  const wanted = fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(migrationsDir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const exists = await client.query(`SELECT to_regclass('public._prisma_migrations') IS NOT NULL AS ok`);
    if (!exists.rows[0]?.ok) return wanted;
    const done = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const applied = new Set(done.rows.map((r) => r.migration_name));
    return wanted.filter((name) => !applied.has(name));
  } finally {
    await client.end();
  }
}

/** Applies pending migrations only when there are any. */
export async function migrateIfPending(url: string): Promise<string[]> {
  if ((await pendingMigrations(url)).length === 0) return [];
  return (await migrateDatabase(url)).applied;
}

function parseApplied(output: string): string[] {
  const start = output.indexOf('have been applied:');
  if (start < 0) return [];
  return [...output.slice(start).matchAll(/[└├]─ (\S+)\/\s*$/gm)].map((m) => m[1]!).filter((name) => name !== 'migrations');
}

function redact(text: string, url: string): string {
  try {
    const password = new URL(url).password;
    return password ? text.replaceAll(password, '***') : text;
  } catch {
    return text;
  }
}
