/**
 * Runs the cross-matching for a set of counties in one transaction:
 *
 * 1. a temporary table `match_hits` for what this run finds;
 * 2. per county, the county policy as lookup tables (domain), then one
 *    statement per kind (sql.ts) that stores new findings in "Finding"
 *    (ON CONFLICT (key) DO NOTHING) and lists everything it found in match_hits;
 * 3. the summary by county, kind and township (GROUP BY in the database),
 *    examples per kind, and, if asked, every finding streamed through a cursor
 *    in batches (memory does not grow with the data);
 * 4. one audit entry with the counts, then commit.
 */
import { appendAudit } from '../../infra/audit-chain.js';
import type { Prisma, PrismaClient } from '../../infra/db/client.js';
import {
  buildMatchTables,
  describeFinding,
  FINDING_KIND_INFO,
  FINDING_KINDS,
  parseYuan,
  type DescribableFinding,
  type ExampleLine,
  type FindingKind,
  type KindCount,
  type MatchLine,
  type MatchTables,
  type PeriodCoverage,
  type TownshipCount,
  periodRuns,
} from '../../domain/matching/index.js';
import { describableFinding } from '../../domain/columns.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import type { WorkCalendar } from '../../domain/time/work-calendar.js';
import {
  CLEAR_SQL,
  compileSql,
  PERIODS_SQL,
  CREATE_TEMP_TABLES,
  EXAMPLES_SQL,
  kindStatement,
  LINES_SQL,
  setupStatements,
  SUMMARY_SQL,
  TABLE_RANGE_SQL,
  type LineRow,
} from './sql.js';
import { planRun, policyFingerprint, prepareCounty, RECONSIDERED, type RunMode, type Watermarks } from './incremental.js';

type Tx = Prisma.TransactionClient;

export interface MatchCounty {
  /** Region id of the county (level COUNTY). */
  id: number;
  name: string;
  policy: CountyPolicy;
}

export interface StatementResult {
  countyId: number;
  county: string;
  kind: FindingKind;
  found: number;
  inserted: number;
  /** Findings cleared by an earlier run that this run produced again (reopened). */
  reopened: number;
  amount: number | null;
  ms: number;
}

export interface RunMatchingOptions {
  counties: MatchCounty[];
  /** 'YYYY-MM-DD': deadlines are judged at the start of this day (Beijing). */
  asOf: string;
  /** For policies that move deadlines off non-working days. */
  calendar?: WorkCalendar;
  /** Audit actor (default 'cli:match'). */
  actor?: string;
  /** Findings of each kind to return as examples (text report). Default 0. */
  examplesPerKind?: number;
  /** Called for every finding of the run, in report order, streamed from a cursor. */
  onLine?: (line: MatchLine) => void | Promise<void>;
  /** Rows per FETCH (default 5000: fewer round trips, memory still bounded). */
  batchSize?: number;
  /** Called after each statement (progress, timings). */
  onStatement?: (result: StatementResult) => void;
  /** Interactive-transaction timeout (default 6 h). */
  timeoutMs?: number;
  /**
   * work_mem for the run's transaction (default '64MB'): the memory PostgreSQL may use per sort or hash
   * before spilling to disk. Fixed, whatever the data size; the server default (often 4MB) makes the
   * hash joins over millions of payments spill.
   */
  workMem?: string;
  /**
   * Reconsider only what changed since the last run of the same counties (incremental.ts), falling back
   * to a full run where that cannot be exact (the result's `mode` says why). Default false: a full run.
   */
  incremental?: boolean;
}

export interface MatchRunResult {
  /** The MatchRun row of this run. */
  runId: number;
  asOf: string;
  counties: Array<{ id: number; name: string; policy: string }>;
  kinds: KindCount[];
  townships: TownshipCount[];
  examples: ExampleLine[];
  statements: StatementResult[];
  skipped: Array<{ county: string; kind: FindingKind; reason: string }>;
  /** Findings earlier runs produced that this run did not (marked cleared, 线索已消除), per county and kind. */
  cleared: Array<{ county: string; kind: FindingKind; cleared: number }>;
  /** Payment periods judged (covered by the ledger) and not judged (no payment data), per county and schedule. */
  periods: PeriodCoverage[];
  /** Lines passed to onLine. */
  lines: number;
  auditId: bigint;
  ms: number;
  /** Where the time went: the kind statements, the summary and examples, the streamed lines. */
  phases: {
    statementsMs: number;
    summaryMs: number;
    linesMs: number;
    /** Parts of statementsMs: deciding full or incremental, each county's set-up, clearing, and (incremental) listing the findings not reconsidered. */
    planMs: number;
    setupMs: number;
    clearMs: number;
    restMs: number;
    /** Pruning the change log after the run (not in `ms`). */
    pruneMs: number;
  };
  /**
   * Full or incremental. An incremental run's statements (and `statements`) cover what it reconsidered;
   * its kinds, townships, examples and lines cover every open finding of the counties, the ones it did not
   * reconsider with the evidence recorded when they were found.
   */
  mode: { full: true; reason: string | null } | { full: false; previousRunId: number; households: number; periods: string[]; changes: number };
}

