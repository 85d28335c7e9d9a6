/**
 * Issue 13 item 4: matching judges only what the data covers. A ledger that ends in 2024-12, matched on a
 * pinned "today" two years later, reports no 未发放 for 2025–2026 and says that those periods had no
 * payment data; an enrolment is due from the month after its approval (57号 Art. 21) unless the policy
 * pays from the approval month.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runMatching, type MatchRunResult } from '../../activities/matching/index.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { findingKey, formatMatchReport, type MatchLine } from '../../domain/matching/index.js';
import { presets, type CountyPolicy } from '../../domain/policy/index.js';
import { createTestCounty, type TestCounty } from '../support/county.js';
import { createHousehold, deletePayment, type CreatedHousehold } from './match-fixtures.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
afterAll(() => prisma.$disconnect());

/** "Today", pinned: the ledger below ends two years before. */
const TODAY = '2026-12-07';
let county: TestCounty;
let gap: CreatedHousehold;
let late: CreatedHousehold;


async function match(policy: CountyPolicy): Promise<{ result: MatchRunResult; lines: MatchLine[] }> {
  const lines: MatchLine[] = [];
  const result = await runMatching(prisma, {
    counties: [{ id: county.countyId, name: county.countyName, policy }],
    asOf: TODAY,
    onLine: (l) => void lines.push(l),
  });
  return { result, lines };
}

beforeAll(async () => {
  county = await createTestCounty(prisma);
  const v = county.townships[0]!.villages[0]!.id;
  // A ledger of 2024 only: 低保 monthly, 分散特困 quarterly, paid through 2024-12.
  gap = await createHousehold(prisma, { villageId: v, enrolments: [{ kind: 'RURAL_DIBAO', monthly: 300, start: '2024-01-01' }], paidThrough: '2024-12' });
  await deletePayment(prisma, gap.enrolments[0]!.id, '2024-05'); // a real gap inside the ledger
  await createHousehold(prisma, { villageId: v, enrolments: [{ kind: 'TEKUN_DISPERSED', monthly: 600, start: '2024-01-01' }], paidThrough: '2024-12' });
  // Approved on 2024-03-15, first paid for April: due from April (the month after approval).
  late = await createHousehold(prisma, { villageId: v, enrolments: [{ kind: 'RURAL_DIBAO', monthly: 300, start: '2024-03-15' }], paidThrough: '2024-12' });
  await deletePayment(prisma, late.enrolments[0]!.id, '2024-03');
});

describe('matching judges only the periods the ledger covers', () => {
  it('reports nothing for 2025–2026 and says those periods have no payment data', async () => {
    const { result, lines } = await match(presets.zhangzi);
    const missing = lines.filter((l) => l.kind === 'payment_missing');
    expect(missing.map((l) => l.key)).toEqual([findingKey('payment_missing', gap.headIdNumber, '2024-05', 'RURAL_DIBAO')]);
    expect(lines.filter((l) => (l.period ?? '') >= '2025-01')).toEqual([]);

    const dibao = result.periods.find((p) => p.paymentKind === 'dibao')!;
    expect(dibao.runs).toEqual([
      { from: '2024-01', to: '2024-12', count: 12, judged: true },
      // 2026-12's deadline (the 10th) is after today: not yet due, not listed.
      { from: '2025-01', to: '2026-11', count: 23, judged: false },
    ]);
    const tekunRuns = result.periods.find((p) => p.paymentKind === 'tekunDispersed')!.runs;
    expect(tekunRuns).toEqual([
      { from: '2024-01', to: '2024-10', count: 4, judged: true },
      { from: '2025-01', to: '2026-10', count: 8, judged: false },
    ]);
    // No 集中特困 payment ever: every quarter of it is "no data".
    expect(result.periods.find((p) => p.paymentKind === 'tekunCentralized')!.runs.every((r) => !r.judged)).toBe(true);

    const text = formatMatchReport({ ...result, counties: [county.countyName], examplesPerKind: 0 });
    expect(text).toContain('城乡低保金：已比对 2024-01 至 2024-12（12 期）；无发放数据、未比对 2025-01 至 2026-11（23 期）');
    expect(text).toContain('未发放');
  });

  it('counts an enrolment due from the month after approval; a policy can pay from the approval month', async () => {
    const key = findingKey('payment_missing', late.headIdNumber, '2024-03', 'RURAL_DIBAO');
    expect((await match(presets.zhangzi)).lines.some((l) => l.key === key)).toBe(false);
    const fromApproval: CountyPolicy = { ...presets.zhangzi, paymentDueFrom: 'approval-month' };
    const { lines } = await match(fromApproval);
    expect(lines.filter((l) => l.kind === 'payment_missing').map((l) => l.key).sort()).toEqual(
      [key, findingKey('payment_missing', gap.headIdNumber, '2024-05', 'RURAL_DIBAO')].sort(),
    );
  });
});
