/**
 * Incremental re-matching (issue 15): after one more month of payments, a death, custody or relatives
 * list, a run reconsiders only what the new data can change and gives exactly the findings a full run
 * would give (test/db/match-incremental.test.ts compares the two on random changes).
 *
 * How: triggers record every change to the tables the matching reads in "MatchChange" (household and
 * period touched, or the person's ID number, with the writing transaction's id; see the migration
 * 20261207175500_rematch_match_changes). Each run stores its snapshot and what it judged in
 * MatchRun.watermarks. The next run takes the changes its predecessor's snapshot did not see and
 * reconsiders, per kind:
 *
 * - payment kinds (missing, late, short, wrong payee): every period of the households whose roster,
 *   enrolments or records changed (H), and every household for the periods with changed payments or
 *   whose judged status changed (Q: e.g. the new month);
 * - paid after death / in prison: H and the households with changed payments that have a death or
 *   custody record (E);
 * - death review overdue: the dead among the changed people and the members of E;
 * - duplicate enrolment: the changed people and the members of H (several households), H (several kinds);
 * - undeclared near relative: all of it when staff, relatives, filings, applications or the roster
 *   changed, else nothing.
 *
 * Each reconsidered part is computed by the same statement as a full run with one more condition
 * (sql.ts INCREMENTAL), and only the findings of that part are cleared when not found again.
 * A full run instead when asked (`--full`), when there is no earlier run with watermarks for the same
 * counties, as-of date, policy, holiday calendar and first data month, when regions or institutions
 * changed or a table was emptied, when the roster changes touch more than half the households, or when
 * the changed payments span more than 12 periods (a reloaded ledger).
 */
import { createHash } from 'node:crypto';

import type { Prisma } from '../../infra/db/client.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import type { WorkCalendar } from '../../domain/time/work-calendar.js';
import { compileSql } from './sql.js';

type Tx = Prisma.TransactionClient;

/** What a run stores in MatchRun.watermarks. */
export interface Watermarks {
  v: 1;
  /** pg_current_snapshot() at the start of the run: the changes it saw. */
  snapshot: string;
  fromMonth: string | null;
  /** County id → fingerprint of its policy and the holiday calendar. */
  policies: Record<string, string>;
  /** County id → the judged schedule months ('AKIND|YYYY-MM', match_due_months). */
  judged: Record<string, string[]>;
}

export type RunMode =
  | { full: true; reason: string | null }
  | { full: false; previousRunId: number; previous: Watermarks; changes: ChangeCounts; householdIds: number[]; nearRelatives: boolean };

export interface ChangeCounts {
  /** Households reconsidered in full (H). */
  households: number;
  /** Periods with changed payments. */
  periods: string[];
  /** Changes recorded since the last run. */
  rows: number;
}

export function policyFingerprint(policy: CountyPolicy, calendar: WorkCalendar | undefined): string {
  return createHash('sha256')
    .update(JSON.stringify(policy))
    .update('\n')
    .update(calendar?.fingerprint ?? '-')
    .digest('hex')
    .slice(0, 16);
}

const NEAR_RELATIVE_SOURCES = ['Staff', 'StaffRelative', 'NearRelativeFiling', 'Application', 'Member', 'Household', 'Enrolment'];

/**
 * Decide between a full and an incremental run, and for an incremental one fill the run's change tables
 * (match_chg, match_inc_h, match_inc_e, match_inc_idh, match_inc_ide; match_inc_q per county, see
 * prepareCounty).
 */
