/**
 * Over-payment (超期发放) after a death: pure arithmetic in integer cents.
 *
 * Any payment for a month after the death month is an over-payment to the
 * extent it exceeds what the household is still entitled to for that month
 * (domain.md R14): nothing after 停发, the new monthly amount after 减发, and
 * no over-payment after 增发. A quarterly payment (分散特困) covers three
 * months and is split evenly over them (the odd cents go to the earliest
 * months), so a death in the quarter's first month makes two thirds of it
 * over-paid. Workflow-safe: no I/O, no clock.
 */
import { parseMonthKey } from '../time/local-date.js';
import type { DeathReviewDecision } from './decision.js';

export interface PaidPeriod {
  /** 'YYYY-MM': the first month the payment covers. */
  period: string;
  /** Months the payment covers (1 monthly, 3 quarterly). */
  monthsCovered: number;
  /** Yuan actually paid. */
  amountPaid: number;
}

export interface OverpaidMonth {
  month: string;
  paidCents: number;
  entitledCents: number;
  overCents: number;
}

export interface Overpayment {
  /** Total over-paid, in cents (0 when nothing is due). */
  totalCents: number;
  /** The months with an over-payment, earliest first. */
  months: OverpaidMonth[];
}

/** Yuan (at most two decimals) → integer cents. */
export function toCents(yuan: number): number {
  if (!Number.isFinite(yuan)) throw new RangeError(`not a finite amount: ${yuan}`);
  return Math.round(yuan * 100);
}

/** Integer cents → yuan string with two decimals ('1234.50'). */
export function formatYuan(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function monthIndex(key: string): number {
  const { year, month } = parseMonthKey(key);
  return year * 12 + month - 1;
}

function monthKeyOfIndex(t: number): string {
  return `${String(Math.floor(t / 12)).padStart(4, '0')}-${String((t % 12) + 1).padStart(2, '0')}`;
}

/** The month after `key` ('2026-12' → '2027-01'). */
export function nextMonth(key: string): string {
  return monthKeyOfIndex(monthIndex(key) + 1);
}

export function computeOverpayment(input: {
  /** 'YYYY-MM' of the death. */
  deathMonth: string;
  decision: DeathReviewDecision;
  /** Yuan per month after the decision (减发: required; 停发: ignored, 0). */
  newMonthlyAmount?: number;
  payments: readonly PaidPeriod[];
}): Overpayment {
  const death = monthIndex(input.deathMonth);
  if (input.decision === '增发' || input.decision === '维持') return { totalCents: 0, months: [] };
  let entitled = 0;
  if (input.decision === '减发') {
    if (input.newMonthlyAmount === undefined) throw new RangeError('减发 needs newMonthlyAmount');
    entitled = toCents(input.newMonthlyAmount);
  }
  const paidByMonth = new Map<number, number>();
  for (const p of input.payments) {
    const n = Math.max(1, Math.trunc(p.monthsCovered));
    const cents = toCents(p.amountPaid);
    if (cents <= 0) continue;
    const base = Math.floor(cents / n);
    let remainder = cents - base * n;
    const first = monthIndex(p.period);
    for (let i = 0; i < n; i++) {
      const share = base + (remainder > 0 ? 1 : 0);
      if (remainder > 0) remainder--;
      paidByMonth.set(first + i, (paidByMonth.get(first + i) ?? 0) + share);
    }
  }
  const months: OverpaidMonth[] = [...paidByMonth.entries()]
    .filter(([t]) => t > death)
    .sort(([a], [b]) => a - b)
    .map(([t, paidCents]) => ({
      month: monthKeyOfIndex(t),
      paidCents,
      entitledCents: entitled,
      overCents: Math.max(0, paidCents - entitled),
    }))
    .filter((m) => m.overCents > 0);
  return { totalCents: months.reduce((s, m) => s + m.overCents, 0), months };
}
