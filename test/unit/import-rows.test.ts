import { describe, expect, it } from 'vitest';

import {
  COLUMNS,
  createRowParser,
  HeaderFinder,
  IMPORT_KINDS,
  looksLikeBureau,
  looksLikeTownship,
  matchHeader,
  normalizeHeader,
  parseAssistanceKind,
  parseMemberStatus,
  parseRelation,
  parseStaffRole,
  RosterFileChecks,
  rowValues,
  splitTownshipPrefix,
  unitCandidates,
  type Cell,
  type ImportKind,
  type RosterRow,
} from '../../domain/import/index.js';
import { computeCheckDigit } from '../../domain/identity/index.js';
import { DEFAULT_NEAR_RELATIONS } from '../../domain/policy/schema.js';

const ctx = { today: '2026-11-22', nearRelations: DEFAULT_NEAR_RELATIONS };
let seq = 100;
function id(birth = '19600101'): string {
  seq++;
  const b = `140428${birth}${seq}`;
  return b + computeCheckDigit(b);
}

/** Parse one row of `kind` written with the standard headers. */
function parseRow<K extends ImportKind>(kind: K, row: Record<string, Cell>) {
  const headers = COLUMNS[kind].map((c) => c.label);
  const match = matchHeader(kind, headers);
  const cells = COLUMNS[kind].map((c) => row[c.label]);
  return createRowParser(kind, ctx)(rowValues(match.fields, cells));
}

describe('header matching', () => {
  it('ignores spaces, full-width parentheses and required markers', () => {
    expect(normalizeHeader(' 村（社区） ')).toBe('村(社区)');
    expect(normalizeHeader('*户主 身份证号')).toBe('户主身份证号');
    const m = matchHeader('roster', ['乡 镇', '村（社区）', '户主', '户主身份证号码', '姓名', '公民身份号码', '与户主关系', '救助类型', '月保障金额（元）', '纳入日期', '备注']);
    expect(m.missing).toEqual([]);
    expect(m.ignored).toEqual(['备注']);
    expect(m.fields.get('monthlyAmount')).toBe(8);
    expect(m.fields.get('memberIdNumber')).toBe(5);
    expect(m.fields.get('headIdNumber')).toBe(3);
  });
  it('lists missing required columns by their standard names', () => {
    const m = matchHeader('payments', ['户主身份证号', '发放月份', '应发金额']);
    expect(m.missing).toEqual(['实发金额', '发放日期']);
  });
  it('reports a column given twice', () => {
    const m = matchHeader('deaths', ['姓名', '身份证号', '公民身份号码', '死亡日期']);
    expect(m.duplicates).toEqual(['身份证号（第2列“身份证号”、第3列“公民身份号码”）']);
  });
  it('no header text maps to two fields of one kind', () => {
    for (const kind of IMPORT_KINDS) {
      const seen = new Map<string, string>();
      for (const c of COLUMNS[kind]) {
        for (const name of [c.label, ...c.aliases]) {
          const key = normalizeHeader(name);
          expect(seen.get(key) ?? c.field, `${kind}: ${name}`).toBe(c.field);
          seen.set(key, c.field);
        }
      }
    }
  });
  it('finds the header below title rows, or explains what is missing', () => {
    const f = new HeaderFinder('deaths');
    expect(f.offer(['长子县2024年死亡人员名单'], 1)).toBeUndefined();
    expect(f.offer(['姓名', '身份证号', '死亡日期'], 2)).toBeDefined();

    const g = new HeaderFinder('roster', 3);
    g.offer(['名单'], 1);
    g.offer(['乡镇', '村', '户主姓名', '户主身份证号', '成员姓名'], 2);
    g.offer(['x'], 3);
    expect(g.exhausted).toBe(true);
    expect(g.giveUp()).toMatch(/^第2行的表头缺少必需的列：成员身份证号、与户主关系、救助类型、月保障金额、纳入日期。整个文件未导入/);
    expect(new HeaderFinder('staff').giveUp()).toMatch(/未找到表头/);
  });
});