/** Counties by name (or all when name is undefined), for the CLI and the bench. */
export async function findCounties(prisma: PrismaClient, name?: string): Promise<Array<{ id: number; name: string }>> {
  return prisma.region.findMany({
    where: { level: 'COUNTY', ...(name === undefined ? {} : { name }) },
    select: { id: true, name: true },
    orderBy: { id: 'asc' },
  });
}

interface Totals {
  found: number;
  inserted: number;
  fen: number;
  hasAmount: boolean;
}

const toFen = (text: string | null) => (text === null ? 0 : Math.round(Number(text) * 100));

export function toMatchLine(row: LineRow): MatchLine {
  const amount = parseYuan(row.amount);
  // Evidence stored by an earlier run is read through its schema (domain/columns.ts). Evidence this run's
  // own statements built in the same transaction is their output as it is: its shape is the statements'
  // (test/db/match-kinds.test.ts checks every kind's against the schema), and parsing 35 k of them per
  // 100 k members was a fifth of the time it takes to list them.
  const finding = row.storedEvidence
    ? describableFinding({ kind: row.kind, evidence: row.evidence, period: row.period, amount }, `#${row.findingId}`)
    : ({ kind: row.kind, evidence: row.evidence, period: row.period, amount } as DescribableFinding);
  const line = {
    kind: row.kind,
    kindLabel: FINDING_KIND_INFO[row.kind].label,
    key: row.key,
    findingId: row.findingId,
    new: row.isNew,
    county: row.county,
    idNumber: row.idNumber,
    name: finding.evidence.name ?? null,
    period: row.period,
    amount,
    township: row.township,
    village: row.village,
    householdId: row.householdId,
    householdHead: row.headName !== null && row.headIdNumber !== null ? { name: row.headName, idNumber: row.headIdNumber } : null,
    description: describeFinding(finding),
    evidence: row.evidence,
  };
  return line as MatchLine;
}

