// Refused rows: each kind of mistake with the exact line, the error file, all-or-nothing vs --accept-valid,
// a missing column, and the refusals only the database can tell.
import fs from 'node:fs';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { createPrismaClient } from '../../infra/db/client.js';
import { computeCheckDigit, maskIdNumber } from '../../domain/identity/index.js';
import { batchAndAuditCount, countyCounts, readErrorFile, runImport, tag, tempDir, uniqueId, writeCsvFile, ROSTER_HEADER, PAYMENT_HEADER } from './import-support.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
const tmp = tempDir();
afterAll(async () => {
  await prisma.$disconnect();
  tmp.cleanup();
});


function badChecksum(id: string): string {
  const c = computeCheckDigit(id.slice(0, 17));
  return id.slice(0, 17) + (c === '1' ? '2' : '1');
}

describe('a roster with mistakes', { shuffle: false }, () => {
  // One scenario in steps, each building on the one before: kept in order under --sequence.shuffle.
  const county = `错误测试县${tag()}`;
  const a = uniqueId();
  const aSpouse = uniqueId(true);
  const aChild = uniqueId();
  const b = uniqueId();
  const c = uniqueId();
  const row = (head: string, member: string, over: Partial<Record<string, string | number>> = {}) => {
    const base: Record<string, string | number> = {
      乡镇: '一镇',
      '村(社区)': '一村',
      户主姓名: head === a ? '甲' : head === b ? '乙' : '丙',
      户主身份证号: head,
      成员姓名: member === head ? (head === a ? '甲' : head === b ? '乙' : '丙') : '甲妻',
      成员身份证号: member,
      与户主关系: member === head ? '本人' : '配偶',
      救助类型: '农村低保',
      供养机构: '',
      月保障金额: 1040,
      纳入日期: '2021-05-01',
      状态: '正常',
      ...over,
    };
    return ROSTER_HEADER.map((h) => base[h] ?? '');
  };
  const file = writeCsvFile(path.join(tmp.dir, 'roster-bad.csv'), ROSTER_HEADER, [
    /* 2 */ row(a, a),
    /* 3 */ row(a, badChecksum(aSpouse)),
    /* 4 */ [],
    /* 5 */ row(c, c, { 纳入日期: '2024-02-30' }),
    /* 6 */ row(c, c, { 救助类型: '低保户' }),
    /* 7 */ row(c, c, { 月保障金额: -520 }),
    /* 8 */ row(c, c, { 月保障金额: '五百二' }),
    /* 9 */ row(a, aSpouse),
    /* 10 */ row(a, a),
    /* 11 */ row(c, c, { 救助类型: '集中特困' }),
    /* 12 */ ['', '', ''],
    /* 13 */ row(b, b, { 乡镇: '二镇', '村(社区)': '二村', 月保障金额: 520, 纳入日期: '2022年3月1日' }),
    /* 14 */ row(a, aChild, { 成员姓名: '甲子', 与户主关系: '子女', '村(社区)': '二村' }),
  ]);
  const expected: [number, string][] = [
    [3, '成员身份证号校验位错误'],
    [5, '纳入日期“2024-02-30”不存在：2024年2月没有30日'],
    [6, '救助类型“低保户”无法识别，应为 城市低保、农村低保、分散特困、集中特困 之一'],
    [7, '月保障金额不能为负数（-520）'],
    [8, '月保障金额“五百二”不是有效的金额'],
    [10, '与第2行重复：同一户的同一成员、同一救助类型出现了两次'],
    [11, '集中特困必须填写供养机构'],
    [14, '同一户主身份证号在第2行的村(社区)与本行不一致'],
  ];

  it('all or nothing: every bad row listed with its line, nothing written', async () => {
    const r = await runImport(prisma, { kind: 'roster', file, county });
    expect(r.status).toBe('rejected');
    expect(r.rows).toBe(11);
    expect(r.rejected).toBe(expected.length);
    expect(r.firstErrors.map((e) => [e.line, e.reasons.join('；')])).toEqual(expected);
    expect(r.errorFile).toBe(`${file}.错误行.csv`);
    const lines = readErrorFile(r.errorFile!);
    expect(lines[0]).toEqual(['行号', '错误原因', ...ROSTER_HEADER]);
    expect(lines.slice(1).map((l) => [Number(l[0]), l[1]])).toEqual(expected);
    expect(lines[1]![7]).toBe(maskIdNumber(badChecksum(aSpouse))); // the row as it was, the ID masked
    expect(await countyCounts(prisma, county)).toMatchObject({ counties: 0, households: 0 });
    expect(await batchAndAuditCount(prisma, 'roster', r.sha256)).toEqual({ batches: 0, audits: 0 });
  });

  it('--accept-valid writes the good rows and still lists the bad ones', async () => {
    const r = await runImport(prisma, { kind: 'roster', file, county, acceptValid: true });
    expect(r).toMatchObject({ status: 'imported', rows: 11, accepted: 3, rejected: expected.length });
    expect(readErrorFile(r.errorFile!).slice(1).map((l) => Number(l[0]))).toEqual(expected.map((e) => e[0]));
    expect(await countyCounts(prisma, county)).toMatchObject({ counties: 1, townships: 2, villages: 2, households: 2, members: 3, enrolments: 2 });
    expect(await batchAndAuditCount(prisma, 'roster', r.sha256)).toEqual({ batches: 1, audits: 1 });
    const batch = await prisma.importBatch.findUniqueOrThrow({ where: { id: r.batchId! } });
    expect(batch).toMatchObject({ kind: 'roster', fileName: 'roster-bad.csv', rowCount: 11, accepted: 3, rejected: expected.length });
  });

  it('a clean import removes an error list left by an earlier attempt', async () => {
    const good = writeCsvFile(path.join(tmp.dir, 'roster-fixed.csv'), ROSTER_HEADER, [row(c, c, { 乡镇: '二镇', '村(社区)': '二村' })]);
    fs.writeFileSync(`${good}.错误行.csv`, 'old');
    const r = await runImport(prisma, { kind: 'roster', file: good, county });
    expect(r.status).toBe('imported');
    expect(fs.existsSync(`${good}.错误行.csv`)).toBe(false);
  });
});

