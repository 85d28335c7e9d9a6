/**
 * A finding a later match no longer produces is marked cleared by that run (线索已消除: clearedAt,
 * clearedByRunId on Finding, the MatchRun row), and reopened when a run produces it again. Only the
 * county the run judged and the kinds it judged are touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runMatching } from '../../activities/matching/index.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { findingKey } from '../../domain/matching/index.js';
import { presets } from '../../domain/policy/index.js';
import { createTestCounty, type TestCounty } from '../support/county.js';
import { addPayment, createHousehold, deletePayment, type CreatedHousehold } from './match-fixtures.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
afterAll(() => prisma.$disconnect());

const AS_OF = '2024-11-15';
let county: TestCounty;
let other: TestCounty;
let h: CreatedHousehold;
let o: CreatedHousehold;

const match = (c: TestCounty) => runMatching(prisma, { counties: [{ id: c.countyId, name: c.countyName, policy: presets.zhangzi }], asOf: AS_OF });

beforeAll(async () => {
  county = await createTestCounty(prisma);
  other = await createTestCounty(prisma);
  h = await createHousehold(prisma, { villageId: county.townships[0]!.villages[0]!.id, enrolments: [{ kind: 'RURAL_DIBAO', monthly: 300, start: '2024-06-01' }], paidThrough: '2024-11' });
  o = await createHousehold(prisma, { villageId: other.townships[0]!.villages[0]!.id, enrolments: [{ kind: 'RURAL_DIBAO', monthly: 300, start: '2024-06-01' }], paidThrough: '2024-11' });
  // A neighbour paid every month: the county's ledger covers 2024-08 (a month nobody in the county was paid
  // for is not judged at all).
  for (const c of [county, other]) {
    await createHousehold(prisma, { villageId: c.townships[0]!.villages[0]!.id, enrolments: [{ kind: 'RURAL_DIBAO', monthly: 300, start: '2024-06-01' }], paidThrough: '2024-11' });
  }
  await deletePayment(prisma, h.enrolments[0]!.id, '2024-08');
  await deletePayment(prisma, o.enrolments[0]!.id, '2024-08');
});

describe('cleared findings', () => {
  it('clears a finding the data no longer supports, with the run; reopens it when it comes back', async () => {
    const key = findingKey('payment_missing', h.headIdNumber, '2024-08', 'RURAL_DIBAO');
    const otherKey = findingKey('payment_missing', o.headIdNumber, '2024-08', 'RURAL_DIBAO');
    const first = await match(county);
    await match(other);
    const found = await prisma.finding.findUniqueOrThrow({ where: { key } });
    expect(found).toMatchObject({ clearedAt: null, clearedByRunId: null });
    expect(first.cleared).toEqual([]);

    // The missing month is paid after all (a corrected ledger): the next run clears the finding.
    const paymentId = await addPayment(prisma, h, h.enrolments[0]!.id, '2024-08', 300, '2024-08-05');
    const second = await match(county);
    const cleared = await prisma.finding.findUniqueOrThrow({ where: { key } });
    expect(cleared.clearedByRunId).toBe(second.runId);
    expect(cleared.clearedAt).toBeInstanceOf(Date);
    expect(cleared.status).toBe('OPEN'); // the work it opened is not closed by itself
    expect(second.cleared).toEqual([{ county: county.countyName, kind: 'payment_missing', cleared: 1 }]);
    const run = await prisma.matchRun.findUniqueOrThrow({ where: { id: second.runId } });
    expect(run).toMatchObject({ asOf: AS_OF, full: true, countyIds: [county.countyId] });
    expect(run.finishedAt).toBeInstanceOf(Date);
    // The other county was not judged by this run: its finding stays open.
    expect(await prisma.finding.findUniqueOrThrow({ where: { key: otherKey } })).toMatchObject({ clearedAt: null });

    // A third run changes nothing: the cleared finding keeps the run that cleared it.
    const third = await match(county);
    expect(third.cleared).toEqual([]);
    expect((await prisma.finding.findUniqueOrThrow({ where: { key } })).clearedByRunId).toBe(second.runId);

    // The payment goes away again: the same finding (same row, same id) is reopened, not stored anew.
    await prisma.payment.delete({ where: { id: paymentId } });
    const fourth = await match(county);
    const reopened = await prisma.finding.findUniqueOrThrow({ where: { key } });
    expect(reopened).toMatchObject({ id: found.id, clearedAt: null, clearedByRunId: null });
    const s = fourth.statements.find((x) => x.kind === 'payment_missing')!;
    expect(s).toMatchObject({ found: 1, inserted: 0, reopened: 1 });
  });
});
