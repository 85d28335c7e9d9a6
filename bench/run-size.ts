/**
 * One size of the benchmark, in a process of its own (so maxRSS is this size's):
 *
 *   node bin/run-ts.js bench/run-size.ts --members 100000 --url postgresql://… [--no-import] [--keep]
 *
 * Creates the database <name>_bench_<members> on the server of --url, migrates
 * it, generates the data, runs the baseline and the matcher, optionally the
 * import, and prints one line `BENCH_RESULT {json}` on stdout. Progress goes
 * to stderr.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import pg from 'pg';

import { runMatching, type MatchRunResult } from '../activities/matching/index.js';
import { createPrismaClient } from '../app/db/client.js';
import { migrateDatabase } from '../app/db/migrate.js';
import { FINDING_KINDS, type FindingKind } from '../domain/matching/index.js';
import { presets } from '../domain/policy/index.js';
import { BASELINE } from './baseline.js';
import { BENCH_AS_OF, generate, type GenerateResult } from './generate.js';
import { measureImport, type ImportFigures } from './import.js';
import { maxRssMib, RssSampler } from './memory.js';

export interface KindFigures {
  kind: FindingKind;
  baselineMs: number;
  baselineCount: number;
  oursMs: number;
  oursFound: number;
  oursNew: number;
  /** Second run (everything already stored). */
  rerunMs: number;
}

export interface SizeResult {
  members: number;
  database: string;
  server: string;
  parallelWorkersPerGather: string;
  workMem: string;
  generate: GenerateResult;
  kinds: KindFigures[];
  baselineTotalMs: number;
  /** runMatching end to end (statements, summary, every finding streamed as JSON to a null sink, audit). */
  oursEndToEndMs: number;
  oursStatementsMs: number;
  /** First run: the statements with their setup, the summary and examples, the streamed lines. */
  oursPhases: MatchRunResult['phases'];
  rerunEndToEndMs: number;
  lines: number;
  countsAgree: boolean;
  memory: { baselineRssMib: number; matchPeakRssMib: number; rerunPeakRssMib: number; maxRssAfterMatchMib: number; maxRssEndMib: number };
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

async function recreate(adminUrl: string, db: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${db}"`);
  } finally {
    await admin.end();
  }
}

const nullSink = () =>
  new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  });

async function timedMatch(prisma: ReturnType<typeof createPrismaClient>, county: { id: number; name: string }, label: string) {
  const sink = nullSink();
  const sampler = new RssSampler().start();
  const started = performance.now();
  const result: MatchRunResult = await runMatching(prisma, {
    counties: [{ ...county, policy: presets.zhangzi }],
    asOf: BENCH_AS_OF,
    actor: 'bench',
    onLine: async (line) => {
      if (!sink.write(`${JSON.stringify(line)}\n`)) await once(sink, 'drain');
    },
    onStatement: (s) => log(`    ${label} ${s.kind}: ${s.found} found, ${s.inserted} new, ${(s.ms / 1000).toFixed(2)} s`),
  });
  const ms = performance.now() - started;
  return { result, ms, peak: sampler.stop() };
}

async function main(): Promise<void> {
  const members = Number(arg('members'));
  const serverUrl = arg('url');
  if (!Number.isInteger(members) || members <= 0 || !serverUrl) throw new Error('usage: run-size.ts --members N --url URL [--no-import] [--keep]');
  const baseName = new URL(serverUrl).pathname.slice(1) || 'postgres';
  const db = `${baseName}_bench_${members}`;
  const url = withDatabase(serverUrl, db);
  log(`[${members}] database ${db}`);
  await recreate(serverUrl, db);
  await migrateDatabase(url);

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const settings = await client.query<{ p: string; w: string; v: string }>(
    `SELECT current_setting('max_parallel_workers_per_gather') AS p, current_setting('work_mem') AS w, version() AS v`,
  );
  log(`[${members}] generating`);
  const gen = await generate(client, members, log);
  log(`[${members}] generated ${JSON.stringify(gen.rows)} in ${(gen.ms / 1000).toFixed(1)} s; VACUUM ANALYZE`);
  await client.query('VACUUM ANALYZE');

  // Baseline: one untimed pass to warm the cache, then the timed pass. Same session setting as the
  // matcher's transaction (jit off), so that neither pays LLVM compilation.
  await client.query('SET jit = off');
  const params = [gen.countyId, BENCH_AS_OF];
  for (const kind of FINDING_KINDS) await client.query(BASELINE[kind], params);
  const baseline = new Map<FindingKind, { ms: number; count: number }>();
  const baselineSampler = new RssSampler().start();
  for (const kind of FINDING_KINDS) {
    const t = performance.now();
    const r = await client.query<{ count: string }>(BASELINE[kind], params);
    const ms = performance.now() - t;
    const count = Number(Object.values(r.rows[0]!)[0]);
    baseline.set(kind, { ms, count });
    log(`    baseline ${kind}: ${count}, ${(ms / 1000).toFixed(2)} s`);
  }
  const baselineRss = baselineSampler.stop();

  const prisma = createPrismaClient(url);
  const county = { id: gen.countyId, name: gen.countyName };
  log(`[${members}] matching (first run)`);
  const first = await timedMatch(prisma, county, 'match');
  const maxAfterMatch = maxRssMib();
  log(`[${members}] matching again (everything known)`);
  const second = await timedMatch(prisma, county, 'rerun');

  const kinds: KindFigures[] = FINDING_KINDS.map((kind) => {
    const s1 = first.result.statements.find((s) => s.kind === kind)!;
    const s2 = second.result.statements.find((s) => s.kind === kind)!;
    const b = baseline.get(kind)!;
    return { kind, baselineMs: b.ms, baselineCount: b.count, oursMs: s1.ms, oursFound: s1.found, oursNew: s1.inserted, rerunMs: s2.ms };
  });
  const countsAgree = kinds.every((k) => k.baselineCount === k.oursFound);
  if (!countsAgree) log(`[${members}] WARNING: counts differ from the baseline: ${JSON.stringify(kinds.filter((k) => k.baselineCount !== k.oursFound))}`);

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
      if (!process.argv.includes('--keep')) await recreateDrop(serverUrl, importDb);
    }
  }

  const result: SizeResult = {
    members,
    database: db,
    server: settings.rows[0]!.v,
    parallelWorkersPerGather: settings.rows[0]!.p,
    workMem: settings.rows[0]!.w,
    generate: gen,
    kinds,
    baselineTotalMs: kinds.reduce((s, k) => s + k.baselineMs, 0),
    oursEndToEndMs: first.ms,
    oursStatementsMs: kinds.reduce((s, k) => s + k.oursMs, 0),
    oursPhases: first.result.phases,
    rerunEndToEndMs: second.ms,
    lines: first.result.lines,
    countsAgree,
    memory: { baselineRssMib: baselineRss, matchPeakRssMib: first.peak, rerunPeakRssMib: second.peak, maxRssAfterMatchMib: maxAfterMatch, maxRssEndMib: maxRssMib() },
    import: imported,
  };
  await prisma.$disconnect();
  await client.end();
  if (!process.argv.includes('--keep')) await recreateDrop(serverUrl, db);
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

async function recreateDrop(adminUrl: string, db: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

await main();
