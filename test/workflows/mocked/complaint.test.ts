// Real-name complaint (实名举报) with mocked activities: the workflow's branches on the time-skipping server, no database.
import fs from 'node:fs';
import path from 'node:path';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ComplaintActivities, ComplaintContext } from '../../../activities/complaints.js';
import type { NotifyActivities } from '../../../activities/notify.js';
import { beijingDateOf } from '../../../domain/cases/clock.js';
import { complaintCloseDeadline, computeDeadline, escalationSchedule, reminderSchedule } from '../../../domain/policy/compute.js';
import { presets } from '../../../domain/policy/load.js';
import type { EscalationLevel } from '../../../domain/policy/schema.js';
import {
  closeComplaintUpdate,
  complaintExtendUpdate,
  complaintStatusQuery,
  recordAcceptanceNoticeUpdate,
  recordExtensionNoticeUpdate,
  recordFeedbackUpdate,
  recordVerificationUpdate,
  transferClueUpdate,
} from '../../../domain/steps/updates/complaint.js';
import { createCalendarFromData } from '../../../domain/time/work-calendar.js';
import type { complaint } from '../../../workflows/complaint.js';
import { testCalendarData } from '../../support/clock.js';
import { connectTimeSkipping, testDataConverter } from '../../support/temporal.js';
import { callArgs, completedResult, orTerminate, dedupeKeys, mockActivities, mockedWorker, refusal, until, untilPhase } from './support.js';

type Handle = WorkflowHandle<typeof complaint>;
type Acts = Pick<
  ComplaintActivities,
  | 'registerComplaint'
  | 'resolveComplaintRecipients'
  | 'recordComplaintAcceptanceNotice'
  | 'recordComplaintExtension'
  | 'recordComplaintExtensionNotice'
  | 'recordComplaintVerification'
  | 'recordComplaintFeedback'
  | 'transferDisciplineClue'
  | 'closeComplaint'
> &
  Pick<NotifyActivities, 'notify'>;

const policy = presets.wenshui;
const calendarData = testCalendarData();
const OFFICE = 201; // 专班办公室: full reader and verifier, the assignee
const LEADER = 202; // 专班组长
const TOWNSHIP = 203; // the subject township's reader: verifies, never contacts the complainant
const DISCIPLINE = 204; // 纪检联络
const ACCUSED = 205; // a full reader who is accused in the accusation case
const OUTSIDER = 999;

function context(accusation: boolean): ComplaintContext {
  return {
    complaintId: 61,
    caseId: 62,
    clueId: accusation ? 63 : null,
    ledgerNo: 'JB-2026-0001',
    accusation,
    assigneeStaffId: OFFICE,
    fullReaderIds: [OFFICE, LEADER, ACCUSED],
    verifierIds: [OFFICE, LEADER, TOWNSHIP, ACCUSED],
    leaderIds: [LEADER],
    clueHandlerIds: [DISCIPLINE, LEADER],
  };
}
const recipients: Record<EscalationLevel, number | null> = { assignee: OFFICE, unitHead: TOWNSHIP, taskForceOffice: OFFICE, taskForceDeputy: LEADER, taskForceLeader: LEADER };

function activities(accusation = false) {
  return mockActivities<Acts>({
    registerComplaint: async () => context(accusation),
    resolveComplaintRecipients: async () => recipients,
    recordComplaintAcceptanceNotice: async () => {},
    recordComplaintExtension: async () => {},
    recordComplaintExtensionNotice: async () => {},
    recordComplaintVerification: async () => {},
    recordComplaintFeedback: async () => {},
    transferDisciplineClue: async () => {},
    closeComplaint: async () => {},
    notify: async () => ({ notificationId: 1, created: true }),
  });
}

