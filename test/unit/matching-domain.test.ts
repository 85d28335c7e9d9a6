import { describe, expect, it } from 'vitest';

import {
  buildDeathReviewTable,
  buildMatchTables,
  buildScheduleTable,
  coveredMonths,
  describeFinding,
  enrolmentKeyPart,
  excludedRelations,
  findingKey,
  FINDING_KIND_INFO,
  FINDING_KINDS,
  formatMatchReport,
  formatYuan,
  matchLineSchema,
  monthIndex,
  monthOfIndex,
  monthsAfterDeath,
  monthsInCustody,
  multiKindKeyPart,
  parseFindingKey,
  parseYuan,
  staffKeyPart,
  trailingShare,
  type DescribableFinding,
} from '../../domain/matching/index.js';
import { loadPolicy, presetInputs, presets } from '../../domain/policy/index.js';

const policy = presets.zhangzi;
const ID = '141125198001011234';

describe('finding keys', () => {
  it('are kind | id | period | extra, with - for what does not apply', () => {
    expect(findingKey('payment_late', ID, '2024-05', 'RURAL_DIBAO')).toBe(`payment_late|${ID}|2024-05|RURAL_DIBAO`);
    expect(findingKey('death_review_overdue', ID)).toBe(`death_review_overdue|${ID}|-|-`);
    expect(findingKey('paid_after_death', ID, '2024-05', enrolmentKeyPart('URBAN_DIBAO', '1411'))).toBe(`paid_after_death|${ID}|2024-05|URBAN_DIBAO@1411`);
    expect(multiKindKeyPart(['TEKUN_DISPERSED', 'RURAL_DIBAO'])).toBe('kinds:RURAL_DIBAO+TEKUN_DISPERSED');
    expect(staffKeyPart('x')).toBe('staff:x');
    expect(parseFindingKey(findingKey('duplicate_enrolment', ID, null, 'kinds:A+B'))).toEqual({ kind: 'duplicate_enrolment', idNumber: ID, period: null, extra: 'kinds:A+B' });
  });
});

