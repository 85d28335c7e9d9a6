import { describe, expect, it } from 'vitest';
import { computeOverpayment, formatYuan, nextMonth, toCents } from '../../domain/cases/index.js';

describe('computeOverpayment', () => {
  const monthly = (period: string, amountPaid: number) => ({ period, monthsCovered: 1, amountPaid });

  it('停发: every payment for a month after the death month is over-paid', () => {
    const r = computeOverpayment({
      deathMonth: '2026-03',
      decision: '停发',
      payments: [monthly('2026-02', 500), monthly('2026-03', 500), monthly('2026-04', 500), monthly('2026-05', 500.5)],
    });
    expect(r.totalCents).toBe(100050);
    expect(r.months.map((m) => m.month)).toEqual(['2026-04', '2026-05']);
  });

  it('减发: only the difference to the new amount', () => {
    const r = computeOverpayment({
      deathMonth: '2026-03',
      decision: '减发',
      newMonthlyAmount: 320,
      payments: [monthly('2026-03', 500), monthly('2026-04', 500), monthly('2026-05', 300)],
    });
    expect(r.totalCents).toBe(18000);
    expect(r.months).toEqual([{ month: '2026-04', paidCents: 50000, entitledCents: 32000, overCents: 18000 }]);
  });

  it('增发 and unpaid months owe nothing', () => {
    expect(computeOverpayment({ deathMonth: '2026-03', decision: '增发', payments: [monthly('2026-04', 500)] }).totalCents).toBe(0);
    expect(computeOverpayment({ deathMonth: '2026-03', decision: '停发', payments: [monthly('2026-04', 0)] }).totalCents).toBe(0);
  });

  it('a quarterly payment is split over its months (odd cents to the earliest)', () => {
    const r = computeOverpayment({
      deathMonth: '2026-04',
      decision: '停发',
      payments: [{ period: '2026-04', monthsCovered: 3, amountPaid: 1000 }],
    });
    expect(r.months.map((m) => [m.month, m.overCents])).toEqual([
      ['2026-05', 33333],
      ['2026-06', 33333],
    ]);
    expect(r.totalCents).toBe(66666);
  });

  it('crosses the year end; money helpers', () => {
    const r = computeOverpayment({ deathMonth: '2026-12', decision: '停发', payments: [monthly('2027-01', 612.3)] });
    expect(r.totalCents).toBe(61230);
    expect(nextMonth('2026-12')).toBe('2027-01');
    expect(toCents(0.1 + 0.2)).toBe(30);
    expect(formatYuan(61230)).toBe('612.30');
    expect(formatYuan(5)).toBe('0.05');
  });
});