export async function planRun(
  tx: Tx,
  o: { runId: number; countyIds: number[]; asOf: string; fromMonth: string | null; policies: Record<string, string>; full: boolean },
): Promise<RunMode> {
  if (o.full) return { full: true, reason: null };
  const [prev] = await tx.$queryRawUnsafe<Array<{ id: number; asOf: string; countyIds: number[]; watermarks: Partial<Watermarks> | null }>>(
    `SELECT id, "asOf", "countyIds", watermarks FROM "MatchRun"
     WHERE id <> $1 AND "finishedAt" IS NOT NULL AND "countyIds" && $2::int[] ORDER BY id DESC LIMIT 1`,
    o.runId,
    o.countyIds,
  );
  const w = prev?.watermarks;
  if (!prev || !w || w.v !== 1 || typeof w.snapshot !== 'string') return { full: true, reason: '此前没有带数据水位的比对记录' };
  const same = (a: number[], b: number[]) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
  if (!same(prev.countyIds, o.countyIds)) return { full: true, reason: '上次比对的县与本次不同' };
  if (prev.asOf !== o.asOf) return { full: true, reason: `比对日期与上次（${prev.asOf}）不同` };
  if (o.countyIds.some((id) => w.policies?.[id] !== o.policies[id])) return { full: true, reason: '本县政策或节假日安排自上次比对以来有变动' };
  if ((w.fromMonth ?? null) !== o.fromMonth) return { full: true, reason: '数据的起始月份有变动' };

  const chg = compileSql(
    `CREATE TEMP TABLE match_chg ON COMMIT DROP AS
     SELECT source, "householdId" AS household_id, period, "idNumber" AS id_number FROM "MatchChange"
     WHERE xid >= pg_snapshot_xmin(:snap::pg_snapshot)::text::bigint AND NOT pg_visible_in_snapshot(xid::text::xid8, :snap::pg_snapshot)`,
    { snap: w.snapshot },
  );
  await tx.$executeRawUnsafe(chg.text, ...chg.values);
  const [s] = await tx.$queryRawUnsafe<Array<{ rows: number; global: boolean; nr: boolean; periods: string[] }>>(
    `SELECT count(*)::int AS rows,
       coalesce(bool_or(source IN ('Institution', 'Region') OR source LIKE '%:truncate'), false) AS global,
       coalesce(bool_or(source = ANY($1::text[])), false) AS nr,
       coalesce(array_agg(DISTINCT period ORDER BY period) FILTER (WHERE source IN ('Payment', 'Payment:new')), '{}') AS periods
     FROM match_chg`,
    NEAR_RELATIVE_SOURCES,
  );
  if (s!.global) return { full: true, reason: '区划或供养机构有变动（或有数据表被清空）' };
  // A reload of the whole ledger: every household for every period, a full run is cheaper.
  if (s!.periods.length > 12) return { full: true, reason: `变动涉及 ${s!.periods.length} 个发放月份` };

  const statements = [
    `CREATE TEMP TABLE match_inc_h (household_id int PRIMARY KEY) ON COMMIT DROP`,
    `INSERT INTO match_inc_h
     SELECT household_id FROM match_chg WHERE source IN ('Enrolment', 'Household', 'Member') AND household_id IS NOT NULL
     UNION
     SELECT m."householdId" FROM "Member" m
     WHERE m."idNumber" IN (SELECT id_number FROM match_chg WHERE id_number IS NOT NULL)`,
    `CREATE TEMP TABLE match_inc_e (household_id int PRIMARY KEY) ON COMMIT DROP`,
    `INSERT INTO match_inc_e
     SELECT household_id FROM match_inc_h
     UNION
     SELECT c.household_id FROM (SELECT DISTINCT household_id FROM match_chg WHERE source = 'Payment') c
     WHERE EXISTS (SELECT 1 FROM "Member" m WHERE m."householdId" = c.household_id
       AND (EXISTS (SELECT 1 FROM "DeathRecord" d WHERE d."idNumber" = m."idNumber")
         OR EXISTS (SELECT 1 FROM "PrisonRecord" pr WHERE pr."idNumber" = m."idNumber")))
     UNION
     -- households with a death or custody record that have new payments
     SELECT m."householdId" FROM "Member" m
     WHERE (m."idNumber" IN (SELECT "idNumber" FROM "DeathRecord") OR m."idNumber" IN (SELECT "idNumber" FROM "PrisonRecord"))
       AND EXISTS (SELECT 1 FROM "Payment" p WHERE p."householdId" = m."householdId"
         AND p.period IN (SELECT period FROM match_chg WHERE source = 'Payment:new'))`,
    `CREATE TEMP TABLE match_inc_idh (id_number text PRIMARY KEY) ON COMMIT DROP`,
    `INSERT INTO match_inc_idh
     SELECT id_number FROM match_chg WHERE id_number IS NOT NULL
     UNION
     SELECT m."idNumber" FROM "Member" m WHERE m."householdId" IN (SELECT household_id FROM match_inc_h)`,
    `CREATE TEMP TABLE match_inc_ide (id_number text PRIMARY KEY) ON COMMIT DROP`,
    `INSERT INTO match_inc_ide
     SELECT id_number FROM match_inc_idh
     UNION
     SELECT m."idNumber" FROM "Member" m
     WHERE m."householdId" IN (SELECT household_id FROM match_inc_e) AND EXISTS (SELECT 1 FROM "DeathRecord" d WHERE d."idNumber" = m."idNumber")`,
    `CREATE TEMP TABLE match_inc_q (period text PRIMARY KEY, midx int NOT NULL) ON COMMIT DROP`,
    `ANALYZE match_inc_h, match_inc_e, match_inc_idh, match_inc_ide`,
  ];
  for (const sql of statements) await tx.$executeRawUnsafe(sql);
  const [h] = await tx.$queryRawUnsafe<Array<{ changed: number; all: number }>>(
    `SELECT (SELECT count(*) FROM match_inc_h)::int AS changed, (SELECT count(*) FROM "Household")::int AS "all"`,
  );
  if (h!.changed * 2 > h!.all && h!.all > 0) return { full: true, reason: `变动涉及过半的家庭（${h!.changed} 户）` };
  const households = (await tx.$queryRawUnsafe<Array<{ id: number }>>(`SELECT household_id AS id FROM match_inc_h ORDER BY 1`)).map((r) => r.id);
  return {
    full: false,
    previousRunId: prev.id,
    previous: w as Watermarks,
    changes: { households: h!.changed, periods: s!.periods, rows: s!.rows },
    householdIds: households,
    nearRelatives: s!.nr,
  };
}

