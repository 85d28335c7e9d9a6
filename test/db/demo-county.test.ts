/**
 * The demo county loaded into a fresh database (a scratch database: the loader uses the preset's real
 * county name and area code): counts as generated, valid ID numbers, the same data for the same seed,
 * reporting units and console bindings for every staff member, the demo marker, the applications
 * under review (低保 and 特困, one township each, one applicant a cadre's undeclared sibling), and the
 * planted problems found by the matcher: every planted finding, and nothing else of those kinds (nor any
 * payment_missing or duplicate_enrolment).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runMatching } from '../../activities/matching/index.js';
import { createPrismaClient, type PrismaClient } from '../../infra/db/client.js';
import { migrateIfPending } from '../../infra/db/migrate.js';
import { findDemoCounty, generateDemoCounty, loadDemoCounty, PLANTED_KINDS, type DemoCountySummary } from '../../demo/index.js';
import { syncReportingUnits } from '../../services/units.js';
import { isValidIdNumber } from '../../domain/identity/index.js';
import { presets } from '../../domain/policy/index.js';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database.js';
import { testDatabaseUrl } from '../support/database.js';

const TODAY = '2026-11-22';
const opts = { preset: 'wenshui' as const, seed: 11, scale: 0.1, today: TODAY };

let scratch: ScratchDatabase;
let prisma: PrismaClient;
let summary: DemoCountySummary;

beforeAll(async () => {
  scratch = await createScratchDatabase(testDatabaseUrl());
  await migrateIfPending(scratch.url);
  prisma = createPrismaClient(scratch.url);
  summary = await loadDemoCounty(prisma, opts);
}, 300_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await scratch?.drop();
});

describe('loadDemoCounty', { shuffle: false }, () => {
  // One scenario in steps, each building on the one before: kept in order under --sequence.shuffle.
  it('writes what it reports, under the preset county', async () => {
    const c = summary.counts;
    const county = await prisma.region.findUniqueOrThrow({ where: { id: summary.countyRegionId } });
    expect(county).toMatchObject({ name: '文水县', level: 'COUNTY', parentId: null });
    expect(await prisma.region.count({ where: { parentId: county.id, level: 'TOWNSHIP' } })).toBe(c.townships);
    expect(c.townships).toBe(12);
    expect(await prisma.region.count({ where: { level: 'VILLAGE' } })).toBe(c.villages);
    expect(await prisma.staff.count()).toBe(c.staff);
    expect(await prisma.household.count()).toBe(c.households);
    expect(c.households).toBeGreaterThan(250);
    expect(await prisma.member.count()).toBe(c.members);
    expect(await prisma.enrolment.count()).toBe(c.enrolments);
    expect(await prisma.payment.count()).toBe(c.payments);
    expect(await prisma.deathRecord.count()).toBe(c.deathRecords);
    expect(await prisma.prisonRecord.count()).toBe(c.prisonRecords);
    expect(await prisma.monitoredPerson.count()).toBe(c.monitored);
    expect(await prisma.nearRelativeFiling.count({ where: { status: 'APPROVED' } })).toBe(c.nearRelativeFilings);
    // Every kind of assistance, 集中特困 with its institution.
    const kinds = await prisma.enrolment.groupBy({ by: ['kind'], _count: true });
    expect(kinds.map((k) => k.kind).sort()).toEqual(['RURAL_DIBAO', 'TEKUN_CENTRALIZED', 'TEKUN_DISPERSED', 'URBAN_DIBAO']);
    expect(await prisma.enrolment.count({ where: { kind: 'TEKUN_CENTRALIZED', institutionId: null } })).toBe(0);
    // Monitored 重残 persons: some not covered by any enrolment.
    const monitored = await prisma.monitoredPerson.findMany({ select: { idNumber: true } });
    const covered = await prisma.member.count({ where: { idNumber: { in: monitored.map((m) => m.idNumber) } } });
    expect(covered).toBeGreaterThan(0);
    expect(covered).toBeLessThan(monitored.length);
  });

  it('gives everyone a valid ID number (check character), members and staff never twice', async () => {
    const members = await prisma.member.findMany({ select: { idNumber: true } });
    const staff = await prisma.staff.findMany({ select: { idNumber: true } });
    for (const { idNumber } of [...members, ...staff]) expect(isValidIdNumber(idNumber, TODAY), idNumber).toBe(true);
    expect(new Set(members.map((m) => m.idNumber)).size).toBe(members.length);
  });

  it('is the generated data of its seed (the same seed generates the same county)', async () => {
    const gen = generateDemoCounty(opts);
    expect(JSON.stringify(generateDemoCounty(opts))).toBe(JSON.stringify(gen));
    const heads = (await prisma.household.findMany({ select: { headIdNumber: true } })).map((h) => h.headIdNumber).sort();
    expect(heads).toEqual(gen.households.map((h) => h.members[0]!.idNumber).sort());
    const staffNames = (await prisma.staff.findMany({ orderBy: { id: 'asc' }, select: { name: true, role: true } })).map((s) => `${s.name}/${s.role}`);
    expect(staffNames).toEqual(gen.staff.map((s) => `${s.name}/${s.role}`));
    const total = await prisma.payment.aggregate({ _sum: { amountPaid: true } });
    const expected = gen.households.reduce((s, h) => s + h.payments.reduce((t, p) => t + p.amountPaid, 0), 0);
    expect(Number(total._sum.amountPaid)).toBeCloseTo(expected, 2);
    expect(summary.ledger).toEqual({ firstPeriod: '2024-12', lastPeriod: '2026-11' });
  });

  it('writes a few applications under review: 低保 and 特困, each in a township of its own, one applicant a cadre\'s relative without a filing', async () => {
    const gen = generateDemoCounty(opts);
    const apps = await prisma.application.findMany({ orderBy: { id: 'asc' } });
    expect(apps.length).toBe(summary.counts.applications);
    expect(apps.length).toBe(5);
    // The generated ones, in order, all waiting for their review.
    expect(apps.map((a) => [a.applicantIdNumber, a.kind])).toEqual(gen.applications.map((a) => [a.idNumber, a.kind]));
    expect(apps.map((a) => a.kind)).toEqual(['TEKUN_DISPERSED', 'RURAL_DIBAO', 'TEKUN_CENTRALIZED', 'URBAN_DIBAO', 'RURAL_DIBAO']);
    for (const a of apps) {
      expect(a).toMatchObject({ status: 'UNDER_REVIEW', workflowId: null });
      expect(isValidIdNumber(a.applicantIdNumber, TODAY), a.applicantIdNumber).toBe(true);
      expect(a.applicantIdNumber.slice(0, 6)).toBe('141121');
      expect(a.acceptedAt.toISOString().slice(0, 10) < TODAY).toBe(true);
      expect(Number(a.monthlyAmount)).toBeGreaterThan(0);
      if (a.kind.startsWith('TEKUN')) expect(a.householdSize).toBe(1);
    }
    // New applicants: not on the roster, not staff, none twice.
    const ids = apps.map((a) => a.applicantIdNumber);
    expect(new Set(ids).size).toBe(ids.length);
    expect(await prisma.member.count({ where: { idNumber: { in: ids } } })).toBe(0);
    expect(await prisma.staff.count({ where: { idNumber: { in: ids } } })).toBe(0);
    // Each in a village (城市低保: a 社区) of a township of its own, in the demo county.
    const villages = await prisma.region.findMany({ where: { id: { in: apps.map((a) => a.regionId) } }, include: { parent: true } });
    const byId = new Map(villages.map((v) => [v.id, v]));
    for (const a of apps) {
      const v = byId.get(a.regionId)!;
      expect(v.level).toBe('VILLAGE');
      expect(v.parent!.parentId).toBe(summary.countyRegionId);
      expect(v.name.endsWith('社区')).toBe(a.kind === 'URBAN_DIBAO');
    }
    expect(new Set(villages.map((v) => v.parentId)).size).toBe(apps.length);
    // The first applicant is the declared sibling of a cadre of that village, with no filing.
    const first = apps[0]!;
    const rel = await prisma.staffRelative.findMany({ where: { relativeIdNumber: first.applicantIdNumber }, include: { staff: true } });
    expect(rel.map((r) => [r.relation, r.staff.role, r.staff.regionId])).toEqual([['兄弟姐妹', 'VILLAGE_COMMITTEE', first.regionId]]);
    expect(await prisma.nearRelativeFiling.count({ where: { relativeIdNumber: first.applicantIdNumber } })).toBe(0);
    expect(await prisma.staffRelative.count({ where: { relativeIdNumber: { in: ids.slice(1) } } })).toBe(0);
    expect(summary.plantedKeys.undeclared_near_relative).toContain(`undeclared_near_relative|${first.applicantIdNumber}|-|staff:${rel[0]!.staff.idNumber}`);
  });

  it('binds every staff member to the console, in every role, and records the demo marker', async () => {
    const staff = await prisma.staff.findMany({ select: { id: true, role: true } });
    const bindings = await prisma.staffBinding.findMany({ where: { platform: 'console' } });
    expect(new Set(bindings.map((b) => b.externalId))).toEqual(new Set(staff.map((s) => `staff:${s.id}`)));
    expect(new Set(staff.map((s) => s.role)).size).toBe(9);
    expect(await findDemoCounty(prisma)).toEqual({ countyRegionId: summary.countyRegionId, county: '文水县', preset: 'wenshui', seed: 11, scale: 0.1, today: TODAY });
  });

  it('creates the reporting units the policy calls for (Wenshui: the sections), and a second sync changes nothing', async () => {
    const units = await prisma.reportingUnit.findMany({ where: { countyRegionId: summary.countyRegionId }, orderBy: { name: 'asc' } });
    expect(units.map((u) => [u.kind, u.name])).toEqual([
      ['SECTION', '养老服务股'],
      ['SECTION', '社会事务股'],
      ['SECTION', '社会救助股'],
      ['SECTION', '规划财务股'],
    ]);
    for (const u of units) {
      const head = await prisma.staff.findUniqueOrThrow({ where: { id: u.headStaffId! } });
      const reporter = await prisma.staff.findUniqueOrThrow({ where: { id: u.reporterStaffId! } });
      expect([head.role, head.unit]).toEqual(['SECTION_HEAD', u.name]);
      expect([reporter.role, reporter.unit]).toEqual(['SECTION_CASEWORKER', u.name]);
    }
    expect((await syncReportingUnits(prisma, presets.wenshui, summary.countyRegionId)).changes).toEqual([]);
  });

  it('plants problems the matcher finds: each planted finding, and nothing else of those kinds', async () => {
    const result = await runMatching(prisma, {
      counties: [{ id: summary.countyRegionId, name: summary.county, policy: presets.wenshui }],
      asOf: TODAY,
    });
    const found = await prisma.finding.findMany({ select: { kind: true, key: true } });
    for (const kind of PLANTED_KINDS) {
      expect(summary.planted[kind], kind).toBeGreaterThan(0);
      const keys = found.filter((f) => f.kind === kind).map((f) => f.key).sort();
      expect(keys, kind).toEqual([...summary.plantedKeys[kind]].sort());
    }
    // The cadre's sibling is found through the application under review.
    const first = await prisma.application.findFirstOrThrow({ orderBy: { id: 'asc' } });
    const viaApplication = await prisma.finding.findMany({ where: { kind: 'undeclared_near_relative', idNumber: first.applicantIdNumber } });
    expect(viaApplication.map((f) => (f.evidence as { sources: string[]; applicationIds: number[] }).applicationIds)).toEqual([[first.id]]);
    const byKind = Object.fromEntries(result.kinds.map((k) => [k.kind, k.found]));
    expect(byKind.payment_missing).toBe(0);
    expect(byKind.duplicate_enrolment).toBe(0);
    expect(found.length).toBe(PLANTED_KINDS.reduce((s, k) => s + summary.planted[k], 0));
  });

  it('loads a second demo county under another name beside it; its own planted problems are found', async () => {
    const second = await loadDemoCounty(prisma, { ...opts, scale: 0.03, countyName: '演示县乙' });
    expect(second.countyRegionId).not.toBe(summary.countyRegionId);
    const result = await runMatching(prisma, {
      counties: [{ id: second.countyRegionId, name: second.county, policy: presets.wenshui }],
      asOf: TODAY,
    });
    const found = await prisma.finding.findMany({ where: { regionId: { not: null } }, select: { kind: true, key: true } });
    for (const kind of PLANTED_KINDS) {
      const keys = new Set(found.filter((f) => f.kind === kind).map((f) => f.key));
      for (const key of second.plantedKeys[kind]) expect(keys.has(key), key).toBe(true);
    }
    expect(result.kinds.reduce((s, k) => s + k.found, 0)).toBe(PLANTED_KINDS.reduce((s, k) => s + second.planted[k], 0));
  }, 120_000);
});
