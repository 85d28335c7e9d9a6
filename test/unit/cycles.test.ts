import { describe, expect, it } from 'vitest';
import {
  aggregateProgress,
  aggregateText,
  checkProgressSubmission,
  checkTownshipSubmit,
  checkVillageReport,
  deadlineText,
  digestDue,
  digestText,
  paymentSummaryText,
  paymentTownshipText,
  paymentWatchesToOpen,
  phaseSummaryToOpen,
  progressCycleToOpen,
  sortDigestItems,
  timeLeftText,
  villageChainToOpen,
  type CycleUnit,
  type ProgressItem,
} from '../../domain/cycles/index.js';
import { loadPolicy, presetInputs, presets } from '../../domain/policy/load.js';
import type { CountyPolicyInput } from '../../domain/policy/schema.js';
import { createCalendar } from '../../domain/time/calendar.js';
import { computeCheckDigit } from '../../domain/identity/index.js';

const units: CycleUnit[] = [
  { id: 1, name: '丹朱镇', reporterStaffId: 11, headStaffId: 12 },
  { id: 2, name: '鲍店镇', reporterStaffId: 21, headStaffId: 22 },
];
const focusItems = presets.zhangzi.focusItems.map((f) => ({ code: f.code, title: f.title }));
const item = (n: number): ProgressItem => ({ found: n, households: n, amount: n * 10.25, rectified: n, recovered: n * 0.1, cluesTransferred: 0, heldAccountable: 0 });
const items = (n: number) => Object.fromEntries(focusItems.map((f) => [f.code, item(n)]));
const ctx = { units, focusItems, submittedUnitIds: new Set<number>(), open: true };
const idNumber = (() => {
  const body = '14042819800101001';
  return body + computeCheckDigit(body);
})();

describe('progress submissions', () => {
  it('accepts a complete submission by the reporter or the head', () => {
    expect(checkProgressSubmission({ unitId: 1, byStaffId: 11, items: items(1) }, ctx)).toBeNull();
    expect(checkProgressSubmission({ unitId: 1, byStaffId: 12, items: items(0) }, ctx)).toBeNull();
  });

  it('refuses in Chinese: unknown or missing focus item, negative or fractional counts, wrong unit, second submission, closed cycle', () => {
    const ok = { unitId: 1, byStaffId: 11, items: items(1) };
    expect(checkProgressSubmission({ ...ok, items: { ...ok.items, Q7: item(1) } }, ctx)).toContain('未知的整治重点“Q7”');
    const { Z1: _z1, ...withoutZ1 } = ok.items;
    expect(checkProgressSubmission({ ...ok, items: withoutZ1 }, ctx)).toContain('缺少整治重点“Z1”');
    expect(checkProgressSubmission({ ...ok, items: { ...ok.items, Z1: { ...item(1), found: -1 } } }, ctx)).toContain('“发现问题（个）”不能为负数');
    expect(checkProgressSubmission({ ...ok, items: { ...ok.items, Z1: { ...item(1), recovered: -0.01 } } }, ctx)).toContain('不能为负数');
    expect(checkProgressSubmission({ ...ok, items: { ...ok.items, Z1: { ...item(1), households: 2.5 } } }, ctx)).toContain('必须是整数');
    expect(checkProgressSubmission({ ...ok, items: { ...ok.items, Z1: { ...item(1), amount: 1.005 } } }, ctx)).toContain('两位小数');
    expect(checkProgressSubmission({ ...ok, items: { ...ok.items, Z1: { ...item(1), extra: 1 } } }, ctx)).not.toBeNull();
    expect(checkProgressSubmission({ ...ok, byStaffId: 21 }, ctx)).toContain('您不是丹朱镇的报送人或负责人');
    expect(checkProgressSubmission({ ...ok, unitId: 9 }, ctx)).toContain('不在本期报送范围内');
    expect(checkProgressSubmission(ok, { ...ctx, submittedUnitIds: new Set([1]) })).toContain('丹朱镇本期已报送，不能重复报送');
    expect(checkProgressSubmission(ok, { ...ctx, open: false })).toContain('已结束');
  });

  it('sums per focus item in fen and lists missing units in the aggregate text', () => {
    const totals = aggregateProgress(focusItems.map((f) => f.code), [{ items: items(1) }, { items: items(2) }]);
    expect(totals.Z1).toEqual({ found: 3, households: 3, amount: 30.75, rectified: 3, recovered: 0.3, cluesTransferred: 0, heldAccountable: 0 });
    const text = aggregateText('进展情况报告（第1期）', '2026年11月29日 24:00前', focusItems, {
      at: '2026-11-29T16:00:00.000Z',
      expected: 2,
      submitted: [{ unitId: 1, name: '丹朱镇', late: false }],
      missing: [{ unitId: 2, name: '鲍店镇' }],
      totals,
    });
    expect(text).toContain('应报2个单位，已报1个，未报1个');
    expect(text).toContain('未报单位：鲍店镇');
    expect(text).toContain('涉及3户、30.75元');
  });
});

