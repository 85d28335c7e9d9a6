// Rectification item (整改清单事项) with mocked activities: the workflow's branches on the time-skipping server, no database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CaseActivities } from '../../../activities/cases.js';
import type { NotifyActivities } from '../../../activities/notify.js';
import type { RectificationActivities } from '../../../activities/rectification.js';
import type { RectificationItemInput } from '../../../domain/cases/index.js';
import { escalationSchedule, reminderSchedule } from '../../../domain/policy/compute.js';
import { presets } from '../../../domain/policy/load.js';
import type { EscalationLevel } from '../../../domain/policy/schema.js';
import { confirmUpdate, rectificationStatusQuery, reportCompletedUpdate, reportProgressUpdate } from '../../../domain/steps/updates/rectification-item.js';
import { beijingDateOf } from '../../../domain/cases/clock.js';
import { endOfChinaDay } from '../../../domain/time/instants.js';
import { addCalendarDays } from '../../../domain/time/local-date.js';
import type { rectificationItem } from '../../../workflows/rectification-item.js';
import { connectTimeSkipping } from '../../support/temporal.js';
import { callArgs, completedResult, orTerminate, dedupeKeys, mockActivities, mockedWorker, refusal, until, untilPhase } from './support.js';

type Handle = WorkflowHandle<typeof rectificationItem>;
type Acts = Pick<RectificationActivities, 'openRectificationItem' | 'recordRectificationProgress' | 'recordRectificationTransition' | 'rectificationConfirmer'> &
  Pick<CaseActivities, 'resolveEscalationRecipients'> &
  Pick<NotifyActivities, 'notify'>;

const policy = presets.zhangzi;
const RESPONSIBLE = 401;
const UNIT_HEAD = 402;
const OFFICE = 403; // 专班办公室: confirms
const LEADER = 404;
const OUTSIDER = 999;
const recipients: Record<EscalationLevel, number | null> = { assignee: RESPONSIBLE, unitHead: UNIT_HEAD, taskForceOffice: OFFICE, taskForceDeputy: LEADER, taskForceLeader: LEADER };

function activities() {
  let recovered = 0;
  return mockActivities<Acts>({
    openRectificationItem: async () => ({ itemId: 71, caseId: 72, seq: 3, status: 'IN_PROGRESS', townshipId: 301, unitHeadStaffIds: [UNIT_HEAD], confirmerStaffIds: [OFFICE, LEADER, RESPONSIBLE] }),
    recordRectificationProgress: async (i) => ({ recoveredCents: (recovered += i.recoveredCents) }),
    recordRectificationTransition: async () => {},
    rectificationConfirmer: async () => OFFICE,
    resolveEscalationRecipients: async () => recipients,
    notify: async () => ({ notificationId: 1, created: true }),
  });
}