describe('vocabulary', () => {
  it('maps the usual words', () => {
    expect(parseAssistanceKind('城市低保')).toBe('URBAN_DIBAO');
    expect(parseAssistanceKind('农村最低生活保障')).toBe('RURAL_DIBAO');
    expect(parseAssistanceKind('特困（分散）')).toBe('TEKUN_DISPERSED');
    expect(parseAssistanceKind('集中供养特困人员')).toBe('TEKUN_CENTRALIZED');
    expect(parseAssistanceKind('低保户')).toBeUndefined();
    expect(parseMemberStatus('')).toBe('ALIVE');
    expect(parseMemberStatus('已故')).toBe('DEAD');
    expect(parseMemberStatus('服刑（在押）')).toBe('IN_PRISON');
    expect(parseStaffRole('村（居）委会成员')).toBe('VILLAGE_COMMITTEE');
    expect(parseStaffRole('专班副组长')).toBe('TASKFORCE_LEADER');
    expect(parseStaffRole('乡镇经办人')).toBe('TOWNSHIP_CASEWORKER');
    expect(parseRelation('母亲')).toBe('parent');
    expect(parseRelation('外婆')).toBe('maternalGrandparent');
    expect(parseRelation('岳父')).toBe('spouseParent');
  });
  it('reads unit names', () => {
    expect(unitCandidates('东关村委会')).toContain('东关村');
    expect(unitCandidates('东关社区居民委员会')).toContain('东关社区');
    expect(unitCandidates('丹朱镇人民政府')).toContain('丹朱镇');
    expect(looksLikeTownship('丹朱镇')).toBe(true);
    expect(looksLikeTownship('社会救助股')).toBe(false);
    expect(looksLikeBureau('社会救助股')).toBe(true);
    expect(looksLikeBureau('驻局纪检监察组')).toBe(true);
    expect(looksLikeBureau('东关村')).toBe(false);
    expect(splitTownshipPrefix('丹朱镇/东关村', '丹朱镇')).toBe('东关村');
  });
});

describe('roster rows', () => {
  const head = id();
  const base = {
    乡镇: '丹朱镇',
    '村(社区)': '东关社区',
    户主姓名: '王建国',
    户主身份证号: head,
    成员姓名: '王建国',
    成员身份证号: head,
    与户主关系: '本人',
    救助类型: '城市低保',
    供养机构: '',
    月保障金额: '1,360',
    纳入日期: '2021/3/1',
    状态: '',
  };
  it('parses a valid row', () => {
    expect(parseRow('roster', base)).toEqual({
      ok: true,
      value: {
        township: '丹朱镇',
        village: '东关社区',
        headName: '王建国',
        headIdNumber: head,
        memberName: '王建国',
        memberIdNumber: head,
        relation: '本人',
        kind: 'URBAN_DIBAO',
        institution: null,
        monthlyAmount: '1360.00',
        startDate: '2021-03-01',
        status: 'ALIVE',
      },
    });
  });
  it.each([
    [{ 户主身份证号: head.slice(0, 17) + (head[17] === '1' ? '2' : '1') }, '户主身份证号校验位错误'],
    [{ 纳入日期: '2024-02-30' }, '纳入日期“2024-02-30”不存在：2024年2月没有30日'],
    [{ 救助类型: '低保户' }, '救助类型“低保户”无法识别，应为 城市低保、农村低保、分散特困、集中特困 之一'],
    [{ 月保障金额: '-10' }, '月保障金额不能为负数（-10）'],
    [{ 月保障金额: '一千' }, '月保障金额“一千”不是有效的金额'],
    [{ 月保障金额: '0' }, '月保障金额必须大于0'],
    [{ 救助类型: '集中特困' }, '集中特困必须填写供养机构'],
    [{ 状态: '失联' }, '状态“失联”无法识别，应为 正常、死亡、服刑 之一（空白视为正常）'],
    [{ 成员姓名: '王小明' }, '成员身份证号与户主身份证号相同，但成员姓名与户主姓名不一致'],
    [{ 纳入日期: '2099-01-01' }, '纳入日期（2099-01-01）晚于今天'],
    [{ 乡镇: '' }, '乡镇不能为空'],
  ])('refuses %o', (change, message) => {
    const r = parseRow('roster', { ...base, ...change });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toContain(message);
  });
  it('lists every bad field of a row', () => {
    const r = parseRow('roster', { ...base, 纳入日期: '2024-02-30', 救助类型: 'x', 月保障金额: '-1' });
    expect(r.ok ? [] : r.errors).toHaveLength(3);
  });
  it('keeps the institution for 集中特困 only', () => {
    const r = parseRow('roster', { ...base, 救助类型: '集中特困', 供养机构: '中心敬老院' });
    expect(r.ok && r.value.institution).toBe('中心敬老院');
    const s = parseRow('roster', { ...base, 供养机构: '中心敬老院' });
    expect(s.ok && s.value.institution).toBeNull();
  });
});

