// Prisoner exit (服刑退出) with mocked activities: the workflow's branches on the time-skipping server, no database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CaseActivities } from '../../../activities/cases.js';
import type { NotifyActivities } from '../../../activities/notify.js';
import type { PrisonExitActivities, PrisonExitCaseContext } from '../../../activities/prison-exit.js';
import { beijingDateOf } from '../../../domain/cases/clock.js';
import { monthsCoveredByKind, prisonExitDeadlineRuleId, type PrisonDecideArgs, type PrisonExitTrack } from '../../../domain/cases/index.js';
import { computeDeadline, escalationSchedule, reminderSchedule } from '../../../domain/policy/compute.js';
import { presets } from '../../../domain/policy/load.js';
import type { EscalationLevel } from '../../../domain/policy/schema.js';
import {
  postTerminationUpdate,
  prisonDecideUpdate,
  prisonExitStatusQuery,
  prisonRecoveryUpdate,
  releasedUpdate,
  terminationObjectionUpdate,
} from '../../../domain/steps/updates/prison-exit.js';
import { addCalendarDays, formatDateZh, type LocalDate } from '../../../domain/time/local-date.js';
import type { prisonExit } from '../../../workflows/prison-exit.js';
import { connectTimeSkipping } from '../../support/temporal.js';
import { callArgs, completedResult, dedupeKeys, mockActivities, mockedWorker, orTerminate, refusal, until, untilPhase } from './support.js';

type Handle = WorkflowHandle<typeof prisonExit>;
type Acts = Pick<
  PrisonExitActivities,
  'openPrisonExitCase' | 'recordPrisonExitDecision' | 'recordTerminationPosted' | 'recordTerminationObjection' | 'completeTekunTermination' | 'recordPrisonRelease'
> &
  Pick<CaseActivities, 'recordCaseRecovery' | 'closeCase' | 'resolveEscalationRecipients'> &
  Pick<NotifyActivities, 'notify'>;

const policy = presets.zhangzi;
/** The county's own 'prison-exit' rule where it has one (长子 does), else the death-review rule. */
const ruleId = prisonExitDeadlineRuleId(policy);
const CASEWORKER = 301;
const HEAD = 302;
const COUNTY = 303;
const LEADER = 304;
const OUTSIDER = 999;
const CASE_ID = 8101;
const DAY = 86_400_000;
/** Nobody is 乡镇负责人: that level of the ladder is skipped. */
const recipients: Record<EscalationLevel, number | null> = { assignee: CASEWORKER, unitHead: null, taskForceOffice: COUNTY, taskForceDeputy: LEADER, taskForceLeader: LEADER };

/** 'YYYY-MM' of the month after `date`'s month. */
const monthAfter = (date: LocalDate) => addCalendarDays(`${date.slice(0, 7)}-01`, 31).slice(0, 7);

function activities(track: PrisonExitTrack, overpaidCents: number) {
  let recovered = 0;
  const context: PrisonExitCaseContext = {
    caseId: CASE_ID,
    householdId: 6101,
    townshipId: 401,
    track,
    assigneeStaffId: CASEWORKER,
    allowedStaffIds: [CASEWORKER, HEAD, COUNTY, LEADER],
    currentMonthlyAmount: track === 'none' ? 0 : 800,
    subjectLabel: '赵六（1401**********0033）',
  };
  const months = overpaidCents > 0 ? [{ month: '2000-01', paidCents: overpaidCents, entitledCents: 0, overCents: overpaidCents }] : [];
  return mockActivities<Acts>({
    openPrisonExitCase: async () => context,
    recordPrisonExitDecision: async () => ({ overpaidCents, months }),
    recordTerminationPosted: async () => {},
    recordTerminationObjection: async () => {},
    completeTekunTermination: async () => ({ overpaidCents, months }),
    recordPrisonRelease: async () => ({ caseworkerStaffId: CASEWORKER }),
    recordCaseRecovery: async (i) => ({ recoveredCents: (recovered += i.amountCents) }),
    closeCase: async () => {},
    resolveEscalationRecipients: async () => recipients,
    notify: async () => ({ notificationId: 1, created: true }),
  });
}