describe('the header', () => {
  it('a missing required column refuses the whole file and names the columns', async () => {
    const file = writeCsvFile(path.join(tmp.dir, 'payments-no-paid.csv'), ['户主身份证号', '发放月份', '应发金额', '备注'], [[uniqueId(), '2024-05', 680, '']]);
    const r = await runImport(prisma, { kind: 'payments', file });
    expect(r.status).toBe('header-error');
    expect(r.headerError).toMatch(/^第1行的表头缺少必需的列：实发金额、发放日期。整个文件未导入/);
    expect(readErrorFile(r.errorFile!)[1]!.slice(0, 2)).toEqual(['1', r.headerError]);
    expect(await batchAndAuditCount(prisma, 'payments', r.sha256)).toEqual({ batches: 0, audits: 0 });
  });

  it('title rows above the header are skipped; line numbers stay those of the sheet', async () => {
    const file = path.join(tmp.dir, 'deaths-title.csv');
    const p = uniqueId();
    fs.writeFileSync(file, `长子县2024年死亡人员名单,,\r\n制表单位：公安局,,\r\n姓名,身份证号,死亡日期\r\n某甲,${p},2024-02-30\r\n`);
    const r = await runImport(prisma, { kind: 'deaths', file });
    expect(r).toMatchObject({ status: 'rejected', headerLine: 3, firstErrors: [{ line: 4, reasons: ['死亡日期“2024-02-30”不存在：2024年2月没有30日'] }] });
  });

  it('a file with a header and no data is refused', async () => {
    const file = writeCsvFile(path.join(tmp.dir, 'empty.csv'), ['姓名', '身份证号', '死亡日期'], []);
    expect((await runImport(prisma, { kind: 'deaths', file })).status).toBe('empty');
  });
});

