import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';

import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';

import { exportLedger } from '../../app/commands/report.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { createTestCounty } from '../support/county.js';
import { freshIdNumber } from '../support/ids.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
afterAll(() => prisma.$disconnect());

function io() {
  const out = new PassThrough();
  const err = new PassThrough();
  const read = (s: PassThrough) => (s.read() as Buffer | null)?.toString('utf8') ?? '';
  return { io: { stdout: out, stderr: err }, stdout: () => read(out), stderr: () => read(err) };
}

async function rowsOf(file: string) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const sheet = wb.worksheets[0]!;
  const rows: string[][] = [];
  sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v == null ? '' : String(v)))));
  return { sheet, rows };
}

describe('jiuzhu report ledger', () => {
  it('lists each complaint with the complainant masked; accusations only by number and status unless for 纪检', async () => {
    const county = await createTestCounty(prisma);
    const t1 = county.townships[0]!;
    const office = await prisma.staff.create({ data: { name: '吴专班', idNumber: freshIdNumber(), role: 'TASKFORCE_OFFICE', unit: '专班办公室', regionId: county.countyId } });
    const accused = await prisma.staff.create({ data: { name: '李经办', idNumber: freshIdNumber(), role: 'TOWNSHIP_CASEWORKER', unit: '第1镇民政办', regionId: t1.id } });
    const liaison = await prisma.staff.create({ data: { name: '郑纪检', idNumber: freshIdNumber(), role: 'DISCIPLINE_LIAISON', unit: '纪检组', regionId: county.countyId } });
    const mk = async (n: number, accusedStaffId: number | null, assignee: number, summary: string) => {
      const row = await prisma.case.create({ data: { kind: 'COMPLAINT', workflowId: `ledger-${county.countyId}-${n}`, assigneeStaffId: assignee, dueAt: new Date('2026-11-20T15:59:59Z') } });
      return prisma.complaint.create({
        data: {
          countyRegionId: county.countyId, workflowId: `ledger-${county.countyId}-${n}`, caseId: row.id, ledgerNo: `2026-000${n}`, channel: '来电',
          receivedAt: new Date(`2026-11-0${n}T02:00:00Z`), complainantName: '冯大娘', complainantPhone: '13912345678', summary, subjectRegionId: t1.villages[0]!.id, accusedStaffId,
          ...(n === 1 ? { acceptanceNoticeAt: new Date('2026-11-02T02:00:00Z'), verificationResult: '情况属实，已停发' } : {}),
        },
      });
    };
    await mk(1, null, office.id, '反映某户隐瞒收入');
    await mk(2, accused.id, liaison.id, '举报李经办优亲厚友');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-'));

    const plain = path.join(dir, 'plain.xlsx');
    const a = io();
    expect(await exportLedger(prisma, { county: county.countyName, out: plain, includeAccusations: false }, a.io, new Date('2026-11-10T04:00:00Z'))).toBe(0);
    expect(a.stdout()).toContain('2 件');
    const { sheet, rows } = await rowsOf(plain);
    expect(sheet.pageSetup).toMatchObject({ orientation: 'landscape', paperSize: 9, fitToWidth: 1 });
    const ordinary = rows.find((r) => r[0] === '2026-0001')!;
    expect(ordinary).toEqual(['2026-0001', '2026-11-01', '来电', '冯**（139****5678）', '第1村：反映某户隐瞒收入', '专班办公室', '已核实', '2026-11-20', '情况属实，已停发']);
    const accusation = rows.find((r) => r[0] === '2026-0002')!;
    expect(accusation.filter((v) => v !== '')).toEqual(['2026-0002', '待受理']);
    expect(JSON.stringify(rows)).not.toContain('李经办');
    expect(JSON.stringify(rows)).not.toContain('13912345678');

    const full = path.join(dir, 'full.xlsx');
    expect(await exportLedger(prisma, { county: county.countyName, out: full, includeAccusations: true }, io().io)).toBe(0);
    const all = (await rowsOf(full)).rows.find((r) => r[0] === '2026-0002')!;
    expect(all[4]).toContain('【检举控告】第1村：举报李经办优亲厚友');
    expect(all[5]).toBe('纪检组');
    expect(all[3]).toBe('冯**（139****5678）');

    const bad = io();
    expect(await exportLedger(prisma, { county: '不存在县', out: full, includeAccusations: false }, bad.io)).toBe(2);
    expect(bad.stderr()).toContain('未找到县');
  });
});
