/**
 * The statutory tables (jiuzhu report, writeStatutoryTables) against the real
 * database: each file is opened again with exceljs and checked for its
 * headers, merged title, frozen header, cell values and totals (SUM formula
 * plus cached result) equal to sums computed from the rows inserted here.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';

import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runReport } from '../../app/commands/report.js';
import { loadConfig } from '../../infra/config.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { createCycleTableActivities } from '../../activities/cycle-tables.js';
import { importFile } from '../../services/import/index.js';
import { writeStatutoryTables, writeTable } from '../../services/reports/index.js';
import { caseOutcome } from '../../readmodels/statutory-tables.js';
import { HEADER_ROWS } from '../../services/reports/xlsx.js';
import { maskIdNumber } from '../../domain/identity/index.js';
import { presets } from '../../domain/policy/load.js';
import { isSevereDisability, TABLE_SPECS, XLSX_MIME, type TableId } from '../../domain/tables/index.js';
import type { StaffRole } from '../../prisma/generated/enums.js';
import { createTestCounty, type TestCounty } from '../support/county.js';
import { freshIdNumber } from '../support/ids.js';
import { testDatabaseUrl } from '../support/database.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const url = testDatabaseUrl();
const prisma = createPrismaClient(url);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-report-'));
const env = { DATABASE_URL: url, JIUZHU_DATA_DIR: dir, JIUZHU_COUNTY: 'zhangzi' };
const PERIOD = '2024-04-01..2024-05-31';
const day = (d: string) => new Date(`${d}T00:00:00Z`);

afterAll(async () => {
  await prisma.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

let county: TestCounty;
const ids = { h1Head: '', h2Head: '', h3Member: '' };

beforeAll(async () => {
  county = await createTestCounty(prisma, { townships: 2, villagesPerTownship: 2 });
  const [t1, t2] = county.townships as [TestCounty['townships'][0], TestCounty['townships'][0]];
  const staff = async (name: string, role: StaffRole, regionId: number, unit = '测试单位') =>
    (await prisma.staff.create({ data: { name, idNumber: freshIdNumber(), role, unit, regionId } })).id;
  const reporter = await staff('李经办', 'TOWNSHIP_CASEWORKER', t1.id);
  const cadre = await staff('孙委员', 'VILLAGE_COMMITTEE', t1.villages[0]!.id, '第1村委会');
  const caseworker = await staff('周经办', 'TOWNSHIP_CASEWORKER', t2.id);

  const household = async (villageId: number, members: number, kind: 'RURAL_DIBAO' | 'URBAN_DIBAO' | 'TEKUN_DISPERSED', monthly: number) => {
    const head = freshIdNumber();
    const h = await prisma.household.create({ data: { regionId: villageId, headName: `户主${head.slice(-4)}`, headIdNumber: head } });
    const m = await prisma.member.create({ data: { householdId: h.id, name: `户主${head.slice(-4)}`, idNumber: head, relationToHead: '本人' } });
    for (let i = 1; i < members; i++) await prisma.member.create({ data: { householdId: h.id, name: `成员${i}`, idNumber: freshIdNumber(), relationToHead: '子女' } });
    const e = await prisma.enrolment.create({ data: { householdId: h.id, kind, monthlyAmount: monthly, startDate: day('2020-01-01') } });
    return { h, m, e, head };
  };
  const pay = (x: { h: { id: number }; e: { id: number } }, period: string, due: number, paid: number, paidDate: string | null) =>
    prisma.payment.create({
      data: { enrolmentId: x.e.id, householdId: x.h.id, period, dueDate: day(`${period}-10`), amountDue: due, amountPaid: paid, paidDate: paidDate ? day(paidDate) : null, payeeKind: 'HOUSEHOLD', payeeName: '户主' },
    });
  const h1 = await household(t1.villages[0]!.id, 2, 'RURAL_DIBAO', 500);
  const h2 = await household(t2.villages[0]!.id, 1, 'TEKUN_DISPERSED', 800);
  const h3 = await household(t1.villages[1]!.id, 1, 'URBAN_DIBAO', 600);
  ids.h1Head = h1.head;
  ids.h3Member = h3.head;
  ids.h2Head = h2.head;
  await pay(h1, '2024-04', 500, 500, '2024-04-10'); // on time (inclusive 10th)
  await pay(h1, '2024-05', 500, 500, '2024-05-11'); // late
  await pay(h3, '2024-04', 600, 550, '2024-04-08'); // short
  await pay(h3, '2024-05', 600, 600, '2024-05-09'); // on time
  await pay(h2, '2024-04', 2400, 2400, '2024-04-09'); // quarterly, on time
  await pay(h1, '2024-06', 500, 500, '2024-06-05'); // outside the period
  // Enrolled in township 2 from 2024-03, never paid: each month with any county payment is a missing payment.
  const h4 = await household(t2.villages[1]!.id, 1, 'URBAN_DIBAO', 450);
  await prisma.enrolment.update({ where: { id: h4.e.id }, data: { startDate: day('2024-03-15') } });

  // Table 1 / Wenshui weekly: one progress cycle, township 1 submitted late, township 2 missing.
  const u1 = await prisma.reportingUnit.create({ data: { countyRegionId: county.countyId, kind: 'TOWNSHIP', name: `${t1.name}人民政府`, regionId: t1.id, reporterStaffId: reporter } });
  await prisma.reportingUnit.create({ data: { countyRegionId: county.countyId, kind: 'TOWNSHIP', name: `${t2.name}人民政府`, regionId: t2.id } });
  const s1 = await prisma.reportingUnit.create({ data: { countyRegionId: county.countyId, kind: 'SECTION', name: '社会救助股' } });
  await prisma.reportingUnit.create({ data: { countyRegionId: county.countyId, kind: 'SECTION', name: '财务股' } });
  const cycle = await prisma.reportCycle.create({
    data: { countyRegionId: county.countyId, kind: 'progress', period: '2024-05-14', workflowId: `progress:${county.countyId}:2024-05-14`, periodStart: day('2024-05-01'), periodEnd: day('2024-05-14'), dueAt: new Date('2024-05-14T16:00:00Z'), openedAt: new Date('2024-05-01T00:00:00Z') },
  });
  await prisma.reportSubmission.create({
    data: {
      cycleId: cycle.id, unitId: u1.id, submittedByStaffId: reporter, submittedAt: new Date('2024-05-15T01:30:00Z'), late: true, updateId: `sub-${cycle.id}-1`,
      data: { items: { Z1: { found: 3, households: 2, amount: 1500.5, rectified: 1, recovered: 300.25, cluesTransferred: 1, heldAccountable: 0 }, Z3: { found: 1, households: 1, amount: 1200, rectified: 1, recovered: 700, cluesTransferred: 0, heldAccountable: 1 } } },
    },
  });
  await prisma.reportSubmission.create({
    data: { cycleId: cycle.id, unitId: s1.id, submittedByStaffId: reporter, submittedAt: new Date('2024-05-14T02:00:00Z'), late: false, updateId: `sub-${cycle.id}-s1`, data: { items: { W1: { found: 2, households: 2, amount: 800, rectified: 2, recovered: 800, cluesTransferred: 0, heldAccountable: 0 } } } },
  });

  // Table 2: the village cadre's relative (household 1) filed in May; one filing outside the period.
  await prisma.nearRelativeFiling.create({
    data: { staffId: cadre, relativeIdNumber: h1.head, relativeName: h1.m.name, relation: 'child', status: 'APPROVED', filedAt: new Date('2024-05-02T23:30:00Z') /* 07:30 Beijing on 05-03 */, homeVisitDate: day('2024-05-06'), homeVisitResult: '收入情况属实', decisionNote: '保留' },
  });
  await prisma.nearRelativeFiling.create({ data: { staffId: cadre, relativeIdNumber: h3.head, relativeName: h3.m.name, relation: 'sibling', filedAt: new Date('2024-06-03T02:00:00Z') } });
  // A relative's new application, approved after the county home visit: the decision is the application's.
  const applicantId = freshIdNumber();
  const app = await prisma.application.create({ data: { applicantName: '钱申请', applicantIdNumber: applicantId, kind: 'RURAL_DIBAO', regionId: t1.villages[1]!.id, acceptedAt: day('2024-05-02'), status: 'APPROVED' } });
  await prisma.nearRelativeFiling.create({
    data: { staffId: cadre, relativeIdNumber: applicantId, relativeName: '钱申请', relation: 'sibling', status: 'APPROVED', filedAt: new Date('2024-05-04T02:00:00Z'), homeVisitDate: day('2024-05-09'), homeVisitResult: '县级入户核实', applicationId: app.id },
  });

  // Table 5: a decided death review (within 3 months) and an undecided prison exit.
  await prisma.case.create({
    data: {
      kind: 'DEATH_REVIEW', workflowId: `death-review:${county.countyId}:${h3.m.id}`, subjectIdNumber: h3.head, householdId: h3.h.id, regionId: t1.id, assigneeStaffId: reporter,
      anchorDate: day('2024-03-20'), dueAt: new Date('2024-06-20T16:00:00Z'), openedAt: new Date('2024-04-02T01:00:00Z'),
      data: { countyRegionId: county.countyId, memberId: h3.m.id, deathDate: '2024-03-20', source: '公安', decision: { decision: '停发', effectiveMonth: '2024-04', decidedByStaffId: reporter, updateId: 'u1', decidedAt: '2024-05-10T02:00:00.000Z' }, overpayment: { totalCents: 120_000, months: [{ month: '2024-04' }, { month: '2024-05' }] }, recoveries: [{ updateId: 'r1', amountCents: 50_000, recordedByStaffId: reporter, recordedAt: '2024-05-20T02:00:00.000Z' }, { updateId: 'r2', amountCents: 20_000, recordedByStaffId: reporter, recordedAt: '2024-05-25T02:00:00.000Z' }] },
    },
  });
  await prisma.case.create({
    data: { kind: 'PRISON_EXIT', workflowId: `prison-exit:${county.countyId}:${h2.m.id}`, subjectIdNumber: h2.head, householdId: h2.h.id, regionId: t2.id, assigneeStaffId: caseworker, anchorDate: day('2024-05-02'), dueAt: new Date('2024-06-30T16:00:00Z'), openedAt: new Date('2024-05-05T01:00:00Z'), data: { memberId: h2.m.id, source: '司法局' } },
  });

  // Table 5: a prisoner exit opened from a match (no memberId in its data: the member is found by ID number), decided 停发.
  await prisma.case.create({
    data: {
      kind: 'PRISON_EXIT', workflowId: `prison-exit:${county.countyId}:match:${h1.head}`, subjectIdNumber: h1.head, householdId: h1.h.id, regionId: t1.id, assigneeStaffId: reporter,
      anchorDate: day('2024-04-12'), dueAt: new Date('2024-06-30T16:00:00Z'), openedAt: new Date('2024-04-20T01:00:00Z'),
      data: { source: '数据比对', track: 'dibao', decision: { newMonthlyAmount: 0, effectiveMonth: '2024-05', byStaffId: reporter, updateId: 'p1', decidedAt: '2024-05-08T02:00:00.000Z', previousMonthlyAmount: 500 }, overpayment: { totalCents: 50_000, months: [{ month: '2024-05' }] } },
    },
  });

  // Table 6: two rectification items.
  const item = (seq: number, extra: object) =>
    prisma.rectificationItem.create({
      data: { countyRegionId: county.countyId, workflowId: `rectification:${county.countyId}:seq-${seq}`, seq, problem: `问题${seq}`, focusItem: seq === 1 ? 'Z1' : 'Z2', source: seq === 1 ? '举报' : '大数据比对', responsibleRegionId: t1.id, responsibleUnit: `${t1.name}人民政府`, responsibleStaffId: reporter, measures: `措施${seq}`, deadline: day('2024-05-30'), createdAt: new Date('2024-05-02T02:00:00Z'), ...extra },
    });
  await item(1, { status: 'COMPLETED', completedAt: new Date('2024-05-20T02:00:00Z'), recoveredAmount: 1200.5, clueTransferred: true });
  await item(2, { recoveredAmount: 99.99 });
});

