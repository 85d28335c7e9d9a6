/**
 * Database side of the statutory tables: each function yields the rows of one
 * table (already in the table's column keys). Aggregates are computed in SQL
 * (table 3); row tables are read in keyset pages (PAGE rows at a time), so a
 * county with 500k members never holds all its rows as objects at once.
 */
import type { PrismaClient } from '../infra/db/client.js';
import { maskIdNumber } from '../domain/identity/index.js';
import { paymentDeadline } from '../domain/policy/compute.js';
import { RELATIONS, type CountyPolicy, type PaymentKind } from '../domain/policy/schema.js';
import {
  ASSISTANCE_KIND_ZH,
  FILING_STATUS_ZH,
  STAFF_ROLE_ZH,
  coverageOf,
  disabilityLabel,
  focusItemLabel,
  isSevereDisability,
  type Row,
} from '../domain/tables/index.js';
import { RECTIFICATION_STATUS_ZH, type RectificationStatusCode } from '../domain/cases/rectification.js';
import { ASSISTANCE_TO_PAYMENT_KIND, type AssistanceKindCode } from '../domain/cases/kinds.js';
import { addCalendarDays, compareLocalDates, type LocalDate } from '../domain/time/local-date.js';
import { toChinaDate } from '../domain/time/instants.js';
import { submissionItems } from '../domain/columns.js';
import type { ProgressItem } from '../domain/cycles/progress.js';

export const PAGE = 2000;

export interface ReportScope {
  countyRegionId: number;
  start: LocalDate;
  end: LocalDate;
  policy: CountyPolicy;
}

/** Start of `start` and of the day after `end`, Beijing time (half-open range of instants). */
function instants(scope: ReportScope): [Date, Date] {
  return [new Date(`${scope.start}T00:00:00+08:00`), new Date(`${addCalendarDays(scope.end, 1)}T00:00:00+08:00`)];
}

/** A `@db.Date` column as 'YYYY-MM-DD' (Prisma gives it as UTC midnight). Instants use `toChinaDate`. */
const day = (d: Date | null | undefined): string | null => (d ? d.toISOString().slice(0, 10) : null);
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export async function townshipIds(prisma: PrismaClient, countyRegionId: number): Promise<number[]> {
  const rows = await prisma.region.findMany({ where: { parentId: countyRegionId, level: 'TOWNSHIP' }, select: { id: true }, orderBy: { id: 'asc' } });
  return rows.map((r) => r.id);
}

// ------------------------------------------------------------------ tables 1 and Wenshui weekly

export interface ProgressTable {
  rows: Row[];
  notes: string[];
}


/**
 * Progress submissions of the county's progress cycles that end in the period
 * (or of the one cycle `cycleKey`): one row per unit × focus item; a unit
 * that did not submit gets one row marked 未报送 and is listed in the notes.
 */
