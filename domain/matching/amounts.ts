/**
 * Amount rules of the matching, and yuan formatting. The SQL in
 * activities/matching applies the same rules in the database; the database
 * tests check both against each other.
 *
 * - paid_after_death: the months a payment covers that lie after the month of
 *   death are over-paid. A monthly payment covers its own month; a quarterly
 *   one (分散/集中特困, period = the quarter's first month) covers three. Amount
 *   = the share of amountPaid on those months (trailingShare: whole fen per
 *   month, odd fen on the earliest months).
 *   Multi-member households are flagged with the same amount (the evidence
 *   says the household amount should have been recomputed), unless the
 *   payment is already below the enrolment's last payment up to the month of
 *   the event: that recomputation is visible in the ledger.
 * - paid_in_prison: the same, for the covered months after the month of
 *   custody up to and including the month of release (open-ended when not
 *   released).
 * - payment_missing: the recorded amountDue, or without a payment row the
 *   enrolment's monthly amount × the months the period covers. Periods
 *   before the county's earliest period on record are not judged (no ledger
 *   was imported for them).
 * - payment_late: the amount paid late; payment_short: amountDue − amountPaid;
 *   payment_wrong_payee: the amount paid to the wrong payee.
 * - death_review_overdue, duplicate_enrolment, undeclared_near_relative: no amount.
 */
import { DomainInputError } from '../errors.js';
import { parseMonthKey } from '../time/local-date.js';

/** Month number of 'YYYY-MM' (year × 12 + month − 1), the unit of the month arithmetic. */
export function monthIndex(month: string): number {
  const { year, month: m } = parseMonthKey(month.slice(0, 7));
  return year * 12 + m - 1;
}

/** Inverse of monthIndex. */
export function monthOfIndex(index: number): string {
  const y = Math.floor(index / 12);
  return `${String(y).padStart(4, '0')}-${String(index - y * 12 + 1).padStart(2, '0')}`;
}

/**
 * Months a payment period covers: from the period's month to the month before
 * the next schedule month (monthly: 1; quarterly [1,4,7,10]: 3).
 */
export function coveredMonths(scheduleMonths: readonly number[], month: number): number {
  const sorted = [...scheduleMonths].sort((a, b) => a - b);
  if (!sorted.includes(month)) return 1;
  const next = sorted.find((m) => m > month) ?? sorted[0]! + 12;
  return next - month;
}

/** Covered months of a payment that lie after the month of death. */
export function monthsAfterDeath(period: string, cover: number, deathDate: string): number {
  const first = monthIndex(period);
  const last = first + cover - 1;
  return Math.max(0, Math.min(cover, last - monthIndex(deathDate)));
}

/** Covered months of a payment within (custody month, release month]; release null = still in custody. */
export function monthsInCustody(period: string, cover: number, custodyDate: string, releaseDate: string | null): number {
  const first = monthIndex(period);
  const last = first + cover - 1;
  const from = Math.max(first, monthIndex(custodyDate) + 1);
  const to = releaseDate === null ? last : Math.min(last, monthIndex(releaseDate));
  return Math.max(0, to - from + 1);
}

/**
 * The share of a payment that falls on its last `part` covered months. A
 * payment covering `whole` months is split into whole fen per month, the odd
 * fen going to the earliest months (the split domain/cases uses for death
 * reviews), so the later months get the floor: 100.00 over 3 months is
 * 33.34 + 33.33 + 33.33, and its last two months are 66.66.
 */
export function trailingShare(amount: number, part: number, whole: number): number {
  if (!Number.isInteger(whole) || whole <= 0) throw new DomainInputError('折算的月数必须是正整数');
  if (!Number.isInteger(part) || part < 0 || part > whole) throw new DomainInputError('折算的月数超出范围');
  const fen = Math.round(amount * 100);
  const base = Math.floor(fen / whole);
  const odd = fen - base * whole;
  return (part * base + Math.max(0, odd - (whole - part))) / 100;
}

/** A numeric value as text ('123.40') → yuan as a number rounded to the fen; null stays null. */
export function parseYuan(text: string | number | null | undefined): number | null {
  if (text === null || text === undefined || text === '') return null;
  const n = typeof text === 'number' ? text : Number(text);
  if (!Number.isFinite(n)) throw new DomainInputError(`金额无效：“${String(text)}”`);
  return Math.round(n * 100) / 100;
}

const yuanFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** '12,345.60' */
export function formatYuan(amount: number): string {
  return yuanFormat.format(amount);
}