describe('refusals found against the database', () => {
  it('payments: unknown household, ambiguous or missing kind, duplicate period (monthly and quarterly), in line order', async () => {
    const county = `发放测试县${tag()}`;
    const one = uniqueId();
    const two = uniqueId();
    const stranger = uniqueId();
    const roster = writeCsvFile(path.join(tmp.dir, 'roster-pay.csv'), ROSTER_HEADER, [
      ['一镇', '一村', '单一', one, '单一', one, '本人', '城市低保', '', 680, '2020-01-01', ''],
      ['一镇', '一村', '双重', two, '双重', two, '本人', '农村低保', '', 520, '2020-01-01', ''],
      ['一镇', '一村', '双重', two, '双重', two, '本人', '分散特困', '', 1100, '2020-01-01', ''],
      ['一镇', '一村', '双重', two, '双妻', uniqueId(true), '配偶', '农村低保', '', 520, '2020-01-01', ''],
    ]);
    expect((await runImport(prisma, { kind: 'roster', file: roster, county })).status).toBe('imported');

    const file = writeCsvFile(path.join(tmp.dir, 'payments-bad.csv'), PAYMENT_HEADER, [
      /* 2 */ [one, '', '2024-05', 680, 680, '2024-05-08', '本户', '6217000011112222333'],
      /* 3 */ [stranger, '', '2024-05', 680, 680, '2024-05-08', '', ''],
      /* 4 */ [two, '', '2024-05', 520, 520, '2024-05-08', '', ''],
      /* 5 */ [one, '集中特困', '2024-05', 680, 680, '2024-05-08', '', ''],
      /* 6 */ [one, '', '2024-13', 680, 680, '2024-05-08', '', ''],
      /* 7 */ [one, '城市低保', '2024/5', 680, 680, '2024-05-09', '', ''],
      /* 8 */ [two, '分散特困', '2024-04', 3300, 3300, '2024-04-08', '双妻', ''],
      /* 9 */ [two, '分散特困', '2024-05', 3300, 3300, '2024-05-08', '', ''],
      /* 10 */ [two, '农村低保', '2024-05', 520, 1040, '2024-05-08', '村会计', '6217000099998888777'],
      /* 11 */ [one, '', '2024-06', 680, 0, '', '', ''],
    ]);
    const r = await runImport(prisma, { kind: 'payments', file });
    expect(r.status).toBe('rejected');
    expect(r.firstErrors.map((e) => [e.line, e.reasons.join('；')])).toEqual([
      [3, '户主身份证号不在花名册中（请先导入花名册，或核对身份证号）'],
      [4, '该户有多种救助类型（农村低保、分散特困），请在“救助类型”列注明本行属于哪一种'],
      [5, '该户在花名册中没有“集中特困”的保障记录（现有：城市低保）'],
      [6, '发放月份“2024-13”不存在：没有13月'],
      [7, '与第2行重复：同一户、同一救助类型、同一发放期 2024-05'],
      [9, '与第8行重复：同一户、同一救助类型、同一发放期 2024-04（分散特困按季度发放，2024-05 属于 2024-04 起的季度）'],
    ]);
    expect(readErrorFile(r.errorFile!).slice(1).map((l) => Number(l[0]))).toEqual([3, 4, 5, 6, 7, 9]);

    const ok = await runImport(prisma, { kind: 'payments', file, acceptValid: true });
    expect(ok).toMatchObject({ status: 'imported', accepted: 4, rejected: 6 });
    const payments = await prisma.payment.findMany({
      where: { household: { headIdNumber: { in: [one, two] } } },
      orderBy: [{ period: 'asc' }, { amountDue: 'asc' }],
      include: { enrolment: true },
    });
    expect(
      payments.map((p) => [p.enrolment.kind, p.period, p.dueDate.toISOString().slice(0, 10), String(p.amountPaid), p.paidDate?.toISOString().slice(0, 10) ?? null, p.payeeKind, p.payeeName, p.accountMasked]),
    ).toEqual([
      ['TEKUN_DISPERSED', '2024-04', '2024-04-10', '3300', '2024-04-08', 'HOUSEHOLD', '双妻', null],
      ['RURAL_DIBAO', '2024-05', '2024-05-10', '1040', '2024-05-08', 'OTHER', '村会计', '6217***********8777'],
      ['URBAN_DIBAO', '2024-05', '2024-05-10', '680', '2024-05-08', 'HOUSEHOLD', '单一', '6217***********2333'],
      ['URBAN_DIBAO', '2024-06', '2024-06-10', '0', null, 'HOUSEHOLD', '单一', null],
    ]);
  });

  it('payments without any possible duplicate (the duplicate search is skipped): the same reasons, in line order', async () => {
    const county = `发放无重复测试县${tag()}`;
    const one = uniqueId();
    const two = uniqueId();
    const roster = writeCsvFile(path.join(tmp.dir, 'roster-pay-nodup.csv'), ROSTER_HEADER, [
      ['一镇', '一村', '单一', one, '单一', one, '本人', '城市低保', '', 680, '2020-01-01', ''],
      ['一镇', '一村', '双重', two, '双重', two, '本人', '农村低保', '', 520, '2020-01-01', ''],
      ['一镇', '一村', '双重', two, '双重', two, '本人', '分散特困', '', 1100, '2020-01-01', ''],
    ]);
    expect((await runImport(prisma, { kind: 'roster', file: roster, county })).status).toBe('imported');
    // Every (head, kind, period) different, also counting a row without 救助类型 as any kind.
    const file = writeCsvFile(path.join(tmp.dir, 'payments-bad-nodup.csv'), PAYMENT_HEADER, [
      /* 2 */ [one, '', '2024-05', 680, 680, '2024-05-08', '本户', ''],
      /* 3 */ [uniqueId(), '', '2024-05', 680, 680, '2024-05-08', '', ''],
      /* 4 */ [two, '', '2024-07', 520, 520, '2024-07-08', '', ''],
      /* 5 */ [one, '集中特困', '2024-06', 680, 680, '2024-06-08', '', ''],
      /* 6 */ [two, '农村低保', '2024-05', 520, 520, '2024-05-08', '', ''],
      /* 7 */ [two, '分散特困', '2024-04', 3300, 3300, '2024-04-08', '', ''],
    ]);
    const r = await runImport(prisma, { kind: 'payments', file });
    expect(r.status).toBe('rejected');
    expect(r.firstErrors.map((e) => [e.line, e.reasons.join('；')])).toEqual([
      [3, '户主身份证号不在花名册中（请先导入花名册，或核对身份证号）'],
      [4, '该户有多种救助类型（农村低保、分散特困），请在“救助类型”列注明本行属于哪一种'],
      [5, '该户在花名册中没有“集中特困”的保障记录（现有：城市低保）'],
    ]);
    expect(readErrorFile(r.errorFile!).slice(1).map((l) => Number(l[0]))).toEqual([3, 4, 5]);
    const ok = await runImport(prisma, { kind: 'payments', file, acceptValid: true });
    expect(ok).toMatchObject({ status: 'imported', accepted: 3, rejected: 3 });
    expect(ok.entities.payments).toMatchObject({ created: 3 });
  });

  it('合计 / 小计 / 总计 rows are skipped, also with spaces inside or after blank cells; other rows starting alike are data', async () => {
    const county = `合计测试县${tag()}`;
    const a = uniqueId();
    const b = uniqueId();
    const file = writeCsvFile(path.join(tmp.dir, 'roster-totals.csv'), ROSTER_HEADER, [
      ['一镇', '一村', '甲', a, '甲', a, '本人', '农村低保', '', 520, '2020-01-01', ''],
      ['合计', '', '', '', '', '', '', '', '', 520, '', ''],
      [' 小 计 ', '', '', '', '', '', '', '', '', 520, '', ''],
      ['', '总合计', '', '', '', '', '', '', '', 1040, '', ''],
      ['合计镇', '一村', '乙', b, '乙', b, '本人', '农村低保', '', 520, '2020-01-01', ''],
    ]);
    const r = await runImport(prisma, { kind: 'roster', file, county });
    expect(r).toMatchObject({ status: 'imported', rows: 2, accepted: 2, skippedTotals: 3 });
  });

  it('relatives: the staff member must exist, under the same name', async () => {
    const county = `亲属测试县${tag()}`;
    const staffId = uniqueId();
    const staffFile = writeCsvFile(path.join(tmp.dir, 'staff-rel.csv'), ['姓名', '身份证号', '手机号', '角色', '所属单位'], [['钱进', staffId, '', '股室经办人', '社会救助股']]);
    expect((await runImport(prisma, { kind: 'staff', file: staffFile, county })).status).toBe('imported');
    const header = ['工作人员姓名', '工作人员身份证号', '岗位', '亲属姓名', '亲属身份证号', '关系'];
    const file = writeCsvFile(path.join(tmp.dir, 'relatives-bad.csv'), header, [
      ['钱进', staffId, '', '钱父', uniqueId(), '父亲'],
      ['钱进', uniqueId(), '', '某', uniqueId(), '配偶'],
      ['钱近', staffId, '', '某', uniqueId(), '配偶'],
      ['钱进', staffId, '', '某', uniqueId(), '岳父'],
    ]);
    const r = await runImport(prisma, { kind: 'relatives', file });
    expect(r.firstErrors.map((e) => [e.line, e.reasons[0]])).toEqual([
      [3, '工作人员身份证号不在工作人员名单中（请先导入工作人员名单，或核对身份证号）'],
      [4, '工作人员姓名与名单中登记的“钱进”不一致（请核对身份证号）'],
      [5, expect.stringMatching(/^关系“岳父”不在本县近亲属范围内/)],
    ]);
  });

  it('staff: unknown unit, and a role that does not fit the unit', async () => {
    const county = `人员测试县${tag()}`;
    const file = writeCsvFile(path.join(tmp.dir, 'staff-bad.csv'), ['姓名', '身份证号', '手机号', '角色', '所属单位', '乡镇', '村(社区)'], [
      ['甲', uniqueId(), '13900000000', '乡镇经办人', '三镇人民政府', '', ''],
      ['乙', uniqueId(), '', '村(居)委会成员', '三镇', '', ''],
      ['丙', uniqueId(), '', '村(居)委会成员', '东村村委会', '', ''],
      ['丁', uniqueId(), '', '村(居)委会成员', '东村村委会', '三镇', '东村'],
      ['戊', uniqueId(), '', '股室经办人', '某某', '', ''],
      ['己', uniqueId(), '', '纪检联络', '驻局纪检监察组', '', ''],
      ['庚', uniqueId(), '', '村(居)委会成员', '三镇东村', '', ''],
    ]);
    const r = await runImport(prisma, { kind: 'staff', file, county, acceptValid: true });
    expect(r.firstErrors.map((e) => [e.line, e.reasons[0]])).toEqual([
      [3, '角色“村(居)委会成员”的所属单位应为村(社区)，而“三镇”是乡镇'],
      [4, expect.stringMatching(/^所属单位“东村村委会”不是.+已知的乡镇或村\(社区\)/)],
      [6, expect.stringMatching(/^所属单位“某某”不是/)],
    ]);
    expect(r.accepted).toBe(4);
    const staff = await prisma.staff.findMany({ where: { name: { in: ['甲', '丁', '己', '庚'] }, region: { OR: [{ name: county }, { parent: { name: county } }, { parent: { parent: { name: county } } }] } }, include: { region: true } });
    expect(Object.fromEntries(staff.map((s) => [s.name, `${s.region.level}:${s.region.name}`]))).toEqual({
      甲: 'TOWNSHIP:三镇',
      丁: 'VILLAGE:东村',
      己: `COUNTY:${county}`,
      庚: 'VILLAGE:东村',
    });
  });

  it('deaths and prison: the same person twice in one file', async () => {
    const p = uniqueId();
    const deaths = writeCsvFile(path.join(tmp.dir, 'deaths-dup.csv'), ['姓名', '身份证号', '死亡日期', '来源'], [
      ['某乙', p, '2024-03-01', '公安'],
      ['某乙', p, '2024-03-02', '殡葬'],
    ]);
    expect((await runImport(prisma, { kind: 'deaths', file: deaths })).firstErrors).toEqual([{ line: 3, reasons: ['与第2行重复：同一身份证号出现了两次'] }]);
    const prison = writeCsvFile(path.join(tmp.dir, 'prison-dup.csv'), ['姓名', '身份证号', '羁押日期', '释放日期'], [
      ['某丙', p, '2020-01-01', '2021-01-01'],
      ['某丙', p, '2022-01-01', ''],
      ['某丙', p, '2020/1/1', ''],
    ]);
    expect((await runImport(prisma, { kind: 'prison', file: prison })).firstErrors).toEqual([
      { line: 4, reasons: ['与第2行重复：同一身份证号、同一羁押(入狱)日期出现了两次'] },
    ]);
  });
});