describe('village chain checks', () => {
  const villages: CycleUnit[] = [{ id: 5, name: '东村委会', reporterStaffId: 51, headStaffId: null }];
  const vctx = { open: true, units: villages, submitted: new Set<number>(), month: '2026-12' };
  it('needs events or nothingToReport, valid types, and a funeral with ID number and date', () => {
    expect(checkVillageReport({ unitId: 5, byStaffId: 51, nothingToReport: true }, vctx)).toBeNull();
    expect(checkVillageReport({ unitId: 5, byStaffId: 51 }, vctx)).toContain('本月无事项');
    expect(checkVillageReport({ unitId: 5, byStaffId: 51, events: [{ type: 'wedding' }] }, vctx)).toContain('未知的事项类型');
    expect(checkVillageReport({ unitId: 5, byStaffId: 51, events: [{ type: 'funeral', date: '2026-12-01' }] }, vctx)).toContain('逝者身份证号码');
    expect(checkVillageReport({ unitId: 5, byStaffId: 51, events: [{ type: 'funeral', idNumber: '123', date: '2026-12-01' }] }, vctx)).toContain('身份证号码无效');
    expect(checkVillageReport({ unitId: 5, byStaffId: 51, events: [{ type: 'funeral', idNumber, date: '2026-12-01' }] }, vctx)).toBeNull();
    expect(checkVillageReport({ unitId: 5, byStaffId: 99, nothingToReport: true }, vctx)).toContain('无权');
    expect(checkVillageReport({ unitId: 5, byStaffId: 51, nothingToReport: true }, { ...vctx, submitted: new Set([5]) })).toContain('不能重复报告');
  });
  it('a township submits only after all its villages', () => {
    const t = { open: true, units: [{ id: 7, name: '丹朱镇', reporterStaffId: 71, headStaffId: 72 }], submitted: new Set<number>(), pendingVillages: () => ['东村委会'] };
    expect(checkTownshipSubmit({ unitId: 7, byStaffId: 72 }, t)).toContain('尚未报告，暂不能核实上报：东村委会');
    expect(checkTownshipSubmit({ unitId: 7, byStaffId: 72 }, { ...t, pendingVillages: () => [] })).toBeNull();
  });
});

describe('texts', () => {
  it('time left and deadlines in Asia/Shanghai', () => {
    const exp = Date.parse('2026-11-30T00:00:00+08:00');
    expect(deadlineText(exp)).toBe('2026年11月29日 24:00前');
    expect(deadlineText(Date.parse('2026-11-26T12:00:00+08:00'))).toBe('2026年11月26日 12:00前');
    expect(timeLeftText(exp - 2 * 86_400_000 - 5 * 3_600_000, exp)).toBe('还剩2天5小时');
    expect(timeLeftText(exp + 3_600_000, exp)).toBe('已逾期1小时');
  });
  it('digest: least time left first, nothing for nobody', () => {
    const now = Date.parse('2026-11-24T08:30:00+08:00');
    const list = [
      { kind: 'report' as const, ref: 'b', title: '阶段总结', dueAt: '2026-12-14T16:00:00.000Z' },
      { kind: 'filing' as const, ref: 'c', title: '近亲属备案待审核', dueAt: null },
      { kind: 'case' as const, ref: 'a', title: '死亡核查', dueAt: '2026-11-25T16:00:00.000Z' },
    ];
    expect(sortDigestItems(list).map((i) => i.ref)).toEqual(['a', 'b', 'c']);
    const text = digestText('2026-11-24', list, now)!;
    expect(text.split('\n')[1]).toContain('死亡核查');
    expect(text).toContain('无期限');
    expect(digestText('2026-11-24', [], now)).toBeNull();
  });
  it('payment alerts carry counts and amounts only', () => {
    const t = { townshipId: 1, name: '丹朱镇', caseworkerStaffId: 1, headStaffId: 2, counts: { payment_missing: 2, payment_short: 1 }, amountsFen: { payment_missing: 100000, payment_short: 2000 } };
    expect(paymentTownshipText('城乡低保金', '2026-12', '2026-12-10', t)).toContain('未按时足额发放（逾期未发）2户，涉及1000.00元；少发1户，涉及20.00元');
    expect(paymentSummaryText('城乡低保金', '2026-12', '2026-12-10', [t])).toContain('1个乡镇存在问题');
    expect(paymentSummaryText('城乡低保金', '2026-12', '2026-12-10', [])).toContain('未发现问题');
  });
});