describe('prison exit, mocked activities (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await connectTimeSkipping();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  let seq = 0;
  /** Starts a case imprisoned `daysAgo` days before the server's now; the body gets the handle, today and the imprisonment date. */
  async function run<T>(acts: ReturnType<typeof activities>, daysAgo: number, body: (h: Handle, today: LocalDate, imprisonmentDate: LocalDate) => Promise<T>): Promise<T> {
    const { worker, taskQueue } = await mockedWorker(env, 'pe-mocked', acts);
    return worker.runUntil(async () => {
      const now = await env.currentTimeMs();
      const imprisonmentDate = beijingDateOf(now - daysAgo * DAY);
      const memberId = 9100 + seq++;
      const handle = await env.client.workflow.start<typeof prisonExit>('prisonExit', {
        taskQueue,
        workflowId: `prison-exit:1:${memberId}:${taskQueue}`,
        args: [{ countyRegionId: 1, memberId, imprisonmentDate, source: '司法', policy }],
      });
      return orTerminate(handle, async () => {
        await until(async () => ((await handle.query(prisonExitStatusQuery)).phase !== 'opening' ? true : null));
        return body(handle, beijingDateOf(now), imprisonmentDate);
      });
    });
  }
  const status = (h: Handle) => h.query(prisonExitStatusQuery);

  it('低保: refuses bad steps before any activity, decides once, tells the caseworker of the release once, recovers, closes', async () => {
    const acts = activities('dibao', 120_000);
    const result = await run(acts, 40, async (h, today, imprisonmentDate) => {
      expect((await status(h)).phase).toBe('reviewing');
      const first = monthAfter(imprisonmentDate);
      const decide: PrisonDecideArgs = { newMonthlyAmount: 500, effectiveMonth: first, byStaffId: CASEWORKER };
      const tomorrow = addCalendarDays(today, 1);
      const refusals: Array<[() => Promise<unknown>, string]> = [
        [() => h.executeUpdate(prisonDecideUpdate, { args: [{ ...decide, byStaffId: OUTSIDER }], updateId: 'd-outsider' }), '该工作人员无权对本案作出决定（须为本乡镇经办人、乡镇负责人或县级工作人员）'],
        [() => h.executeUpdate(prisonDecideUpdate, { args: [{ ...decide, newMonthlyAmount: 800 }], updateId: 'd-same' }), '剔除服刑人员后的月保障金额（800元）必须低于现金额（800元）'],
        [() => h.executeUpdate(prisonDecideUpdate, { args: [{ ...decide, effectiveMonth: imprisonmentDate.slice(0, 7) }], updateId: 'd-early' }), `生效月份 ${imprisonmentDate.slice(0, 7)} 不能早于服刑次月（${first}）`],
        [() => h.executeUpdate(prisonDecideUpdate, { args: [{ ...decide, effectiveMonth: '2026-13' }], updateId: 'd-format' }), '生效月份“2026-13”格式不正确，应为 YYYY-MM（如 2026-12）'],
        [() => h.executeUpdate(postTerminationUpdate, { args: [{ postedOn: today, byStaffId: CASEWORKER }], updateId: 'p-dibao' }), '本案不是特困人员终止供养，无需公示'],
        [() => h.executeUpdate(terminationObjectionUpdate, { args: [{ receivedOn: today, summary: '有异议', byStaffId: CASEWORKER }], updateId: 'o-dibao' }), '本案不是特困人员终止供养，无公示可提异议'],
        [() => h.executeUpdate(prisonRecoveryUpdate, { args: [{ amount: 100, byStaffId: CASEWORKER }], updateId: 'r-early' }), '本案尚未作出决定，无需登记追回'],
        [() => h.executeUpdate(releasedUpdate, { args: [{ releasedOn: tomorrow, byStaffId: CASEWORKER }], updateId: 'rel-future' }), '释放日期不能晚于今天'],
        [() => h.executeUpdate(releasedUpdate, { args: [{ releasedOn: addCalendarDays(imprisonmentDate, -1), byStaffId: CASEWORKER }], updateId: 'rel-before' }), `释放日期不能早于服刑日期（${formatDateZh(imprisonmentDate)}）`],
      ];
      for (const [send, message] of refusals) expect(await refusal(send())).toBe(message);
      expect(acts.recordPrisonExitDecision).not.toHaveBeenCalled();
      expect(acts.recordPrisonRelease).not.toHaveBeenCalled();

      // The same event twice decides once; another event is refused.
      const d1 = await h.executeUpdate(prisonDecideUpdate, { args: [decide], updateId: 'd-1' });
      expect(await h.executeUpdate(prisonDecideUpdate, { args: [decide], updateId: 'd-1' })).toEqual(d1);
      expect(d1).toMatchObject({ caseId: CASE_ID, overpaidCents: 120_000 });
      expect(await refusal(h.executeUpdate(prisonDecideUpdate, { args: [decide], updateId: 'd-2' }))).toBe('本案已作出决定，不能重复决定');
      expect(callArgs(acts.recordPrisonExitDecision)).toEqual([
        expect.objectContaining({ caseId: CASE_ID, updateId: 'd-1', args: decide, imprisonmentMonth: imprisonmentDate.slice(0, 7), monthsCoveredByKind: monthsCoveredByKind(policy) }),
      ]);
      await untilPhase(() => status(h), 'recovering');

      // 刑满释放: recorded once, the caseworker told once.
      await h.executeUpdate(releasedUpdate, { args: [{ releasedOn: today, byStaffId: HEAD, note: '提前释放' }], updateId: 'rel-1' });
      expect(await refusal(h.executeUpdate(releasedUpdate, { args: [{ releasedOn: today, byStaffId: HEAD }], updateId: 'rel-2' }))).toBe('已登记过刑满释放，不能重复登记');
      expect(callArgs(acts.recordPrisonRelease)).toEqual([expect.objectContaining({ caseId: CASE_ID, updateId: 'rel-1', releasedOn: today, byStaffId: HEAD, note: '提前释放' })]);
      expect(callArgs(acts.notify)).toEqual([
        expect.objectContaining({ recipientStaffId: CASEWORKER, kind: 'release', dedupeKey: `${h.workflowId}:released`, caseId: CASE_ID, text: expect.stringContaining(formatDateZh(today)) }),
      ]);

      expect(await refusal(h.executeUpdate(prisonRecoveryUpdate, { args: [{ amount: 1200.01, byStaffId: HEAD }], updateId: 'r-much' }))).toBe('追回金额超过尚未追回的金额（1200.00元）');
      expect(await refusal(h.executeUpdate(prisonRecoveryUpdate, { args: [{ amount: 0, byStaffId: HEAD }], updateId: 'r-zero' }))).toBe('追回金额必须是大于 0、最多两位小数的数字');
      expect(await h.executeUpdate(prisonRecoveryUpdate, { args: [{ amount: 500, byStaffId: HEAD }], updateId: 'r-1' })).toEqual({ recoveredCents: 50_000, remainingCents: 70_000 });
      expect(acts.closeCase).not.toHaveBeenCalled();
      await h.executeUpdate(prisonRecoveryUpdate, { args: [{ amount: 700, byStaffId: COUNTY }], updateId: 'r-2' });
      return completedResult(env, h);
    });
    expect(result).toMatchObject({ phase: 'closed', track: 'dibao', overpaidCents: 120_000, recoveredCents: 120_000, decision: { updateId: 'd-1' }, release: { updateId: 'rel-1' }, overdue: false });
    expect(callArgs(acts.recordCaseRecovery).map((r) => [r.updateId, r.amountCents, r.recordedByStaffId])).toEqual([['r-1', 50_000, HEAD], ['r-2', 70_000, COUNTY]]);
    expect(callArgs(acts.closeCase)).toEqual([expect.objectContaining({ caseId: CASE_ID, reason: '已办结退出手续，超发资金已全部追回' })]);
    // Decided long before the due date: nothing but the release went out.
    expect(dedupeKeys(acts.notify)).toEqual([`${result.workflowId}:released`]);
    expect(acts.completeTekunTermination).not.toHaveBeenCalled();
  });

  it('no support held: closes at once, nothing to decide and nobody chased', async () => {
    const acts = activities('none', 0);
    const result = await run(acts, 40, async (h) => completedResult(env, h));
    expect(result).toMatchObject({ phase: 'closed', track: 'none', overpaidCents: null, notified: [] });
    expect(callArgs(acts.closeCase)).toEqual([expect.objectContaining({ caseId: CASE_ID, reason: '该家庭无在保待遇，无需办理退出' })]);
    expect(acts.notify).not.toHaveBeenCalled();
    expect(acts.resolveEscalationRecipients).not.toHaveBeenCalled();
  });

  it('found late (低保): opens overdue, every escalation already due goes out at once without stale reminders; a decision with nothing over-paid closes it', async () => {
    const acts = activities('dibao', 0);
    await run(acts, 150, async (h, today, imprisonmentDate) => {
      const deadline = computeDeadline(policy, ruleId, imprisonmentDate);
      const steps = escalationSchedule(policy, deadline.expiresAt);
      expect(steps.every((s) => s.at.getTime() < Date.parse(`${today}T00:00:00+08:00`))).toBe(true); // the case opens after the whole ladder
      await until(async () => (await status(h)).notified.length === steps.length);
      const s = await status(h);
      expect(s).toMatchObject({ ruleId, due: deadline.due, expiresAt: deadline.expiresAt.toISOString(), overdue: true });
      expect(s.notified).toEqual(steps.map((e) => `${h.workflowId}:escalation:${e.level}`));
      expect(callArgs(acts.notify).map((n) => [n.dedupeKey, n.recipientStaffId, n.kind])).toEqual(
        steps.filter((e) => recipients[e.level] !== null).map((e) => [`${h.workflowId}:escalation:${e.level}`, recipients[e.level], 'escalation']),
      );
      await h.executeUpdate(prisonDecideUpdate, { args: [{ newMonthlyAmount: 0, effectiveMonth: monthAfter(imprisonmentDate), byStaffId: LEADER }], updateId: 'late' });
      expect((await status(h)).overdue).toBe(false);
      const result = await completedResult(env, h);
      expect(result).toMatchObject({ phase: 'closed', overpaidCents: 0 });
    });
    expect(callArgs(acts.closeCase)).toEqual([expect.objectContaining({ reason: '已办结退出手续，无超发资金' })]);
  });

  it('特困: 公示, an objection sends it back to review, a second 公示 ends without objection and stops support the month after it ends', async () => {
    const acts = activities('tekun', 30_000);
    const result = await run(acts, 40, async (h, today) => {
      expect(await refusal(h.executeUpdate(prisonDecideUpdate, { args: [{ newMonthlyAmount: 0, effectiveMonth: '2099-01', byStaffId: CASEWORKER }], updateId: 'd-tekun' }))).toBe(
        '本案为特困人员终止供养，请先张贴终止供养公示，不适用低保金额调整',
      );
      expect(await refusal(h.executeUpdate(terminationObjectionUpdate, { args: [{ receivedOn: today, summary: '本人不同意', byStaffId: CASEWORKER }], updateId: 'o-none' }))).toBe(
        '当前没有进行中的终止供养公示，不能登记异议',
      );
      expect(await refusal(h.executeUpdate(postTerminationUpdate, { args: [{ postedOn: addCalendarDays(today, 1), byStaffId: CASEWORKER }], updateId: 'p-future' }))).toBe('公示张贴日期不能晚于今天');
      expect(await refusal(h.executeUpdate(postTerminationUpdate, { args: [{ postedOn: today, byStaffId: OUTSIDER }], updateId: 'p-outsider' }))).toContain('该工作人员无权张贴终止供养公示');
      expect(acts.recordTerminationPosted).not.toHaveBeenCalled();

      const pub1 = computeDeadline(policy, 'tekun-termination-publicity', today);
      expect(await h.executeUpdate(postTerminationUpdate, { args: [{ postedOn: today, byStaffId: CASEWORKER }], updateId: 'p-1' })).toEqual({ due: pub1.due, expiresAt: pub1.expiresAt.toISOString() });
      await untilPhase(() => status(h), 'publicity');
      expect(await refusal(h.executeUpdate(postTerminationUpdate, { args: [{ postedOn: today, byStaffId: CASEWORKER }], updateId: 'p-again' }))).toBe('终止供养公示正在进行中，不能重复张贴');
      expect(await refusal(h.executeUpdate(terminationObjectionUpdate, { args: [{ receivedOn: today, summary: ' ', byStaffId: HEAD }], updateId: 'o-empty' }))).toBe('异议内容不能为空，且不超过 500 字');

      // Two days into the 公示 an objection arrives: back to review, the 公示 timer no longer ends the support.
      await env.sleep(2 * DAY);
      const objectedOn = beijingDateOf(await env.currentTimeMs());
      await h.executeUpdate(terminationObjectionUpdate, { args: [{ receivedOn: objectedOn, summary: '家属称其已取保候审', byStaffId: HEAD }], updateId: 'o-1' });
      expect(await status(h)).toMatchObject({ phase: 'reviewing', publicity: null, objections: 1, termination: null });
      expect(callArgs(acts.recordTerminationObjection)).toEqual([expect.objectContaining({ caseId: CASE_ID, updateId: 'o-1', receivedOn: objectedOn, byStaffId: HEAD })]);
      // Past the first 公示's end: still nothing terminated.
      await env.sleep(pub1.expiresAt.getTime() + 3_600_000 - (await env.currentTimeMs()));
      expect((await status(h)).termination).toBeNull();
      expect(acts.completeTekunTermination).not.toHaveBeenCalled();

      // Posted again; it runs out without objection.
      const postedOn = beijingDateOf(await env.currentTimeMs());
      const pub2 = computeDeadline(policy, 'tekun-termination-publicity', postedOn);
      await h.executeUpdate(postTerminationUpdate, { args: [{ postedOn, byStaffId: COUNTY }], updateId: 'p-2' });
      await untilPhase(() => status(h), 'publicity');
      await env.sleep(pub2.expiresAt.getTime() + 3_600_000 - (await env.currentTimeMs()));
      const recovering = await untilPhase(() => status(h), 'recovering');
      expect(recovering).toMatchObject({ termination: { effectiveMonth: monthAfter(pub2.due) }, overpaidCents: 30_000, objections: 1 });
      expect(callArgs(acts.completeTekunTermination)).toEqual([expect.objectContaining({ caseId: CASE_ID, effectiveMonth: monthAfter(pub2.due) })]);
      expect(await refusal(h.executeUpdate(postTerminationUpdate, { args: [{ postedOn, byStaffId: COUNTY }], updateId: 'p-3' }))).toBe('已终止供养，不能再次公示');

      await h.executeUpdate(prisonRecoveryUpdate, { args: [{ amount: 300, byStaffId: CASEWORKER }], updateId: 'r-1' });
      return completedResult(env, h);
    });
    expect(result).toMatchObject({ phase: 'closed', track: 'tekun', overpaidCents: 30_000, recoveredCents: 30_000 });
    expect(callArgs(acts.recordTerminationPosted).map((p) => p.updateId)).toEqual(['p-1', 'p-2']);
    expect(callArgs(acts.closeCase)).toEqual([expect.objectContaining({ reason: '已办结退出手续，超发资金已全部追回' })]);
    // The reminders lie weeks after these ten days: nobody was chased.
    expect(acts.notify).not.toHaveBeenCalled();
  });

  it('低保 without a decision: reminders, then the escalation ladder at their instants, a vacant level skipped; a late decision stops it', async () => {
    const acts = activities('dibao', 0);
    let sentCount = -1;
    await run(acts, 40, async (h, _today, imprisonmentDate) => {
      const deadline = computeDeadline(policy, ruleId, imprisonmentDate);
      const events = [
        ...reminderSchedule(policy, deadline.due).map((r) => ({ key: `reminder:${r.daysBefore}`, at: r.at, to: recipients.assignee })),
        ...escalationSchedule(policy, deadline.expiresAt).map((s) => ({ key: `escalation:${s.level}`, at: s.at, to: recipients[s.level] })),
      ];
      const sent = events.filter((e) => e.to !== null);
      expect(events.length - sent.length).toBe(1); // the vacant 乡镇负责人
      sentCount = sent.length;
      expect((await status(h)).overdue).toBe(false);
      await env.sleep(events.at(-1)!.at.getTime() + 3_600_000 - (await env.currentTimeMs()));
      await until(async () => (await status(h)).notified.length === events.length);
      const s = await status(h);
      expect(s.notified).toEqual(events.map((e) => `${h.workflowId}:${e.key}`));
      expect(s.overdue).toBe(true);
      const calls = callArgs(acts.notify);
      expect(calls.map((n) => [n.dedupeKey, n.recipientStaffId, n.kind])).toEqual(sent.map((e) => [`${h.workflowId}:${e.key}`, e.to, e.key.split(':')[0]]));
      calls.forEach((n, i) => expect(Date.parse(n.sentAt) - sent[i]!.at.getTime()).toSatisfy((d: number) => d >= 0 && d < 1_000));
      await h.executeUpdate(prisonDecideUpdate, { args: [{ newMonthlyAmount: 300, effectiveMonth: monthAfter(imprisonmentDate), byStaffId: CASEWORKER }], updateId: 'late' });
      expect((await completedResult(env, h)).phase).toBe('closed');
    });
    // Nothing more after the decision.
    expect(acts.notify).toHaveBeenCalledTimes(sentCount);
  });
});