describe('amount rules', () => {
  it('month numbers', () => {
    expect(monthIndex('2024-01')).toBe(2024 * 12);
    expect(monthOfIndex(monthIndex('2024-12') + 1)).toBe('2025-01');
    expect(monthIndex('2024-03-31')).toBe(monthIndex('2024-03'));
  });

  it('a quarterly payment covers three months, a monthly one its own', () => {
    expect(coveredMonths([1, 4, 7, 10], 7)).toBe(3);
    expect(coveredMonths([1, 4, 7, 10], 10)).toBe(3);
    expect(coveredMonths([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 12)).toBe(1);
    expect(coveredMonths([1, 7], 7)).toBe(6);
    expect(coveredMonths([1, 4, 7, 10], 5)).toBe(1);
  });

  it('months after the death: the month of death itself is not over-paid', () => {
    expect(monthsAfterDeath('2024-05', 1, '2024-05-31')).toBe(0);
    expect(monthsAfterDeath('2024-06', 1, '2024-05-31')).toBe(1);
    expect(monthsAfterDeath('2024-07', 3, '2024-08-15')).toBe(1);
    expect(monthsAfterDeath('2024-07', 3, '2024-06-30')).toBe(3);
    expect(monthsAfterDeath('2024-07', 3, '2024-09-01')).toBe(0);
  });

  it('months in custody: after the custody month up to the release month', () => {
    expect(monthsInCustody('2024-06', 1, '2024-06-10', '2024-08-20')).toBe(0);
    expect(monthsInCustody('2024-07', 1, '2024-06-10', '2024-08-20')).toBe(1);
    expect(monthsInCustody('2024-08', 1, '2024-06-10', '2024-08-20')).toBe(1);
    expect(monthsInCustody('2024-09', 1, '2024-06-10', '2024-08-20')).toBe(0);
    expect(monthsInCustody('2024-07', 3, '2024-06-10', null)).toBe(3);
    expect(monthsInCustody('2024-07', 3, '2024-07-10', '2024-08-20')).toBe(1);
  });

  it('splits a payment into whole fen per month, odd fen on the first months', () => {
    expect(trailingShare(1800, 1, 3)).toBe(600);
    expect(trailingShare(100, 1, 3)).toBe(33.33);
    expect(trailingShare(100, 2, 3)).toBe(66.66);
    expect(trailingShare(100, 3, 3)).toBe(100);
    expect(trailingShare(100.01, 1, 3)).toBe(33.33);
    expect(trailingShare(300, 1, 1)).toBe(300);
    expect(() => trailingShare(1, 4, 3)).toThrow();
  });

  it('yuan: text to a number rounded to the fen, and back for display', () => {
    expect(parseYuan('612.50')).toBe(612.5);
    expect(parseYuan(null)).toBeNull();
    expect(parseYuan('1234567.891')).toBe(1234567.89);
    expect(formatYuan(1225)).toBe('1,225.00');
  });
});

describe('policy tables', () => {
  it('低保 is due by the 10th of each month; 特困 by the 10th of the quarter’s first month', () => {
    const t = buildScheduleTable(policy, '2024-03', '2024-05');
    const row = (akind: string, month: string) => {
      const i = t.akind.findIndex((k, j) => k === akind && t.month[j] === month);
      return { isSchedule: t.isSchedule[i], lastOnTime: t.lastOnTime[i], cover: t.cover[i], midx: t.midx[i] };
    };
    expect(t.month).toHaveLength(4 * 3);
    expect(row('URBAN_DIBAO', '2024-05')).toEqual({ isSchedule: true, lastOnTime: '2024-05-10', cover: 1, midx: monthIndex('2024-05') });
    expect(row('TEKUN_DISPERSED', '2024-04')).toEqual({ isSchedule: true, lastOnTime: '2024-04-10', cover: 3, midx: monthIndex('2024-04') });
    expect(row('TEKUN_CENTRALIZED', '2024-05')).toMatchObject({ isSchedule: false, lastOnTime: '2024-04-10', cover: 1 });
    expect(row('TEKUN_DISPERSED', '2024-03')).toMatchObject({ isSchedule: false, lastOnTime: '2024-01-10' });
  });

  it('"10日前" read strictly makes the 9th the last day on time', () => {
    const strict = loadPolicy({
      ...presetInputs.zhangzi,
      payments: { ...presetInputs.zhangzi.payments, dibao: { ...presetInputs.zhangzi.payments.dibao, inclusive: false } },
    });
    const t = buildScheduleTable(strict, '2024-10', '2024-10');
    expect(t.lastOnTime[t.akind.indexOf('RURAL_DIBAO')]).toBe('2024-10-09');
    expect(t.lastOnTime[t.akind.indexOf('TEKUN_DISPERSED')]).toBe('2024-10-10');
  });

  it('death review: 3 months from the death, clamped to the month end', () => {
    const t = buildDeathReviewTable(policy, ['2024-04-01', '2024-03-31', '2024-03-30', '2024-03-31', '2024-12-01'], '2024-11-15');
    expect(t.anchor).toEqual(['2024-03-30', '2024-03-31', '2024-04-01']);
    expect(t.due).toEqual(['2024-06-30', '2024-06-30', '2024-07-01']);
    expect(buildDeathReviewTable(policy, ['2024-11-30'], '2024-12-01').due).toEqual(['2025-02-28']);
  });

  it('the tables span the data, capped at 30 years and at the as-of date', () => {
    const t = buildMatchTables(policy, { asOf: '2024-11-15', fromMonth: '2023-01', deathDates: ['2024-11-01', '2024-11-16'] });
    expect(t.asOfMonth).toBe('2024-11');
    expect(t.schedule.month[0]).toBe('2023-01');
    expect(t.schedule.month.at(-1)).toBe('2024-11');
    expect(t.schedule.month).toHaveLength(4 * 23);
    expect(t.deathReview).toEqual({ anchor: ['2024-11-01'], due: ['2025-02-01'] });
    const old = buildMatchTables(policy, { asOf: '2024-11-15', fromMonth: '1980-01', deathDates: ['1970-01-01', '1994-11-15'] });
    expect(old.schedule.month[0]).toBe('1994-11');
    expect(old.deathReview.anchor).toEqual(['1994-11-15']);
    const empty = buildMatchTables(policy, { asOf: '2024-11-15', fromMonth: null, deathDates: [] });
    expect(empty.schedule.month).toEqual(['2024-11', '2024-11', '2024-11', '2024-11']);
    expect(empty.payee).toEqual({ akind: ['URBAN_DIBAO', 'RURAL_DIBAO', 'TEKUN_DISPERSED', 'TEKUN_CENTRALIZED'], expected: ['household', 'household', 'household', 'institution'] });
    expect(() => buildMatchTables(policy, { asOf: '2024-13-01', fromMonth: null, deathDates: [] })).toThrow(/日期格式无效/);
  });

  it('near relatives: relations outside the county set are excluded, by label and by key', () => {
    const ex = excludedRelations(policy);
    expect(ex).toContain('配偶的父母');
    expect(ex).toContain('spouseParent');
    expect(ex).not.toContain('配偶');
    expect(ex).not.toContain('子女');
  });
});

describe('texts', () => {
  it('every kind has a label, a description and a basis', () => {
    for (const k of FINDING_KINDS) {
      expect(FINDING_KIND_INFO[k].label.length).toBeGreaterThan(1);
      expect(FINDING_KIND_INFO[k].description).toMatch(/[\u4e00-\u9fff]/);
      expect(FINDING_KIND_INFO[k].basis.length).toBeGreaterThan(3);
    }
  });

  it('describes findings in one sentence, without ID numbers', () => {
    const cases: DescribableFinding[] = [
      {
        kind: 'paid_after_death',
        period: '2024-07',
        amount: 600,
        evidence: { name: '张三', assistanceKind: 'TEKUN_DISPERSED', paymentId: 1, paidDate: '2024-07-05', amountPaid: 1800, coveredMonths: 3, overpaidMonths: 1, householdSize: 1, recomputeHousehold: false, amountBefore: 1800, deathDate: '2024-08-15', deathSource: '公安' },
      },
      {
        kind: 'death_review_overdue',
        period: null,
        amount: null,
        evidence: { name: '李四', deathDate: '2024-07-31', deathSource: '殡葬', deadline: '2024-10-31', assistanceKinds: ['RURAL_DIBAO'], review: null },
      },
      {
        kind: 'payment_wrong_payee',
        period: '2024-10',
        amount: 2400,
        evidence: { name: '王五', assistanceKind: 'TEKUN_CENTRALIZED', paymentId: 2, paidDate: '2024-10-05', amountPaid: 2400, expectedPayee: 'institution', institutionName: '敬老院', payeeKind: 'HOUSEHOLD', payeeName: '王五', reason: 'not_institution' },
      },
    ];
    expect(describeFinding(cases[0]!)).toBe('张三于 2024-08-15 死亡，2024-07 分散特困仍发放 1,800.00 元，其中死亡后的 1 个月折算 600.00 元');
    expect(describeFinding(cases[1]!)).toBe('李四于 2024-07-31 死亡，家庭状况核查应于 2024-10-31 前办结，没有核查记录');
    expect(describeFinding(cases[2]!)).toContain('应统一支付到供养服务机构“敬老院”');
  });

  it('the report masks ID numbers and totals by kind and township', () => {
    const text = formatMatchReport({
      asOf: '2024-11-15',
      counties: ['长子县'],
      kinds: [
        { kind: 'payment_missing', found: 3, inserted: 1, amount: 1050 },
        { kind: 'death_review_overdue', found: 1, inserted: 1, amount: null },
      ],
      townships: [
        { county: '长子县', township: '丹朱镇', kind: 'payment_missing', found: 3, inserted: 1, amount: 1050 },
        { county: '长子县', township: '丹朱镇', kind: 'death_review_overdue', found: 1, inserted: 1, amount: null },
      ],
      examples: [{ kind: 'payment_missing', idNumber: ID, township: '丹朱镇', village: '东村', period: '2024-10', amount: 350, description: '2024-10 农村低保应于 2024-10-10 前发放 350.00 元，没有发放记录' }],
      examplesPerKind: 5,
    });
    expect(text).toContain('共发现问题线索 4 条：新发现 2 条，此前已记录 2 条；涉及金额 1,050.00 元');
    expect(text).toContain('丹朱镇：4 条');
    expect(text).toContain('1411**********1234');
    expect(text).not.toContain(ID);
  });

  it('the --json line schema wants the fields', () => {
    const line = {
      kind: 'payment_short',
      kindLabel: '少发',
      key: findingKey('payment_short', ID, '2024-10', 'RURAL_DIBAO'),
      findingId: 1,
      new: true,
      county: '长子县',
      idNumber: ID,
      name: '张三',
      period: '2024-10',
      amount: 49.5,
      township: '丹朱镇',
      village: '东村',
      householdId: 7,
      householdHead: { name: '张三', idNumber: ID },
      description: '…',
      evidence: { name: '张三', assistanceKind: 'RURAL_DIBAO', paymentId: 3, paidDate: '2024-10-05', amountPaid: 450.5, amountDue: 500 },
    };
    expect(matchLineSchema.parse(line)).toEqual(line);
    expect(() => matchLineSchema.parse({ ...line, period: '2024-10-01' })).toThrow();
    expect(() => matchLineSchema.parse({ ...line, evidence: { ...line.evidence, amountDue: undefined } })).toThrow();
  });
});
