import { describe, expect, it } from 'vitest';
import {
  checkPrisonDecision,
  checkPrisonRecovery,
  checkRelease,
  checkTerminationObjection,
  checkTerminationPosting,
  computeOverpayment,
  prisonExitDeadlineRuleId,
  prisonExitReminderText,
  prisonExitTrack,
  prisonExitWorkflowId,
  tekunTerminationEffectiveMonth,
  type PrisonExitCheckContext,
} from '../../domain/cases/index.js';
import { computeDeadline } from '../../domain/policy/compute.js';
import { loadPolicy, presetInputs, presets } from '../../domain/policy/load.js';

const dibao: PrisonExitCheckContext = {
  imprisonmentDate: '2026-08-14',
  track: 'dibao',
  currentMonthlyAmount: 1200,
  allowedStaffIds: [11, 12],
  opened: true,
  closed: false,
  decided: false,
  publicityRunning: false,
  today: '2026-11-22',
};
const tekun: PrisonExitCheckContext = { ...dibao, track: 'tekun', currentMonthlyAmount: 600 };

describe('prisoner exit: track, rule, effective month', () => {
  it('picks 特困 over 低保 and none without an active enrolment', () => {
    expect(prisonExitTrack(['RURAL_DIBAO'])).toBe('dibao');
    expect(prisonExitTrack(['URBAN_DIBAO', 'TEKUN_CENTRALIZED'])).toBe('tekun');
    expect(prisonExitTrack([])).toBe('none');
  });

  it("uses the policy's 'prison-exit' rule when there is one, else 'death-review' (3 months from imprisonment)", () => {
    // The presets define it as a county choice (issue 13: the deadline is not a statute).
    expect(prisonExitDeadlineRuleId(presets.wenshui)).toBe('prison-exit');
    expect(presets.wenshui.deadlines['prison-exit']).toMatchObject({ origin: 'county', unit: 'months', amount: 3, anchor: 'eventDate' });
    const { ['prison-exit']: _omitted, ...withoutRule } = presets.wenshui.deadlines;
    expect(prisonExitDeadlineRuleId({ ...presets.wenshui, deadlines: withoutRule })).toBe('death-review');
    const input = structuredClone(presetInputs.zhangzi) as { deadlines: Record<string, unknown> };
    input.deadlines['prison-exit'] = { title: '服刑人员退出保障', unit: 'calendarDays', amount: 30, anchor: 'eventDate', legalBasis: '本县规定' };
    const policy = loadPolicy(input);
    expect(prisonExitDeadlineRuleId(policy)).toBe('prison-exit');
    expect(computeDeadline(presets.wenshui, 'death-review', '2026-08-31').due).toBe('2026-11-30');
  });

  it('特困 support stops from the month after the 公示 ends', () => {
    const pub = computeDeadline(presets.zhangzi, 'tekun-termination-publicity', '2026-11-25');
    expect(pub.due).toBe('2026-12-02');
    expect(pub.expiresAt.toISOString()).toBe('2026-12-02T16:00:00.000Z');
    expect(tekunTerminationEffectiveMonth(pub.due)).toBe('2027-01');
    expect(tekunTerminationEffectiveMonth('2026-11-30')).toBe('2026-12');
  });

  it('over-payment: every month after the imprisonment month (quarterly split)', () => {
    const over = computeOverpayment({ deathMonth: '2026-08', decision: '停发', payments: [{ period: '2026-07', monthsCovered: 3, amountPaid: 1800 }] });
    expect(over).toEqual({ totalCents: 60_000, months: [{ month: '2026-09', paidCents: 60_000, entitledCents: 0, overCents: 60_000 }] });
  });

  it('workflow id holds database ids only', () => {
    expect(prisonExitWorkflowId(3, 42)).toBe('prison-exit:3:42');
  });

  it('reminder text names the deadline', () => {
    expect(prisonExitReminderText('刘小虎（1411**********0012）', '2026-11-14', 3)).toBe('【服刑退出提醒】刘小虎（1411**********0012）服刑，须于2026年11月14日前办结退出保障手续（还剩3天）。');
  });
});

