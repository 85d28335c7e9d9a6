/**
 * The dashboard's numbers, each one SQL statement filtered to the viewer's
 * scope (readmodels/dashboard-scope.ts): findings by township and kind, open cases
 * by kind and time left, who has reported in the current cycles, and month
 * by month trends. Amounts are summed in SQL as numeric and carried in cents.
 *
 * No person appears: cases are shown by number, kind, township and deadline;
 * complaint cases only when `complaintsVisibleTo` lets the viewer read the
 * complaint, and then without any complaint detail.
 */
import { complaintsVisibleTo } from './complaints.js';
import { FINDING_KIND_INFO } from '../domain/matching/kinds.js';
import type { FindingKind } from '../domain/matching/kinds.js';
import { toChinaDate } from '../domain/time/instants.js';
import type { PrismaClient } from '../infra/db/client.js';
import { dbReportCycleKind, reportCycleKindOf } from '../infra/db/kinds.js';
import { REPORT_CYCLE_KINDS, REPORT_CYCLE_TITLES, REPORT_CYCLE_UNIT_KINDS, type ReportCycleKind } from '../domain/cycles/ids.js';
import type { DashboardScope } from './dashboard-scope.js';

export const CASE_KIND_ZH: Record<string, string> = {
  DEATH_REVIEW: '死亡核查',
  PRISON_EXIT: '服刑退出',
  APPLICATION: '申请审核确认',
  NEAR_RELATIVE_FILING: '近亲属备案',
  COMPLAINT: '实名举报',
  RECTIFICATION: '整改事项',
};

export const findingKindZh = (kind: string): string => FINDING_KIND_INFO[kind as FindingKind]?.label ?? kind;

const cents = (v: unknown): number => (v === null || v === undefined ? 0 : Math.round(Number(v) * 100));
const DAY_MS = 86_400_000;

/** Region → township of the viewer's townships (villages map to their township). */
const REGION_TOWNSHIP_CTE = `
  tw AS (SELECT id, name FROM "Region" WHERE id = ANY($1::int[])),
  rt AS (SELECT id AS region_id, id AS township_id FROM tw
         UNION ALL SELECT r.id, r."parentId" FROM "Region" r WHERE r."parentId" = ANY($1::int[]))`;

const townshipIdsOf = (scope: DashboardScope) => scope.townships.map((t) => t.id);

// ------------------------------------------------------------------ findings

export interface FindingCell {
  township: string;
  townshipId: number;
  kind: string;
  kindZh: string;
  count: number;
  open: number;
  amountCents: number;
}

/** Findings (数据比对发现的问题) per township and kind: how many, how many still open, yuan involved. */
export async function findingsByTownship(prisma: PrismaClient, scope: DashboardScope): Promise<FindingCell[]> {
  const rows = await prisma.$queryRawUnsafe<Array<{ township_id: number; township: string; kind: string; count: number; open: number; amount: string | null }>>(
    `WITH ${REGION_TOWNSHIP_CTE}
     SELECT tw.id AS township_id, tw.name AS township, f.kind::text AS kind, count(*)::int AS count,
            (count(*) FILTER (WHERE f.status = 'OPEN'))::int AS open, COALESCE(sum(f.amount), 0)::text AS amount
       FROM "Finding" f JOIN rt ON rt.region_id = f."regionId" JOIN tw ON tw.id = rt.township_id
      GROUP BY tw.id, tw.name, f.kind
      ORDER BY tw.id, f.kind`,
    townshipIdsOf(scope),
  );
  return rows.map((r) => ({ township: r.township, townshipId: r.township_id, kind: r.kind, kindZh: findingKindZh(r.kind), count: r.count, open: r.open, amountCents: cents(r.amount) }));
}

// ------------------------------------------------------------------ open cases

export type TimeLeftBucket = 'overdue' | 'within3' | 'within7' | 'later' | 'none';
export const TIME_LEFT_ZH: Record<TimeLeftBucket, string> = { overdue: '已逾期', within3: '3日内到期', within7: '7日内到期', later: '7日以上', none: '无期限' };

export interface OpenCase {
  id: number;
  kind: string;
  kindZh: string;
  township: string;
  assignee: string;
  openedAt: Date;
  dueAt: Date | null;
  /** Whole days left (negative: days overdue), null without a deadline. */
  daysLeft: number | null;
  bucket: TimeLeftBucket;
  /** Complaint cases: the ledger number (only to those who may read the complaint). */
  ledgerNo?: string;
}

