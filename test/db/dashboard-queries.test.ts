/**
 * The dashboard's scoped queries against the real database, numbers checked
 * against the rows test/support/dashboard-county.ts creates: county staff see
 * both townships, a township's caseworker only theirs, a village cadre is
 * refused; open cases overdue first; who has and has not reported; months in
 * Beijing time; complaints only where complaintAccess allows.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPrismaClient } from '../../infra/db/client.js';
import { currentSubmissions, findingsByTownship, loadDashboard, monthlyTrends, openCases } from '../../readmodels/dashboard.js';
import { resolveViewer, VILLAGE_REFUSAL, OTHER_COUNTY_REFUSAL, type DashboardViewer } from '../../readmodels/dashboard-scope.js';
import { dashboardXlsx, HEADER_ROW } from '../../dashboard/xlsx.js';
import { createTestCounty } from '../support/county.js';
import { DASHBOARD_NOW, seedDashboardCounty, type DashboardCounty } from '../support/dashboard-county.js';
import { freshIdNumber } from '../support/ids.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
const now = DASHBOARD_NOW;
let fx: DashboardCounty;

beforeAll(async () => {
  fx = await seedDashboardCounty(prisma, now);
  // A second county with its own numbers, which nobody here may see.
  const other = await seedDashboardCounty(prisma, now);
  expect(other.county.countyId).not.toBe(fx.county.countyId);
});
afterAll(async () => {
  await prisma.$disconnect();
});

async function viewer(staffId: number): Promise<DashboardViewer> {
  const r = await resolveViewer(prisma, staffId, fx.county.countyId);
  if (!r.ok) throw new Error(r.message);
  return r.viewer;
}

describe('who sees what', () => {
  it('county staff see the county, township staff their township, village cadres nothing', async () => {
    const office = await viewer(fx.staff.office);
    expect(office.scope.level).toBe('county');
    expect(office.scope.townships.map((t) => t.id)).toEqual([fx.A.id, fx.B.id]);
    expect(office.scope.regionIds).toEqual(expect.arrayContaining([fx.county.countyId, fx.A.id, fx.B.id, ...fx.A.villages, ...fx.B.villages]));

    const a = await viewer(fx.staff.aCaseworker);
    expect(a.scope.level).toBe('township');
    expect(a.scope.townships).toEqual([{ id: fx.A.id, name: fx.A.name }]);
    expect(a.scope.regionIds.sort()).toEqual([fx.A.id, ...fx.A.villages].sort());
    expect(a.scopeLabel).toBe(fx.A.name);

    expect(await resolveViewer(prisma, fx.staff.villageCadre, fx.county.countyId)).toEqual({ ok: false, message: VILLAGE_REFUSAL });
  });

  it('refuses staff of another county and inactive staff', async () => {
    const other = await createTestCounty(prisma, { townships: 1 });
    const s = await prisma.staff.create({ data: { name: '外县人', idNumber: freshIdNumber(), role: 'TASKFORCE_LEADER', unit: '专班', regionId: other.countyId } });
    expect(await resolveViewer(prisma, s.id, fx.county.countyId)).toEqual({ ok: false, message: OTHER_COUNTY_REFUSAL });
    await prisma.staff.update({ where: { id: s.id }, data: { active: false } });
    expect((await resolveViewer(prisma, s.id)).ok).toBe(false);
  });
});

describe('findings by township and kind', () => {
  it('counts and sums each township separately; township A sees none of B', async () => {
    const county = await findingsByTownship(prisma, (await viewer(fx.staff.office)).scope);
    expect(county.map((f) => [f.township, f.kind, f.count, f.open, f.amountCents])).toEqual([
      [fx.A.name, 'paid_after_death', 2, 1, 30_050],
      [fx.A.name, 'payment_late', 1, 1, 5_025],
      [fx.B.name, 'paid_after_death', 1, 1, 99_999],
      [fx.B.name, 'payment_short', 1, 1, 1_001],
    ]);
    expect(county[0]!.kindZh).toBe('死亡后仍发放');
    for (const [name, cents] of Object.entries(fx.findingCents)) {
      expect(county.filter((f) => f.township === name).reduce((s, f) => s + f.amountCents, 0)).toBe(cents);
    }

    const a = await findingsByTownship(prisma, (await viewer(fx.staff.aCaseworker)).scope);
    expect(a.map((f) => f.township)).toEqual([fx.A.name, fx.A.name]);
    expect(a.reduce((s, f) => s + f.amountCents, 0)).toBe(fx.findingCents[fx.A.name]);
  });
});

describe('open cases', () => {
  it('lists the open cases overdue first, with days left, and no closed case', async () => {
    const office = await openCases(prisma, (await viewer(fx.staff.office)).scope, fx.staff.office, now);
    expect(office.map((c) => c.id)).toEqual([fx.cases.bOverdue, fx.cases.aOverdue, fx.cases.aSoon, fx.cases.aLater, fx.cases.complaintA, fx.cases.aNoDeadline]);
    expect(office.map((c) => c.bucket)).toEqual(['overdue', 'overdue', 'within3', 'later', 'later', 'none']);
    expect(office.map((c) => c.daysLeft)).toEqual([-5, -3, 2, 10, 30, null]);
    expect(office.find((c) => c.id === fx.cases.aLater)!.township).toBe(fx.A.name); // a village's case counts for its township
    expect(office.find((c) => c.id === fx.cases.complaintA)!.ledgerNo).toBe('2026-0001');
    expect(JSON.stringify(office)).not.toContain('郑举报');
  });

  it('shows an accusation only to those complaintAccess allows', async () => {
    const leader = await openCases(prisma, (await viewer(fx.staff.leader)).scope, fx.staff.leader, now);
    expect(leader.map((c) => c.id)).toContain(fx.cases.accusationA);
    const section = await openCases(prisma, (await viewer(fx.staff.section)).scope, fx.staff.section, now);
    expect(section.map((c) => c.id)).not.toContain(fx.cases.accusationA);
    expect(section.map((c) => c.id)).toContain(fx.cases.complaintA);
  });

  it("township A's caseworker sees A's cases only (the accusation against them neither)", async () => {
    const a = await openCases(prisma, (await viewer(fx.staff.aCaseworker)).scope, fx.staff.aCaseworker, now);
    expect(a.map((c) => c.id)).toEqual([fx.cases.aOverdue, fx.cases.aSoon, fx.cases.aLater, fx.cases.complaintA, fx.cases.aNoDeadline]);
    const b = await openCases(prisma, (await viewer(fx.staff.bCaseworker)).scope, fx.staff.bCaseworker, now);
    expect(b.map((c) => c.id)).toEqual([fx.cases.bOverdue]);
  });

  it('aggregates by kind and time left', async () => {
    const v = await viewer(fx.staff.office);
    const data = await loadDashboard(prisma, v.scope, v.staffId, now);
    const byKind = Object.fromEntries(data.casesByKind.map((k) => [k.kind, k]));
    expect(byKind.DEATH_REVIEW).toMatchObject({ open: 1, overdue: 1 });
    expect(byKind.PRISON_EXIT).toMatchObject({ open: 1, overdue: 1 });
    expect(byKind.RECTIFICATION).toMatchObject({ open: 1, within3: 1 });
    expect(byKind.APPLICATION).toMatchObject({ open: 1, later: 1 });
    expect(byKind.NEAR_RELATIVE_FILING).toMatchObject({ open: 1, none: 1 });
    expect(byKind.COMPLAINT).toMatchObject({ open: 1, later: 1 });
    expect(data.casesByKind.reduce((s, k) => s + k.open, 0)).toBe(6);
  });
});

describe('current reporting cycles', () => {
  it('shows who has and has not reported in the latest cycle, missing first, late flagged', async () => {
    const cycles = await currentSubmissions(prisma, (await viewer(fx.staff.office)).scope, now);
    const progress = cycles.find((c) => c.kind === 'progress')!;
    expect(progress.period).toBe('2026-11-14');
    expect(progress.units.map((u) => [u.unitId, u.state])).toEqual([
      [fx.units.townB, 'missing-overdue'],
      [fx.units.sectionUnit, 'late'],
      [fx.units.townA, 'on-time'],
    ]);
    expect([progress.submitted, progress.late, progress.missing]).toEqual([2, 1, 1]);
    const chain = cycles.find((c) => c.kind === 'village-chain')!;
    expect(chain.units.filter((u) => u.state === 'on-time').map((u) => u.unitId)).toEqual([fx.units.villageA1]);
    expect(chain.units.filter((u) => u.state === 'missing').map((u) => u.unitId).sort()).toEqual([fx.units.townA, fx.units.townB, fx.units.villageA2, fx.units.villageB1].sort());
  });

  it('a township sees its own and its villages’ units only, no 股室', async () => {
    const cycles = await currentSubmissions(prisma, (await viewer(fx.staff.aCaseworker)).scope, now);
    expect(cycles.find((c) => c.kind === 'progress')!.units.map((u) => u.unitId)).toEqual([fx.units.townA]);
    expect(cycles.find((c) => c.kind === 'village-chain')!.units.map((u) => u.unitId).sort()).toEqual([fx.units.townA, fx.units.villageA1, fx.units.villageA2].sort());
  });
});

describe('monthly trends', () => {
  it('counts findings, rectifications and recoveries per Beijing month', async () => {
    const county = await monthlyTrends(prisma, (await viewer(fx.staff.office)).scope, now);
    expect(county).toHaveLength(12);
    expect(county[0]!.month).toBe('2025-12');
    const m = Object.fromEntries(county.map((t) => [t.month, t]));
    expect(m['2026-11']).toEqual({ month: '2026-11', findings: 2, findingCents: 11_051, rectificationsOpened: 0, rectificationsCompleted: 0, recoveredCents: 8_800 });
    expect(m['2026-10']).toEqual({ month: '2026-10', findings: 2, findingCents: 119_999, rectificationsOpened: 2, rectificationsCompleted: 1, recoveredCents: 75_000 });
    expect(m['2026-09']).toEqual({ month: '2026-09', findings: 1, findingCents: 5_025, rectificationsOpened: 1, rectificationsCompleted: 0, recoveredCents: 12_345 });

    const a = Object.fromEntries((await monthlyTrends(prisma, (await viewer(fx.staff.aCaseworker)).scope, now)).map((t) => [t.month, t]));
    expect(a['2026-11']).toMatchObject({ findings: 1, findingCents: 10_050, recoveredCents: 0 });
    expect(a['2026-10']).toMatchObject({ findings: 1, findingCents: 20_000, rectificationsOpened: 1, rectificationsCompleted: 1, recoveredCents: 5_000 });
    expect(a['2026-09']).toMatchObject({ findings: 1, rectificationsOpened: 1, recoveredCents: 12_345 });
  });
});

describe('xlsx', () => {
  it('writes the findings table with Chinese headers, a frozen header and totals equal to the rows', async () => {
    const v = await viewer(fx.staff.office);
    const data = await loadDashboard(prisma, v.scope, v.staffId, now);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await dashboardXlsx('findings', data, { scopeLabel: v.scopeLabel, viewer: v.name })) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: HEADER_ROW });
    expect((ws.getRow(HEADER_ROW).values as unknown[]).slice(1)).toEqual(['乡镇（街道）', '问题类型', '发现问题数（个）', '其中未办结（个）', '涉及金额（元）']);
    const total = ws.getRow(HEADER_ROW + 1 + data.findings.length);
    expect(total.getCell(1).value).toBe('合计');
    expect(total.getCell(3).value).toMatchObject({ formula: `SUM(C${HEADER_ROW + 1}:C${HEADER_ROW + 4})`, result: 5 });
    expect((total.getCell(5).value as { result: number }).result).toBe((fx.findingCents[fx.A.name]! + fx.findingCents[fx.B.name]!) / 100);
  });
});
