/**
 * One size of the matching benchmark, in a process of its own:
 *
 *   node bin/run-ts.js bench/run-size.ts --members 100000 --url postgresql://… [--no-import] [--keep] [--reuse]
 *
 * Creates the database <name>_bench_<members> on the server of --url, migrates it, generates the data
 * (bench/generate.ts; --reuse keeps an already generated database of that name), then, on the same
 * database in the same run:
 *
 * 1. the floor (bench/floor.ts, ../shared/perf-floor.md): the nine bare `INSERT … SELECT` statements in
 *    one transaction; one warm-up pass, then the timed pass;
 * 2. the product end to end: `jiuzhu match --county … --as-of … --json` as a process (start-up, the
 *    statements, storing every finding with its evidence, every JSON line written to /dev/null), on an
 *    empty Finding table (first run: all new), then again with `--full` (all known);
 * 3. the re-match after one more month of payments (2025-01, as a bureau's monthly import would add
 *    it), judged as of 2025-01-31: the incremental `jiuzhu match` (goal ≤ 0.1 of the floor's full time),
 *    then `--full` on the same data, which must find nothing new, clear and reopen nothing;
 * 4. optionally the import throughput.
 *
 * Prints one line `BENCH_RESULT {json}` on stdout; progress goes to stderr.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

import { createPrismaClient } from '../infra/db/client.js';
import { migrateDatabase } from '../infra/db/migrate.js';
import type { FindingKind } from '../domain/matching/index.js';
import { runFloor, setupFloor, type FloorFigures } from './floor.js';
import { BENCH_AS_OF, generate, type GenerateResult } from './generate.js';
import { measureImport, type ImportFigures } from './import.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface CliRun {
  /** Wall time of the `jiuzhu match` process, start to exit. */
  ms: number;
  /** maxRSS of the process (GNU time %M). */
  maxRssMib: number;
  runId: number;
  full: boolean;
  /** runMatching's own time (from the MatchRun row): the rest of `ms` is start-up and shut-down. */
  matchMs: number;
  /** Where runMatching's time went (MatchRun.summary.phases: plan, set-up, statements, clearing, rest, summary, lines, prune). */
  phases: Record<string, number>;
  statements: Array<{ kind: FindingKind; found: number; inserted: number; ms: number }>;
  found: number;
  lines: number;
  /** Findings the run marked cleared. */
  cleared: number;
  /** Findings it reopened. */
  reopened: number;
  /** Load average (1 min) when it started. */
  load: number;
}

export interface SizeResult {
  members: number;
  database: string;
  server: string;
  generate: GenerateResult | { reused: true; rows: Record<string, number> };
  floor: FloorFigures;
  /** First run (every finding new) and the rerun (every finding known). */
  product: CliRun;
  rerun: CliRun;
  /** product.ms / floor.ms: the goal is ≤ 2. */
  ratio: number;
  /**
   * After one more month: the incremental re-match (`jiuzhu match`), then a full run (`--full`) on the same
   * data, which must find nothing new, clear and reopen nothing, and leave the same open findings.
   * ratioToFloor: the re-match process / the floor; matchRatioToFloor: its runMatching time / the floor.
   */
  incremental?: { month: string; payments: number; incremental: CliRun; full: CliRun; ratioToFloor: number; matchRatioToFloor: number; agree: boolean };
  import?: ImportFigures | { skipped: string };
}

const log = (s: string) => process.stderr.write(`${s}\n`);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function admin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const recreate = (adminUrl: string, db: string) =>
  admin(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${db}"`);
  });