async function matchCounty(tx: Tx, county: MatchCounty, tables: MatchTables, opts: RunMatchingOptions, out: MatchRunResult, mode: RunMode, judgedOut: Record<string, string[]>): Promise<void> {
  let mark = performance.now();
  for (const { text, values } of setupStatements(county.id, tables)) await tx.$executeRawUnsafe(text, ...values);
  const due = await tx.$queryRawUnsafe<Array<{ m: string }>>(`SELECT akind::text || '|' || month AS m FROM match_due_months ORDER BY 1`);
  const dueMonths = due.map((r) => r.m);
  judgedOut[county.id] = dueMonths;
  const incremental = mode.full ? undefined : { periods: await prepareCounty(tx, mode, county.id, dueMonths), households: mode.householdIds };
  const periods = compileSql(PERIODS_SQL, { asOf: tables.asOf, g_akind: tables.paymentKindOf.akind, g_pkind: tables.paymentKindOf.pkind });
  const rows = await tx.$queryRawUnsafe<Array<{ pkind: PeriodCoverage['paymentKind']; month: string; judged: boolean }>>(periods.text, ...periods.values);
  for (const pkind of [...new Set(rows.map((r) => r.pkind))]) {
    out.periods.push({ county: county.name, paymentKind: pkind, runs: periodRuns(rows.filter((r) => r.pkind === pkind)) });
  }
  out.phases.setupMs += performance.now() - mark;
  for (const kind of FINDING_KINDS) {
    if (kind === 'undeclared_near_relative' && !tables.nearRelatives.enabled) {
      out.skipped.push({ county: county.name, kind, reason: '本县政策未启用近亲属备案' });
      continue;
    }
    // Incremental: nothing the near-relative check reads changed (its findings stay as they are).
    if (kind === 'undeclared_near_relative' && !mode.full && !mode.nearRelatives) continue;
    const { text, values } = kindStatement(kind, county.id, tables, incremental);
    const started = performance.now();
    const [row] = await tx.$queryRawUnsafe<Array<{ found: number; inserted: number; reopened: number; amount: string | null }>>(text, ...values);
    const result: StatementResult = {
      countyId: county.id,
      county: county.name,
      kind,
      found: row?.found ?? 0,
      inserted: row?.inserted ?? 0,
      reopened: row?.reopened ?? 0,
      amount: parseYuan(row?.amount ?? null),
      ms: performance.now() - started,
    };
    out.statements.push(result);
    opts.onStatement?.(result);
  }
  // Statistics for the clearing below (key only: sampling the evidence column costs more than the rest).
  mark = performance.now();
  await tx.$executeRawUnsafe('ANALYZE match_hits (key)');
  const judged = FINDING_KINDS.filter((k) => !out.skipped.some((x) => x.county === county.name && x.kind === k));
  const clear = mode.full
    ? compileSql(CLEAR_SQL, { county: county.id, run: out.runId, kinds: judged })
    : compileSql(CLEAR_SQL.replace('AND f.key NOT IN', `AND ${RECONSIDERED} AND f.key NOT IN`), { county: county.id, run: out.runId, kinds: judged, nearRelatives: mode.nearRelatives });
  const cleared = await tx.$queryRawUnsafe<Array<{ kind: FindingKind; cleared: number }>>(clear.text, ...clear.values);
  for (const c of cleared) out.cleared.push({ county: county.name, kind: c.kind, cleared: c.cleared });
  out.phases.clearMs += performance.now() - mark;
  mark = performance.now();
  if (!mode.full) {
    // The findings not reconsidered stand as they are: listed with the ones found, for the report (their
    // evidence is read from "Finding" by the lines, not copied).
    const rest = compileSql(
      `INSERT INTO match_hits (key, county_id, kind, id_number, household_id, region_id, period, amount, evidence, is_new)
       SELECT f.key, :county, f.kind::text, f."idNumber", f."householdId", f."regionId", f.period, f.amount, NULL, false
       FROM "Finding" f
       WHERE f."clearedAt" IS NULL AND f.kind::text = ANY(:kinds::text[]) AND f."regionId" IN (
         SELECT :county::int UNION ALL SELECT t.id FROM "Region" t WHERE t."parentId" = :county
         UNION ALL SELECT v.id FROM "Region" t JOIN "Region" v ON v."parentId" = t.id WHERE t."parentId" = :county)
       ORDER BY array_position(:kinds::text[], f.kind::text), f.id
       ON CONFLICT (key) DO NOTHING`,
      { county: county.id, kinds: judged },
    );
    await tx.$executeRawUnsafe(rest.text, ...rest.values);
  }
  out.phases.restMs += performance.now() - mark;
}

/**
 * The recorded changes no later incremental run can need: an incremental run reads the changes its
 * predecessor's snapshot did not see (incremental.ts), and its predecessor is the latest finished run of
 * one of its counties, whose snapshot is no older than the oldest among the latest runs of every county
 * matched so far (this run included: it is finished in its own transaction). A change committed before
 * that snapshot's xmin is visible to all of them. A county never matched has no predecessor (its first
 * run is a full one) and holds nothing back.
 */
const PRUNE_CHANGES_SQL = `
DELETE FROM "MatchChange" WHERE xid < (
  SELECT min(pg_snapshot_xmin((l.watermarks->>'snapshot')::pg_snapshot)::text::bigint)
  FROM (SELECT DISTINCT ON (c) c, r.watermarks FROM "MatchRun" r CROSS JOIN LATERAL unnest(r."countyIds") c
        WHERE r."finishedAt" IS NOT NULL ORDER BY c, r.id DESC) l
  WHERE l.watermarks ? 'snapshot')`;