export interface CaseKindRow {
  kind: string;
  kindZh: string;
  open: number;
  overdue: number;
  within3: number;
  within7: number;
  later: number;
  none: number;
}

function bucketOf(dueAt: Date | null, now: Date): { bucket: TimeLeftBucket; daysLeft: number | null } {
  if (!dueAt) return { bucket: 'none', daysLeft: null };
  const ms = dueAt.getTime() - now.getTime();
  const daysLeft = ms >= 0 ? Math.ceil(ms / DAY_MS) : -Math.ceil(-ms / DAY_MS);
  if (ms < 0) return { bucket: 'overdue', daysLeft };
  if (ms <= 3 * DAY_MS) return { bucket: 'within3', daysLeft };
  if (ms <= 7 * DAY_MS) return { bucket: 'within7', daysLeft };
  return { bucket: 'later', daysLeft };
}

/**
 * Open cases in the viewer's regions, overdue first (earliest deadline
 * first, cases without a deadline last). Complaint cases appear only when
 * the viewer may read the complaint (`complaintsVisibleTo`).
 */
export async function openCases(prisma: PrismaClient, scope: DashboardScope, viewerStaffId: number, now: Date): Promise<OpenCase[]> {
  const visible = await complaintsVisibleTo(prisma, viewerStaffId);
  const complaints = visible.length
    ? await prisma.complaint.findMany({ where: { id: { in: visible.map((c) => c.id) }, countyRegionId: scope.countyId, caseId: { not: null } }, select: { caseId: true, ledgerNo: true } })
    : [];
  const ledgerOfCase = new Map(complaints.map((c) => [c.caseId!, c.ledgerNo]));
  const rows = await prisma.$queryRawUnsafe<Array<{ id: number; kind: string; township: string | null; assignee: string | null; openedAt: Date; dueAt: Date | null }>>(
    `WITH ${REGION_TOWNSHIP_CTE}
     SELECT c.id, c.kind::text AS kind, tw.name AS township, s.name AS assignee, c."openedAt", c."dueAt"
       FROM "Case" c
       LEFT JOIN rt ON rt.region_id = c."regionId"
       LEFT JOIN tw ON tw.id = rt.township_id
       LEFT JOIN "Staff" s ON s.id = c."assigneeStaffId"
      WHERE c.status = 'OPEN'
        AND ((c.kind <> 'COMPLAINT' AND c."regionId" = ANY($2::int[])) OR c.id = ANY($3::int[]))
      ORDER BY c."dueAt" ASC NULLS LAST, c.id ASC`,
    townshipIdsOf(scope),
    scope.regionIds,
    [...ledgerOfCase.keys()],
  );
  return rows.map((r) => {
    const { bucket, daysLeft } = bucketOf(r.dueAt, now);
    const ledgerNo = ledgerOfCase.get(r.id);
    return {
      id: r.id,
      kind: r.kind,
      kindZh: CASE_KIND_ZH[r.kind] ?? r.kind,
      township: r.township ?? '县级',
      assignee: r.assignee ?? '',
      openedAt: r.openedAt,
      dueAt: r.dueAt,
      daysLeft,
      bucket,
      ...(ledgerNo !== undefined ? { ledgerNo } : {}),
    };
  });
}

/** Open cases per kind and time left. */
export function casesByKind(cases: OpenCase[]): CaseKindRow[] {
  const out = new Map<string, CaseKindRow>();
  for (const k of Object.keys(CASE_KIND_ZH)) out.set(k, { kind: k, kindZh: CASE_KIND_ZH[k]!, open: 0, overdue: 0, within3: 0, within7: 0, later: 0, none: 0 });
  for (const c of cases) {
    const row = out.get(c.kind) ?? { kind: c.kind, kindZh: c.kindZh, open: 0, overdue: 0, within3: 0, within7: 0, later: 0, none: 0 };
    row.open += 1;
    row[c.bucket] += 1;
    out.set(c.kind, row);
  }
  return [...out.values()];
}

// ------------------------------------------------------------------ submissions

export type SubmissionState = 'on-time' | 'late' | 'missing' | 'missing-overdue';
export const SUBMISSION_STATE_ZH: Record<SubmissionState, string> = { 'on-time': '已报送', late: '逾期报送', missing: '未报送', 'missing-overdue': '未报送（已逾期）' };

export interface UnitStatus {
  unitId: number;
  unit: string;
  unitKind: string;
  state: SubmissionState;
  submittedAt: Date | null;
}

