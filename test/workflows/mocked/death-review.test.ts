// Death review (死亡核查) with mocked activities: the workflow's branches on the time-skipping server, no database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CaseActivities, DeathReviewCaseContext } from '../../../activities/cases.js';
import type { NotifyActivities } from '../../../activities/notify.js';
import { monthsCoveredByKind, type DecideArgs } from '../../../domain/cases/index.js';
import { computeDeadline, escalationSchedule, reminderSchedule } from '../../../domain/policy/compute.js';
import { presets } from '../../../domain/policy/load.js';
import type { EscalationLevel } from '../../../domain/policy/schema.js';
import {
  approveWriteOffUpdate,
  confirmOverpaymentUpdate,
  deathReviewStatusQuery,
  decideUpdate,
  recordRecoveryUpdate,
} from '../../../domain/steps/updates/death-review.js';
import { addCalendarDays } from '../../../domain/time/local-date.js';
import type { deathReview } from '../../../workflows/death-review.js';
import { testToday } from '../../support/clock.js';
import { connectTimeSkipping } from '../../support/temporal.js';
import { callArgs, completedResult, orTerminate, dedupeKeys, mockActivities, mockedWorker, refusal, until, untilPhase } from './support.js';

type Handle = WorkflowHandle<typeof deathReview>;
type Acts = Pick<CaseActivities, 'openDeathReviewCase' | 'recordDeathReviewDecision' | 'recordCaseRecovery' | 'recordCaseStep' | 'closeCase' | 'resolveEscalationRecipients'> &
  Pick<NotifyActivities, 'notify'>;

const policy = presets.zhangzi;
const CASEWORKER = 101;
const HEAD = 102;
const COUNTY = 103;
const LEADER = 104;
const OUTSIDER = 999;
const CASE_ID = 7001;
/** Died 40 days before the tests' today: due 3 months after, so the ladder lies ahead. */
const deathDate = addCalendarDays(testToday(), -40);
const deathMonth = deathDate.slice(0, 7);
const nextMonth = addCalendarDays(`${deathMonth}-01`, 31).slice(0, 7);

const caseContext: DeathReviewCaseContext = {
  caseId: CASE_ID,
  householdId: 5001,
  townshipId: 301,
  assigneeStaffId: CASEWORKER,
  allowedStaffIds: [CASEWORKER, HEAD, COUNTY, LEADER],
  leaderStaffIds: [LEADER],
  currentMonthlyAmount: 500,
  subjectLabel: '张三（1401**********0011）',
  heldEnrolmentIds: [8001],
};
/** Who holds each level of the ladder: nobody is 乡镇负责人 (that level is skipped). */
const recipients: Record<EscalationLevel, number | null> = {
  assignee: CASEWORKER,
  unitHead: null,
  taskForceOffice: COUNTY,
  taskForceDeputy: LEADER,
  taskForceLeader: LEADER,
};

/** Canned activities: the over-payment each decision implies, recoveries summed in memory. */
function activities(overpaidCents: number) {
  let recovered = 0;
  return mockActivities<Acts>({
    openDeathReviewCase: async () => caseContext,
    recordDeathReviewDecision: async () => ({ overpaidCents, months: overpaidCents > 0 ? [{ month: nextMonth, cents: overpaidCents }] as never : [] }),
    recordCaseRecovery: async (i) => ({ recoveredCents: (recovered += i.amountCents) }),
    recordCaseStep: async () => {},
    closeCase: async () => {},
    resolveEscalationRecipients: async () => recipients,
    notify: async () => ({ notificationId: 1, created: true }),
  });
}

let seq = 0;

