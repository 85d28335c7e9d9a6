import { describe, expect, it } from 'vitest';
import { checkDecision, checkRecovery, deathReviewWorkflowId, type DecisionContext } from '../../domain/cases/index.js';
import { planLadder } from '../../workflows/escalation.js';
import { computeDeadline, escalationSchedule, reminderSchedule } from '../../domain/policy/compute.js';
import { presets } from '../../domain/policy/load.js';

const ctx: DecisionContext = {
  deathMonth: '2026-08',
  currentMonthlyAmount: 500,
  allowedStaffIds: [11, 12],
  opened: true,
  decided: false,
  closed: false,
};

describe('checkDecision', () => {
  const ok = { decision: '停发', effectiveMonth: '2026-09', decidedByStaffId: 11 };

  it('accepts a valid decision', () => {
    expect(checkDecision(ok, ctx)).toBeNull();
    expect(checkDecision({ ...ok, decision: '减发', newMonthlyAmount: 320.5 }, ctx)).toBeNull();
    expect(checkDecision({ ...ok, effectiveMonth: '2026-08' }, ctx)).toBeNull();
  });

  it.each([
    [{ ...ok, decision: '暂停' }, '未知的决定'],
    [{ ...ok, effectiveMonth: '2026-9' }, '格式不正确'],
    [{ ...ok, effectiveMonth: '2026-13' }, '格式不正确'],
    [{ ...ok, effectiveMonth: '2026-07' }, '早于死亡月份'],
    [{ ...ok, decision: '减发' }, '须填写减发后的月保障金额'],
    [{ ...ok, decision: '减发', newMonthlyAmount: 500 }, '必须低于现金额'],
    [{ ...ok, decision: '增发', newMonthlyAmount: 400 }, '必须高于现金额'],
    [{ ...ok, newMonthlyAmount: 1.234 }, '最多两位小数'],
    [{ ...ok, decidedByStaffId: 99 }, '无权'],
    [{ ...ok, decidedByStaffId: undefined }, '缺少作出决定的工作人员'],
  ])('rejects %o', (args, message) => {
    expect(checkDecision(args, ctx)).toContain(message);
  });

  it('rejects before opening, after a decision and after closing', () => {
    expect(checkDecision(ok, { ...ctx, opened: false })).toContain('尚在建立中');
    expect(checkDecision(ok, { ...ctx, decided: true })).toContain('不能重复决定');
    expect(checkDecision(ok, { ...ctx, closed: true })).toContain('已办结');
  });
});

describe('checkRecovery', () => {
  const rctx = { ...ctx, decided: true, overpaidCents: 100000, recoveredCents: 60000 };
  it('accepts up to the remaining amount', () => {
    expect(checkRecovery({ amount: 400, recordedByStaffId: 12 }, rctx)).toBeNull();
  });
  it('rejects over-recovery, bad amounts, strangers, undecided cases', () => {
    expect(checkRecovery({ amount: 400.01, recordedByStaffId: 12 }, rctx)).toContain('超过尚未追回的金额（400.00元）');
    expect(checkRecovery({ amount: 0, recordedByStaffId: 12 }, rctx)).toContain('大于 0');
    expect(checkRecovery({ amount: 10, recordedByStaffId: 1 }, rctx)).toContain('无权');
    expect(checkRecovery({ amount: 10, recordedByStaffId: 12 }, { ...rctx, overpaidCents: null })).toContain('尚未作出决定');
  });
});

describe('death review ids and ladder plan', () => {
  it('never puts an ID number into the workflow id', () => {
    expect(deathReviewWorkflowId(7, 42)).toBe('death-review:7:42');
  });

  it('plans reminders before the deadline and escalations after, dropping past reminders', () => {
    const policy = presets.wenshui;
    const d = computeDeadline(policy, 'death-review', '2026-03-31');
    expect(d.due).toBe('2026-06-30');
    expect(d.expiresAt.toISOString()).toBe('2026-06-30T16:00:00.000Z');
    const reminders = reminderSchedule(policy, d.due);
    const steps = escalationSchedule(policy, d.expiresAt);
    const all = planLadder('wf', reminders, steps, Date.parse('2026-04-01T00:00:00Z'));
    expect(all.map((e) => e.key)).toEqual([
      'wf:reminder:7',
      'wf:reminder:3',
      'wf:reminder:1',
      'wf:reminder:0',
      'wf:escalation:assignee',
      'wf:escalation:unitHead',
      'wf:escalation:taskForceLeader',
    ]);
    // Reminder 7 days before at 09:00 Beijing = 01:00Z.
    expect(new Date(all[0]!.atMs).toISOString()).toBe('2026-06-23T01:00:00.000Z');
    const late = planLadder('wf', reminders, steps, Date.parse('2026-06-29T12:00:00Z'));
    expect(late.map((e) => e.key)).toEqual(['wf:reminder:0', 'wf:escalation:assignee', 'wf:escalation:unitHead', 'wf:escalation:taskForceLeader']);
  });
});