describe('prisoner exit: update checks', () => {
  const decide = { newMonthlyAmount: 800, effectiveMonth: '2026-12', byStaffId: 11 };
  it('accepts a lower household amount from the month after imprisonment', () => {
    expect(checkPrisonDecision(decide, dibao)).toBeNull();
    expect(checkPrisonDecision({ ...decide, newMonthlyAmount: 0, effectiveMonth: '2026-09' }, dibao)).toBeNull();
  });
  it.each([
    [{ ...decide, newMonthlyAmount: 1200 }, dibao, '必须低于现金额'],
    [{ ...decide, newMonthlyAmount: -1 }, dibao, '不小于 0'],
    [{ ...decide, effectiveMonth: '2026-08' }, dibao, '不能早于服刑次月（2026-09）'],
    [{ ...decide, effectiveMonth: '2026-9' }, dibao, '格式不正确'],
    [{ ...decide, byStaffId: 99 }, dibao, '无权'],
    [decide, { ...dibao, decided: true }, '不能重复决定'],
    [decide, { ...dibao, closed: true }, '已办结'],
    [decide, { ...dibao, opened: false }, '建立中'],
    [decide, tekun, '不适用低保金额调整'],
    [null, dibao, '内容缺失'],
  ])('refuses %j', (args, ctx, message) => {
    expect(checkPrisonDecision(args, ctx)).toContain(message);
  });

  const post = { postedOn: '2026-11-20', byStaffId: 12 };
  it('posting: 特困 only, once at a time, dated between imprisonment and today', () => {
    expect(checkTerminationPosting(post, tekun)).toBeNull();
    expect(checkTerminationPosting(post, dibao)).toContain('无需公示');
    expect(checkTerminationPosting(post, { ...tekun, publicityRunning: true })).toContain('正在进行中');
    expect(checkTerminationPosting({ ...post, postedOn: '2026-11-23' }, tekun)).toContain('不能晚于今天');
    expect(checkTerminationPosting({ ...post, postedOn: '2026-08-13' }, tekun)).toContain('不能早于服刑日期');
    expect(checkTerminationPosting({ ...post, byStaffId: 5 }, tekun)).toContain('无权');
    expect(checkTerminationPosting(post, { ...tekun, decided: true })).toContain('已终止供养');
  });

  it('objection: only while the 公示 runs, with a summary', () => {
    const obj = { receivedOn: '2026-11-21', summary: '本人未判刑', byStaffId: 11 };
    expect(checkTerminationObjection(obj, { ...tekun, publicityRunning: true })).toBeNull();
    expect(checkTerminationObjection(obj, tekun)).toContain('没有进行中的终止供养公示');
    expect(checkTerminationObjection({ ...obj, summary: ' ' }, { ...tekun, publicityRunning: true })).toContain('异议内容不能为空');
  });

  it('recovery and release', () => {
    const rc = { ...dibao, decided: true, overpaidCents: 40_000, recoveredCents: 10_000 };
    expect(checkPrisonRecovery({ amount: 300, byStaffId: 11 }, rc)).toBeNull();
    expect(checkPrisonRecovery({ amount: 300.01, byStaffId: 11 }, rc)).toContain('超过尚未追回的金额（300.00元）');
    expect(checkPrisonRecovery({ amount: 1, byStaffId: 11 }, { ...rc, overpaidCents: null })).toContain('尚未作出决定');
    expect(checkRelease({ releasedOn: '2026-11-01', byStaffId: 12 }, { ...tekun, released: false })).toBeNull();
    expect(checkRelease({ releasedOn: '2026-11-01', byStaffId: 12 }, { ...tekun, released: true })).toContain('不能重复登记');
    expect(checkRelease({ releasedOn: '2026-13-01', byStaffId: 12 }, { ...tekun, released: false })).toContain('格式不正确');
  });
});