describe('death review, mocked activities (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await connectTimeSkipping();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  async function run<T>(acts: ReturnType<typeof activities>, body: (h: Handle) => Promise<T>): Promise<T> {
    const { worker, taskQueue } = await mockedWorker(env, 'dr-mocked', acts);
    return worker.runUntil(async () => {
      const memberId = 9000 + seq++;
      const handle = await env.client.workflow.start<typeof deathReview>('deathReview', {
        taskQueue,
        workflowId: `death-review:1:${memberId}:${taskQueue}`,
        args: [{ countyRegionId: 1, memberId, deathDate, source: '村报', policy }],
      });
      return orTerminate(handle, async () => {
        await untilPhase(() => handle.query(deathReviewStatusQuery), 'reviewing');
        return body(handle);
      });
    });
  }
  const status = (h: Handle) => h.query(deathReviewStatusQuery);
  const stop: DecideArgs = { decision: '停发', effectiveMonth: nextMonth, decidedByStaffId: CASEWORKER, note: '户内无其他成员' };

  it('停发 with an over-payment: decides once per update id, waits for a confirmation by someone else, recovers, closes', async () => {
    const acts = activities(100_000);
    const result = await run(acts, async (h) => {
      // Refused before any activity runs: the wrong staff, a 减发 that is no reduction, an unknown decision.
      expect(await refusal(h.executeUpdate(decideUpdate, { args: [{ ...stop, decidedByStaffId: OUTSIDER }], updateId: 'bad-1' }))).toContain('该工作人员无权对本案作出决定');
      expect(await refusal(h.executeUpdate(decideUpdate, { args: [{ ...stop, decision: '减发', newMonthlyAmount: 500 }], updateId: 'bad-2' }))).toContain('必须低于现金额（500元）');
      expect(await refusal(h.executeUpdate(decideUpdate, { args: [{ ...stop, decision: '减发' }], updateId: 'bad-3' }))).toBe('减发须填写减发后的月保障金额');
      expect(await refusal(h.executeUpdate(decideUpdate, { args: [{ ...stop, effectiveMonth: '1999-01' }], updateId: 'bad-4' }))).toContain(`早于死亡月份 ${deathMonth}`);
      expect(acts.recordDeathReviewDecision).not.toHaveBeenCalled();

      // The same platform event delivered twice decides once; another event is refused.
      const first = await h.executeUpdate(decideUpdate, { args: [stop], updateId: 'evt-1' });
      const again = await h.executeUpdate(decideUpdate, { args: [stop], updateId: 'evt-1' });
      expect(again).toEqual(first);
      expect(first).toMatchObject({ caseId: CASE_ID, overpaidCents: 100_000 });
      expect(await refusal(h.executeUpdate(decideUpdate, { args: [stop], updateId: 'evt-2' }))).toBe('本案已作出决定，不能重复决定');
      expect(acts.recordDeathReviewDecision).toHaveBeenCalledTimes(1);
      expect(callArgs(acts.recordDeathReviewDecision)[0]).toMatchObject({ caseId: CASE_ID, updateId: 'evt-1', args: stop, deathMonth, monthsCoveredByKind: monthsCoveredByKind(policy) });

      // Confirming: the card goes to the 专班组长 (not the decider); nothing can be recovered or written off yet.
      expect((await status(h)).phase).toBe('confirming');
      await until(async () => acts.notify.mock.calls.length > 0);
      expect(callArgs(acts.notify)).toEqual([
        expect.objectContaining({ recipientStaffId: LEADER, kind: 'approval-request', dedupeKey: `${h.workflowId}:confirm-overpayment`, caseId: CASE_ID, actions: [expect.objectContaining({ step: 'dr.confirm' })] }),
      ]);
      expect(await refusal(h.executeUpdate(recordRecoveryUpdate, { args: [{ amount: 100, recordedByStaffId: HEAD }], updateId: 'rec-early' }))).toContain('超发金额尚未确认');
      expect(await refusal(h.executeUpdate(approveWriteOffUpdate, { args: [{ reason: '无法追回', byStaffId: LEADER }], updateId: 'wo-early' }))).toContain('超发金额尚未确认');
      expect(await refusal(h.executeUpdate(confirmOverpaymentUpdate, { args: [{ amount: 1000, byStaffId: CASEWORKER }], updateId: 'cf-self' }))).toBe('超发金额须由作出决定以外的工作人员确认');
      expect(await refusal(h.executeUpdate(confirmOverpaymentUpdate, { args: [{ amount: 999, byStaffId: HEAD }], updateId: 'cf-wrong' }))).toContain('与计算的超发金额 1000.00 元不一致');
      expect(await h.executeUpdate(confirmOverpaymentUpdate, { args: [{ amount: 1000, byStaffId: HEAD }], updateId: 'cf-1' })).toEqual({ overpaidCents: 100_000 });
      expect(callArgs(acts.recordCaseStep)).toEqual([expect.objectContaining({ action: 'case.overpayment-confirmed', updateId: 'cf-1', byStaffId: HEAD, entry: { overpaidCents: 100_000 } })]);
      expect((await status(h)).phase).toBe('recovering');

      // Recoveries: not more than what is left; the last one closes the case.
      expect(await refusal(h.executeUpdate(recordRecoveryUpdate, { args: [{ amount: 1000.01, recordedByStaffId: HEAD }], updateId: 'rec-too-much' }))).toContain('追回金额超过尚未追回的金额（1000.00元）');
      expect(await h.executeUpdate(recordRecoveryUpdate, { args: [{ amount: 400, recordedByStaffId: HEAD }], updateId: 'rec-1' })).toEqual({ recoveredCents: 40_000, remainingCents: 60_000 });
      expect(acts.closeCase).not.toHaveBeenCalled();
      await h.executeUpdate(recordRecoveryUpdate, { args: [{ amount: 600, recordedByStaffId: COUNTY }], updateId: 'rec-2' });
      return completedResult(env, h);
    });
    expect(result).toMatchObject({ phase: 'closed', overpaidCents: 100_000, recoveredCents: 100_000, writeOff: null });
    expect(callArgs(acts.recordCaseRecovery).map((r) => [r.updateId, r.amountCents])).toEqual([['rec-1', 40_000], ['rec-2', 60_000]]);
    expect(callArgs(acts.closeCase)).toEqual([expect.objectContaining({ caseId: CASE_ID, reason: '已作出决定，超发资金已全部追回' })]);
    // Decided long before the due date: no reminder or escalation went out.
    expect(dedupeKeys(acts.notify)).toEqual([`${result.workflowId}:confirm-overpayment`]);
  });

  it('维持 with nothing over-paid: no confirmation step, closes at once', async () => {
    const acts = activities(0);
    const result = await run(acts, async (h) => {
      const r = await h.executeUpdate(decideUpdate, { args: [{ ...stop, decision: '维持' }], updateId: 'keep-1' });
      expect(r.overpaidCents).toBe(0);
      return completedResult(env, h);
    });
    expect(result).toMatchObject({ phase: 'closed', overpaidCents: 0, overpaymentConfirmed: null });
    expect(acts.notify).not.toHaveBeenCalled();
    expect(acts.recordCaseStep).not.toHaveBeenCalled();
    expect(callArgs(acts.closeCase)).toEqual([expect.objectContaining({ reason: '已作出决定，无超发资金' })]);
  });

  it('write-off: only the 专班组长, only once, of what is left; then the case closes', async () => {
    const acts = activities(150_000);
    const result = await run(acts, async (h) => {
      await h.executeUpdate(decideUpdate, { args: [{ ...stop, decidedByStaffId: HEAD }], updateId: 'd-1' });
      await h.executeUpdate(confirmOverpaymentUpdate, { args: [{ amount: 1500, byStaffId: LEADER }], updateId: 'c-1' });
      await h.executeUpdate(recordRecoveryUpdate, { args: [{ amount: 500, recordedByStaffId: CASEWORKER }], updateId: 'r-1' });
      expect(await refusal(h.executeUpdate(approveWriteOffUpdate, { args: [{ reason: '家中无财产可追', byStaffId: HEAD }], updateId: 'w-head' }))).toBe('核销须由本县专班组长批准');
      expect(await refusal(h.executeUpdate(approveWriteOffUpdate, { args: [{ reason: '无', byStaffId: LEADER }], updateId: 'w-short' }))).toContain('核销理由');
      expect(await h.executeUpdate(approveWriteOffUpdate, { args: [{ reason: '家中无财产可追', byStaffId: LEADER }], updateId: 'w-1' })).toEqual({ writtenOffCents: 100_000 });
      return completedResult(env, h);
    });
    expect(result).toMatchObject({ phase: 'closed', recoveredCents: 50_000, writeOff: { cents: 100_000, byStaffId: LEADER, updateId: 'w-1' } });
    expect(callArgs(acts.recordCaseStep).map((s) => [s.action, s.entry.writtenOffCents ?? s.entry.overpaidCents])).toEqual([
      ['case.overpayment-confirmed', 150_000],
      ['case.written-off', 100_000],
    ]);
    // The confirmation card skips the decider (HEAD is no leader) and goes to the only 专班组长.
    expect(callArgs(acts.notify).map((n) => n.recipientStaffId)).toEqual([LEADER]);
    expect(callArgs(acts.closeCase)).toEqual([expect.objectContaining({ reason: '已作出决定，未追回部分经专班组长批准核销' })]);
  });

  it('no decision: reminders, then the escalation ladder in order at their instants, a vacant level skipped; a late decision stops it', async () => {
    const acts = activities(0);
    const deadline = computeDeadline(policy, 'death-review', deathDate);
    const events = [
      ...reminderSchedule(policy, deadline.due).map((r) => ({ key: `reminder:${r.daysBefore}`, at: r.at, to: recipients.assignee })),
      ...escalationSchedule(policy, deadline.expiresAt).map((s) => ({ key: `escalation:${s.level}`, at: s.at, to: recipients[s.level] })),
    ];
    const sent = events.filter((e) => e.to !== null);
    expect(events.length - sent.length).toBe(1); // the 乡镇负责人 level, vacant
    const last = events.at(-1)!.at.getTime();

    const result = await run(acts, async (h) => {
      expect((await status(h)).overdue).toBe(false);
      await env.sleep(last + 3_600_000 - (await env.currentTimeMs()));
      await until(async () => (await status(h)).notified.length === events.length);
      const s = await status(h);
      expect(s.notified).toEqual(events.map((e) => `${h.workflowId}:${e.key}`));
      expect(s.overdue).toBe(true);
      // Each at its instant (the timer fires there; the activation reads the clock a few ms later).
      const calls = callArgs(acts.notify);
      expect(calls.map((n) => ({ key: n.dedupeKey, to: n.recipientStaffId, kind: n.kind }))).toEqual(
        sent.map((e) => ({ key: `${h.workflowId}:${e.key}`, to: e.to, kind: e.key.split(':')[0] })),
      );
      calls.forEach((n, i) => expect(Date.parse(n.sentAt) - sent[i]!.at.getTime()).toSatisfy((d: number) => d >= 0 && d < 1_000));
      expect(acts.resolveEscalationRecipients).toHaveBeenCalledTimes(events.length);
      await h.executeUpdate(decideUpdate, { args: [{ ...stop, decision: '维持' }], updateId: 'late' });
      return completedResult(env, h);
    });
    expect(result.phase).toBe('closed');
    expect(acts.notify).toHaveBeenCalledTimes(sent.length);
  });
});
