/**
 * Scope of `jiuzhu match`: a run for one county sees only that county's
 * households (a person enrolled in two counties is found from either side),
 * several counties in one run list a shared finding once, and each county is
 * judged under its own policy ("10日前" read strictly here).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runMatching } from '../../activities/matching/index.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { findingKey, MULTI_HOUSEHOLD_KEY_PART, type MatchLine } from '../../domain/matching/index.js';
import { loadPolicy, presetInputs, presets, type CountyPolicy } from '../../domain/policy/index.js';
import { createTestCounty, type TestCounty } from '../support/county.js';
import { freshIdNumber } from '../support/ids.js';
import { createHousehold, deletePayment, updatePayment, type CreatedHousehold } from './match-fixtures.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
afterAll(() => prisma.$disconnect());

const AS_OF = '2024-11-15';
let a: TestCounty;
let b: TestCounty;
let c: TestCounty;
let gA: CreatedHousehold;
let gB: CreatedHousehold;
let zA: CreatedHousehold;
let zB: CreatedHousehold;
let hC: CreatedHousehold;
let relative: CreatedHousehold;
const z = freshIdNumber();

const strict: CountyPolicy = loadPolicy({
  ...presetInputs.zhangzi,
  payments: { ...presetInputs.zhangzi.payments, dibao: { ...presetInputs.zhangzi.payments.dibao, inclusive: false } },
});

async function run(counties: Array<{ county: TestCounty; policy?: CountyPolicy }>): Promise<MatchLine[]> {
  const lines: MatchLine[] = [];
  await runMatching(prisma, {
    counties: counties.map((x) => ({ id: x.county.countyId, name: x.county.countyName, policy: x.policy ?? presets.zhangzi })),
    asOf: AS_OF,
    onLine: (l) => void lines.push(l),
  });
  return lines;
}

const village = (county: TestCounty) => county.townships[0]!.villages[0]!.id;
const missingOct = (h: CreatedHousehold) => findingKey('payment_missing', h.headIdNumber, '2024-10', 'RURAL_DIBAO');

beforeAll(async () => {
  [a, b, c] = [await createTestCounty(prisma, { townships: 1, villagesPerTownship: 1 }), await createTestCounty(prisma, { townships: 1, villagesPerTownship: 1 }), await createTestCounty(prisma, { townships: 1, villagesPerTownship: 1 })];
  const dibao = (county: TestCounty, extra: string[] = []) =>
    createHousehold(prisma, { villageId: village(county), extraMemberIds: extra, enrolments: [{ kind: 'RURAL_DIBAO', monthly: 300, start: '2024-09-01' }], paidThrough: '2024-11' });
  gA = await dibao(a);
  await deletePayment(prisma, gA.enrolments[0]!.id, '2024-10');
  gB = await dibao(b);
  await deletePayment(prisma, gB.enrolments[0]!.id, '2024-10');
  zA = await dibao(a, [z]);
  zB = await dibao(b, [z]);
  hC = await dibao(c);
  await updatePayment(prisma, hC.enrolments[0]!.id, '2024-10', { paidDate: '2024-10-10' });
  // A village cadre of county B declares a relative enrolled in county A: neither county's business.
  relative = await dibao(a);
  const cadre = await prisma.staff.create({ data: { name: '乙县村干部', idNumber: freshIdNumber(), role: 'VILLAGE_COMMITTEE', unit: '村委会', regionId: village(b) } });
  await prisma.staffRelative.create({ data: { staffId: cadre.id, relativeIdNumber: relative.headIdNumber, relativeName: '亲属', relation: '子女' } });
}, 120_000);

describe('jiuzhu match: scope', { shuffle: false }, () => {
  // One scenario in steps, each building on the one before: kept in order under --sequence.shuffle.
  it('sees only the county it runs for; a person in two counties is found from either side', async () => {
    const linesA = await run([{ county: a }]);
    expect(linesA.map((l) => l.key).sort()).toEqual([missingOct(gA), findingKey('duplicate_enrolment', z, null, MULTI_HOUSEHOLD_KEY_PART)].sort());
    const dup = linesA.find((l) => l.kind === 'duplicate_enrolment')!;
    expect(dup.householdId).toBe(zA.id);
    expect(dup.new).toBe(true);

    const linesB = await run([{ county: b }]);
    expect(linesB.map((l) => l.key).sort()).toEqual([missingOct(gB), findingKey('duplicate_enrolment', z, null, MULTI_HOUSEHOLD_KEY_PART)].sort());
    const dupB = linesB.find((l) => l.kind === 'duplicate_enrolment')!;
    expect(dupB.new).toBe(false); // stored by county A's run
    expect(dupB.householdId).toBe(zB.id); // listed from B's side
    expect(dupB.findingId).toBe(dup.findingId);
  });

  it('lists a finding shared by two counties once when both run together', async () => {
    const lines = await run([{ county: a }, { county: b }]);
    expect(lines).toHaveLength(3);
    expect(new Set(lines.map((l) => l.key)).size).toBe(3);
    expect(lines.every((l) => !l.new)).toBe(true);
  });

  it('applies each county its own policy: strictly before the 10th makes the 10th late', async () => {
    expect(await run([{ county: c }])).toEqual([]);
    const lines = await run([{ county: c, policy: strict }]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      kind: 'payment_late',
      key: findingKey('payment_late', hC.headIdNumber, '2024-10', 'RURAL_DIBAO'),
      amount: 300,
      evidence: { dueDate: '2024-10-09', paidDate: '2024-10-10', daysLate: 1 },
    });
  });
});