describe('complaint, mocked activities (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await connectTimeSkipping();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  let seq = 0;
  async function run<T>(acts: ReturnType<typeof activities>, accused: number | null, body: (h: Handle, today: string) => Promise<T>): Promise<T> {
    const { worker, taskQueue } = await mockedWorker(env, 'cp-mocked', acts);
    return worker.runUntil(async () => {
      const now = await env.currentTimeMs();
      const handle = await env.client.workflow.start<typeof complaint>('complaint', {
        taskQueue,
        workflowId: `complaint:1:${seq++}:${taskQueue}`,
        args: [{ countyRegionId: 1, channel: '电话', receivedAt: new Date(now).toISOString(), complainant: { name: '周建国' }, summary: '反映低保评议不公开', accusedStaffId: accused, policy, calendar: calendarData }],
      });
      return orTerminate(handle, async () => {
        await untilPhase(() => handle.query(complaintStatusQuery), 'acceptance');
        return body(handle, beijingDateOf(now));
      });
    });
  }
  const status = (h: Handle) => h.query(complaintStatusQuery);

  it('不予受理: the reason is required; the complainant is told and the entry closes without a handling stage', async () => {
    const acts = activities();
    const result = await run(acts, null, async (h, today) => {
      expect(callArgs(acts.notify)).toEqual([
        expect.objectContaining({ recipientStaffId: OFFICE, kind: 'complaint', dedupeKey: `${h.workflowId}:registered`, actions: [expect.objectContaining({ step: 'cp.accept' })] }),
      ]);
      const notice = { decision: '不予受理' as const, noticeOn: today, method: '书面', byStaffId: OFFICE };
      expect(await refusal(h.executeUpdate(recordAcceptanceNoticeUpdate, { args: [notice], updateId: 'no-reason' }))).toBe('不予受理理由不能为空');
      expect(await refusal(h.executeUpdate(recordAcceptanceNoticeUpdate, { args: [{ ...notice, reason: '不属于本机关职责', byStaffId: TOWNSHIP }], updateId: 'township' }))).toBe('该工作人员无权登记受理告知');
      await h.executeUpdate(recordAcceptanceNoticeUpdate, { args: [{ ...notice, reason: '不属于本机关职责' }], updateId: 'na-1' });
      return completedResult(env, h);
    });
    expect(callArgs(acts.recordComplaintAcceptanceNotice)).toEqual([expect.objectContaining({ updateId: 'na-1', decision: '不予受理', handlingDueAt: null })]);
    expect(result).toMatchObject({ phase: 'closed', handling: null, acceptanceDecision: { decision: '不予受理', reason: '不属于本机关职责' } });
    expect(callArgs(acts.closeComplaint)).toEqual([expect.objectContaining({ complaintId: 61, reason: '不予受理并已告知信访人：不属于本机关职责' })]);
    expect(acts.recordComplaintVerification).not.toHaveBeenCalled();
    expect(dedupeKeys(acts.notify)).toEqual([`${result.workflowId}:registered`]);
  });

  it('受理 → extension only with the 专班组长 and a notice → verification → feedback → explicit 办结', async () => {
    const acts = activities();
    const result = await run(acts, null, async (h, today) => {
      const handling = await h.executeUpdate(recordAcceptanceNoticeUpdate, { args: [{ noticeOn: today, method: '当面', byStaffId: OFFICE }], updateId: 'acc-1' });
      const expected = computeDeadline(policy, 'complaint-handling', today, createCalendarFromData(calendarData));
      expect(handling).toMatchObject({ ruleId: 'complaint-handling', due: expected.due, expiresAt: expected.expiresAt.toISOString(), doneOn: null });
      expect(callArgs(acts.recordComplaintAcceptanceNotice)[0]).toMatchObject({ acceptedOn: today, handlingDueAt: expected.expiresAt.toISOString() });
      expect((await status(h)).phase).toBe('handling');

      const ext = { reason: '涉及多个部门，需进一步核查', byStaffId: LEADER };
      expect(await refusal(h.executeUpdate(recordExtensionNoticeUpdate, { args: [{ noticeOn: today, method: '电话', byStaffId: OFFICE }], updateId: 'en-early' }))).toBe('延期尚未经工作专班组长批准');
      expect(await refusal(h.executeUpdate(complaintExtendUpdate, { args: [{ ...ext, byStaffId: OFFICE }], updateId: 'ext-office' }))).toBe('该工作人员无权批准延期（须为工作专班组长）');
      await h.executeUpdate(complaintExtendUpdate, { args: [ext], updateId: 'ext-1' });
      await h.executeUpdate(complaintExtendUpdate, { args: [ext], updateId: 'ext-1' }); // the same event again: once
      expect(await refusal(h.executeUpdate(complaintExtendUpdate, { args: [ext], updateId: 'ext-2' }))).toBe('办理期限只能延长一次');
      expect(acts.recordComplaintExtension).toHaveBeenCalledTimes(1);
      // Approved but not yet told: the handling deadline is still the first one.
      expect((await status(h)).extension).toMatchObject({ approved: true, noticed: false, handling: null });
      const extended = await h.executeUpdate(recordExtensionNoticeUpdate, { args: [{ noticeOn: today, method: '电话', byStaffId: OFFICE }], updateId: 'en-1' });
      const expectedExt = computeDeadline(policy, 'complaint-handling-extended', today, createCalendarFromData(calendarData));
      expect(extended.expiresAt).toBe(expectedExt.expiresAt.toISOString());
      expect(Date.parse(extended.expiresAt)).toBeGreaterThan(Date.parse(handling.expiresAt));

      expect(await refusal(h.executeUpdate(recordFeedbackUpdate, { args: [{ feedbackOn: today, method: '电话', byStaffId: OFFICE }], updateId: 'fb-early' }))).toBe('尚未登记核实结果，不能反馈');
      expect(await refusal(h.executeUpdate(closeComplaintUpdate, { args: [{ note: '已整改', byStaffId: OFFICE }], updateId: 'close-early' }))).toBe('尚未向信访人反馈办理结果，不能办结');
      await h.executeUpdate(recordVerificationUpdate, { args: [{ finding: '部分属实', result: '评议未张榜公示，已责令补正', byStaffId: TOWNSHIP }], updateId: 'ver-1' });
      // The township reader verifies but may not contact the complainant.
      expect(await refusal(h.executeUpdate(recordFeedbackUpdate, { args: [{ feedbackOn: today, method: '电话', byStaffId: TOWNSHIP }], updateId: 'fb-township' }))).toBe('该工作人员无权登记反馈');
      expect(acts.closeComplaint).not.toHaveBeenCalled();
      await h.executeUpdate(recordFeedbackUpdate, { args: [{ feedbackOn: today, method: '电话', content: '已责令补正公示', byStaffId: OFFICE }], updateId: 'fb-1' });

      // Fed back: waiting for 办结, with a card to the handling unit; nothing closes by itself.
      const waiting = await untilPhase(() => status(h), 'awaitingClose');
      expect(waiting.extension.handling?.doneOn).toBe(today);
      await until(async () => acts.notify.mock.calls.length === 2);
      expect(callArgs(acts.notify)[1]).toMatchObject({ recipientStaffId: OFFICE, dedupeKey: `${h.workflowId}:close-request`, actions: [expect.objectContaining({ step: 'cp.close' })] });
      expect(acts.closeComplaint).not.toHaveBeenCalled();
      expect(await refusal(h.executeUpdate(closeComplaintUpdate, { args: [{ note: '已整改', byStaffId: OUTSIDER }], updateId: 'close-outsider' }))).toBe('该工作人员无权办结本信访事项');
      await h.executeUpdate(closeComplaintUpdate, { args: [{ note: '已整改并反馈', byStaffId: TOWNSHIP }], updateId: 'close-1' });
      return completedResult(env, h);
    });
    expect(result).toMatchObject({ phase: 'closed', closure: { byStaffId: TOWNSHIP, note: '已整改并反馈' } });
    expect(callArgs(acts.closeComplaint)).toEqual([expect.objectContaining({ reason: '已办结：已整改并反馈', byStaffId: TOWNSHIP, updateId: 'close-1' })]);
    expect(callArgs(acts.recordComplaintVerification)).toEqual([expect.objectContaining({ finding: '部分属实', byStaffId: TOWNSHIP, updateId: 'ver-1' })]);
  });

  it('accusation: the accused is recused, 不予受理 is refused, 办结 waits for the clue transfer', async () => {
    const acts = activities(true);
    const result = await run(acts, ACCUSED, async (h, today) => {
      expect((await status(h)).clue).toMatchObject({ ruleId: 'clue-transfer', doneOn: null });
      expect(await refusal(h.executeUpdate(recordAcceptanceNoticeUpdate, { args: [{ noticeOn: today, method: '书面', byStaffId: ACCUSED }], updateId: 'acc-accused' }))).toBe('被举报人须回避，不能办理本事项');
      expect(await refusal(h.executeUpdate(recordAcceptanceNoticeUpdate, { args: [{ decision: '不予受理', reason: '查无此事', noticeOn: today, method: '书面', byStaffId: OFFICE }], updateId: 'acc-no' }))).toBe('检举控告须移交纪检监察机关处理，不能不予受理');
      // Standing in for someone else does not help the accused either.
      expect(await refusal(h.executeUpdate(transferClueUpdate, { args: [{ transferredTo: '县纪委监委', transferredOn: today, byStaffId: ACCUSED, onBehalfOfStaffId: LEADER }], updateId: 'clue-accused' }))).toBe('被举报人须回避，不能办理本事项');
      await h.executeUpdate(recordAcceptanceNoticeUpdate, { args: [{ noticeOn: today, method: '书面', byStaffId: OFFICE }], updateId: 'acc-1' });
      await h.executeUpdate(recordVerificationUpdate, { args: [{ finding: '属实', result: '经核实存在优亲厚友', byStaffId: LEADER }], updateId: 'ver-1' });
      await h.executeUpdate(recordFeedbackUpdate, { args: [{ feedbackOn: today, method: '书面', byStaffId: OFFICE }], updateId: 'fb-1' });
      expect(await refusal(h.executeUpdate(closeComplaintUpdate, { args: [{ note: '已办结', byStaffId: OFFICE }], updateId: 'close-early' }))).toBe('问题线索尚未移交纪检监察机关，不能办结');
      expect((await status(h)).phase).toBe('handling');
      expect(await refusal(h.executeUpdate(transferClueUpdate, { args: [{ transferredTo: '县纪委监委', transferredOn: today, byStaffId: OFFICE }], updateId: 'clue-office' }))).toContain('无权移交问题线索');
      await h.executeUpdate(transferClueUpdate, { args: [{ transferredTo: '县纪委监委', transferredOn: today, receipt: 'HZ-01', byStaffId: DISCIPLINE }], updateId: 'clue-1' });
      await untilPhase(() => status(h), 'awaitingClose');
      await h.executeUpdate(closeComplaintUpdate, { args: [{ note: '线索已移交，已反馈', byStaffId: OFFICE }], updateId: 'close-1' });
      return completedResult(env, h);
    });
    expect(result).toMatchObject({ phase: 'closed', accusation: true, clue: { doneOn: expect.any(String) } });
    expect(callArgs(acts.transferDisciplineClue)).toEqual([expect.objectContaining({ clueId: 63, byStaffId: DISCIPLINE, receipt: 'HZ-01', updateId: 'clue-1' })]);
  });

  it('accepted and never fed back: the handling ladder runs in order, and no extension after expiry', async () => {
    const acts = activities();
    await run(acts, null, async (h, today) => {
      await h.executeUpdate(recordAcceptanceNoticeUpdate, { args: [{ noticeOn: today, method: '当面', byStaffId: OFFICE }], updateId: 'acc-1' });
      const d = computeDeadline(policy, 'complaint-handling', today, createCalendarFromData(calendarData));
      const events = [
        ...reminderSchedule(policy, d.due).map((r) => `handling:reminder:${r.daysBefore}`),
        ...escalationSchedule(policy, d.expiresAt).map((s) => `handling:escalation:${s.level}`),
      ];
      const lastMs = Math.max(...escalationSchedule(policy, d.expiresAt).map((s) => s.at.getTime()));
      await env.sleep(lastMs + 3_600_000 - (await env.currentTimeMs()));
      await until(async () => (await status(h)).notified.length === events.length);
      expect((await status(h)).notified).toEqual(events.map((k) => `${h.workflowId}:${k}`));
      expect(dedupeKeys(acts.notify)).toEqual([`${h.workflowId}:registered`, ...events.map((k) => `${h.workflowId}:${k}`)]);
      expect(callArgs(acts.resolveComplaintRecipients).every((r) => r.stage === 'handling')).toBe(true);
      expect(await refusal(h.executeUpdate(complaintExtendUpdate, { args: [{ reason: '需要更多时间', byStaffId: LEADER }], updateId: 'ext-late' }))).toBe('办理期限已过，不能再批准延期');
      await h.terminate('end of test');
    });
  });

  it('fed back and never closed: the 办结 ladder reminds the closer, then escalates; after 办结 nothing more', async () => {
    const acts = activities();
    const result = await run(acts, null, async (h, today) => {
      await h.executeUpdate(recordAcceptanceNoticeUpdate, { args: [{ noticeOn: today, method: '当面', byStaffId: OFFICE }], updateId: 'acc-1' });
      await h.executeUpdate(recordVerificationUpdate, { args: [{ finding: '不属实', result: '经查发放记录完整', byStaffId: TOWNSHIP }], updateId: 'ver-1' });
      await h.executeUpdate(recordFeedbackUpdate, { args: [{ feedbackOn: today, method: '电话', byStaffId: OFFICE }], updateId: 'fb-1' });
      const fedBackMs = await env.currentTimeMs();
      const waiting = await untilPhase(() => status(h), 'awaitingClose');
      const d = complaintCloseDeadline(policy, today, createCalendarFromData(calendarData));
      expect(d).toMatchObject({ ruleId: 'complaint-close', unit: 'workingDays', amount: 5, anchorKind: 'feedbackDate' });
      expect(waiting.close).toEqual({ ruleId: 'complaint-close', due: d.due, expiresAt: d.expiresAt.toISOString(), doneOn: null });

      const planned = [
        ...reminderSchedule(policy, d.due)
          .filter((r) => r.at.getTime() >= fedBackMs)
          .map((r) => ({ key: `${h.workflowId}:close:reminder:${r.daysBefore}`, atMs: r.at.getTime(), to: OFFICE })),
        ...escalationSchedule(policy, d.expiresAt).map((s) => ({ key: `${h.workflowId}:close:escalation:${s.level}`, atMs: s.at.getTime(), to: recipients[s.level] })),
      ].sort((a, b) => a.atMs - b.atMs);
      const firstEscalation = planned.findIndex((e) => e.key.includes(':escalation:'));
      expect(firstEscalation).toBeGreaterThan(0); // at least one reminder before the due date
      expect(planned.length).toBeGreaterThan(firstEscalation + 1); // more escalations left for after 办结
      const sentSoFar = planned.slice(0, firstEscalation + 1);

      // Just before the first reminder: only the registration and the close-request card.
      await env.sleep(Math.max(0, planned[0]!.atMs - 60_000 - (await env.currentTimeMs())));
      expect(dedupeKeys(acts.notify)).toEqual([`${h.workflowId}:registered`, `${h.workflowId}:close-request`]);
      // Past the first escalation (the deadline expired): the reminders and that escalation, each at its instant.
      await env.sleep(sentSoFar.at(-1)!.atMs + 60_000 - (await env.currentTimeMs()));
      await until(async () => (await status(h)).notified.length === sentSoFar.length);
      expect((await status(h)).notified).toEqual(sentSoFar.map((e) => e.key));
      const ladderCalls = callArgs(acts.notify).slice(2);
      expect(ladderCalls.map((n) => n.dedupeKey)).toEqual(sentSoFar.map((e) => e.key));
      ladderCalls.forEach((n, i) => {
        const e = sentSoFar[i]!;
        expect(n.recipientStaffId).toBe(e.to);
        expect(Date.parse(n.sentAt!)).toBeGreaterThanOrEqual(e.atMs);
        expect(Date.parse(n.sentAt!)).toBeLessThan(e.atMs + 60_000);
        expect(n.text).toContain('登记办结');
        expect(n.text).not.toContain('周建国');
      });
      expect(ladderCalls.at(-1)!.text).toContain('逾期');
      expect(callArgs(acts.resolveComplaintRecipients).filter((r) => r.stage === 'close')).toHaveLength(sentSoFar.length);

      await h.executeUpdate(closeComplaintUpdate, { args: [{ note: '经查不属实，已答复', byStaffId: OFFICE }], updateId: 'close-1' });
      const done = await completedResult(env, h);
      // Long after the last planned escalation: nothing more went out.
      await env.sleep(planned.at(-1)!.atMs + 24 * 3_600_000 - (await env.currentTimeMs()));
      expect(dedupeKeys(acts.notify)).toEqual([`${h.workflowId}:registered`, `${h.workflowId}:close-request`, ...sentSoFar.map((e) => e.key)]);
      return done;
    });
    expect(result).toMatchObject({ phase: 'closed', close: { ruleId: 'complaint-close', doneOn: expect.any(String) }, closure: { byStaffId: OFFICE } });
    expect(callArgs(acts.closeComplaint)).toEqual([expect.objectContaining({ updateId: 'close-1' })]);
  });

  it('replays a complaint that waited for 办结 without a ladder (patched: complaint-close-ladder)', async () => {
    // Recorded (mocked activities) with the workflow as of the commit before 'complaint-close-ladder': fed back,
    // 20 days awaiting 办结 with no reminder, then closed. One patch marker (complaint-close-step), no timer after it.
    const file = path.join(import.meta.dirname, '../fixtures/histories/complaint-closed-before-close-ladder.binpb');
    const history = proto.temporal.api.history.v1.History.decode(fs.readFileSync(file));
    const EventType = proto.temporal.api.enums.v1.EventType;
    const events = history.events ?? [];
    const markers = events.filter((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED);
    expect(markers).toHaveLength(1);
    const afterMarker = events.slice(events.indexOf(markers[0]!));
    expect(afterMarker.some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED)).toBe(false);
    expect(afterMarker.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)).toEqual(['notify', 'closeComplaint']);
    expect(events.at(-1)?.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter }, history, 'complaint-before-close-ladder'),
    ).resolves.toBeUndefined();
  });
});
