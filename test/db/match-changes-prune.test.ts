/**
 * The change log of incremental re-matching ("MatchChange") is pruned by each run: what every county's
 * latest run has seen goes, what a later run still needs stays, and the incremental run after a prune
 * still finds what the change asks for. (Which real rows go depends on every transaction open on the
 * server, so "has seen" is shown with a change recorded below every snapshot.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../support/database.js';

import { runMatching } from '../../activities/matching/index.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { presets } from '../../domain/policy/index.js';
import { createTestCounty, type TestCounty } from '../support/county.js';
import { createHousehold, updatePayment, type CreatedHousehold } from './match-fixtures.js';

const prisma = createPrismaClient(testDatabaseUrl());
afterAll(() => prisma.$disconnect());

const AS_OF = '2024-12-15';
let a: TestCounty;
let b: TestCounty;
let inA: CreatedHousehold;
let inB: CreatedHousehold;

const match = (county: TestCounty) =>
  runMatching(prisma, { counties: [{ id: county.countyId, name: county.countyName, policy: presets.zhangzi }], asOf: AS_OF, incremental: true });

const changesOf = async (householdId: number) =>
  (await prisma.$queryRawUnsafe<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM "MatchChange" WHERE "householdId" = $1`, householdId))[0]!.n;

beforeAll(async () => {
  a = await createTestCounty(prisma, { townships: 1, villagesPerTownship: 1 });
  b = await createTestCounty(prisma, { townships: 1, villagesPerTownship: 1 });
  inA = await createHousehold(prisma, { villageId: a.townships[0]!.villages[0]!.id, enrolments: [{ kind: 'URBAN_DIBAO', monthly: 400, start: '2024-06-01' }], paidThrough: '2024-11' });
  inB = await createHousehold(prisma, { villageId: b.townships[0]!.villages[0]!.id, enrolments: [{ kind: 'URBAN_DIBAO', monthly: 400, start: '2024-06-01' }], paidThrough: '2024-11' });
}, 120_000);

describe('MatchChange pruning', () => {
  it('keeps what a county not matched since still needs, prunes what every county has seen', async () => {
    // A change committed long ago (below every snapshot's xmin; the real rows of this file may be held back
    // by other transactions of the server, which are not this test's to control): every run has seen it.
    await prisma.$executeRawUnsafe(`INSERT INTO "MatchChange" (xid, source, "householdId", period) VALUES (1, 'Payment', $1, '2024-01')`, inA.id);
    await match(a);
    expect((await prisma.$queryRawUnsafe<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM "MatchChange" WHERE xid = 1`))[0]!.n).toBe(0);

    await match(b);
    // A late payment in B, then A is matched again: B's latest run has not seen the change, so it stays.
    await updatePayment(prisma, inB.enrolments[0]!.id, '2024-10', { paidDate: '2024-10-25' });
    expect(await changesOf(inB.id)).toBeGreaterThan(0);
    await match(a);
    expect(await changesOf(inB.id)).toBeGreaterThan(0);

    // B's incremental run still finds it from the log.
    const run = await match(b);
    expect(run.mode.full).toBe(false);
    expect(run.kinds.find((k) => k.kind === 'payment_late')).toMatchObject({ found: 1, inserted: 1 });
  });
});