describe('payment rows', () => {
  const head = id();
  const base = { 户主身份证号: head, 户主姓名: '', 救助类型: '', 发放月份: '2024-05', 应发金额: '680', 实发金额: '680', 发放日期: '2024-05-08', 收款方: '', 收款账号: '' };
  it('parses paid and unpaid rows; 实发 > 应发 is allowed (补发)', () => {
    expect(parseRow('payments', base)).toMatchObject({ ok: true, value: { month: '2024-05', amountDue: '680.00', amountPaid: '680.00', paidDate: '2024-05-08', kind: null, payee: '', account: null } });
    expect(parseRow('payments', { ...base, 实发金额: '', 发放日期: '' })).toMatchObject({ ok: true, value: { amountPaid: '0.00', paidDate: null } });
    expect(parseRow('payments', { ...base, 实发金额: '1360' })).toMatchObject({ ok: true, value: { amountPaid: '1360.00' } });
  });
  it.each([
    [{ 发放日期: '' }, '实发金额大于0但发放日期为空（未发放的月份请把实发金额写0或留空）'],
    [{ 实发金额: '' }, '已填发放日期但实发金额为空'],
    [{ 发放月份: '2024-13' }, '发放月份“2024-13”不存在：没有13月'],
    [{ 应发金额: '-680' }, '应发金额不能为负数（-680）'],
    [{ 发放日期: '2022-01-05' }, '发放日期（2022-01-05）比发放月份（2024-05）早一年以上，请核对'],
    [{ 收款账号: '123' }, '收款账号格式不正确：应为12–19位数字'],
    [{ 救助类型: '五保' }, '救助类型“五保”无法识别，应为 城市低保、农村低保、分散特困、集中特困 之一'],
  ])('refuses %o', (change, message) => {
    const r = parseRow('payments', { ...base, ...change });
    expect(r.ok ? [] : r.errors).toContain(message);
  });
});

