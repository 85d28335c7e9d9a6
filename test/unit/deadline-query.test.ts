import { describe, expect, it } from 'vitest';
import { answerDeadline, formatDeadlineAnswer } from '../../domain/deadline-query.js';
import { presets, UnknownRuleError } from '../../domain/policy/index.js';
import { CalendarCoverageError, createCalendar } from '../../domain/time/index.js';
import { testNow } from '../support/clock.js';

const calendar = createCalendar();
const policy = presets.wenshui;

describe('answerDeadline', () => {
  it('death review from 2024-11-30, asked on 2025-02-20', () => {
    const a = answerDeadline({ policy, ruleId: 'death-review', date: '2024-11-30', now: new Date('2025-02-20T02:00:00Z'), calendar });
    expect(a).toMatchObject({
      ruleId: 'death-review',
      anchor: '2024-11-30',
      due: '2025-02-28',
      dueWeekday: '星期五',
      unit: 'months',
      amount: 3,
      durationText: '3个月',
      inclusive: true,
      expiresAtText: '2025-03-01 00:00',
      today: '2025-02-20',
      status: 'pending',
      calendarDaysLeft: 8,
      workingDaysLeft: 6, // 21, 24, 25, 26, 27, 28 Feb 2025
    });
    expect(a.expiresAt.toISOString()).toBe('2025-02-28T16:00:00.000Z');
    const text = formatDeadlineAnswer(a);
    expect(text).toContain('截止日期：2025-02-28（星期五）');
    expect(text).toContain('期限：3个月');
    expect(text).toContain('还剩 8 个自然日、6 个工作日');
    expect(text).toContain('2025-03-01 00:00（北京时间）');
  });

  it('overdue: negative counts', () => {
    const a = answerDeadline({ policy, ruleId: 'death-review', date: '2024-11-30', now: new Date('2025-03-05T01:00:00Z'), calendar });
    expect(a.status).toBe('overdue');
    expect(a.calendarDaysLeft).toBe(-5);
    expect(a.workingDaysLeft).toBe(-3); // 3, 4, 5 March
    expect(formatDeadlineAnswer(a)).toContain('已逾期 5 个自然日（3 个工作日）');
  });

  it('the expiry instant is the boundary', () => {
    const before = answerDeadline({ policy, ruleId: 'death-review', date: '2024-11-30', now: new Date('2025-02-28T15:59:59.999Z'), calendar });
    expect(before.status).toBe('dueToday');
    expect(before.calendarDaysLeft).toBe(0);
    expect(before.workingDaysLeft).toBe(0);
    expect(formatDeadlineAnswer(before)).toContain('今天就是截止日');
    const at = answerDeadline({ policy, ruleId: 'death-review', date: '2024-11-30', now: new Date('2025-02-28T16:00:00Z'), calendar });
    expect(at.status).toBe('overdue');
    expect(at.calendarDaysLeft).toBe(-1);
  });

  it('a working-day rule across National Day', () => {
    const a = answerDeadline({ policy, ruleId: 'dibao-decision', date: '2024-09-28', now: new Date('2024-10-07T17:00:00Z'), calendar });
    expect(a).toMatchObject({ due: '2024-10-16', durationText: '10个工作日', today: '2024-10-08', calendarDaysLeft: 8, workingDaysLeft: 7 });
    expect(JSON.parse(JSON.stringify(a)).expiresAt).toBe('2024-10-16T16:00:00.000Z');
  });

  it('a county-chosen limit says so', () => {
    const a = answerDeadline({ policy, ruleId: 'clue-transfer', date: '2024-06-03', now: new Date('2024-06-03T02:00:00Z'), calendar });
    expect(a.due).toBe('2024-06-11'); // 4, 5, 6, 7 Jun, 10 Jun 端午 off, 11 Jun
    expect(formatDeadlineAnswer(a)).toContain('本县自行设定');
  });

  it('unknown rule: Chinese error listing the valid ids', () => {
    const run = () => answerDeadline({ policy, ruleId: 'nope', date: '2024-06-03', now: testNow(), calendar });
    expect(run).toThrow(UnknownRuleError);
    expect(run).toThrow(/未知的期限规则“nope”。可用的规则编号：.*death-review.*dibao-decision/);
  });

  it('missing holiday data: months rule answers with a note, working-day rule fails', () => {
    const a = answerDeadline({ policy, ruleId: 'death-review', date: '2026-11-30', now: new Date('2026-12-01T02:00:00Z'), calendar });
    expect(a.due).toBe('2027-02-28');
    expect(a.workingDaysLeft).toBeNull();
    expect(a.notes.join('')).toContain('2027年的法定节假日安排尚未录入');
    expect(() =>
      answerDeadline({ policy, ruleId: 'dibao-overall', date: '2026-12-01', now: new Date('2026-12-01T02:00:00Z'), calendar }),
    ).toThrow(CalendarCoverageError);
  });
});
