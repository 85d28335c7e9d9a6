/**
 * One size of the statutory-tables benchmark, in a process of its own (so its
 * peak memory is its own):
 *
 *   node bin/run-ts.js bench/tables-size.ts --members 20000 --url postgresql://… [--keep]
 *
 * Creates <db>_tables_<members>, migrates it, generates the matching
 * benchmark's county (bench/generate.ts) plus what the tables read
 * (death-review and prison-exit cases with decisions, township reporting
 * units with progress submissions, rectification items, filings dated in the
 * period), then for each of the six Zhangzi tables measures
 *   - baseline: the bare SQL aggregation of the table's figures (row count and
 *     the totals), run over pg on the same database in the same process;
 *   - ours: writeTable end to end (queries, row building, .xlsx on disk);
 * and checks that the totals agree. Prints `BENCH_RESULT {json}`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

import { createPrismaClient } from '../infra/db/client.js';
import { migrateDatabase } from '../infra/db/migrate.js';
import { writeTable } from '../services/reports/index.js';
import { fundsSql, paymentDueValues } from '../readmodels/statutory-tables.js';
import { presets } from '../domain/policy/index.js';
import { TABLE_SPECS, type TableId } from '../domain/tables/index.js';
import { generate, type GenerateResult } from './generate.js';
import { maxRssMib, mib, RssSampler } from './memory.js';

export const TABLES_PERIOD = { start: '2024-01-01', end: '2024-12-31', text: '2024-01-01..2024-12-31' };
const TABLES: TableId[] = ['zhangzi-1', 'zhangzi-2', 'zhangzi-3', 'zhangzi-4', 'zhangzi-5', 'zhangzi-6'];

export interface TableFigures {
  table: TableId;
  rows: number;
  baselineMs: number;
  baselineRssMib: number;
  oursMs: number;
  oursPeakRssMib: number;
  /** Peak RSS minus RSS at the start of the step (what the step itself added). */
  baselineDeltaMib: number;
  oursDeltaMib: number;
  fileBytes: number;
  /** Row count and every total equal the baseline's. */
  agrees: boolean;
  baseline: Record<string, number>;
  ours: Record<string, number>;
}