/**
 * For one county of an incremental run, after its schedule tables are filled: the periods to reconsider
 * for every household (changed payments, and months judged now but not last time or the reverse) and the
 * statements' payments are those of these periods and of the changed households (sql.ts INCREMENTAL.PAY).
 */
export async function prepareCounty(tx: Tx, mode: Extract<RunMode, { full: false }>, countyId: number, judged: string[]): Promise<string[]> {
  const before = new Set(mode.previous.judged[countyId] ?? []);
  const now = new Set(judged);
  const flipped = [...new Set([...judged.filter((x) => !before.has(x)), ...[...before].filter((x) => !now.has(x))].map((x) => x.split('|')[1]!))];
  const periods = [...new Set([...mode.changes.periods, ...flipped])].filter((p) => /^\d{4}-(0[1-9]|1[0-2])$/.test(p)).sort();
  await tx.$executeRawUnsafe('TRUNCATE match_inc_q');
  await tx.$executeRawUnsafe(
    `INSERT INTO match_inc_q (period, midx) SELECT p, left(p, 4)::int * 12 + right(p, 2)::int - 1 FROM unnest($1::text[]) p`,
    periods,
  );
  await tx.$executeRawUnsafe('ANALYZE match_inc_q');
  return periods;
}

/**
 * The findings an incremental run reconsidered (the same parts as the statements): the ones among them
 * it did not find again are cleared, like a full run clears every finding it did not find.
 */
export const RECONSIDERED = `(
  (f.kind::text IN ('payment_missing', 'payment_late', 'payment_short', 'payment_wrong_payee')
    AND (f."householdId" IN (SELECT household_id FROM match_inc_h) OR f.period IN (SELECT period FROM match_inc_q)))
  OR (f.kind::text IN ('paid_after_death', 'paid_in_prison') AND f."householdId" IN (SELECT household_id FROM match_inc_e))
  OR (f.kind::text = 'death_review_overdue' AND f."idNumber" IN (SELECT id_number FROM match_inc_ide))
  OR (f.kind::text = 'duplicate_enrolment' AND CASE WHEN f.evidence->>'type' = 'multiple_households'
        THEN f."idNumber" IN (SELECT id_number FROM match_inc_idh)
        ELSE f."householdId" IN (SELECT household_id FROM match_inc_h) END)
  OR (f.kind::text = 'undeclared_near_relative' AND :nearRelatives::boolean))`;