export async function progressRows(
  prisma: PrismaClient,
  scope: ReportScope & { unitKind: 'TOWNSHIP' | 'SECTION'; cycleKey?: string },
): Promise<ProgressTable> {
  const all = await prisma.reportCycle.findMany({
    where: { countyRegionId: scope.countyRegionId, kind: 'progress', ...(scope.cycleKey ? { period: scope.cycleKey } : {}) },
    orderBy: { dueAt: 'asc' },
  });
  const cycles = scope.cycleKey
    ? all
    : all.filter((c) => {
        const end = day(c.periodEnd) ?? toChinaDate(c.dueAt);
        return compareLocalDates(end, scope.start) >= 0 && compareLocalDates(end, scope.end) <= 0;
      });
  const units = await prisma.reportingUnit.findMany({
    where: { countyRegionId: scope.countyRegionId, kind: scope.unitKind, active: true },
    orderBy: { id: 'asc' },
  });
  const subs = await prisma.reportSubmission.findMany({ where: { cycleId: { in: cycles.map((c) => c.id) } } });
  const staffIds = [...new Set(subs.map((s) => s.submittedByStaffId))];
  const staff = new Map((await prisma.staff.findMany({ where: { id: { in: staffIds } }, select: { id: true, name: true } })).map((s) => [s.id, s.name]));
  const byKey = new Map(subs.map((s) => [`${s.cycleId}:${s.unitId}`, s]));
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const cycle of cycles) {
    const periodStart = day(cycle.periodStart);
    const periodEnd = day(cycle.periodEnd) ?? toChinaDate(cycle.dueAt);
    const missing: string[] = [];
    const late: string[] = [];
    for (const unit of units) {
      const sub = byKey.get(`${cycle.id}:${unit.id}`);
      const base = { unit: unit.name, cycle: cycle.period, periodStart, periodEnd };
      if (!sub) {
        missing.push(unit.name);
        rows.push({ ...base, focusItem: '', late: '未报送', submittedAt: null, submittedBy: '' });
        continue;
      }
      if (sub.late) late.push(unit.name);
      const items = submissionItems(sub.data, `#${sub.id}`);
      for (const f of scope.policy.focusItems) {
        const it: Partial<ProgressItem> = items[f.code] ?? {};
        rows.push({
          ...base,
          focusItem: focusItemLabel(scope.policy, f.code),
          found: num(it.found),
          households: num(it.households),
          amount: num(it.amount),
          rectified: num(it.rectified),
          recovered: num(it.recovered),
          cluesTransferred: num(it.cluesTransferred),
          heldAccountable: num(it.heldAccountable),
          submittedAt: sub.submittedAt.toISOString(),
          late: sub.late ? '是' : '否',
          submittedBy: staff.get(sub.submittedByStaffId) ?? '',
        });
      }
    }
    if (missing.length) notes.push(`${cycle.period}期未报送单位（${missing.length}个）：${missing.join('、')}`);
    if (late.length) notes.push(`${cycle.period}期逾期报送单位（${late.length}个）：${late.join('、')}`);
  }
  if (!cycles.length) notes.push('本统计期间内没有工作进展报送期次。');
  return { rows, notes };
}

// ------------------------------------------------------------------ table 2

interface FilingRow {
  id: number;
  relativeName: string;
  relativeIdNumber: string;
  relation: string;
  status: string;
  filedAt: Date;
  homeVisitDate: Date | null;
  homeVisitResult: string | null;
  decisionNote: string | null;
  staffName: string;
  role: string;
  staffUnit: string;
  village: string | null;
  township: string | null;
  householdSize: number | null;
  kinds: string | null;
  monthly: string | null;
  /** The relative's application (linked to the filing, else the latest by ID number) and its outcome. */
  applicationStatus: string | null;
  applicationKind: string | null;
}

/** Outcome of the relative's application, for table 2's 审核结果. */
export const APPLICATION_OUTCOME_ZH: Record<string, string> = {
  APPROVED: '批准纳入',
  REFUSED: '不予批准',
  REFUSED_NOTIFIED: '不予批准（已书面告知）',
};

const relationZh = (r: string) => (RELATIONS as Record<string, string>)[r] ?? r;