export interface CycleStatus {
  cycleId: number;
  kind: ReportCycleKind;
  title: string;
  period: string;
  dueAt: Date;
  closed: boolean;
  units: UnitStatus[];
  submitted: number;
  late: number;
  missing: number;
}

/**
 * The current cycle of each reporting kind (the latest opened by `now`) and
 * each unit's state in it. Township viewers see their township's and its
 * villages' units only (no 股室).
 */
export async function currentSubmissions(prisma: PrismaClient, scope: DashboardScope, now: Date): Promise<CycleStatus[]> {
  const all = (
    await prisma.reportCycle.findMany({
      where: { countyRegionId: scope.countyId, kind: { in: REPORT_CYCLE_KINDS.map(dbReportCycleKind) }, openedAt: { lte: now } },
      orderBy: [{ openedAt: 'desc' }, { id: 'desc' }],
    })
  ).map((c) => ({ ...c, kind: reportCycleKindOf(c.kind) }));
  const current = REPORT_CYCLE_KINDS.map((k) => all.find((c) => c.kind === k)).filter((c): c is NonNullable<typeof c> => c !== undefined);
  if (current.length === 0) return [];
  const units = await prisma.reportingUnit.findMany({
    where: {
      countyRegionId: scope.countyId,
      active: true,
      ...(scope.level === 'township' ? { regionId: { in: scope.regionIds } } : {}),
    },
    orderBy: [{ kind: 'asc' }, { id: 'asc' }],
  });
  const subs = await prisma.reportSubmission.findMany({ where: { cycleId: { in: current.map((c) => c.id) } }, select: { cycleId: true, unitId: true, submittedAt: true, late: true } });
  const byKey = new Map(subs.map((s) => [`${s.cycleId}:${s.unitId}`, s]));
  const out: CycleStatus[] = [];
  for (const cycle of current) {
    const unitKinds = REPORT_CYCLE_UNIT_KINDS[cycle.kind];
    const rows: UnitStatus[] = [];
    for (const u of units) {
      if (!unitKinds.includes(u.kind)) continue;
      const s = byKey.get(`${cycle.id}:${u.id}`);
      const state: SubmissionState = s ? (s.late ? 'late' : 'on-time') : now.getTime() >= cycle.dueAt.getTime() ? 'missing-overdue' : 'missing';
      rows.push({ unitId: u.id, unit: u.name, unitKind: u.kind, state, submittedAt: s?.submittedAt ?? null });
    }
    if (rows.length === 0) continue;
    // Missing first (overdue ones before the rest), then late, then on time.
    const order: Record<SubmissionState, number> = { 'missing-overdue': 0, missing: 1, late: 2, 'on-time': 3 };
    rows.sort((a, b) => order[a.state] - order[b.state] || a.unitId - b.unitId);
    out.push({
      cycleId: cycle.id,
      kind: cycle.kind,
      title: REPORT_CYCLE_TITLES[cycle.kind],
      period: cycle.period,
      dueAt: cycle.dueAt,
      closed: cycle.closedAt !== null,
      units: rows,
      submitted: rows.filter((r) => r.state === 'on-time' || r.state === 'late').length,
      late: rows.filter((r) => r.state === 'late').length,
      missing: rows.filter((r) => r.state === 'missing' || r.state === 'missing-overdue').length,
    });
  }
  return out;
}

// ------------------------------------------------------------------ trends

export interface MonthTrend {
  month: string;
  findings: number;
  findingCents: number;
  rectificationsOpened: number;
  rectificationsCompleted: number;
  recoveredCents: number;
}

/** The `count` months up to and including the Beijing month of `now`, oldest first. */
export function lastMonths(now: Date, count: number): string[] {
  const today = toChinaDate(now);
  let y = Number(today.slice(0, 4));
  let m = Number(today.slice(5, 7));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.unshift(`${y}-${String(m).padStart(2, '0')}`);
    m -= 1;
    if (m === 0) {
      m = 12;
      y -= 1;
    }
  }
  return out;
}

const month = (col: string) => `to_char(${col} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')`;

/**
 * Month by month (Beijing months): findings found and their amounts,
 * rectification items opened and completed, and amounts recovered — the
 * recoveries recorded on cases (Case.data.recoveries, written by
 * recordCaseRecovery) plus those reported on rectification items (the
 * `rectification.progress` audit entries, whose payload has the cents and
 * the instant; RectificationItem.recoveredAmount holds only the running total).
 */