export async function runMatching(prisma: PrismaClient, opts: RunMatchingOptions): Promise<MatchRunResult> {
  const started = performance.now();
  return prisma.$transaction(
    async (tx) => {
      const [run] = await tx.$queryRawUnsafe<Array<{ id: number; snapshot: string }>>(
        `INSERT INTO "MatchRun" ("asOf", "full", "countyIds") VALUES ($1, true, $2::int[]) RETURNING id, pg_current_snapshot()::text AS snapshot`,
        opts.asOf,
        opts.counties.map((c) => c.id),
      );
      const out: MatchRunResult = {
        runId: run!.id,
        asOf: opts.asOf,
        counties: opts.counties.map((c) => ({ id: c.id, name: c.name, policy: c.policy.county.code })),
        kinds: [],
        townships: [],
        examples: [],
        statements: [],
        skipped: [],
        cleared: [],
        periods: [],
        lines: 0,
        auditId: 0n,
        ms: 0,
        phases: { statementsMs: 0, summaryMs: 0, linesMs: 0, planMs: 0, setupMs: 0, clearMs: 0, restMs: 0, pruneMs: 0 },
        mode: { full: true, reason: null },
      };
      // Each statement runs once: LLVM compilation (PostgreSQL's JIT, on by default above a cost of
      // 100 000) took up to half a second per statement and saved nothing.
      await tx.$executeRawUnsafe('SET LOCAL jit = off');
      const workMem = opts.workMem ?? '64MB';
      if (!/^\d+(kB|MB|GB)$/.test(workMem)) throw new Error(`workMem must look like 64MB: ${workMem}`);
      await tx.$executeRawUnsafe(`SET LOCAL work_mem = '${workMem}'`);
      // Index probes are cheap on a warm cache; at 4 the wrong-payee and event checks turn into hash joins
      // over every payment (../shared/perf-floor.md).
      await tx.$executeRawUnsafe('SET LOCAL random_page_cost = 1.1');
      for (const sql of CREATE_TEMP_TABLES) await tx.$executeRawUnsafe(sql);
      const range = compileSql(TABLE_RANGE_SQL, { asOf: opts.asOf });
      const [span] = await tx.$queryRawUnsafe<Array<{ fromMonth: string | null; deathDates: string[] }>>(range.text, ...range.values);
      const policies = Object.fromEntries(opts.counties.map((c) => [c.id, policyFingerprint(c.policy, opts.calendar)]));
      const fromMonth = span?.fromMonth ?? null;
      const planStarted = performance.now();
      const mode = await planRun(tx, { runId: out.runId, countyIds: opts.counties.map((c) => c.id), asOf: opts.asOf, fromMonth, policies, full: opts.incremental !== true });
      out.phases.planMs = performance.now() - planStarted;
      out.mode = mode.full
        ? mode
        : { full: false, previousRunId: mode.previousRunId, households: mode.changes.households, periods: mode.changes.periods, changes: mode.changes.rows };
      const judgedMonths: Record<string, string[]> = {};
      // One set of tables per policy (counties sharing a policy share them).
      const tablesOf = new Map<CountyPolicy, MatchTables>();
      for (const county of opts.counties) {
        let tables = tablesOf.get(county.policy);
        if (!tables) {
          tables = buildMatchTables(county.policy, { asOf: opts.asOf, fromMonth: span?.fromMonth ?? null, deathDates: span?.deathDates ?? [] }, opts.calendar);
          tablesOf.set(county.policy, tables);
        }
        await matchCounty(tx, county, tables, opts, out, mode, judgedMonths);
      }
      // For the summary and the lines (the columns they group, join and order by).
      await tx.$executeRawUnsafe('ANALYZE match_hits (seq, key, county_id, kind, region_id, household_id)');
      let mark = performance.now();
      out.phases.statementsMs = mark - started;

      // Totals per kind (over counties), from the statements' own counts.
      const totals = new Map<FindingKind, Totals>();
      for (const s of out.statements) {
        const t = totals.get(s.kind) ?? { found: 0, inserted: 0, fen: 0, hasAmount: false };
        t.found += s.found;
        t.inserted += s.inserted;
        t.fen += s.amount === null ? 0 : Math.round(s.amount * 100);
        t.hasAmount ||= FINDING_KIND_INFO[s.kind].amountMeaning !== null;
        totals.set(s.kind, t);
      }
      if (!mode.full) {
        // Every open finding of the counties, as a full run would count them (match_hits holds them all).
        const rows = await tx.$queryRawUnsafe<Array<{ kind: FindingKind; found: number; inserted: number; fen: string | null }>>(
          `SELECT kind, count(*)::int AS found, (count(*) FILTER (WHERE is_new))::int AS inserted, (sum(amount) * 100)::bigint::text AS fen FROM match_hits GROUP BY kind`,
        );
        totals.clear();
        for (const r of rows) {
          totals.set(r.kind, { found: r.found, inserted: r.inserted, fen: Number(r.fen ?? 0), hasAmount: FINDING_KIND_INFO[r.kind].amountMeaning !== null });
        }
      }
      out.kinds = FINDING_KINDS.map((kind) => {
        const t = totals.get(kind) ?? { found: 0, inserted: 0, fen: 0, hasAmount: FINDING_KIND_INFO[kind].amountMeaning !== null };
        return { kind, found: t.found, inserted: t.inserted, amount: t.hasAmount ? t.fen / 100 : null };
      });

      const summary = await tx.$queryRawUnsafe<
        Array<{ countyId: number; county: string; kind: FindingKind; township: string | null; found: number; inserted: number; amount: string | null }>
      >(SUMMARY_SQL);
      out.townships = summary.map((r) => ({
        county: r.county,
        township: r.township,
        kind: r.kind,
        found: r.found,
        inserted: r.inserted,
        amount: FINDING_KIND_INFO[r.kind].amountMeaning === null ? null : toFen(r.amount) / 100,
      }));

      if ((opts.examplesPerKind ?? 0) > 0) {
        const { text, values } = compileSql(EXAMPLES_SQL, { n: opts.examplesPerKind });
        const rows = await tx.$queryRawUnsafe<LineRow[]>(text, ...values);
        out.examples = rows.map((r) => {
          const line = toMatchLine(r);
          return { kind: line.kind, idNumber: line.idNumber, township: line.township, village: line.village, period: line.period, amount: line.amount, description: line.description };
        });
      }

      out.phases.summaryMs = performance.now() - mark;
      mark = performance.now();
      if (opts.onLine) {
        const batch = Math.max(1, Math.trunc(opts.batchSize ?? 5000));
        await tx.$executeRawUnsafe(`DECLARE match_lines NO SCROLL CURSOR FOR ${LINES_SQL}`);
        for (;;) {
          const rows = await tx.$queryRawUnsafe<LineRow[]>(`FETCH FORWARD ${batch} FROM match_lines`);
          for (const row of rows) {
            await opts.onLine(toMatchLine(row));
            out.lines++;
          }
          if (rows.length < batch) break;
        }
        await tx.$executeRawUnsafe('CLOSE match_lines');
      }

      out.phases.linesMs = performance.now() - mark;
      out.ms = performance.now() - started;
      const audit = await appendAudit(tx, {
        actor: opts.actor ?? 'cli:match',
        action: 'match.run',
        subjectType: 'Region',
        subjectId: out.counties.map((c) => c.id).join(',') || 'none',
        payload: {
          asOf: opts.asOf,
          counties: out.counties,
          kinds: Object.fromEntries(out.kinds.map((k) => [k.kind, { found: k.found, new: k.inserted, amount: k.amount }])),
          found: out.kinds.reduce((s, k) => s + k.found, 0),
          new: out.kinds.reduce((s, k) => s + k.inserted, 0),
          skipped: out.skipped,
          cleared: out.cleared,
          periods: out.periods,
          runId: out.runId,
          ms: Math.round(out.ms),
        },
      });
      out.auditId = audit.id;
      const watermarks: Watermarks = { v: 1, snapshot: run!.snapshot, fromMonth, policies, judged: judgedMonths };
      await tx.$executeRawUnsafe(
        `UPDATE "MatchRun" SET "finishedAt" = now(), "full" = $3, watermarks = $4::jsonb, summary = $2::jsonb WHERE id = $1`,
        out.runId,
        JSON.stringify({
          kinds: out.kinds,
          cleared: out.cleared,
          periods: out.periods,
          skipped: out.skipped,
          auditId: String(audit.id),
          statements: out.statements.map((x) => ({ countyId: x.countyId, kind: x.kind, found: x.found, inserted: x.inserted, ms: Math.round(x.ms) })),
          phases: { ...Object.fromEntries(Object.entries(out.phases).map(([k, v]) => [k, Math.round(v)])), ms: Math.round(out.ms) },
          mode: out.mode,
        }),
        mode.full,
        JSON.stringify(watermarks),
      );
      const pruneStarted = performance.now();
      await tx.$executeRawUnsafe(PRUNE_CHANGES_SQL);
      out.phases.pruneMs = performance.now() - pruneStarted;
      return out;
    },
    { timeout: opts.timeoutMs ?? 6 * 3_600_000, maxWait: 120_000 },
  );
}