/** 近亲属备案: filings of staff of the county filed in the period, with the applicant's household. */
export async function* filingRows(prisma: PrismaClient, scope: ReportScope): AsyncGenerator<Row> {
  const [from, to] = instants(scope);
  let after = 0;
  let seq = 0;
  for (;;) {
    const page = await prisma.$queryRawUnsafe<FilingRow[]>(
      `WITH county_regions AS (
         SELECT id FROM "Region" WHERE id = $1
         UNION ALL SELECT id FROM "Region" WHERE "parentId" = $1
         UNION ALL SELECT v.id FROM "Region" v JOIN "Region" t ON t.id = v."parentId" WHERE t."parentId" = $1)
       SELECT f.id, f."relativeName", f."relativeIdNumber", f.relation, f.status::text AS status, f."filedAt",
              f."homeVisitDate", f."homeVisitResult", f."decisionNote",
              s.name AS "staffName", s.role::text AS role, s.unit AS "staffUnit",
              COALESCE(hv.name, sv.name) AS village, COALESCE(ht.name, st.name) AS township,
              hh.size AS "householdSize", en.kinds, en.monthly, app.status::text AS "applicationStatus", app.kind::text AS "applicationKind"
       FROM "NearRelativeFiling" f
       LEFT JOIN LATERAL (SELECT a.status, a.kind FROM "Application" a
                          WHERE a.id = f."applicationId" OR a."applicantIdNumber" = f."relativeIdNumber"
                          ORDER BY (a.id = f."applicationId") DESC NULLS LAST, a.id DESC LIMIT 1) app ON true
       JOIN "Staff" s ON s.id = f."staffId"
       JOIN "Region" sv ON sv.id = s."regionId"
       LEFT JOIN "Region" st ON st.id = sv."parentId"
       LEFT JOIN LATERAL (SELECT m."householdId" FROM "Member" m WHERE m."idNumber" = f."relativeIdNumber" ORDER BY m.id LIMIT 1) mem ON true
       LEFT JOIN "Household" h ON h.id = mem."householdId"
       LEFT JOIN "Region" hv ON hv.id = h."regionId"
       LEFT JOIN "Region" ht ON ht.id = hv."parentId"
       LEFT JOIN LATERAL (SELECT count(*)::int AS size FROM "Member" m2 WHERE m2."householdId" = h.id) hh ON h.id IS NOT NULL
       LEFT JOIN LATERAL (SELECT string_agg(e.kind::text, ',' ORDER BY e.kind) AS kinds, sum(e."monthlyAmount")::text AS monthly
                          FROM "Enrolment" e WHERE e."householdId" = h.id AND e.status = 'ACTIVE') en ON h.id IS NOT NULL
       WHERE s."regionId" IN (SELECT id FROM county_regions)
         AND f."filedAt" >= $2 AND f."filedAt" < $3 AND f.id > $4
       ORDER BY f.id LIMIT ${PAGE}`,
      scope.countyRegionId,
      from,
      to,
      after,
    );
    for (const r of page) {
      seq += 1;
      yield {
        seq,
        township: r.township ?? '',
        village: r.village ?? '',
        applicantName: r.relativeName,
        applicantId: maskIdNumber(r.relativeIdNumber),
        assistance: r.kinds ? r.kinds.split(',').map((k) => ASSISTANCE_KIND_ZH[k] ?? k).join('、') : r.applicationKind ? `申请${ASSISTANCE_KIND_ZH[r.applicationKind] ?? r.applicationKind}` : '未纳入',
        householdSize: r.householdSize,
        monthlyAmount: r.monthly === null ? null : Number(r.monthly),
        staffName: r.staffName,
        staffPost: `${r.staffUnit}${STAFF_ROLE_ZH[r.role] ?? r.role}`,
        relation: relationZh(r.relation),
        // An instant: its Beijing date (a filing at 07:30 Beijing is already that day, not the UTC day before).
        filedAt: toChinaDate(r.filedAt),
        homeVisitDate: day(r.homeVisitDate),
        homeVisitResult: r.homeVisitResult ?? '',
        // The decision on the relative's assistance when an application exists (纳入/不予批准/审核中), else the filing's.
        decision: r.applicationStatus ? (APPLICATION_OUTCOME_ZH[r.applicationStatus] ?? '审核中') : (FILING_STATUS_ZH[r.status] ?? r.status),
        remarks: [r.applicationStatus ? `备案${FILING_STATUS_ZH[r.status] ?? r.status}` : '', r.decisionNote ?? ''].filter(Boolean).join('；'),
      };
    }
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.id;
  }
}

// ------------------------------------------------------------------ table 3

const ASSISTANCE_ORDER: AssistanceKindCode[] = ['URBAN_DIBAO', 'RURAL_DIBAO', 'TEKUN_DISPERSED', 'TEKUN_CENTRALIZED'];