describe('what a tick opens', () => {
  const zhangzi = presets.zhangzi;
  it('progress: the first report due on or after today; the first is 14 May; nothing after the campaign', () => {
    expect(progressCycleToOpen(zhangzi, '2024-04-01')?.nominal).toBe('2024-05-14');
    expect(progressCycleToOpen(zhangzi, '2024-05-15')?.nominal).toBe('2024-05-29');
    expect(progressCycleToOpen(zhangzi, '2024-10-29')?.nominal).toBe('2024-10-29');
    expect(progressCycleToOpen(zhangzi, '2024-10-30')).toBeNull();
    expect(progressCycleToOpen(zhangzi, '2024-11-01')).toBeNull();
    // 文水: Thursdays, cut-off 12:00; 4 April (清明) moved to the make-up working day, Sunday 7 April.
    const w = progressCycleToOpen(presets.wenshui, '2024-04-05', createCalendar())!;
    expect(w).toMatchObject({ nominal: '2024-04-07', movedFrom: '2024-04-04' });
    expect(w.expiresAt.toISOString()).toBe('2024-04-07T04:00:00.000Z');
    expect(progressCycleToOpen(presets.wenshui, '2024-04-08', createCalendar())!.nominal).toBe('2024-04-11');
  });
  it('phase summaries: open 30 days ahead, none after the campaign', () => {
    expect(phaseSummaryToOpen(zhangzi, '2024-06-13')).toBeNull();
    expect(phaseSummaryToOpen(zhangzi, '2024-06-14')?.id).toBe('phase');
    expect(phaseSummaryToOpen(zhangzi, '2024-07-15')).toBeNull();
    expect(phaseSummaryToOpen(zhangzi, '2024-09-20')?.id).toBe('final');
    expect(phaseSummaryToOpen(zhangzi, '2024-11-01')).toBeNull();
  });
  it('village chain: only where enabled, from the 1st to the 20th, within the campaign', () => {
    expect(villageChainToOpen(presets.wenshui, '2024-05-01')).toBeNull();
    expect(villageChainToOpen(zhangzi, '2024-05-01')?.month).toBe('2024-05');
    expect(villageChainToOpen(zhangzi, '2024-05-20')?.township.due).toBe('2024-05-25');
    expect(villageChainToOpen(zhangzi, '2024-05-21')).toBeNull();
    expect(villageChainToOpen(zhangzi, '2024-11-01')).toBeNull();
  });
  it('payment watches: the period containing today, not expired, within the campaign', () => {
    expect(paymentWatchesToOpen(zhangzi, '2024-07-02').map((p) => [p.kind, p.periodMonth, p.due])).toEqual([
      ['dibao', '2024-07', '2024-07-10'],
      ['tekunDispersed', '2024-07', '2024-07-10'],
      ['tekunCentralized', '2024-07', '2024-07-10'],
    ]);
    expect(paymentWatchesToOpen(zhangzi, '2024-08-11')).toEqual([]);
    expect(paymentWatchesToOpen(zhangzi, '2024-10-05').map((p) => p.kind)).toEqual(['dibao', 'tekunDispersed', 'tekunCentralized']);
    expect(paymentWatchesToOpen(zhangzi, '2024-11-01')).toEqual([]);
  });
  it('digest: working days (调休 Saturday yes, holiday no); a year without data falls back to Monday–Friday', () => {
    const calendar = createCalendar();
    expect(digestDue(zhangzi, '2024-10-01', calendar)).toEqual({ due: false, calendarCovered: true }); // 国庆
    expect(digestDue(zhangzi, '2024-10-12', calendar)).toEqual({ due: true, calendarCovered: true }); // 调休上班 Saturday
    expect(digestDue(zhangzi, '2024-11-04', calendar).due).toBe(false); // after the campaign
    const input = structuredClone(presetInputs.zhangzi) as CountyPolicyInput;
    input.campaign = { ...input.campaign, window: { start: '2026-11-01', end: '2027-01-31' }, phases: [] };
    input.progressReport = { ...input.progressReport, firstDue: undefined };
    input.phaseSummaries = [];
    const p = loadPolicy(input);
    expect(digestDue(p, '2027-01-04', calendar)).toEqual({ due: true, calendarCovered: false });
    expect(digestDue(p, '2027-01-09', calendar)).toEqual({ due: false, calendarCovered: false });
  });
});