export async function monthlyTrends(prisma: PrismaClient, scope: DashboardScope, now: Date, count = 12): Promise<MonthTrend[]> {
  const months = lastMonths(now, count);
  const from = new Date(`${months[0]}-01T00:00:00+08:00`);
  const out = new Map(months.map((m) => [m, { month: m, findings: 0, findingCents: 0, rectificationsOpened: 0, rectificationsCompleted: 0, recoveredCents: 0 }]));
  const add = (m: string, field: keyof Omit<MonthTrend, 'month'>, v: number) => {
    const row = out.get(m);
    if (row) row[field] += v;
  };
  const ids = scope.regionIds;

  const findings = await prisma.$queryRawUnsafe<Array<{ m: string; n: number; amount: string | null }>>(
    `SELECT ${month('f."foundAt"')} AS m, count(*)::int AS n, COALESCE(sum(f.amount), 0)::text AS amount
       FROM "Finding" f WHERE f."regionId" = ANY($1::int[]) AND f."foundAt" >= $2 GROUP BY 1`,
    ids,
    from,
  );
  for (const r of findings) {
    add(r.m, 'findings', r.n);
    add(r.m, 'findingCents', cents(r.amount));
  }

  const opened = await prisma.$queryRawUnsafe<Array<{ m: string; n: number }>>(
    `SELECT ${month('i."createdAt"')} AS m, count(*)::int AS n FROM "RectificationItem" i
      WHERE i."countyRegionId" = $2 AND i."responsibleRegionId" = ANY($1::int[]) AND i."createdAt" >= $3 GROUP BY 1`,
    ids,
    scope.countyId,
    from,
  );
  for (const r of opened) add(r.m, 'rectificationsOpened', r.n);

  const completed = await prisma.$queryRawUnsafe<Array<{ m: string; n: number }>>(
    `SELECT ${month('i."completedAt"')} AS m, count(*)::int AS n FROM "RectificationItem" i
      WHERE i."countyRegionId" = $2 AND i."responsibleRegionId" = ANY($1::int[]) AND i.status = 'COMPLETED' AND i."completedAt" >= $3 GROUP BY 1`,
    ids,
    scope.countyId,
    from,
  );
  for (const r of completed) add(r.m, 'rectificationsCompleted', r.n);

  const caseRecoveries = await prisma.$queryRawUnsafe<Array<{ m: string; c: string }>>(
    `SELECT ${month(`(r->>'recordedAt')::timestamptz`)} AS m, sum((r->>'amountCents')::bigint)::text AS c
       FROM "Case" c CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(c.data->'recoveries') = 'array' THEN c.data->'recoveries' ELSE '[]'::jsonb END) r
      WHERE c.kind <> 'COMPLAINT' AND c."regionId" = ANY($1::int[]) AND (r->>'recordedAt')::timestamptz >= $2
      GROUP BY 1`,
    ids,
    from,
  );
  for (const r of caseRecoveries) add(r.m, 'recoveredCents', Number(r.c));

  const itemRecoveries = await prisma.$queryRawUnsafe<Array<{ m: string; c: string }>>(
    `SELECT ${month(`(a.payload->>'at')::timestamptz`)} AS m, sum((a.payload->>'recoveredCents')::bigint)::text AS c
       FROM "AuditEntry" a JOIN "RectificationItem" i ON a."subjectType" = 'RectificationItem' AND a."subjectId" = i.id::text
      WHERE a.action = 'rectification.progress' AND i."countyRegionId" = $2 AND i."responsibleRegionId" = ANY($1::int[])
        AND (a.payload->>'recoveredCents')::bigint > 0 AND (a.payload->>'at')::timestamptz >= $3
      GROUP BY 1`,
    ids,
    scope.countyId,
    from,
  );
  for (const r of itemRecoveries) add(r.m, 'recoveredCents', Number(r.c));

  return [...out.values()];
}

// ------------------------------------------------------------------ everything for one page load

export interface DashboardData {
  generatedAt: string;
  findings: FindingCell[];
  cases: OpenCase[];
  casesByKind: CaseKindRow[];
  cycles: CycleStatus[];
  trends: MonthTrend[];
}

export async function loadDashboard(prisma: PrismaClient, scope: DashboardScope, viewerStaffId: number, now: Date): Promise<DashboardData> {
  const findings = await findingsByTownship(prisma, scope);
  const cases = await openCases(prisma, scope, viewerStaffId, now);
  const cycles = await currentSubmissions(prisma, scope, now);
  const trends = await monthlyTrends(prisma, scope, now);
  return { generatedAt: now.toISOString(), findings, cases, casesByKind: casesByKind(cases), cycles, trends };
}