const drop = (adminUrl: string, db: string) => admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`));

/** `jiuzhu match` as a process, its JSON lines counted and dropped. */
async function cliMatch(client: pg.Client, url: string, county: string, asOf: string, extra: string[], dataDir: string): Promise<CliRun> {
  const args = ['-f', 'BENCH_RSS %M', process.execPath, path.join(root, 'bin/jiuzhu.js'), 'match', '--county', county, '--as-of', asOf, '--json', ...extra];
  const load = os.loadavg()[0]!;
  const started = performance.now();
  const { stdoutLines, stderr } = await new Promise<{ stdoutLines: number; stderr: string }>((resolve, reject) => {
    const child = spawn('/usr/bin/time', args, { cwd: root, env: { ...process.env, DATABASE_URL: url, JIUZHU_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let err = '';
    // Count lines as they stream (the process writes every finding; nothing is kept here).
    child.stdout.on('data', (d: Buffer) => {
      for (const b of d) if (b === 10) lines++;
    });
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve({ stdoutLines: lines, stderr: err }) : reject(new Error(`jiuzhu match failed (exit ${code}):\n${err}`))));
  });
  const ms = performance.now() - started;
  const rss = /BENCH_RSS (\d+)/.exec(stderr);
  const run = await client.query<{
    id: number;
    full: boolean;
    summary: { statements: Array<CliRun['statements'][number] & { reopened?: number }>; phases: Record<string, number> & { ms: number }; kinds: Array<{ found: number }>; cleared: Array<{ cleared: number }> };
  }>(
    `SELECT id, "full", summary FROM "MatchRun" ORDER BY id DESC LIMIT 1`,
  );
  const r = run.rows[0]!;
  return {
    ms,
    maxRssMib: rss ? Math.round(Number(rss[1]) / 102.4) / 10 : 0,
    runId: r.id,
    full: r.full,
    matchMs: r.summary.phases.ms,
    phases: r.summary.phases,
    statements: r.summary.statements.map(({ kind, found, inserted, ms: t }) => ({ kind, found, inserted, ms: t })),
    // Every open finding of the county (an incremental run's statements count only what they reconsidered).
    found: r.summary.kinds.reduce((s, x) => s + x.found, 0),
    lines: stdoutLines,
    cleared: r.summary.cleared.reduce((s, x) => s + x.cleared, 0),
    reopened: r.summary.statements.reduce((s, x) => s + (x.reopened ?? 0), 0),
    load: Math.round(load * 100) / 100,
  };
}

/** The open findings (not cleared) as key → evidence text, for comparing two runs. */
async function openFindings(client: pg.Client): Promise<Map<string, string>> {
  const r = await client.query<{ key: string; e: string }>(`SELECT key, evidence::text || '|' || coalesce(amount::text, '') AS e FROM "Finding" WHERE "clearedAt" IS NULL`);
  return new Map(r.rows.map((x) => [x.key, x.e]));
}

/**
 * One more month of payments (the month after the generated ledger), as a monthly import adds it: 低保 from
 * the month before, 特困 from the quarter before (in a quarter's first month); every 53rd household is left
 * unpaid and every 97th paid late.
 */
async function addMonth(client: pg.Client, month: string): Promise<number> {
  const r = await client.query(
    `INSERT INTO "Payment" ("enrolmentId", "householdId", period, "dueDate", "amountDue", "amountPaid", "paidDate", "payeeKind", "payeeName")
     SELECT p."enrolmentId", p."householdId", $1, to_date($1 || '-10', 'YYYY-MM-DD'), p."amountDue", p."amountDue",
       CASE WHEN p."householdId" % 97 = 0 THEN to_date($1 || '-20', 'YYYY-MM-DD') ELSE to_date($1 || '-05', 'YYYY-MM-DD') END,
       p."payeeKind", p."payeeName"
     FROM "Payment" p JOIN "Enrolment" e ON e.id = p."enrolmentId"
     WHERE p."householdId" % 53 <> 0
       AND p.period = to_char(to_date($1, 'YYYY-MM') - CASE WHEN e.kind IN ('URBAN_DIBAO', 'RURAL_DIBAO') THEN interval '1 month' ELSE interval '3 months' END, 'YYYY-MM')
       -- quarterly 特困 only in a quarter's first month
       AND (e.kind IN ('URBAN_DIBAO', 'RURAL_DIBAO') OR extract(month FROM to_date($1, 'YYYY-MM'))::int % 3 = 1)`,
    [month],
  );
  await client.query('ANALYZE "Payment"');
  return r.rowCount ?? 0;
}

async function main(): Promise<void> {
  const members = Number(arg('members'));
  const serverUrl = arg('url');
  if (!Number.isInteger(members) || members <= 0 || !serverUrl) throw new Error('usage: run-size.ts --members N --url URL [--no-import] [--keep] [--reuse]');
  const baseName = new URL(serverUrl).pathname.slice(1) || 'postgres';
  const db = `${baseName}_bench_${members}`;
  const url = withDatabase(serverUrl, db);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-bench-data-'));
  const reuse =
    process.argv.includes('--reuse') &&
    (await admin(serverUrl, async (c) => (await c.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [db])).rowCount === 1));
  log(`[${members}] database ${db}${reuse ? ' (reused)' : ''}`);
  if (!reuse) await recreate(serverUrl, db);
  await migrateDatabase(url);

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const server = (await client.query<{ v: string }>(`SELECT version() AS v`)).rows[0]!.v;
  let gen: SizeResult['generate'];
  if (reuse) {
    // Back to the generated state: no findings, no runs, no added month.
    await client.query(`DELETE FROM "Finding"`);
    await client.query(`DELETE FROM "MatchRun"`);
    await client.query(`DELETE FROM "Payment" WHERE period > '2024-12'`);
    const counts = await client.query<Record<string, string>>(`SELECT (SELECT count(*) FROM "Household") AS households, (SELECT count(*) FROM "Payment") AS payments`);
    gen = { reused: true, rows: Object.fromEntries(Object.entries(counts.rows[0]!).map(([k, v]) => [k, Number(v)])) };
  } else {
    log(`[${members}] generating`);
    gen = await generate(client, members, log);
    log(`[${members}] generated ${JSON.stringify(gen.rows)} in ${(gen.ms / 1000).toFixed(1)} s`);
  }
  await client.query('VACUUM ANALYZE');
  const county = (await client.query<{ id: number; name: string }>(`SELECT id, name FROM "Region" WHERE level = 'COUNTY' ORDER BY id LIMIT 1`)).rows[0]!;

  log(`[${members}] floor: building its tables`);
  const setupMs = await setupFloor(client);
  await runFloor(client); // warm-up
  const floorRun = await runFloor(client);
  const floor: FloorFigures = { setupMs, ...floorRun };
  log(`[${members}] floor: ${(floor.ms / 1000).toFixed(2)} s ${JSON.stringify(floor.kinds.map((k) => [k.kind, Math.round(k.ms), k.rows]))}`);

  log(`[${members}] jiuzhu match (first run)`);
  const product = await cliMatch(client, url, county.name, BENCH_AS_OF, [], dataDir);
  log(`[${members}] jiuzhu match: ${(product.ms / 1000).toFixed(2)} s (matching ${(product.matchMs / 1000).toFixed(2)} s), ${product.found} findings`);
  const rerun = await cliMatch(client, url, county.name, BENCH_AS_OF, ['--full'], dataDir);
  log(`[${members}] rerun: ${(rerun.ms / 1000).toFixed(2)} s`);

  let incremental: SizeResult['incremental'];
  if (!process.argv.includes('--no-incremental')) {
    const month = '2025-01';
    const asOf = '2025-01-31';
    // The state before the new month, judged as of the new date (a full run), then the month arrives.
    await cliMatch(client, url, county.name, asOf, ['--full'], dataDir);
    const payments = await addMonth(client, month);
    log(`[${members}] added ${payments} payments for ${month}; incremental match`);
    const inc = await cliMatch(client, url, county.name, asOf, [], dataDir);
    const afterInc = await openFindings(client);
    const full = await cliMatch(client, url, county.name, asOf, ['--full'], dataDir);
    const afterFull = await openFindings(client);
    const fullNew = full.statements.reduce((s, x) => s + x.inserted, 0);
    const agree =
      !inc.full && fullNew === 0 && full.cleared === 0 && full.reopened === 0 && inc.found === full.found &&
      afterInc.size === afterFull.size && [...afterFull].every(([k, v]) => afterInc.get(k) === v);
    incremental = { month, payments, incremental: inc, full, ratioToFloor: inc.ms / floor.ms, matchRatioToFloor: inc.matchMs / floor.ms, agree };
    log(`[${members}] incremental ${(inc.ms / 1000).toFixed(2)} s (${inc.full ? 'FULL' : 'incremental'}), full ${(full.ms / 1000).toFixed(2)} s, agree ${agree}`);
  }

  let imported: SizeResult['import'];
  if (process.argv.includes('--no-import')) {
    imported = { skipped: '--no-import' };
  } else {
    log(`[${members}] import (fresh database)`);
    const importDb = `${db}_import`;
    const importUrl = withDatabase(serverUrl, importDb);
    await recreate(serverUrl, importDb);
    await migrateDatabase(importUrl);
    const target = createPrismaClient(importUrl);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-bench-import-'));
    try {
      imported = await measureImport(client, target, members, dir);
      log(`[${members}] import: ${JSON.stringify(imported)}`);
    } finally {
      await target.$disconnect();
      fs.rmSync(dir, { recursive: true, force: true });
      if (!process.argv.includes('--keep')) await drop(serverUrl, importDb);
    }
  }

  const result: SizeResult = { members, database: db, server, generate: gen, floor, product, rerun, ratio: product.ms / floor.ms, incremental, import: imported };
  await client.end();
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (!process.argv.includes('--keep')) await drop(serverUrl, db);
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

await main();