describe('rectification item, mocked activities (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await connectTimeSkipping();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  let seq = 0;
  function item(today: string): RectificationItemInput {
    return {
      countyRegionId: 1,
      problem: '低保对象家庭财产核查不到位',
      source: '督查',
      seq: ++seq,
      responsibleRegionId: 301,
      responsibleUnit: '丹朱镇人民政府',
      responsibleStaffId: RESPONSIBLE,
      measures: '逐户复核并追回违规资金',
      discoveryDate: today,
      deadline: addCalendarDays(today, 20),
    };
  }
  async function run<T>(acts: ReturnType<typeof activities>, body: (h: Handle, input: RectificationItemInput) => Promise<T>, change: Partial<RectificationItemInput> = {}): Promise<T> {
    const { worker, taskQueue } = await mockedWorker(env, 'rc-mocked', acts);
    return worker.runUntil(async () => {
      const input = { ...item(beijingDateOf(await env.currentTimeMs())), ...change };
      const handle = await env.client.workflow.start<typeof rectificationItem>('rectificationItem', {
        taskQueue,
        workflowId: `rectification:1:seq-${input.seq}:${taskQueue}`,
        args: [{ ...input, policy }],
      });
      return orTerminate(handle, () => body(handle, input));
    });
  }
  const status = (h: Handle) => h.query(rectificationStatusQuery);

  it('bad input fails the workflow with the Chinese reason before anything is written', async () => {
    const acts = activities();
    const error = await run(acts, (h) => completedResult(env, h).then(() => null, (e: unknown) => e), { source: '网传' as never });
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toBe('问题来源只能是：自查、举报、大数据比对、督查');
    expect(acts.openRectificationItem).not.toHaveBeenCalled();
  });

  it('progress, completion report with a card to the 专班, refusals, confirmation closes the item', async () => {
    const acts = activities();
    const result = await run(acts, async (h) => {
      await untilPhase(async () => ({ phase: (await status(h)).status }), 'IN_PROGRESS');
      expect(await refusal(h.executeUpdate(reportProgressUpdate, { args: [{ note: '已入户', byStaffId: OUTSIDER }], updateId: 'p-out' }))).toBe('只有该事项的责任人或责任单位负责人可以报告整改进展');
      expect(await h.executeUpdate(reportProgressUpdate, { args: [{ note: '已追回部分资金', recoveredAmount: 120.5, byStaffId: UNIT_HEAD }], updateId: 'p-1' })).toEqual({ recoveredCents: 12_050 });
      expect(await refusal(h.executeUpdate(confirmUpdate, { args: [{ accepted: true, byStaffId: OFFICE }], updateId: 'c-early' }))).toBe('责任单位尚未报告整改完成，不能确认');

      await h.executeUpdate(reportCompletedUpdate, { args: [{ byStaffId: RESPONSIBLE, note: '已全部整改' }], updateId: 'done-1' });
      expect((await status(h)).status).toBe('AWAITING_CONFIRMATION');
      expect(await refusal(h.executeUpdate(reportCompletedUpdate, { args: [{ byStaffId: RESPONSIBLE }], updateId: 'done-2' }))).toBe('已报告整改完成，正在等待专班确认');
      expect(callArgs(acts.notify)).toEqual([
        expect.objectContaining({ recipientStaffId: OFFICE, kind: 'approval', dedupeKey: `${h.workflowId}:confirm-request:done-1`, caseId: 72, actions: [expect.objectContaining({ step: 'rc.confirm', values: { verdict: '同意销号' } }), expect.objectContaining({ step: 'rc.confirm', values: { verdict: '退回整改' } })] }),
      ]);
      expect(await refusal(h.executeUpdate(confirmUpdate, { args: [{ accepted: true, byStaffId: RESPONSIBLE }], updateId: 'c-self' }))).toBe('责任人不能确认自己负责的整改事项');
      expect(await refusal(h.executeUpdate(confirmUpdate, { args: [{ accepted: false, byStaffId: OFFICE }], updateId: 'c-no-reason' }))).toBe('不同意销号时须写明理由');
      expect(await refusal(h.executeUpdate(confirmUpdate, { args: [{ accepted: true, byStaffId: UNIT_HEAD }], updateId: 'c-head' }))).toBe('只有本县专班办公室或专班组长可以确认整改结果');
      await h.executeUpdate(confirmUpdate, { args: [{ accepted: true, byStaffId: LEADER, note: '同意销号' }], updateId: 'c-1' });
      return completedResult(env, h);
    });
    expect(result).toMatchObject({ status: 'COMPLETED', progressReports: 1, recoveredCents: 12_050, rejections: 0, notified: [] });
    expect(callArgs(acts.recordRectificationTransition).map((t) => [t.updateId, t.to, t.action])).toEqual([
      ['done-1', 'AWAITING_CONFIRMATION', 'rectification.completed-reported'],
      ['c-1', 'COMPLETED', 'rectification.confirmed'],
    ]);
  });

  it('ladder: paused while awaiting confirmation; a rejection resumes it without resending or stale reminders', async () => {
    const acts = activities();
    await run(acts, async (h, input) => {
      const key = (k: string) => `${h.workflowId}:${k}`;
      const reminders = reminderSchedule(policy, input.deadline!);
      const escalations = escalationSchedule(policy, endOfChinaDay(input.deadline!));
      const at = (daysBefore: number) => reminders.find((r) => r.daysBefore === daysBefore)!.at.getTime();
      const sleepTo = async (ms: number) => env.sleep(ms - (await env.currentTimeMs()));
      await untilPhase(async () => ({ phase: (await status(h)).status }), 'IN_PROGRESS');

      // Up to the 3-days-before reminder.
      await sleepTo(at(3) + 3_600_000);
      await until(async () => acts.notify.mock.calls.length === 2);
      expect(dedupeKeys(acts.notify)).toEqual([key('reminder:7'), key('reminder:3')]);

      // Completion reported: nothing more while the 专班 decides, even past the deadline.
      await h.executeUpdate(reportCompletedUpdate, { args: [{ byStaffId: RESPONSIBLE }], updateId: 'done-1' });
      await sleepTo(escalations[0]!.at.getTime() + 3_600_000);
      expect(dedupeKeys(acts.notify)).toEqual([key('reminder:7'), key('reminder:3'), key('confirm-request:done-1')]);

      // Rejected: the responsible person is told; the escalation already due goes out at once; the
      // reminders whose time passed while it waited (1 day, due day) are never sent.
      await h.executeUpdate(confirmUpdate, { args: [{ accepted: false, note: '追回资金不足', byStaffId: OFFICE }], updateId: 'rej-1' });
      await until(async () => acts.notify.mock.calls.length === 5);
      // (The query reads the workflow time of the last activation: the rejection's, past the deadline.)
      expect(await status(h)).toMatchObject({ status: 'IN_PROGRESS', overdue: true, rejections: 1 });
      expect(callArgs(acts.notify).slice(3)).toEqual([
        expect.objectContaining({ recipientStaffId: RESPONSIBLE, kind: 'rectification-rejected', dedupeKey: key('rejected:rej-1') }),
        expect.objectContaining({ recipientStaffId: recipients[escalations[0]!.level], kind: 'escalation', dedupeKey: key(`escalation:${escalations[0]!.level}`) }),
      ]);
      // Then on to the next level at its instant.
      await sleepTo(escalations[1]!.at.getTime() + 3_600_000);
      await until(async () => acts.notify.mock.calls.length === 6);
      expect(callArgs(acts.notify)[5]).toMatchObject({ recipientStaffId: recipients[escalations[1]!.level], dedupeKey: key(`escalation:${escalations[1]!.level}`) });

      // A second completion report gets a card of its own; rejected again, the ladder goes on with the next
      // level only: the levels already sent are not sent again.
      await h.executeUpdate(reportCompletedUpdate, { args: [{ byStaffId: UNIT_HEAD }], updateId: 'done-2' });
      await h.executeUpdate(confirmUpdate, { args: [{ accepted: false, note: '台账不全', byStaffId: OFFICE }], updateId: 'rej-2' });
      await sleepTo(escalations[2]!.at.getTime() + 3_600_000);
      await until(async () => acts.notify.mock.calls.length >= 9);
      const levels = escalations.slice(0, 3).map((e) => `escalation:${e.level}`);
      expect(dedupeKeys(acts.notify)).toEqual(
        ['reminder:7', 'reminder:3', 'confirm-request:done-1', 'rejected:rej-1', levels[0]!, levels[1]!, 'confirm-request:done-2', 'rejected:rej-2', levels[2]!].map(key),
      );

      // Accepted: the ladder stops for good.
      await h.executeUpdate(reportCompletedUpdate, { args: [{ byStaffId: RESPONSIBLE }], updateId: 'done-3' });
      await h.executeUpdate(confirmUpdate, { args: [{ accepted: true, byStaffId: LEADER }], updateId: 'ok-3' });
      const result = await completedResult(env, h);
      expect(result).toMatchObject({ status: 'COMPLETED', rejections: 2 });
      expect(result.notified).toEqual(['reminder:7', 'reminder:3', ...levels].map(key));
      expect(acts.notify).toHaveBeenCalledTimes(10);
    });
  });
});