function monthsBetween(start: LocalDate, end: LocalDate): string[] {
  const out: string[] = [];
  let y = Number(start.slice(0, 4));
  let m = Number(start.slice(5, 7));
  const ey = Number(end.slice(0, 4));
  const em = Number(end.slice(5, 7));
  while (y < ey || (y === ey && m <= em)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

function dueRuleZh(policy: CountyPolicy, kind: PaymentKind): string {
  const s = policy.payments[kind];
  const when = s.months.length === 12 ? '每月' : s.months.length === 4 ? '每季度初' : `${s.months.join('、')}月`;
  return `${when}${s.dayOfMonth}日${s.inclusive ? '前（含）' : '前'}`;
}

/** The on-time deadline of every (assistance kind, payment period) of the period, as SQL VALUES. */
export function paymentDueValues(policy: CountyPolicy, start: LocalDate, end: LocalDate): Array<{ kind: AssistanceKindCode; period: string; due: LocalDate }> {
  const out: Array<{ kind: AssistanceKindCode; period: string; due: LocalDate }> = [];
  for (const period of monthsBetween(start, end)) {
    for (const kind of ASSISTANCE_ORDER) out.push({ kind, period, due: paymentDeadline(policy, ASSISTANCE_TO_PAYMENT_KIND[kind], period).due });
  }
  return out;
}

/** The SQL of table 3 (also the benchmark's "ours" statement). */
export function fundsSql(values: ReadonlyArray<{ kind: string; period: string; due: string }>): string {
  const v = values.map((x) => `('${x.kind}'::"AssistanceKind", '${x.period}', date '${x.due}')`).join(',\n');
  return `WITH d(kind, period, due) AS (VALUES ${v}),
    pay AS (
      SELECT t.id AS township_id, e.kind, p."householdId", p."amountDue", p."amountPaid", p."paidDate",
             (p."paidDate" IS NOT NULL AND p."paidDate" <= d.due AND p."amountPaid" >= p."amountDue") AS on_time
      FROM "Payment" p
      JOIN "Enrolment" e ON e.id = p."enrolmentId"
      JOIN d ON d.kind = e.kind AND d.period = p.period
      JOIN "Household" h ON h.id = p."householdId"
      JOIN "Region" v ON v.id = h."regionId"
      JOIN "Region" t ON t.id = CASE WHEN v.level = 'VILLAGE' THEN v."parentId" ELSE v.id END
      WHERE t."parentId" = $1),
    agg AS (
      SELECT township_id, kind, count(DISTINCT "householdId")::int AS households, sum("amountDue")::text AS due,
             sum("amountPaid")::text AS paid, max("paidDate") AS last_paid,
             count(*) FILTER (WHERE on_time)::int AS on_time, count(*) FILTER (WHERE NOT on_time)::int AS late
      FROM pay GROUP BY township_id, kind),
    persons AS (
      SELECT hh.township_id, hh.kind, count(m.id)::int AS persons
      FROM (SELECT DISTINCT township_id, kind, "householdId" FROM pay) hh
      JOIN "Member" m ON m."householdId" = hh."householdId"
      GROUP BY hh.township_id, hh.kind)
    SELECT t.name AS township, agg.kind::text AS kind, agg.households, COALESCE(persons.persons, 0) AS persons,
           agg.due, agg.paid, agg.last_paid, agg.on_time, agg.late
    FROM agg JOIN "Region" t ON t.id = agg.township_id
    LEFT JOIN persons ON persons.township_id = agg.township_id AND persons.kind = agg.kind
    ORDER BY t.id, agg.kind`;
}

/**
 * Why payments were not on time and in full, per township and category: the
 * payment rows paid late, short or not at all, and the scheduled periods of
 * enrolments running then that have no payment row. A period without any
 * payment row of the county is "no data" (not imported), not "nobody paid":
 * it is named in the reason, never counted.
 */
export function fundsGapSql(values: ReadonlyArray<{ kind: string; period: string; due: string }>): string {
  const v = values.map((x) => `('${x.kind}'::"AssistanceKind", '${x.period}', date '${x.due}')`).join(',\n');
  return `WITH d(kind, period, due) AS (VALUES ${v}),
    hh AS (
      SELECT h.id AS household_id, t.id AS township_id
      FROM "Household" h
      JOIN "Region" v ON v.id = h."regionId"
      JOIN "Region" t ON t.id = CASE WHEN v.level = 'VILLAGE' THEN v."parentId" ELSE v.id END
      WHERE t."parentId" = $1),
    covered AS (
      SELECT DISTINCT p.period FROM "Payment" p JOIN hh ON hh.household_id = p."householdId" WHERE p.period IN (SELECT period FROM d)),
    rows AS (
      SELECT hh.township_id, e.kind,
             CASE WHEN p."paidDate" IS NULL THEN 'unpaid'
                  WHEN p."amountPaid" < p."amountDue" THEN 'short'
                  WHEN p."paidDate" > d.due THEN 'late' END AS why,
             NULL::text AS period, 0::numeric AS amount
      FROM "Payment" p
      JOIN "Enrolment" e ON e.id = p."enrolmentId"
      JOIN d ON d.kind = e.kind AND d.period = p.period
      JOIN hh ON hh.household_id = p."householdId"
      UNION ALL
      SELECT hh.township_id, e.kind,
             CASE WHEN d.period IN (SELECT period FROM covered) THEN 'missing' ELSE 'nodata' END,
             d.period, e."monthlyAmount"
      FROM "Enrolment" e
      JOIN d ON d.kind = e.kind
      JOIN hh ON hh.household_id = e."householdId"
      WHERE e."startDate" < to_date(d.period || '-01', 'YYYY-MM-DD')
        AND (e."endDate" IS NULL OR e."endDate" >= to_date(d.period || '-01', 'YYYY-MM-DD'))
        AND NOT EXISTS (SELECT 1 FROM "Payment" p WHERE p."enrolmentId" = e.id AND p.period = d.period))
    SELECT t.name AS township, r.kind::text AS kind, r.why, count(*)::int AS n, sum(r.amount)::text AS amount,
           string_agg(DISTINCT r.period, ',' ORDER BY r.period) AS periods
    FROM rows r JOIN "Region" t ON t.id = r.township_id
    WHERE r.why IS NOT NULL
    GROUP BY t.id, t.name, r.kind, r.why
    ORDER BY t.id, r.kind, r.why`;
}

const GAP_ZH: Record<string, string> = { late: '逾期发放', short: '未足额发放', unpaid: '有发放记录但未发放' };

/** 资金发放: per township and category, payments of the period's months against the policy's deadlines. */
export async function fundsRows(prisma: PrismaClient, scope: ReportScope): Promise<Row[]> {
  const dues = paymentDueValues(scope.policy, scope.start, scope.end);
  const sql = fundsSql(dues);
  const rows = await prisma.$queryRawUnsafe<Array<{ township: string; kind: AssistanceKindCode; households: number; persons: number; due: string; paid: string; last_paid: Date | null; on_time: number; late: number }>>(sql, scope.countyRegionId);
  // Only the months a kind is paid in (quarterly kinds: the quarter's first month) can miss a payment.
  const scheduled = dues.filter((x) => scope.policy.payments[ASSISTANCE_TO_PAYMENT_KIND[x.kind]].months.includes(Number(x.period.slice(5, 7))));
  const gaps = scheduled.length
    ? await prisma.$queryRawUnsafe<Array<{ township: string; kind: AssistanceKindCode; why: string; n: number; amount: string; periods: string | null }>>(fundsGapSql(scheduled), scope.countyRegionId)
    : [];
  const key = (township: string, kind: string) => `${township}\u0000${kind}`;
  const gapsBy = new Map<string, typeof gaps>();
  for (const g of gaps) gapsBy.set(key(g.township, g.kind), [...(gapsBy.get(key(g.township, g.kind)) ?? []), g]);
  const out: Row[] = rows.map((r) => ({
    township: r.township,
    category: ASSISTANCE_KIND_ZH[r.kind] ?? r.kind,
    households: r.households,
    persons: r.persons,
    amountDue: Number(r.due),
    amountPaid: Number(r.paid),
    lastPaidDate: day(r.last_paid),
    dueRule: dueRuleZh(scope.policy, ASSISTANCE_TO_PAYMENT_KIND[r.kind]),
    onTime: r.on_time,
    lateOrUnpaid: r.late,
    reason: '',
    _key: key(r.township, r.kind),
  }));
  // A township and category with enrolments due but not one payment row: a row of its own.
  for (const [k, list] of gapsBy) {
    if (out.some((r) => r._key === k) || !list.some((g) => g.why === 'missing')) continue;
    const g = list[0]!;
    out.push({ township: g.township, category: ASSISTANCE_KIND_ZH[g.kind] ?? g.kind, households: 0, persons: 0, amountDue: 0, amountPaid: 0, lastPaidDate: null, dueRule: dueRuleZh(scope.policy, ASSISTANCE_TO_PAYMENT_KIND[g.kind]), onTime: 0, lateOrUnpaid: 0, reason: '', _key: k });
  }
  for (const r of out) {
    const parts: string[] = [];
    for (const g of gapsBy.get(String(r._key)) ?? []) {
      if (g.why === 'missing') {
        r.lateOrUnpaid = Number(r.lateOrUnpaid) + g.n;
        parts.push(`未发放${g.n}笔（无发放记录，${(g.periods ?? '').split(',').join('、')}，月保障金额合计${Number(g.amount).toFixed(2)}元）`);
      } else if (g.why === 'nodata') {
        parts.push(`${(g.periods ?? '').split(',').join('、')}无发放数据（未导入该月发放记录，未计入）`);
      } else {
        parts.push(`${GAP_ZH[g.why] ?? g.why}${g.n}笔`);
      }
    }
    r.reason = parts.join('；');
    delete r._key;
  }
  return out;
}

// ------------------------------------------------------------------ table 4

interface MonitoredRow {
  id: number;
  name: string;
  idNumber: string;
  disabilityKind: string;
  disabilityGrade: number;
  identifiedAt: Date;
  source: string;
  measure: string | null;
  measureDate: Date | null;
  remarks: string | null;
  township: string | null;
  /** 'KIND:householdSize' of the active enrolments of households the person is a member of. */
  enrolments: string | null;
}

/**
 * 新增监测对象（重残人员）: one row per monitored person of the county newly
 * identified in the period whose disability is 重残 (`isSevereDisability`),
 * with the coverage read from active enrolments by ID number (`coverageOf`).
 */
export async function* monitoredRows(prisma: PrismaClient, scope: ReportScope): AsyncGenerator<Row> {
  let after = 0;
  let seq = 0;
  for (;;) {
    const page = await prisma.$queryRawUnsafe<MonitoredRow[]>(
      `SELECT p.id, p.name, p."idNumber", p."disabilityKind", p."disabilityGrade", p."identifiedAt", p.source, p.measure,
              p."measureDate", p.remarks, t.name AS township, en.enrolments
       FROM "MonitoredPerson" p
       JOIN "Region" r ON r.id = p."regionId"
       JOIN "Region" t ON t.id = CASE WHEN r.level = 'VILLAGE' THEN r."parentId" ELSE r.id END
       LEFT JOIN LATERAL (
         SELECT string_agg(e.kind::text || ':' || (SELECT count(*) FROM "Member" m2 WHERE m2."householdId" = e."householdId"), ',') AS enrolments
         FROM "Member" m JOIN "Enrolment" e ON e."householdId" = m."householdId" AND e.status = 'ACTIVE'
         WHERE m."idNumber" = p."idNumber") en ON true
       WHERE t."parentId" = $1 AND t.level = 'TOWNSHIP'
         AND p."identifiedAt" >= $2::date AND p."identifiedAt" <= $3::date AND p.id > $4
       ORDER BY p.id LIMIT ${PAGE}`,
      scope.countyRegionId,
      scope.start,
      scope.end,
      after,
    );
    for (const r of page) {
      if (!isSevereDisability(r.disabilityKind, r.disabilityGrade)) continue;
      seq += 1;
      const enrolments = (r.enrolments ?? '')
        .split(',')
        .filter(Boolean)
        .map((x) => ({ kind: x.split(':')[0]!, householdSize: Number(x.split(':')[1]) }));
      yield {
        seq,
        township: r.township ?? '',
        name: r.name,
        idNumber: maskIdNumber(r.idNumber),
        disability: disabilityLabel(r.disabilityKind, r.disabilityGrade),
        identifiedAt: day(r.identifiedAt),
        source: r.source,
        covered: coverageOf(enrolments),
        measure: r.measure ?? '',
        measureDate: day(r.measureDate),
        remarks: r.remarks ?? '',
      };
    }
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.id;
  }
}

// ------------------------------------------------------------------ table 5

interface CaseRow {
  id: number;
  kind: string;
  anchorDate: Date | null;
  openedAt: Date;
  dueAt: Date | null;
  closedAt: Date | null;
  data: {
    source?: string;
    /** Death review: decision '增发'…; prisoner exit (低保): the new amount (0 = 停发). */
    decision?: { decision?: string; effectiveMonth?: string; decidedAt?: string; newMonthlyAmount?: number; previousMonthlyAmount?: number };
    /** Prisoner exit (特困): the support ended after its 公示. */
    termination?: { effectiveMonth?: string; completedAt?: string };
    overpayment?: { totalCents?: number; months?: unknown[] };
    recoveries?: Array<{ amountCents?: number }>;
  } | null;
  subjectIdNumber: string | null;
  township: string | null;
  memberName: string | null;
  kinds: string | null;
}

/** The decision columns of table 5 from a case's data: 增发/减发/停发 (death review, 低保 prisoner exit) or 终止供养 (特困). */
export function caseOutcome(kind: string, d: NonNullable<CaseRow['data']>): { decision: string; effectiveMonth: string; decidedAt: string | null } {
  if (kind === 'PRISON_EXIT') {
    if (d.termination) return { decision: '终止供养', effectiveMonth: d.termination.effectiveMonth ?? '', decidedAt: d.termination.completedAt ?? null };
    if (d.decision) {
      const amount = d.decision.newMonthlyAmount;
      const decision = d.decision.decision ?? (amount === undefined ? '' : amount === 0 ? '停发' : `减发（调整为每月${amount.toFixed(2)}元）`);
      return { decision, effectiveMonth: d.decision.effectiveMonth ?? '', decidedAt: d.decision.decidedAt ?? null };
    }
    return { decision: '', effectiveMonth: '', decidedAt: null };
  }
  return { decision: d.decision?.decision ?? '', effectiveMonth: d.decision?.effectiveMonth ?? '', decidedAt: d.decision?.decidedAt ?? null };
}

/** 死亡（服刑）处置: DEATH_REVIEW and PRISON_EXIT cases of the county open at some time in the period. */
export async function* deathPrisonRows(prisma: PrismaClient, scope: ReportScope): AsyncGenerator<Row> {
  const [from, to] = instants(scope);
  let after = 0;
  let seq = 0;
  for (;;) {
    const page = await prisma.$queryRawUnsafe<CaseRow[]>(
      `SELECT c.id, c.kind::text AS kind, c."anchorDate", c."openedAt", c."dueAt", c."closedAt", c.data, c."subjectIdNumber",
              t.name AS township, m.name AS "memberName", en.kinds
       FROM "Case" c
       JOIN "Region" t ON t.id = c."regionId"
       LEFT JOIN LATERAL (
         SELECT mm.name FROM "Member" mm
         WHERE mm.id = CASE WHEN jsonb_typeof(c.data->'memberId') = 'number' THEN (c.data->>'memberId')::int END
            OR (c."subjectIdNumber" IS NOT NULL AND mm."idNumber" = c."subjectIdNumber")
         ORDER BY (mm.id = CASE WHEN jsonb_typeof(c.data->'memberId') = 'number' THEN (c.data->>'memberId')::int END) DESC NULLS LAST, mm.id
         LIMIT 1) m ON true
       LEFT JOIN LATERAL (SELECT string_agg(DISTINCT e.kind::text, ',') AS kinds FROM "Enrolment" e WHERE e."householdId" = c."householdId") en ON true
       WHERE c.kind IN ('DEATH_REVIEW', 'PRISON_EXIT') AND t."parentId" = $1
         AND c."openedAt" < $3 AND (c."closedAt" IS NULL OR c."closedAt" >= $2) AND c.id > $4
       ORDER BY c.id LIMIT ${PAGE}`,
      scope.countyRegionId,
      from,
      to,
      after,
    );
    for (const r of page) {
      seq += 1;
      const d = r.data ?? {};
      // However the case was opened (import, match, chat, demo): the decision as the case recorded it.
      const outcome = caseOutcome(r.kind, d);
      const decidedAt = outcome.decidedAt;
      const within =
        decidedAt && r.dueAt ? (Date.parse(decidedAt) < r.dueAt.getTime() ? '是' : '否') : r.dueAt && r.dueAt.getTime() <= to.getTime() ? '否（逾期未办结）' : '办理中';
      yield {
        seq,
        township: r.township ?? '',
        name: r.memberName ?? '',
        idNumber: r.subjectIdNumber ? maskIdNumber(r.subjectIdNumber) : '',
        assistance: r.kinds ? r.kinds.split(',').map((k) => ASSISTANCE_KIND_ZH[k] ?? k).join('、') : '',
        event: r.kind === 'DEATH_REVIEW' ? '死亡' : '服刑',
        eventDate: day(r.anchorDate),
        discoveredAt: toChinaDate(r.openedAt),
        source: d.source ?? '',
        reviewedAt: decidedAt ? toChinaDate(new Date(decidedAt)) : null,
        decision: outcome.decision,
        effectiveMonth: outcome.effectiveMonth,
        overpaidMonths: d.overpayment?.months?.length ?? 0,
        overpaid: (d.overpayment?.totalCents ?? 0) / 100,
        recovered: (d.recoveries ?? []).reduce((s, x) => s + (x.amountCents ?? 0), 0) / 100,
        withinLimit: within,
      };
    }
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.id;
  }
}

// ------------------------------------------------------------------ table 6

/** 整改清单: the county's items created up to the end of the period, by 序号. */
export async function* rectificationRows(prisma: PrismaClient, scope: ReportScope): AsyncGenerator<Row> {
  const [, to] = instants(scope);
  let after = 0;
  for (;;) {
    const page = await prisma.$queryRawUnsafe<
      Array<{ seq: number; township: string | null; problem: string; focusItem: string | null; source: string; responsibleUnit: string; person: string | null; measures: string; deadline: Date; status: RectificationStatusCode; completedAt: Date | null; recovered: string; clueTransferred: boolean }>
    >(
      `SELECT i.seq, COALESCE(CASE WHEN r.level = 'VILLAGE' THEN p.name ELSE r.name END, '') AS township,
              i.problem, i."focusItem", i.source, i."responsibleUnit", s.name AS person, i.measures, i.deadline,
              i.status::text AS status, i."completedAt", i."recoveredAmount"::text AS recovered, i."clueTransferred"
       FROM "RectificationItem" i
       JOIN "Region" r ON r.id = i."responsibleRegionId"
       LEFT JOIN "Region" p ON p.id = r."parentId"
       LEFT JOIN "Staff" s ON s.id = i."responsibleStaffId"
       WHERE i."countyRegionId" = $1 AND i."createdAt" < $2 AND i.seq > $3
       ORDER BY i.seq LIMIT ${PAGE}`,
      scope.countyRegionId,
      to,
      after,
    );
    for (const r of page) {
      yield {
        seq: r.seq,
        township: r.township ?? '',
        problem: r.problem,
        focusItem: focusItemLabel(scope.policy, r.focusItem),
        source: r.source,
        unit: r.responsibleUnit,
        person: r.person ?? '',
        measures: r.measures,
        deadline: day(r.deadline),
        status: r.status === 'COMPLETED' ? RECTIFICATION_STATUS_ZH.COMPLETED : RECTIFICATION_STATUS_ZH.IN_PROGRESS,
        completedAt: r.status === 'COMPLETED' && r.completedAt ? toChinaDate(r.completedAt) : null,
        recovered: Number(r.recovered),
        clueTransferred: r.clueTransferred ? '是' : '否',
      };
    }
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.seq;
  }
}