async function open(file: string) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  return wb.worksheets[0]!;
}

function headers(ws: ExcelJS.Worksheet): string[] {
  return (ws.getRow(HEADER_ROWS).values as unknown[]).slice(1).map(String);
}

/** Data rows as objects keyed by column key (stops at the totals row). */
function dataRows(ws: ExcelJS.Worksheet, table: TableId): Array<Record<string, unknown>> {
  const spec = TABLE_SPECS[table];
  const label = spec.columns.findIndex((c) => c.key === spec.totalLabelColumn) + 1;
  const out: Array<Record<string, unknown>> = [];
  for (let r = HEADER_ROWS + 1; ; r++) {
    const row = ws.getRow(r);
    if (row.getCell(label).value === '合计') return out;
    out.push(Object.fromEntries(spec.columns.map((c, i) => [c.key, row.getCell(i + 1).value])));
  }
}

function totalsRow(ws: ExcelJS.Worksheet, table: TableId, rows: number) {
  const spec = TABLE_SPECS[table];
  const row = ws.getRow(HEADER_ROWS + 1 + rows);
  return Object.fromEntries(spec.columns.filter((c) => c.total).map((c) => [c.key, row.getCell(spec.columns.indexOf(c) + 1)]));
}

/** Checks title, merge, frozen pane and headers; returns the sheet. */
async function checkFrame(file: string, table: TableId, periodFragment: string) {
  const ws = await open(file);
  const spec = TABLE_SPECS[table];
  const last = ws.getColumn(spec.columns.length).letter;
  expect(ws.getCell('A1').value).toBe(spec.title);
  expect(ws.model.merges).toEqual(expect.arrayContaining([`A1:${last}1`, `A2:${last}2`]));
  expect(String(ws.getCell('A2').value)).toContain(county.countyName);
  expect(String(ws.getCell('A2').value)).toContain(periodFragment);
  expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: HEADER_ROWS });
  expect(headers(ws)).toEqual(spec.columns.map((c) => c.header));
  return ws;
}

