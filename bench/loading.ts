/**
 * `npm run bench -- --suite loading`: the import of the roster and payments files against their floor
 * (../shared/perf-floor.md "Loading"; issue 15 item 3), on the same server, in the same run: `COPY … FROM
 * STDIN` (pg-copy-streams) of the same file into a table of the same columns WITHOUT indexes, then the
 * builds of the indexes the product's tables have (FLOOR_TABLES), then `VACUUM (ANALYZE)`. The bare COPY
 * into text columns (no indexes, no VACUUM) is printed too, for transparency: it is stricter than the floor.
 *
 *   npm run bench -- --suite loading                 # 100 k payment rows (≈ 4 200 households × 24 months)
 *   npm run bench -- --suite loading --sizes 1m      # 1 M payment rows
 *   npm run bench -- --suite loading --label after   # results file …-loading-100k-after.json
 *
 * Per file: rows, seconds and rows/s of `importFile` (all or nothing, the default), of the floor (with its
 * parts) and of the bare COPY, and the ratios import rate / floor rate (goal ≥ 25 %) and import / bare COPY.
 * The roster has 1–3 members a household (2 on average). Database: DATABASE_URL if set, else
 * `bash scripts/postgres.sh`; a fresh database per run, dropped afterwards. JSON to bench/results/.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import { createPrismaClient } from '../infra/db/client.js';
import { migrateDatabase } from '../infra/db/migrate.js';
import { importFile, type ImportResult } from '../services/import/index.js';
import { computeCheckDigit } from '../domain/identity/index.js';
import { presets } from '../domain/policy/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MONTHS = 24;

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!m) throw new Error(`--sizes: “${text}” is not a size like 100k or 1m`);
  return Math.round(Number(m[1]) * (m[2]?.toLowerCase() === 'k' ? 1e3 : m[2]?.toLowerCase() === 'm' ? 1e6 : 1));
}

function databaseUrl(): string {
  const env = process.env.DATABASE_URL?.trim();
  if (env && /^postgres(ql)?:\/\//.test(env)) return env;
  const out = execFileSync('bash', [path.join(root, 'scripts/postgres.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return (out.trim().split('\n').pop() ?? '').replace(/^DATABASE_URL=/, '');
}

/** A valid, unique 18-digit ID number for household h (born 1940–1999). */
function headId(h: number): string {
  const day = (h % 28) + 1;
  const month = (Math.floor(h / 28) % 12) + 1;
  const year = 1940 + (Math.floor(h / 336) % 60);
  const seq = Math.floor(h / 20160) % 1000;
  const body = `140428${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${String(seq).padStart(3, '0')}`;
  return body + computeCheckDigit(body);
}

const NAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄'];