export interface TablesSizeResult {
  members: number;
  database: string;
  server: string;
  generate: GenerateResult;
  extraMs: number;
  extraRows: Record<string, number>;
  tables: TableFigures[];
  baselineTotalMs: number;
  oursTotalMs: number;
  maxRssEndMib: number;
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

async function admin(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** What the tables read beyond the matching benchmark's data. */
async function generateExtra(client: pg.Client, countyId: number): Promise<Record<string, number>> {
  const q = async (sql: string) => (await client.query(sql)).rowCount ?? 0;
  // Death reviews: township, household, member, a decision within 2 months, over-payment and recoveries.
  await q(`
    UPDATE "Case" c SET "regionId" = v."parentId", "householdId" = m."householdId", "openedAt" = c."anchorDate" + interval '5 days',
      "dueAt" = (c."anchorDate" + interval '3 months 1 day')::timestamptz,
      data = jsonb_build_object('countyRegionId', ${countyId}, 'memberId', m.id, 'deathDate', c."anchorDate", 'source', '公安',
        'decision', jsonb_build_object('decision', '停发', 'effectiveMonth', to_char(c."anchorDate" + interval '1 month', 'YYYY-MM'),
                                       'decidedAt', to_char(c."anchorDate" + interval '40 days', 'YYYY-MM-DD"T"02:00:00.000"Z"')),
        'overpayment', jsonb_build_object('totalCents', (c.id % 5) * 50000, 'months', jsonb_build_array()),
        'recoveries', jsonb_build_array(jsonb_build_object('amountCents', (c.id % 3) * 10000)))
    FROM "Member" m JOIN "Household" h ON h.id = m."householdId" JOIN "Region" v ON v.id = h."regionId"
    WHERE c.kind = 'DEATH_REVIEW' AND m."idNumber" = c."subjectIdNumber"`);
  const prison = await q(`
    INSERT INTO "Case" (kind, "workflowId", "subjectIdNumber", "householdId", "regionId", status, "anchorDate", "openedAt", "dueAt", data)
    SELECT 'PRISON_EXIT', 'bench-prison-exit-' || p.id || '-' || m.id, p."idNumber", m."householdId", v."parentId", 'OPEN', p."custodyDate",
           p."custodyDate" + interval '10 days', p."custodyDate" + interval '40 days',
           jsonb_build_object('countyRegionId', ${countyId}, 'memberId', m.id, 'source', p.source)
    FROM "PrisonRecord" p JOIN "Member" m ON m."idNumber" = p."idNumber" JOIN "Household" h ON h.id = m."householdId"
    JOIN "Region" v ON v.id = h."regionId"`);
  await q(`UPDATE "NearRelativeFiling" SET "filedAt" = timestamptz '2024-03-01 10:00+08' + (id % 200) * interval '1 day', "homeVisitDate" = date '2024-03-05' + (id % 200)`);
  const units = await q(`
    INSERT INTO "ReportingUnit" ("countyRegionId", kind, name, "regionId")
    SELECT ${countyId}, 'TOWNSHIP', name || '人民政府', id FROM "Region" WHERE "parentId" = ${countyId} AND level = 'TOWNSHIP'`);
  const cycles = await q(`
    INSERT INTO "ReportCycle" ("countyRegionId", kind, period, "workflowId", "periodStart", "periodEnd", "dueAt", "openedAt")
    SELECT ${countyId}, 'progress', to_char(d, 'YYYY-MM-DD'), 'bench-progress-' || to_char(d, 'YYYY-MM-DD'), d - 14, d, d + interval '16 hours', d - 14
    FROM (SELECT make_date(2024, m, x) AS d FROM generate_series(5, 12) m CROSS JOIN (VALUES (14), (28)) v(x)) s`);
  // Every unit but the last two reports in every cycle; every fifth report is late.
  const subs = await q(`
    INSERT INTO "ReportSubmission" ("cycleId", "unitId", "submittedByStaffId", "submittedAt", late, data, "updateId")
    SELECT c.id, u.id, 1, c."dueAt" - interval '2 hours' + CASE WHEN (c.id + u.id) % 5 = 0 THEN interval '1 day' ELSE interval '0' END,
           (c.id + u.id) % 5 = 0,
           jsonb_build_object('items', jsonb_build_object(
             'Z1', jsonb_build_object('found', (c.id + u.id) % 4, 'households', (c.id + u.id) % 3, 'amount', ((c.id * u.id) % 1000) + 0.5, 'rectified', (c.id + u.id) % 2, 'recovered', (u.id % 7) * 10.25, 'cluesTransferred', u.id % 2, 'heldAccountable', c.id % 2),
             'Z2', jsonb_build_object('found', u.id % 3, 'households', u.id % 3, 'amount', u.id * 100, 'rectified', u.id % 3, 'recovered', u.id * 50, 'cluesTransferred', 0, 'heldAccountable', 0))),
           'bench-sub-' || c.id || '-' || u.id
    FROM "ReportCycle" c JOIN "ReportingUnit" u ON u."countyRegionId" = c."countyRegionId"
    WHERE c."countyRegionId" = ${countyId} AND u.id NOT IN (SELECT id FROM "ReportingUnit" WHERE "countyRegionId" = ${countyId} ORDER BY id DESC LIMIT 2)`);
  // One rectification item per 50 households, half completed.
  const items = await q(`
    INSERT INTO "RectificationItem" ("countyRegionId", "workflowId", seq, problem, "focusItem", source, "responsibleRegionId", "responsibleUnit", "responsibleStaffId", measures, deadline, status, "completedAt", "recoveredAmount", "clueTransferred", "createdAt")
    SELECT ${countyId}, 'bench-rect-' || n, n, '第' || n || '号问题：低保金未及时足额发放', 'Z' || (1 + n % 5), (ARRAY['自查','举报','大数据比对','督查'])[1 + n % 4],
           t.id, t.name || '人民政府', 1, '核实后补发或追回', date '2024-06-01' + n % 150,
           CASE WHEN n % 2 = 0 THEN 'COMPLETED' ELSE 'IN_PROGRESS' END::"RectificationStatus",
           CASE WHEN n % 2 = 0 THEN timestamptz '2024-07-01 10:00+08' END, (n % 100) * 12.5, n % 7 = 0, timestamptz '2024-05-01 10:00+08'
    FROM generate_series(1, (SELECT count(*) / 50 FROM "Household")::int) n
    JOIN LATERAL (SELECT id, name FROM "Region" WHERE "parentId" = ${countyId} ORDER BY id OFFSET n % 20 LIMIT 1) t ON true`);
  return { prisonCases: prison, reportingUnits: units, cycles, submissions: subs, rectificationItems: items };
}

/** The bare SQL aggregation of each table's figures: row count and totals. */
function baselineSql(table: TableId): string {
  const range = `$2::date AND $3::date`;
  const from = `timestamptz ($2::date::text || ' 00:00+08')`;
  const to = `timestamptz (($3::date + 1)::text || ' 00:00+08')`;
  switch (table) {
    case 'zhangzi-1':
      return `WITH s AS (
          SELECT s.data FROM "ReportSubmission" s JOIN "ReportCycle" c ON c.id = s."cycleId"
          JOIN "ReportingUnit" u ON u.id = s."unitId" AND u.kind = 'TOWNSHIP' AND u.active
          WHERE c."countyRegionId" = $1 AND c.kind = 'progress' AND c."periodEnd" BETWEEN ${range}),
        missing AS (
          SELECT count(*) AS n FROM "ReportCycle" c JOIN "ReportingUnit" u ON u."countyRegionId" = c."countyRegionId" AND u.kind = 'TOWNSHIP' AND u.active
          WHERE c."countyRegionId" = $1 AND c.kind = 'progress' AND c."periodEnd" BETWEEN ${range}
            AND NOT EXISTS (SELECT 1 FROM "ReportSubmission" x WHERE x."cycleId" = c.id AND x."unitId" = u.id)),
        items AS (SELECT i.value AS v FROM s CROSS JOIN jsonb_each(s.data->'items') i WHERE i.key IN ('Z1','Z2','Z3','Z4','Z5'))
        SELECT (SELECT count(*) * 5 FROM s) + (SELECT n FROM missing) AS rows,
          sum((v->>'found')::numeric) AS found, sum((v->>'households')::numeric) AS households, sum((v->>'amount')::numeric) AS amount,
          sum((v->>'rectified')::numeric) AS rectified, sum((v->>'recovered')::numeric) AS recovered,
          sum((v->>'cluesTransferred')::numeric) AS "cluesTransferred", sum((v->>'heldAccountable')::numeric) AS "heldAccountable"
        FROM items`;
    case 'zhangzi-2':
      return `WITH cr AS (SELECT id FROM "Region" WHERE id = $1 UNION ALL SELECT id FROM "Region" WHERE "parentId" = $1
                          UNION ALL SELECT v.id FROM "Region" v JOIN "Region" t ON t.id = v."parentId" WHERE t."parentId" = $1),
        f AS (SELECT f.id, f."relativeIdNumber" FROM "NearRelativeFiling" f JOIN "Staff" s ON s.id = f."staffId"
              WHERE s."regionId" IN (SELECT id FROM cr) AND f."filedAt" >= ${from} AND f."filedAt" < ${to}),
        hh AS (SELECT f.id, (SELECT m."householdId" FROM "Member" m WHERE m."idNumber" = f."relativeIdNumber" ORDER BY m.id LIMIT 1) AS h FROM f)
        SELECT count(*) AS rows, sum((SELECT sum(e."monthlyAmount") FROM "Enrolment" e WHERE e."householdId" = hh.h AND e.status = 'ACTIVE')) AS "monthlyAmount" FROM hh`;
    case 'zhangzi-3':
      return ''; // the table's own SQL (see main)
    case 'zhangzi-4':
      return `SELECT 0 AS rows`;
    case 'zhangzi-5':
      return `SELECT count(*) AS rows, sum(jsonb_array_length(COALESCE(c.data->'overpayment'->'months', '[]'))) AS "overpaidMonths",
          sum(COALESCE((c.data->'overpayment'->>'totalCents')::numeric, 0)) / 100 AS overpaid,
          sum((SELECT COALESCE(sum((r->>'amountCents')::numeric), 0) FROM jsonb_array_elements(COALESCE(c.data->'recoveries', '[]')) r)) / 100 AS recovered
        FROM "Case" c JOIN "Region" t ON t.id = c."regionId"
        WHERE c.kind IN ('DEATH_REVIEW', 'PRISON_EXIT') AND t."parentId" = $1 AND c."openedAt" < ${to} AND (c."closedAt" IS NULL OR c."closedAt" >= ${from})`;
    case 'zhangzi-6':
      return `SELECT count(*) AS rows, sum("recoveredAmount") AS recovered FROM "RectificationItem"
        WHERE "countyRegionId" = $1 AND "createdAt" < timestamptz (($2::date + 1)::text || ' 00:00+08')`;
  }
  throw new Error(`no baseline for ${table}`);
}

async function runBaseline(client: pg.Client, table: TableId, countyId: number): Promise<Record<string, number>> {
  if (table === 'zhangzi-3') {
    const sql = fundsSql(paymentDueValues(presets.zhangzi, TABLES_PERIOD.start, TABLES_PERIOD.end));
    const r = await client.query<Record<string, string | number>>(
      `SELECT count(*) AS rows, sum(households) AS households, sum(persons) AS persons, sum(due::numeric) AS "amountDue", sum(paid::numeric) AS "amountPaid", sum(on_time) AS "onTime", sum(late) AS "lateOrUnpaid" FROM (${sql}) x`,
      [countyId],
    );
    return Object.fromEntries(Object.entries(r.rows[0]!).map(([k, v]) => [k, Number(v ?? 0)]));
  }
  const sql = baselineSql(table);
  const params = table === 'zhangzi-4' ? [] : table === 'zhangzi-6' ? [countyId, TABLES_PERIOD.end] : [countyId, TABLES_PERIOD.start, TABLES_PERIOD.end];
  const r = await client.query<Record<string, string | number | null>>(sql, params);
  return Object.fromEntries(Object.entries(r.rows[0]!).map(([k, v]) => [k, Number(v ?? 0)]));
}

async function main(): Promise<void> {
  const members = Number(arg('members'));
  const serverUrl = arg('url');
  if (!Number.isInteger(members) || members <= 0 || !serverUrl) throw new Error('usage: tables-size.ts --members N --url URL [--keep]');
  const baseName = new URL(serverUrl).pathname.slice(1) || 'postgres';
  const db = `${baseName}_tables_${members}`;
  const url = withDatabase(serverUrl, db);
  log(`[${members}] database ${db}`);
  await admin(serverUrl, `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  await admin(serverUrl, `CREATE DATABASE "${db}"`);
  await migrateDatabase(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const server = (await client.query<{ v: string }>('SELECT version() AS v')).rows[0]!.v;
  log(`[${members}] generating`);
  const gen = await generate(client, members, log);
  const t0 = performance.now();
  const extraRows = await generateExtra(client, gen.countyId);
  const extraMs = performance.now() - t0;
  log(`[${members}] generated ${JSON.stringify(gen.rows)} + ${JSON.stringify(extraRows)}; VACUUM ANALYZE`);
  await client.query('VACUUM ANALYZE');
  await client.query('SET jit = off');

  const prisma = createPrismaClient(url);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-bench-tables-'));
  const tables: TableFigures[] = [];
  try {
    // Warm-up: load exceljs and the Prisma engine once, so no table pays for module loading.
    await writeTable(prisma, 'zhangzi-4', { countyRegionId: gen.countyId, period: TABLES_PERIOD.text, policy: presets.zhangzi, file: path.join(dir, 'warm-up.xlsx') });
    for (const table of TABLES) {
      await runBaseline(client, table, gen.countyId); // warm the cache
      const bs0 = mib(process.memoryUsage.rss());
      const bs = new RssSampler().start();
      const tb = performance.now();
      const baseline = await runBaseline(client, table, gen.countyId);
      const baselineMs = performance.now() - tb;
      const baselineRssMib = bs.stop();

      const file = path.join(dir, `${table}.xlsx`);
      const os0 = mib(process.memoryUsage.rss());
      const os_ = new RssSampler().start();
      const to = performance.now();
      const written = await writeTable(prisma, table, { countyRegionId: gen.countyId, period: TABLES_PERIOD.text, policy: presets.zhangzi, file });
      const oursMs = performance.now() - to;
      const oursPeakRssMib = os_.stop();
      const ours = { rows: written.rows, ...written.totals };
      const agrees = Object.entries(baseline).every(([k, v]) => Math.abs((ours as Record<string, number>)[k]! - v) < 0.005);
      const f: TableFigures = { table, rows: written.rows, baselineMs, baselineRssMib, oursMs, oursPeakRssMib, baselineDeltaMib: Math.round((baselineRssMib - bs0) * 10) / 10, oursDeltaMib: Math.round((oursPeakRssMib - os0) * 10) / 10, fileBytes: fs.statSync(file).size, agrees, baseline, ours };
      log(`    ${table} (${TABLE_SPECS[table].title}): ${written.rows} rows; baseline ${(baselineMs / 1000).toFixed(3)} s, ours ${(oursMs / 1000).toFixed(3)} s, peak RSS ${oursPeakRssMib} MiB${agrees ? '' : ` TOTALS DIFFER ${JSON.stringify({ baseline, ours })}`}`);
      tables.push(f);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await prisma.$disconnect();
    await client.end();
  }
  if (!process.argv.includes('--keep')) await admin(serverUrl, `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  const result: TablesSizeResult = {
    members,
    database: db,
    server,
    generate: gen,
    extraMs,
    extraRows,
    tables,
    baselineTotalMs: tables.reduce((s, t) => s + t.baselineMs, 0),
    oursTotalMs: tables.reduce((s, t) => s + t.oursMs, 0),
    maxRssEndMib: maxRssMib(),
  };
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

await main();