describe('deaths, prison, relatives, staff rows', () => {
  it('deaths: date after birth, not in the future', () => {
    const p = id('19400101');
    expect(parseRow('deaths', { 姓名: '李四', 身份证号: p, 死亡日期: '2024年3月15日', 来源: '' })).toEqual({
      ok: true,
      value: { name: '李四', idNumber: p, deathDate: '2024-03-15', source: '未注明' },
    });
    expect(parseRow('deaths', { 姓名: '李四', 身份证号: p, 死亡日期: '1939-01-01' })).toMatchObject({ ok: false, errors: [expect.stringContaining('早于身份证号中的出生日期')] });
    expect(parseRow('deaths', { 姓名: '李四', 身份证号: p, 死亡日期: '2099-01-01' })).toMatchObject({ ok: false, errors: ['死亡日期（2099-01-01）晚于今天'] });
  });
  it('prison: release not before custody', () => {
    const p = id('19800101');
    expect(parseRow('prison', { 姓名: '赵五', 身份证号: p, '羁押(入狱)日期': '2024-02-20', 释放日期: '', 来源: '县司法局' })).toMatchObject({
      ok: true,
      value: { custodyDate: '2024-02-20', releaseDate: null, source: '县司法局' },
    });
    expect(parseRow('prison', { 姓名: '赵五', 身份证号: p, '羁押(入狱)日期': '2024-02-20', 释放日期: '2024-01-01' })).toMatchObject({
      ok: false,
      errors: ['释放日期（2024-01-01）早于羁押(入狱)日期（2024-02-20）'],
    });
  });
  it('relatives: relation must be in the county set; stored by its policy label', () => {
    const s = id();
    const r = id();
    expect(parseRow('relatives', { 工作人员姓名: '冯海', 工作人员身份证号: s, 岗位: '', 亲属姓名: '冯秀英', 亲属身份证号: r, 关系: '母亲' })).toMatchObject({
      ok: true,
      value: { relation: 'parent', relationLabel: '父母' },
    });
    expect(parseRow('relatives', { 工作人员姓名: '冯海', 工作人员身份证号: s, 亲属姓名: '某', 亲属身份证号: r, 关系: '岳父' })).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/^关系“岳父”不在本县近亲属范围内（配偶、父母/)],
    });
    expect(parseRow('relatives', { 工作人员姓名: '冯海', 工作人员身份证号: s, 亲属姓名: '某', 亲属身份证号: s, 关系: '配偶' })).toMatchObject({
      ok: false,
      errors: ['亲属身份证号与工作人员身份证号相同'],
    });
  });
  it('staff: role names and phone numbers', () => {
    const s = id();
    expect(parseRow('staff', { 姓名: '周敏', 身份证号: s, 手机号: '+86 139-3546-0000', 角色: '乡镇经办人', 所属单位: '丹朱镇' })).toMatchObject({
      ok: true,
      value: { phone: '13935460000', role: 'TOWNSHIP_CASEWORKER', unit: '丹朱镇', township: null, village: null },
    });
    expect(parseRow('staff', { 姓名: '周敏', 身份证号: s, 手机号: '12345', 角色: '书记', 所属单位: 'x' })).toMatchObject({
      ok: false,
      errors: [expect.stringContaining('手机号“12345”格式不正确'), expect.stringContaining('角色“书记”无法识别')],
    });
  });
});

describe('roster file checks', () => {
  const row = (over: Partial<RosterRow>): RosterRow => ({
    township: '丹朱镇',
    village: '东关社区',
    headName: '王建国',
    headIdNumber: 'H1',
    memberName: '王建国',
    memberIdNumber: 'H1',
    relation: '本人',
    kind: 'URBAN_DIBAO',
    institution: null,
    monthlyAmount: '1360.00',
    startDate: '2021-03-01',
    status: 'ALIVE',
    ...over,
  });
  it('accepts one row per member and kind, counts distinct households, members, enrolments', () => {
    const c = new RosterFileChecks();
    expect(c.check(row({}), 2)).toEqual([]);
    expect(c.check(row({ memberName: '李秀英', memberIdNumber: 'M2', relation: '配偶' }), 3)).toEqual([]);
    // The same household in a second kind: allowed (a finding for the matching, not an import error).
    expect(c.check(row({ kind: 'TEKUN_DISPERSED', monthlyAmount: '1100.00' }), 4)).toEqual([]);
    // The same person in another household: allowed too.
    expect(c.check(row({ headIdNumber: 'H2', headName: '王小明', memberIdNumber: 'M2', memberName: '李秀英', relation: '本人' }), 5)).toEqual([]);
    expect(c.sizes()).toEqual({ households: 2, members: 3, enrolments: 3 });
  });
  it('refuses duplicates and disagreements, naming the first line', () => {
    const c = new RosterFileChecks();
    c.check(row({}), 2);
    expect(c.check(row({}), 7)).toEqual(['与第2行重复：同一户的同一成员、同一救助类型出现了两次']);
    expect(c.check(row({ memberIdNumber: 'M3', memberName: 'x', village: '西关社区' }), 8)).toEqual(['同一户主身份证号在第2行的村(社区)与本行不一致']);
    expect(c.check(row({ memberIdNumber: 'M3', memberName: 'x', monthlyAmount: '680.00' }), 9)).toEqual([
      '同一户的城市低保在第2行的月保障金额与本行不一致（每户每种救助类型只有一个月保障金额）',
    ]);
    expect(c.check(row({ kind: 'RURAL_DIBAO', relation: '户主' }), 10)).toEqual(['同一成员在第2行的姓名、与户主关系或状态与本行不一致']);
    expect(c.sizes()).toEqual({ households: 1, members: 1, enrolments: 1 });
  });
});
