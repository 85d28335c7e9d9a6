/**
 * The county policy as small lookup tables for the matching SQL.
 *
 * The database never needs to know the county's payment schedule, the
 * "10日前" reading, holiday shifts or how "3 months from the date of death" is
 * counted: the domain computes them here (paymentDeadline, computeDeadline)
 * for every month / day in the range the data spans, and the SQL joins the
 * tables (passed as arrays and unnested). Their size depends on the date
 * range (a few hundred rows for the schedule, at most one row per day for the
 * death review), never on the number of households or payments.
 */
import { computeDeadline, paymentDeadline } from '../policy/compute.js';
import { RELATIONS, type CountyPolicy, type Relation } from '../policy/schema.js';
import { addMonthsClamped, compareLocalDates, monthKey, toEpochDay } from '../time/local-date.js';
import type { WorkCalendar } from '../time/work-calendar.js';
import { coveredMonths, monthIndex, monthOfIndex } from './amounts.js';
import { ASSISTANCE_KINDS, PAYMENT_KIND_OF } from './kinds.js';

/** Earliest date the tables reach back to, counted from the as-of date. */
export const MAX_LOOKBACK_YEARS = 30;

/** One row per assistance kind and month: the deadline of the schedule period the month belongs to. */
export interface ScheduleTable {
  akind: string[];
  /** 'YYYY-MM'. */
  month: string[];
  /** The month is a schedule month (a payment falls due in it). */
  isSchedule: boolean[];
  /** Last on-time day of the period the month belongs to ('YYYY-MM-DD'), the policy's inclusive flag applied. */
  lastOnTime: string[];
  /** Months a payment for this month covers (1 for monthly, 3 for quarterly, 1 for a non-schedule month). */
  cover: number[];
  /** monthIndex(month). */
  midx: number[];
}

/** Death date → last on-time day of the death review. */
export interface DeathReviewTable {
  anchor: string[];
  due: string[];
}

export interface MatchTables {
  asOf: string;
  /** Months from the enrolment's start (approval) month to its first due month: 1 (next month) or 0. */
  dueFromOffset: number;
  /** Assistance kind → the payment schedule it follows (dibao, tekunDispersed, tekunCentralized). */
  paymentKindOf: { akind: string[]; pkind: string[] };
  /** 'YYYY-MM' of the as-of date: later periods are not looked at. */
  asOfMonth: string;
  schedule: ScheduleTable;
  deathReview: DeathReviewTable;
  /** Who must receive each assistance kind's money: 'household' | 'institution'. */
  payee: { akind: string[]; expected: string[] };
  nearRelatives: {
    enabled: boolean;
    /** Relation texts (Chinese labels and keys) the county does NOT count as near relatives. */
    excludedRelations: string[];
    staffRoles: string[];
  };
}

export interface MatchTableRange {
  asOf: string;
  /** Earliest month any enrolment starts or any payment is for ('YYYY-MM'); null when there is none. */
  fromMonth: string | null;
  /** The distinct dates of death on record (at most one per day of the look-back). */
  deathDates: readonly string[];
}

function lookbackStart(asOf: string): string {
  return addMonthsClamped(asOf, -12 * MAX_LOOKBACK_YEARS);
}

export function buildScheduleTable(
  policy: CountyPolicy,
  fromMonth: string,
  toMonth: string,
  calendar?: WorkCalendar,
): ScheduleTable {
  const t: ScheduleTable = { akind: [], month: [], isSchedule: [], lastOnTime: [], cover: [], midx: [] };
  const a = monthIndex(fromMonth);
  const b = monthIndex(toMonth);
  for (const akind of ASSISTANCE_KINDS) {
    const kind = PAYMENT_KIND_OF[akind];
    const months = policy.payments[kind].months;
    for (let i = a; i <= b; i++) {
      const month = monthOfIndex(i);
      const d = paymentDeadline(policy, kind, month, calendar);
      const isSchedule = d.periodMonth === month;
      t.akind.push(akind);
      t.month.push(month);
      t.isSchedule.push(isSchedule);
      t.lastOnTime.push(d.due);
      t.cover.push(isSchedule ? coveredMonths(months, Number(month.slice(5, 7))) : 1);
      t.midx.push(i);
    }
  }
  return t;
}

/** The death-review deadline of each date of death (dates after `asOf` or before the look-back are left out). */
export function buildDeathReviewTable(policy: CountyPolicy, deathDates: readonly string[], asOf: string, calendar?: WorkCalendar): DeathReviewTable {
  const t: DeathReviewTable = { anchor: [], due: [] };
  const floor = lookbackStart(asOf);
  for (const d of [...new Set(deathDates)].sort()) {
    if (compareLocalDates(d, asOf) > 0 || compareLocalDates(d, floor) < 0) continue;
    t.anchor.push(d);
    t.due.push(computeDeadline(policy, 'death-review', d, calendar).due);
  }
  return t;
}

/** Relation texts outside the county's near-relative set (both the Chinese label and the key). */
export function excludedRelations(policy: CountyPolicy): string[] {
  const included = new Set<Relation>(policy.nearRelatives.relations);
  const out: string[] = [];
  for (const [key, label] of Object.entries(RELATIONS) as Array<[Relation, string]>) {
    if (!included.has(key)) out.push(label, key);
  }
  return out;
}

/**
 * All tables for one county and as-of date. The range comes from the data
 * (earliest enrolment/payment month, the dates of death on record), capped
 * at MAX_LOOKBACK_YEARS before the as-of date.
 */
export function buildMatchTables(policy: CountyPolicy, range: MatchTableRange, calendar?: WorkCalendar): MatchTables {
  const { asOf } = range;
  toEpochDay(asOf); // validates
  if (range.fromMonth !== null) monthIndex(range.fromMonth); // validates
  const asOfMonth = monthKey(asOf);
  const floor = lookbackStart(asOf);
  const fromMonth =
    range.fromMonth === null || range.fromMonth > asOfMonth ? asOfMonth : range.fromMonth < monthKey(floor) ? monthKey(floor) : range.fromMonth;
  return {
    asOf,
    dueFromOffset: policy.paymentDueFrom === 'approval-month' ? 0 : 1,
    paymentKindOf: { akind: [...ASSISTANCE_KINDS], pkind: ASSISTANCE_KINDS.map((k) => PAYMENT_KIND_OF[k]) },
    asOfMonth,
    schedule: buildScheduleTable(policy, fromMonth, asOfMonth, calendar),
    deathReview: buildDeathReviewTable(policy, range.deathDates, asOf, calendar),
    payee: {
      akind: [...ASSISTANCE_KINDS],
      expected: ASSISTANCE_KINDS.map((k) => policy.payments[PAYMENT_KIND_OF[k]].payee),
    },
    nearRelatives: {
      enabled: policy.nearRelatives.enabled,
      excludedRelations: excludedRelations(policy),
      staffRoles: [...policy.nearRelatives.staffRoles],
    },
  };
}