/** The roster (one head per household) and H × 24 months of payments, as a bureau would send them. */
function writeFiles(dir: string, paymentRows: number): { roster: string; payments: string; households: number } {
  const households = Math.ceil(paymentRows / MONTHS);
  const roster = path.join(dir, 'roster.csv');
  const payments = path.join(dir, 'payments.csv');
  const r = fs.openSync(roster, 'w');
  const p = fs.openSync(payments, 'w');
  fs.writeSync(r, '\ufeff乡镇,村(社区),户主姓名,户主身份证号,成员姓名,成员身份证号,与户主关系,救助类型,供养机构,月保障金额,纳入日期,状态\n');
  fs.writeSync(p, '\ufeff户主身份证号,救助类型,发放月份,应发金额,实发金额,发放日期,收款方,收款账号\n');
  let rb = '';
  let pb = '';
  let written = 0;
  for (let h = 0; h < households; h++) {
    const id = headId(h);
    const name = `${NAMES[h % NAMES.length]}${h}`;
    rb += `镇${h % 12},村${h % 240},${name},${id},${name},${id},本人,农村低保,,520,2020-01-01,正常\n`;
    // 1–3 members: the others get ID numbers from a range no head uses.
    for (let k = 1; k <= h % 3; k++) {
      const mid = headId(households + 2 * h + k - 1);
      rb += `镇${h % 12},村${h % 240},${name},${id},${k === 1 ? '配偶' : '子女'}${h},${mid},${k === 1 ? '配偶' : '子女'},农村低保,,520,2020-01-01,正常\n`;
    }
    for (let m = 0; m < MONTHS && written < paymentRows; m++, written++) {
      const month = `${2023 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
      pb += `${id},农村低保,${month},520,520,${month}-08,本户,62170000${String(h).padStart(11, '0')}\n`;
    }
    if (pb.length > 1 << 20) {
      fs.writeSync(r, rb);
      fs.writeSync(p, pb);
      rb = pb = '';
    }
  }
  fs.writeSync(r, rb);
  fs.writeSync(p, pb);
  fs.closeSync(r);
  fs.closeSync(p);
  return { roster, payments, households };
}

/**
 * The floor's table per file (../shared/perf-floor.md "Loading"): the file's columns with the types the
 * product stores them as, and the same indexes the product's tables have on them, translated to the
 * file's natural keys (the product's surrogate ids have no column in the file):
 * - payments → "Payment": PK id; unique (enrolment, period) = (head ID, kind, month); (period, paid date); (household) = (head ID).
 * - roster → "Household" + "Member" + "Enrolment": PK id; unique (household, member ID) = (head ID, member ID);
 *   (member ID); unique head ID of "Household" → (head ID); (household, kind) = (head ID, kind); (kind, status).
 */
const FLOOR_TABLES = {
  payments: {
    columns:
      'id bigint GENERATED BY DEFAULT AS IDENTITY, hid text, kind text, month text, amount_due numeric(12,2), amount_paid numeric(12,2), paid_date date, payee text, account text',
    copyColumns: 'hid, kind, month, amount_due, amount_paid, paid_date, payee, account',
    indexes: ['PRIMARY KEY (id)', 'UNIQUE (hid, kind, month)', '(month, paid_date)', '(hid)'],
  },
  roster: {
    columns:
      'id bigint GENERATED BY DEFAULT AS IDENTITY, township text, village text, head_name text, hid text, name text, mid text, relation text, kind text, institution text, amount numeric(12,2), start_date date, status text',
    copyColumns: 'township, village, head_name, hid, name, mid, relation, kind, institution, amount, start_date, status',
    indexes: ['PRIMARY KEY (id)', 'UNIQUE (hid, mid)', '(mid)', '(hid)', '(hid, kind)', '(kind, status)'],
  },
} as const;

interface FloorFigures {
  rows: number;
  /** The bare COPY into a table of text columns, no indexes (the bench's earlier floor; shown for transparency). */
  bareCopyMs: number;
  /** perf-floor.md's floor: COPY into the unindexed typed table + the index builds + VACUUM (ANALYZE). */
  copyMs: number;
  indexMs: number;
  vacuumMs: number;
  floorMs: number;
}

/** The bare COPY: the file as it is into a fresh table of text columns, no indexes, one transaction. */
async function bareCopy(client: pg.Client, file: string, columns: number): Promise<{ rows: number; ms: number }> {
  await client.query('DROP TABLE IF EXISTS bench_copy');
  await client.query(`CREATE TABLE bench_copy (${Array.from({ length: columns }, (_, i) => `c${i} text`).join(', ')})`);
  const started = performance.now();
  await client.query('BEGIN');
  const stream = client.query(copyFrom(`COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')`));
  await pipeline(fs.createReadStream(file), stream);
  await client.query('COMMIT');
  const ms = performance.now() - started;
  const rows = Number(stream.rowCount);
  await client.query('DROP TABLE bench_copy');
  return { rows, ms };
}

/** perf-floor.md's floor: COPY into the typed table without indexes, then its indexes, then VACUUM (ANALYZE). */
async function floorLoad(client: pg.Client, file: string, kind: keyof typeof FLOOR_TABLES): Promise<FloorFigures> {
  const bare = await bareCopy(client, file, FLOOR_TABLES[kind].copyColumns.split(',').length);
  const t = FLOOR_TABLES[kind];
  await client.query('DROP TABLE IF EXISTS bench_floor');
  await client.query(`CREATE TABLE bench_floor (${t.columns})`);
  const t0 = performance.now();
  await client.query('BEGIN');
  const stream = client.query(copyFrom(`COPY bench_floor (${t.copyColumns}) FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')`));
  await pipeline(fs.createReadStream(file), stream);
  await client.query('COMMIT');
  const t1 = performance.now();
  for (const ix of t.indexes) {
    await client.query(ix.startsWith('PRIMARY') || ix.startsWith('UNIQUE') ? `ALTER TABLE bench_floor ADD ${ix}` : `CREATE INDEX ON bench_floor ${ix}`);
  }
  const t2 = performance.now();
  await client.query('VACUUM (ANALYZE) bench_floor');
  const t3 = performance.now();
  await client.query('DROP TABLE bench_floor');
  return { rows: Number(stream.rowCount), bareCopyMs: Math.round(bare.ms), copyMs: Math.round(t1 - t0), indexMs: Math.round(t2 - t1), vacuumMs: Math.round(t3 - t2), floorMs: Math.round(t3 - t0) };
}

interface FileFigures {
  file: string;
  /** 1-minute load average before the floor and after the import (the machine is shared). */
  loadAverage: [number, number];
  rows: number;
  importMs: number;
  importRowsPerSecond: number;
  /** perf-floor.md's floor: COPY into the unindexed table + index builds + VACUUM (ANALYZE), and its parts. */
  floor: FloorFigures;
  floorRowsPerSecond: number;
  /** import rate / floor rate (goal ≥ 25 %) */
  ratio: number;
  /** The bare COPY alone (text columns, no indexes, no VACUUM): stricter than the floor, kept for transparency. */
  bareCopyRowsPerSecond: number;
  /** import rate / bare COPY rate */
  bareCopyRatio: number;
  status: string;
}

function figures(file: string, r: ImportResult, floor: FloorFigures, loadBefore: number): FileFigures {
  const importRate = r.accepted / (r.durationMs / 1000);
  const floorRate = floor.rows / (floor.floorMs / 1000);
  const bareRate = floor.rows / (floor.bareCopyMs / 1000);
  return {
    file,
    loadAverage: [Number(loadBefore.toFixed(2)), Number(os.loadavg()[0]!.toFixed(2))],
    rows: r.accepted,
    importMs: r.durationMs,
    importRowsPerSecond: Math.round(importRate),
    floor,
    floorRowsPerSecond: Math.round(floorRate),
    ratio: Number((importRate / floorRate).toFixed(4)),
    bareCopyRowsPerSecond: Math.round(bareRate),
    bareCopyRatio: Number((importRate / bareRate).toFixed(4)),
    status: `${r.status} ${r.accepted}/${r.rows}`,
  };
}

async function runSize(adminUrl: string, paymentRows: number): Promise<{ paymentRows: number; households: number; server: string; files: FileFigures[] }> {
  const db = `jiuzhu_bench_loading_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${db}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${db}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-bench-loading-'));
  const prisma = createPrismaClient(url.toString());
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await migrateDatabase(url.toString());
    await client.connect();
    const server = (await client.query<{ v: string }>('SELECT version() AS v')).rows[0]!.v.split(' on ')[0]!;
    const files = writeFiles(dir, paymentRows);
    const common = { prisma, databaseUrl: url.toString(), policy: presets.zhangzi, today: '2025-06-30', hashKey: 'bench-hash-key-0123456789abcdef', county: `基准县${process.pid}` };
    const out: FileFigures[] = [];
    for (const [kind, file] of [
      ['roster', files.roster],
      ['payments', files.payments],
    ] as const) {
      const loadBefore = os.loadavg()[0]!;
      const floor = await floorLoad(client, file, kind);
      const r = await importFile({ ...common, kind, file, errorFile: `${file}.errors.csv` });
      if (r.status !== 'imported') throw new Error(`${kind}: ${r.status} (${r.firstErrors.slice(0, 3).map((e) => `${e.line}: ${e.reasons.join('；')}`).join(' | ')})`);
      out.push(figures(kind, r, floor, loadBefore));
    }
    return { paymentRows, households: files.households, server, files: out };
  } finally {
    await client.end().catch(() => {});
    await prisma.$disconnect();
    await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => {});
    await admin.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const sizesArg = argValue('sizes') ?? '100k';
const sizes = sizesArg.split(',').map(parseSize);
const adminUrl = databaseUrl();
console.log(`\n== loading: importFile vs the floor (COPY + index builds + VACUUM ANALYZE) of the same file (${sizes.map((n) => n.toLocaleString('en-US')).join(', ')} payment rows)`);
const results = [];
for (const n of sizes) {
  const r = await runSize(adminUrl, n);
  results.push(r);
  console.log(`   ${r.server}; ${r.households} households, ${r.paymentRows} payment rows`);
  console.log(`   file       rows       import s    rows/s  floor s (COPY+index+VACUUM)    rows/s  import/floor (goal ≥ 25 %)  bare COPY s  rows/s  import/bare  load avg`);
  for (const f of r.files) {
    const fl = f.floor;
    console.log(
      `   ${f.file.padEnd(10)} ${String(f.rows).padStart(9)}  ${(f.importMs / 1000).toFixed(2).padStart(8)}  ${String(f.importRowsPerSecond).padStart(8)}  ${(fl.floorMs / 1000).toFixed(2).padStart(7)} (${(fl.copyMs / 1000).toFixed(2)}+${(fl.indexMs / 1000).toFixed(2)}+${(fl.vacuumMs / 1000).toFixed(2)})`.padEnd(80) +
        `${String(f.floorRowsPerSecond).padStart(8)}  ${(f.ratio * 100).toFixed(1).padStart(8)} %                ${(fl.bareCopyMs / 1000).toFixed(2).padStart(8)}  ${String(f.bareCopyRowsPerSecond).padStart(8)}  ${(f.bareCopyRatio * 100).toFixed(1).padStart(6)} %  ${f.loadAverage.join(' → ')}`,
    );
  }
}
const stamp = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
// --label NAME: results/<date>-loading-<sizes>-NAME.json (so that a run does not replace another of the day).
const label = argValue('label');
const file = path.join(root, 'bench/results', `${stamp}-loading-${sizesArg.replaceAll(',', '-')}${label ? `-${label.replace(/[^\w.-]/g, '_')}` : ''}.json`);
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(
  file,
  `${JSON.stringify({ at: new Date().toISOString(), command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(), node: process.version, cpus: os.cpus().length, results }, null, 2)}\n`,
);
console.log(`   results: ${path.relative(root, file)}`);