function expectTotal(cell: ExcelJS.Cell, expected: number, rows: number) {
  const v = cell.value as { formula: string; result: number };
  const letter = cell.address.replace(/\d+/g, '');
  expect(v.formula).toBe(`SUM(${letter}${HEADER_ROWS + 1}:${letter}${HEADER_ROWS + rows})`);
  expect(v.result).toBeCloseTo(expected, 2);
}

describe('statutory tables (.xlsx)', () => {
  it('table 1: one row per unit and focus item, late marked, missing unit listed, totals = submitted sums', async () => {
    const file = path.join(dir, 't1.xlsx');
    const r = await writeTable(prisma, 'zhangzi-1', { countyRegionId: county.countyId, period: PERIOD, policy: presets.zhangzi, file });
    const ws = await checkFrame(file, 'zhangzi-1', '2024年4月1日至2024年5月31日');
    const rows = dataRows(ws, 'zhangzi-1');
    expect(rows).toHaveLength(presets.zhangzi.focusItems.length + 1);
    expect(r.rows).toBe(rows.length);
    const z1 = rows.find((x) => String(x.focusItem).startsWith('Z1 '))!;
    expect(z1).toMatchObject({ unit: `${county.townships[0]!.name}人民政府`, cycle: '2024-05-14', found: 3, households: 2, amount: 1500.5, recovered: 300.25, late: '是', submittedBy: '李经办' });
    expect(ws.getCell(`${ws.getColumn(6).letter}${HEADER_ROWS + 1}`).numFmt).toBe('0');
    expect(ws.getCell(`${ws.getColumn(8).letter}${HEADER_ROWS + 1}`).numFmt).toBe('#,##0.00');
    expect(rows.find((x) => x.late === '未报送')).toMatchObject({ unit: `${county.townships[1]!.name}人民政府` });
    // Totals from the submissions in the database.
    const subs = await prisma.reportSubmission.findMany({ where: { cycle: { countyRegionId: county.countyId }, unitId: { in: (await prisma.reportingUnit.findMany({ where: { countyRegionId: county.countyId, kind: 'TOWNSHIP' } })).map((u) => u.id) } } });
    const sum = (k: string) => subs.reduce((s, x) => s + Object.values((x.data as { items: Record<string, Record<string, number>> }).items).reduce((a, it) => a + (it[k] ?? 0), 0), 0);
    const t = totalsRow(ws, 'zhangzi-1', rows.length);
    for (const k of ['found', 'households', 'amount', 'rectified', 'recovered', 'cluesTransferred', 'heldAccountable']) expectTotal(t[k]!, sum(k), rows.length);
    expect(sum('found')).toBe(4);
    const notes = ws.getColumn(1).values.map(String).join('\n');
    expect(notes).toContain(`未报送单位（1个）：${county.townships[1]!.name}人民政府`);
    expect(notes).toContain('逾期报送单位（1个）');
  });

  it('Wenshui weekly: sections and the Wenshui focus items; the cycle key works as a period', async () => {
    const file = path.join(dir, 'wenshui.xlsx');
    await writeTable(prisma, 'wenshui-weekly', { countyRegionId: county.countyId, period: '2024-05-14', policy: presets.wenshui, file });
    const ws = await checkFrame(file, 'wenshui-weekly', '2024-05-14期');
    const rows = dataRows(ws, 'wenshui-weekly');
    expect(rows).toHaveLength(presets.wenshui.focusItems.length + 1);
    expect(rows.filter((x) => x.unit === '社会救助股').every((x) => x.late === '否')).toBe(true);
    expect(rows.find((x) => x.unit === '财务股')).toMatchObject({ late: '未报送' });
    expectTotal(totalsRow(ws, 'wenshui-weekly', rows.length).found!, 2, rows.length);
  });

  it('writeCycleTables (the cycle activity): 文水 gets its weekly table only, under reports/<county>/<kind>/<period>/', async () => {
    const acts = createCycleTableActivities({ prisma, dataDir: dir });
    const files = await acts.writeCycleTables({ countyRegionId: county.countyId, kind: 'progress', period: '2024-05-14', policy: presets.wenshui, dedupeKey: `tables-${county.countyId}-wenshui` });
    expect(files).toEqual([{ path: `reports/${county.countyId}/progress/2024-05-14/工作进展周报表-2024-05-14.xlsx`, fileName: '工作进展周报表-2024-05-14.xlsx', mime: XLSX_MIME }]);
    const ws = await open(path.join(dir, files[0]!.path));
    const rows = dataRows(ws, 'wenshui-weekly');
    expect(rows).toHaveLength(presets.wenshui.focusItems.length + 1);
    expect(totalsRow(ws, 'wenshui-weekly', rows.length).found!.value).toMatchObject({ result: 2 });
    const zhangzi = await acts.writeCycleTables({ countyRegionId: county.countyId, kind: 'progress', period: '2024-05-14', policy: presets.zhangzi, dedupeKey: `tables-${county.countyId}-zhangzi` });
    expect(zhangzi.map((f) => f.fileName)).toEqual((['zhangzi-1', 'zhangzi-2', 'zhangzi-3', 'zhangzi-4', 'zhangzi-5', 'zhangzi-6'] as const).map((t) => `${TABLE_SPECS[t].fileStem}-2024-05-14.xlsx`));
    for (const f of zhangzi) expect(fs.existsSync(path.join(dir, f.path))).toBe(true);
  });

  it('table 2: the filing of the period with the household, masked ID number', async () => {
    const file = path.join(dir, 't2.xlsx');
    await writeTable(prisma, 'zhangzi-2', { countyRegionId: county.countyId, period: PERIOD, file });
    const ws = await checkFrame(file, 'zhangzi-2', '2024年4月1日');
    const rows = dataRows(ws, 'zhangzi-2');
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ seq: 2, applicantName: '钱申请', assistance: '申请农村低保', homeVisitResult: '县级入户核实', decision: '批准纳入', remarks: '备案同意' });
    expect((rows[1]!.homeVisitDate as Date).toISOString().slice(0, 10)).toBe('2024-05-09');
    expect(rows[0]).toMatchObject({ seq: 1, township: county.townships[0]!.name, village: county.townships[0]!.villages[0]!.name, applicantId: maskIdNumber(ids.h1Head), assistance: '农村低保', householdSize: 2, monthlyAmount: 500, staffName: '孙委员', relation: '子女', homeVisitResult: '收入情况属实', decision: '同意', remarks: '保留' });
    expect((rows[0]!.filedAt as Date).toISOString().slice(0, 10)).toBe('2024-05-03');
    expect(JSON.stringify(rows)).not.toContain(ids.h1Head);
    expectTotal(totalsRow(ws, 'zhangzi-2', 2).monthlyAmount!, 500, 2);
  });

  it('table 3: per township and category, on time against the policy deadlines, totals = payment sums', async () => {
    const file = path.join(dir, 't3.xlsx');
    await writeTable(prisma, 'zhangzi-3', { countyRegionId: county.countyId, period: PERIOD, file });
    const ws = await checkFrame(file, 'zhangzi-3', '2024年4月1日');
    const rows = dataRows(ws, 'zhangzi-3');
    const [t1, t2] = county.townships as [TestCounty['townships'][0], TestCounty['townships'][0]];
    expect(rows.map((x) => [x.township, x.category, x.households, x.persons, x.onTime, x.lateOrUnpaid, x.reason ?? ''])).toEqual([
      [t1.name, '城市低保', 1, 1, 1, 1, '未足额发放1笔'],
      [t1.name, '农村低保', 1, 2, 1, 1, '逾期发放1笔'],
      [t2.name, '分散特困', 1, 1, 1, 0, ''],
      // No payment row at all: a row of its own, counted as not paid, with the months in 原因.
      [t2.name, '城市低保', 0, 0, 0, 2, '未发放2笔（无发放记录，2024-04、2024-05，月保障金额合计900.00元）'],
    ]);
    expect(rows[2]!.dueRule).toBe('每季度初10日前（含）');
    const where = { household: { region: { parent: { parentId: county.countyId } } }, period: { in: ['2024-04', '2024-05'] } };
    const agg = await prisma.payment.aggregate({ where, _sum: { amountDue: true, amountPaid: true }, _count: true });
    const t = totalsRow(ws, 'zhangzi-3', rows.length);
    expectTotal(t.amountDue!, Number(agg._sum.amountDue), rows.length);
    expectTotal(t.amountPaid!, Number(agg._sum.amountPaid), rows.length);
    expectTotal(t.persons!, 4, rows.length);
    // Payment rows plus the two missing ones.
    expect((t.onTime!.value as { result: number }).result + (t.lateOrUnpaid!.value as { result: number }).result).toBe(agg._count + 2);
  });

  it('table 3: months with no payment data at all are named as such in 原因, never counted as unpaid', async () => {
    const file = path.join(dir, 't3-nodata.xlsx');
    await writeTable(prisma, 'zhangzi-3', { countyRegionId: county.countyId, period: '2024-06-01..2024-08-31', file });
    const rows = dataRows(await checkFrame(file, 'zhangzi-3', '2024年6月1日'), 'zhangzi-3');
    const [t1, t2] = county.townships as [TestCounty['townships'][0], TestCounty['townships'][0]];
    const urban1 = rows.find((x) => x.township === t1.name && x.category === '城市低保')!;
    // June has a county payment (household 1), so household 3's missing June counts; July and August have none.
    expect(urban1).toMatchObject({ lateOrUnpaid: 1 });
    expect(urban1.reason).toBe('未发放1笔（无发放记录，2024-06，月保障金额合计600.00元）；2024-07、2024-08无发放数据（未导入该月发放记录，未计入）');
    expect(rows.find((x) => x.township === t1.name && x.category === '农村低保')).toMatchObject({ onTime: 1, lateOrUnpaid: 0 });
    expect(rows.find((x) => x.township === t2.name && x.category === '城市低保')).toMatchObject({ lateOrUnpaid: 1 });
  });

  it('table 4: monitored persons imported (jiuzhu import monitored), 重残 only, coverage by ID number; bad rows refused in Chinese; same file once', async () => {
    const [t1, t2] = county.townships as [TestCounty['townships'][0], TestCounty['townships'][0]];
    const newcomer = freshIdNumber();
    const mild = freshIdNumber();
    const later = freshIdNumber();
    const v1 = t1.villages[0]!.name;
    const csv = [
      '乡镇,村(社区),姓名,身份证号,残疾类别,残疾等级,认定日期,信息来源,采取措施,措施日期,备注',
      `${t1.name},${v1},甲,${ids.h1Head},肢体残疾,一级,2024-04-08,残联,已享受低保,2024-04-20,`,
      `${t2.name},,乙,${ids.h2Head},精神,2,2024-05-02,防返贫监测,,,`,
      `${t1.name},${t1.villages[1]!.name},丙,${ids.h3Member},智力,三级,2024/5/6,残联,,,单人户施保`,
      `${t2.name},${t2.villages[0]!.name},丁,${newcomer},言语,二级,2024-05-20,防返贫监测,指导申请低保,2024-05-25,`,
      `${t1.name},${v1},戊,${mild},视力,三级,2024-05-09,残联,,,非重残`,
      `${t1.name},${v1},己,${later},智力,一级,2024-06-05,残联,,,统计期间之后`,
    ].join('\n');
    const file = path.join(dir, 'monitored.csv');
    fs.writeFileSync(file, csv);
    const imported = await importFile({ prisma, kind: 'monitored', file, county: county.countyName, policy: presets.zhangzi, today: '2024-12-31' });
    expect(imported).toMatchObject({ status: 'imported', rows: 6, accepted: 6, rejected: 0 });
    expect(imported.entities.monitored).toMatchObject({ created: 6 });
    const again = await importFile({ prisma, kind: 'monitored', file, county: county.countyName, policy: presets.zhangzi, today: '2024-12-31' });
    expect(again.status).toBe('already-imported');
    expect(await prisma.monitoredPerson.count({ where: { idNumber: { in: [ids.h1Head, ids.h2Head, ids.h3Member, newcomer, mild, later] } } })).toBe(6);

    // Refused rows: Chinese reasons, an error file, nothing written.
    const bad = path.join(dir, 'monitored-bad.csv');
    fs.writeFileSync(bad, [
      '乡镇,村(社区),姓名,身份证号,残疾类别,残疾等级,认定日期,信息来源,采取措施,措施日期,备注',
      `${t1.name},${v1},庚,${freshIdNumber()},听说,五级,2024-05-01,残联,,,`,
      `${t1.name},,辛,${freshIdNumber()},肢体,一级,2024-05-01,残联,,2024-04-01,`,
      `不存在镇,,壬,${freshIdNumber()},肢体,一级,2024-05-01,残联,,,`,
    ].join('\n'));
    const refused = await importFile({ prisma, kind: 'monitored', file: bad, county: county.countyName, policy: presets.zhangzi, today: '2024-12-31' });
    expect(refused.status).toBe('rejected');
    const reasons = refused.firstErrors.flatMap((e) => e.reasons).join('；');
    expect(reasons).toContain('残疾类别“听说”无法识别');
    expect(reasons).toContain('残疾等级“五级”无法识别');
    expect(reasons).toContain('措施日期（2024-04-01）早于认定日期（2024-05-01）');
    expect(reasons).toContain('乡镇“不存在镇”不在');
    expect(refused.errorFile).toBeDefined();
    expect(fs.existsSync(refused.errorFile!)).toBe(true);
    expect(await prisma.monitoredPerson.count({ where: { name: { in: ['庚', '辛', '壬'] } } })).toBe(0);

    const out = path.join(dir, 't4.xlsx');
    const r = await writeTable(prisma, 'zhangzi-4', { countyRegionId: county.countyId, period: PERIOD, file: out });
    const ws = await checkFrame(out, 'zhangzi-4', '2024年4月1日');
    const rows = dataRows(ws, 'zhangzi-4');
    expect(r.rows).toBe(4);
    expect(rows.map((x) => [x.seq, x.township, x.name, x.idNumber, x.disability, x.covered])).toEqual([
      [1, t1.name, '甲', maskIdNumber(ids.h1Head), '肢体一级', '低保'],
      [2, t2.name, '乙', maskIdNumber(ids.h2Head), '精神二级', '特困'],
      [3, t1.name, '丙', maskIdNumber(ids.h3Member), '智力三级', '单人保'],
      [4, t2.name, '丁', maskIdNumber(newcomer), '言语二级', '未纳入'],
    ]);
    expect(rows[0]).toMatchObject({ source: '残联', measure: '已享受低保' });
    expect((rows[0]!.identifiedAt as Date).toISOString().slice(0, 10)).toBe('2024-04-08');
    expect((rows[3]!.measureDate as Date).toISOString().slice(0, 10)).toBe('2024-05-25');
    // Against the DB: the persons of the county identified in the period, filtered by the 重残 rule.
    const inDb = await prisma.monitoredPerson.findMany({ where: { identifiedAt: { gte: day('2024-04-01'), lte: day('2024-05-31') }, region: { OR: [{ parentId: county.countyId }, { parent: { parentId: county.countyId } }] } } });
    expect(inDb.filter((p) => isSevereDisability(p.disabilityKind, p.disabilityGrade)).map((p) => p.name).sort()).toEqual(['丁', '丙', '乙', '甲'].sort());
    expect(inDb).toHaveLength(5);
  });

  it('table 5: death and prison cases with decision, over-payment and recoveries', async () => {
    const file = path.join(dir, 't5.xlsx');
    await writeTable(prisma, 'zhangzi-5', { countyRegionId: county.countyId, period: PERIOD, file });
    const ws = await checkFrame(file, 'zhangzi-5', '2024年4月1日');
    const rows = dataRows(ws, 'zhangzi-5');
    expect(rows.map((x) => [x.event, x.decision, x.overpaidMonths, x.overpaid, x.recovered, x.withinLimit])).toEqual([
      ['死亡', '停发', 2, 1200, 700, '是'],
      ['服刑', null, 0, 0, 0, '办理中'],
      ['服刑', '停发', 1, 500, 0, '是'],
    ]);
    expect(rows[2]).toMatchObject({ name: '户主' + ids.h1Head.slice(-4), source: '数据比对', effectiveMonth: '2024-05', reviewedAt: day('2024-05-08') });
    expect(caseOutcome('PRISON_EXIT', { termination: { effectiveMonth: '2024-06', completedAt: '2024-05-20T02:00:00.000Z' } })).toEqual({ decision: '终止供养', effectiveMonth: '2024-06', decidedAt: '2024-05-20T02:00:00.000Z' });
    expect(caseOutcome('PRISON_EXIT', { decision: { newMonthlyAmount: 320, effectiveMonth: '2024-06' } }).decision).toBe('减发（调整为每月320.00元）');
    expect(rows[0]).toMatchObject({ idNumber: maskIdNumber(ids.h3Member), assistance: '城市低保', source: '公安', effectiveMonth: '2024-04' });
    const cases = await prisma.case.findMany({ where: { regionId: { in: county.townships.map((t) => t.id) } } });
    const cents = (k: 'overpaid' | 'recovered') =>
      cases.reduce((s, c) => {
        const d = c.data as { overpayment?: { totalCents: number }; recoveries?: Array<{ amountCents: number }> };
        return s + (k === 'overpaid' ? (d.overpayment?.totalCents ?? 0) : (d.recoveries ?? []).reduce((a, x) => a + x.amountCents, 0));
      }, 0);
    const t = totalsRow(ws, 'zhangzi-5', rows.length);
    expectTotal(t.overpaid!, cents('overpaid') / 100, rows.length);
    expectTotal(t.recovered!, cents('recovered') / 100, rows.length);
  });

  it('table 6: the rectification list by 序号, totals = recovered amounts', async () => {
    const file = path.join(dir, 't6.xlsx');
    await writeTable(prisma, 'zhangzi-6', { countyRegionId: county.countyId, period: PERIOD, file });
    const ws = await checkFrame(file, 'zhangzi-6', '2024年4月1日');
    const rows = dataRows(ws, 'zhangzi-6');
    expect(rows.map((x) => [x.seq, x.status, x.clueTransferred, x.source])).toEqual([
      [1, '已完成', '是', '举报'],
      [2, '整改中', '否', '大数据比对'],
    ]);
    expect(String(rows[0]!.focusItem)).toMatch(/^Z1 /);
    const agg = await prisma.rectificationItem.aggregate({ where: { countyRegionId: county.countyId }, _sum: { recoveredAmount: true } });
    expectTotal(totalsRow(ws, 'zhangzi-6', 2).recovered!, Number(agg._sum.recoveredAmount), 2);
  });

  it('table 1 of a phase summary (阶段总结) covers the campaign to its due date: every progress cycle of the phase, none after', async () => {
    const countyId = county.countyId;
    await prisma.reportCycle.create({
      data: { countyRegionId: countyId, kind: 'phaseSummary', period: 'phase', workflowId: `phase-summary:${countyId}:phase`, dueAt: new Date('2024-07-14T16:00:00Z'), openedAt: new Date('2024-07-07T23:10:00Z') },
    });
    // A progress cycle after the phase's due date must not be counted in it.
    await prisma.reportCycle.create({
      data: { countyRegionId: countyId, kind: 'progress', period: '2024-07-29', workflowId: `progress:${countyId}:2024-07-29`, periodStart: day('2024-07-15'), periodEnd: day('2024-07-29'), dueAt: new Date('2024-07-29T16:00:00Z'), openedAt: new Date('2024-07-15T00:00:00Z') },
    });
    const file = path.join(dir, 'phase-1.xlsx');
    await writeTable(prisma, 'zhangzi-1', { countyRegionId: countyId, period: 'phase', policy: presets.zhangzi, file });
    const ws = await checkFrame(file, 'zhangzi-1', '2024年4月1日至2024年7月14日（阶段性整治进展情况）');
    const rows = dataRows(ws, 'zhangzi-1');
    expect(new Set(rows.map((r) => r.cycle))).toEqual(new Set(['2024-05-14']));
    expect(rows).toHaveLength(presets.zhangzi.focusItems.length + 1);
    expectTotal(totalsRow(ws, 'zhangzi-1', rows.length).found!, 4, rows.length);
    expect(ws.getColumn(1).values.map(String).join('\n')).not.toContain('没有工作进展报送期次');

    // The cycle activity attaches the same table to the summary's message.
    const files = await createCycleTableActivities({ prisma, dataDir: dir }).writeCycleTables({ countyRegionId: countyId, kind: 'phase-summary', period: 'phase', policy: presets.zhangzi, dedupeKey: `tables-${countyId}-phase` });
    const attached = await open(path.join(dir, files[0]!.path));
    expect(dataRows(attached, 'zhangzi-1')).toHaveLength(rows.length);
  });

  it('writeStatutoryTables writes the six Zhangzi files into a folder', async () => {
    const out = path.join(dir, 'cycle');
    const files = await writeStatutoryTables({ prisma }, { countyRegionId: county.countyId, period: '2024-05', dir: out, policy: presets.zhangzi });
    expect(files.map((f) => f.table)).toEqual(['zhangzi-1', 'zhangzi-2', 'zhangzi-3', 'zhangzi-4', 'zhangzi-5', 'zhangzi-6']);
    for (const f of files) expect(fs.existsSync(f.file)).toBe(true);
    expect(files.find((f) => f.table === 'zhangzi-3')!.rows).toBe(3); // May only: the quarterly payment is April's; township 2's unpaid 城市低保 has a row
  });

  it('jiuzhu report: writes the file; bad input exits 2 with a Chinese message', async () => {
    const io = () => {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const out: string[] = [];
      const err: string[] = [];
      stdout.on('data', (d: Buffer) => out.push(d.toString()));
      stderr.on('data', (d: Buffer) => err.push(d.toString()));
      return { stdout, stderr, out, err };
    };
    const config = loadConfig({ ...process.env, ...env });
    const ok = io();
    const file = path.join(dir, 'cli-6.xlsx');
    expect(await runReport(config, '6', { county: county.countyName, period: '2024-05', out: file }, ok)).toBe(0);
    expect(ok.out.join('')).toContain('已生成《长子县2024年推进“听民意办实事”项目发现问题整改清单》');
    expect(fs.existsSync(file)).toBe(true);

    const cases: Array<[string, { county?: string; period?: string; out?: string }, string]> = [
      ['7', { county: county.countyName, period: '2024-05', out: file }, '未知的报表'],
      ['1', { county: county.countyName, period: '2024-13', out: file }, '格式不正确'],
      ['1', { county: county.countyName, period: '2024-05-31..2024-05-01', out: file }, '起始日晚于截止日'],
      ['1', { county: county.countyName, period: 'phase-9', out: file }, '没有报送期次'],
      ['1', { county: '不存在县', period: '2024-05', out: file }, '未找到县'],
      ['1', { county: county.countyName, period: '2024-05', out: path.join(dir, 'x.csv') }, '.xlsx'],
    ];
    for (const [table, opts, message] of cases) {
      const bad = io();
      expect(await runReport(config, table, opts, bad)).toBe(2);
      expect(bad.err.join('')).toContain(message);
    }

    // Through the real binary: the exit code reaches the shell.
    const res = await run('node', [path.join(root, 'bin/jiuzhu.js'), 'report', 'x', '--county', county.countyName, '--period', '2024-05', '--out', file], { env: { ...process.env, ...env }, cwd: root }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('未知的报表');
  });
});
