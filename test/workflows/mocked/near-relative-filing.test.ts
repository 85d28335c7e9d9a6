// Near-relative filing (近亲属备案) with mocked activities: the workflow's branches on the time-skipping server, no database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CaseActivities } from '../../../activities/cases.js';
import type { FilingActivities, FilingContext } from '../../../activities/filings.js';
import type { NotifyActivities } from '../../../activities/notify.js';
import { beijingDateOf } from '../../../domain/cases/clock.js';
import { computeDeadline, escalationSchedule, reminderSchedule } from '../../../domain/policy/compute.js';
import { presets } from '../../../domain/policy/load.js';
import type { EscalationLevel } from '../../../domain/policy/schema.js';
import { filingDecideUpdate, filingSupplementUpdate, nearRelativeFilingStatusQuery, recordHomeVisitUpdate } from '../../../domain/steps/updates/near-relative-filing.js';
import { addCalendarDays, type LocalDate } from '../../../domain/time/local-date.js';
import { createCalendarFromData } from '../../../domain/time/work-calendar.js';
import type { nearRelativeFiling } from '../../../workflows/near-relative-filing.js';
import { testCalendarData } from '../../support/clock.js';
import { connectTimeSkipping } from '../../support/temporal.js';
import { callArgs, completedResult, dedupeKeys, mockActivities, mockedWorker, orTerminate, refusal, until, untilPhase } from './support.js';

type Handle = WorkflowHandle<typeof nearRelativeFiling>;
type Acts = Pick<FilingActivities, 'openNearRelativeFiling' | 'recordFilingDecision' | 'recordFilingSupplement' | 'recordFilingHomeVisit' | 'resolveFilingEscalationRecipients'> &
  Pick<CaseActivities, 'closeCase'> &
  Pick<NotifyActivities, 'notify'>;

const policy = presets.zhangzi;
const calendarData = testCalendarData();
const calendar = createCalendarFromData(calendarData, { estimateUncovered: true });
const STAFF = 401; // the township caseworker whose relative this is, and who filed it
const ALSO_RELATED = 402; // a county staff member who declared the same relative
const SECTION_HEAD = 411; // approves (the assignee)
const LEADER = 412; // approves
const DEPUTY = 413; // 副组长: approves only when standing in for the leader
const SECTION_CW = 414; // county caseworker: records the home visit, never approves
const OFFICE = 415;
const FILING_ID = 71;
const CASE_ID = 72;
/** The county chain the filing's ladder climbs (never the relative's township head). */
const filingRecipients: Record<EscalationLevel, number | null> = { assignee: SECTION_HEAD, unitHead: SECTION_HEAD, taskForceOffice: OFFICE, taskForceDeputy: null, taskForceLeader: LEADER };

function activities() {
  const context: FilingContext = {
    filingId: FILING_ID,
    caseId: CASE_ID,
    status: 'SUBMITTED',
    subjectLabel: '孙七（1401**********0044，李四的配偶）',
    assigneeStaffId: SECTION_HEAD,
    approverStaffIds: [SECTION_HEAD, LEADER, ALSO_RELATED],
    homeVisitStaffIds: [SECTION_CW, SECTION_HEAD, LEADER, ALSO_RELATED],
    conflictedStaffIds: [STAFF, ALSO_RELATED],
    filedByStaffId: STAFF,
    applicationId: null,
    homeVisitDate: null,
  };
  return mockActivities<Acts>({
    openNearRelativeFiling: async () => context,
    recordFilingDecision: async (i) => ({ status: i.decision === 'approve' ? 'APPROVED' : i.decision === 'reject' ? 'REJECTED' : 'MORE_INFO_REQUESTED', decidedAt: i.decidedAt }),
    recordFilingSupplement: async () => ({ status: 'SUBMITTED' }),
    recordFilingHomeVisit: async (i) => ({ homeVisitDate: i.visitDate }),
    resolveFilingEscalationRecipients: async () => filingRecipients,
    closeCase: async () => {},
    notify: async () => ({ notificationId: 1, created: true }),
  });
}

describe('near-relative filing, mocked activities (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await connectTimeSkipping();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  let seq = 0;
  async function run<T>(acts: ReturnType<typeof activities>, body: (h: Handle, today: LocalDate, startMs: number) => Promise<T>): Promise<T> {
    const { worker, taskQueue } = await mockedWorker(env, 'nr-mocked', acts);
    return worker.runUntil(async () => {
      const now = await env.currentTimeMs();
      const handle = await env.client.workflow.start<typeof nearRelativeFiling>('nearRelativeFiling', {
        taskQueue,
        workflowId: `near-relative-filing:1:${STAFF}:member-${seq++}:${taskQueue}`,
        args: [{ countyRegionId: 1, staffId: STAFF, relative: { memberId: 5101 }, relation: 'spouse', source: 'staff', filedByStaffId: STAFF, policy, calendar: calendarData }],
      });
      return orTerminate(handle, async () => {
        await untilPhase(() => handle.query(nearRelativeFilingStatusQuery), 'awaitingDecision');
        return body(handle, beijingDateOf(now), now);
      });
    });
  }
  const status = (h: Handle) => h.query(nearRelativeFilingStatusQuery);

  it('补充材料 → supplement (a new round) → approval by a deputy standing in for the leader → waits for the county home visit → closes', async () => {
    const acts = activities();
    let visitDay = '';
    const result = await run(acts, async (h, today) => {
      const first = computeDeadline(policy, 'near-relative-approval', today, calendar);
      expect(await status(h)).toMatchObject({ round: 1, due: first.due, expiresAt: first.expiresAt.toISOString(), filingId: FILING_ID, caseId: CASE_ID });
      await until(async () => acts.notify.mock.calls.length === 1);
      expect(callArgs(acts.notify)[0]).toMatchObject({
        recipientStaffId: SECTION_HEAD,
        kind: 'approval-request',
        dedupeKey: `${h.workflowId}:decision-request:1`,
        actions: [expect.objectContaining({ values: { decision: 'approve' } }), expect.objectContaining({ values: { decision: 'reject' } }), expect.objectContaining({ values: { decision: 'moreInfo' } })],
      });

      // Refused before any activity runs.
      const refusals: Array<[() => Promise<unknown>, string]> = [
        [() => h.executeUpdate(filingDecideUpdate, { args: [{ decision: 'approve', byStaffId: STAFF }], updateId: 'self' }), '不能审批自己提交的近亲属备案'],
        [() => h.executeUpdate(filingDecideUpdate, { args: [{ decision: 'approve', byStaffId: ALSO_RELATED }], updateId: 'related' }), '该备案涉及您本人的近亲属，您须回避，不能审批'],
        [() => h.executeUpdate(filingDecideUpdate, { args: [{ decision: 'approve', byStaffId: SECTION_CW }], updateId: 'cw' }), '您无权审批本县的近亲属备案（须为县民政局股室负责人或工作专班组长）'],
        [() => h.executeUpdate(filingDecideUpdate, { args: [{ decision: 'approve', byStaffId: DEPUTY }], updateId: 'deputy-alone' }), '您无权审批本县的近亲属备案（须为县民政局股室负责人或工作专班组长）'],
        [() => h.executeUpdate(filingDecideUpdate, { args: [{ decision: 'approve', byStaffId: DEPUTY, onBehalfOfStaffId: 0 }], updateId: 'deputy-bad' }), '被代理的审批人编号无效'],
        [() => h.executeUpdate(filingDecideUpdate, { args: [{ decision: 'maybe' as never, byStaffId: LEADER }], updateId: 'maybe' }), '未知的审批结果“maybe”，只能是：批准、驳回或补充材料'],
        [() => h.executeUpdate(filingSupplementUpdate, { args: [{ note: '补充户籍证明', byStaffId: STAFF }], updateId: 'sup-early' }), '该备案当前不需要补充材料'],
      ];
      for (const [send, message] of refusals) expect(await refusal(send())).toBe(message);
      expect(acts.recordFilingDecision).not.toHaveBeenCalled();

      await h.executeUpdate(filingDecideUpdate, { args: [{ decision: 'moreInfo', note: '请补充户口簿复印件', byStaffId: SECTION_HEAD }], updateId: 'd-1' });
      await untilPhase(() => status(h), 'awaitingSupplement');
      await until(async () => acts.notify.mock.calls.length === 2);
      expect(callArgs(acts.notify)[1]).toMatchObject({ recipientStaffId: STAFF, kind: 'more-info', dedupeKey: `${h.workflowId}:more-info:1`, text: expect.stringContaining('请补充户口簿复印件') });
      expect(await refusal(h.executeUpdate(filingDecideUpdate, { args: [{ decision: 'approve', byStaffId: LEADER }], updateId: 'd-waiting' }))).toBe('已要求备案人补充材料，须待补充后再审批');
      expect(await refusal(h.executeUpdate(filingSupplementUpdate, { args: [{ note: '补充', byStaffId: SECTION_HEAD }], updateId: 'sup-other' }))).toBe('只有备案人本人可以补充材料');
      expect(await refusal(h.executeUpdate(filingSupplementUpdate, { args: [{ note: '  ', byStaffId: STAFF }], updateId: 'sup-empty' }))).toBe('请填写补充说明');

      // The supplement two days later starts round 2, whose deadline counts from that day.
      await env.sleep(2 * 86_400_000);
      const supplementDay = beijingDateOf(await env.currentTimeMs());
      const second = computeDeadline(policy, 'near-relative-approval', supplementDay, calendar);
      const sup = await h.executeUpdate(filingSupplementUpdate, { args: [{ note: '已补充户口簿复印件', byStaffId: STAFF }], updateId: 's-1' });
      expect(sup).toMatchObject({ filingId: FILING_ID, status: 'SUBMITTED', due: second.due });
      expect(callArgs(acts.recordFilingSupplement)).toEqual([expect.objectContaining({ caseId: CASE_ID, updateId: 's-1', anchorDate: supplementDay, dueAt: second.expiresAt.toISOString(), round: 2 })]);
      await until(async () => (await status(h)).due === second.due && acts.notify.mock.calls.length === 3);
      expect(await status(h)).toMatchObject({ phase: 'awaitingDecision', round: 2, expiresAt: second.expiresAt.toISOString() });
      expect(callArgs(acts.notify)[2]).toMatchObject({ recipientStaffId: SECTION_HEAD, dedupeKey: `${h.workflowId}:decision-request:2`, text: expect.stringContaining('（已补充材料）') });

      // 代理审批: the deputy stands in for the leader.
      const decided = await h.executeUpdate(filingDecideUpdate, { args: [{ decision: 'approve', note: '同意备案', byStaffId: DEPUTY, onBehalfOfStaffId: LEADER }], updateId: 'd-2' });
      expect(decided).toMatchObject({ filingId: FILING_ID, status: 'APPROVED', decision: 'approve', decidedByStaffId: DEPUTY });
      expect(callArgs(acts.recordFilingDecision).map((d) => [d.updateId, d.decision, d.round, d.onBehalfOfStaffId])).toEqual([['d-1', 'moreInfo', 1, undefined], ['d-2', 'approve', 2, LEADER]]);
      expect(await refusal(h.executeUpdate(filingDecideUpdate, { args: [{ decision: 'reject', byStaffId: LEADER }], updateId: 'd-3' }))).toBe('该备案已审批，不能重复审批');

      // Approved: the filer is told; the case stays open until the county home visit is recorded.
      await until(async () => acts.notify.mock.calls.length === 4);
      expect(callArgs(acts.notify)[3]).toMatchObject({ recipientStaffId: STAFF, kind: 'outcome', dedupeKey: `${h.workflowId}:outcome` });
      expect((await status(h)).phase).toBe('approved');
      expect(acts.closeCase).not.toHaveBeenCalled();
      visitDay = supplementDay;
      const visit = { visitDate: supplementDay, result: '入户核实，家庭情况属实', visitors: '县民政局两人' };
      const later = addCalendarDays(supplementDay, 1);
      expect(await refusal(h.executeUpdate(recordHomeVisitUpdate, { args: [{ ...visit, visitDate: later, byStaffId: SECTION_CW }], updateId: 'hv-future' }))).toBe(`入户调查日期 ${later} 晚于今天（${supplementDay}）`);
      expect(await refusal(h.executeUpdate(recordHomeVisitUpdate, { args: [{ ...visit, byStaffId: STAFF }], updateId: 'hv-self' }))).toBe('不能登记入户调查自己提交的近亲属备案');
      expect(await refusal(h.executeUpdate(recordHomeVisitUpdate, { args: [{ ...visit, byStaffId: ALSO_RELATED }], updateId: 'hv-related' }))).toBe('该备案涉及您本人的近亲属，您须回避，不能登记入户调查');
      expect(await refusal(h.executeUpdate(recordHomeVisitUpdate, { args: [{ ...visit, byStaffId: OFFICE }], updateId: 'hv-office' }))).toBe('县级入户调查须由县民政局工作人员登记');
      expect(await refusal(h.executeUpdate(recordHomeVisitUpdate, { args: [{ ...visit, result: '', byStaffId: SECTION_CW }], updateId: 'hv-empty' }))).toBe('请填写入户调查结果');
      await h.executeUpdate(recordHomeVisitUpdate, { args: [{ ...visit, byStaffId: SECTION_CW }], updateId: 'hv-1' });
      return completedResult(env, h);
    });
    expect(result).toMatchObject({ phase: 'closed', status: 'APPROVED', round: 2, homeVisitDate: visitDay });
    expect(callArgs(acts.recordFilingHomeVisit)).toEqual([expect.objectContaining({ caseId: CASE_ID, updateId: 'hv-1', byStaffId: SECTION_CW, visitors: '县民政局两人' })]);
    expect(callArgs(acts.closeCase)).toEqual([expect.objectContaining({ caseId: CASE_ID, reason: '近亲属备案已批准并完成县级入户调查' })]);
    // Decided within the deadlines: no reminder or escalation.
    expect(dedupeKeys(acts.notify)).toEqual(['decision-request:1', 'more-info:1', 'decision-request:2', 'outcome'].map((k) => `${result.workflowId}:${k}`));
  });

  it('a home visit recorded before the decision: approval closes at once; a second visit is refused', async () => {
    const acts = activities();
    const result = await run(acts, async (h, today) => {
      await h.executeUpdate(recordHomeVisitUpdate, { args: [{ visitDate: today, result: '已入户', byStaffId: LEADER }], updateId: 'hv-1' });
      expect(await refusal(h.executeUpdate(recordHomeVisitUpdate, { args: [{ visitDate: today, result: '再次入户', byStaffId: SECTION_CW }], updateId: 'hv-2' }))).toBe('该备案已登记县级入户调查结果');
      expect((await status(h)).homeVisitDate).toBe(today);
      await h.executeUpdate(filingDecideUpdate, { args: [{ decision: 'approve', byStaffId: SECTION_HEAD }], updateId: 'd-1' });
      return completedResult(env, h);
    });
    expect(result).toMatchObject({ phase: 'closed', status: 'APPROVED', round: 1 });
    expect(callArgs(acts.closeCase)).toEqual([expect.objectContaining({ reason: '近亲属备案已批准并完成县级入户调查' })]);
  });

  it('驳回: the filer is told, the case closes without waiting for a home visit', async () => {
    const acts = activities();
    const result = await run(acts, async (h) => {
      await h.executeUpdate(filingDecideUpdate, { args: [{ decision: 'reject', note: '关系证明不实', byStaffId: LEADER }], updateId: 'd-1' });
      return completedResult(env, h);
    });
    expect(result).toMatchObject({ phase: 'closed', status: 'REJECTED', homeVisitDate: null });
    expect(callArgs(acts.notify).at(-1)).toMatchObject({ recipientStaffId: STAFF, kind: 'outcome', text: expect.stringContaining('关系证明不实') });
    expect(callArgs(acts.closeCase)).toEqual([expect.objectContaining({ reason: '近亲属备案已驳回' })]);
    expect(acts.recordFilingHomeVisit).not.toHaveBeenCalled();
  });

  it('undecided: the working-day ladder of round 1 runs to the county chain once each; after a supplement round 2 has its own keys', async () => {
    const acts = activities();
    await run(acts, async (h, today, startMs) => {
      // The ladder planLadder builds: reminders from the round's start on, then every escalation.
      const ladder = (anchor: LocalDate, prefix: string, fromMs: number) => {
        const d = computeDeadline(policy, 'near-relative-approval', anchor, calendar);
        return [
          ...reminderSchedule(policy, d.due).map((r) => ({ key: `${prefix}reminder:${r.daysBefore}`, at: r.at.getTime(), to: filingRecipients.assignee })),
          ...escalationSchedule(policy, d.expiresAt).map((s) => ({ key: `${prefix}escalation:${s.level}`, at: s.at.getTime(), to: filingRecipients[s.level] })),
        ]
          .filter((e) => e.key.includes('escalation') || e.at >= fromMs)
          .sort((a, b) => a.at - b.at);
      };
      const round1 = ladder(today, '', startMs);
      await env.sleep(round1.at(-1)!.at + 3_600_000 - (await env.currentTimeMs()));
      const keys1 = [`decision-request:1`, ...round1.map((e) => e.key)].map((k) => `${h.workflowId}:${k}`);
      await until(async () => (await status(h)).notified.length === keys1.length);
      expect((await status(h)).notified).toEqual(keys1);
      expect(dedupeKeys(acts.notify)).toEqual(keys1.filter((_, i) => i === 0 || round1[i - 1]!.to !== null));
      expect(callArgs(acts.resolveFilingEscalationRecipients).every((r) => r.caseId === CASE_ID && r.countyRegionId === 1)).toBe(true);

      await h.executeUpdate(filingDecideUpdate, { args: [{ decision: 'moreInfo', note: '补充婚姻证明', byStaffId: LEADER }], updateId: 'd-1' });
      await untilPhase(() => status(h), 'awaitingSupplement');
      const supplementMs = await env.currentTimeMs();
      await h.executeUpdate(filingSupplementUpdate, { args: [{ note: '已补充', byStaffId: STAFF }], updateId: 's-1' });
      const round2 = ladder(beijingDateOf(supplementMs), 'round-2:', supplementMs);
      await env.sleep(round2.at(-1)!.at + 3_600_000 - (await env.currentTimeMs()));
      const keys2 = [...keys1, `${h.workflowId}:more-info:1`, `${h.workflowId}:decision-request:2`, ...round2.map((e) => `${h.workflowId}:${e.key}`)];
      await until(async () => (await status(h)).notified.length === keys2.length);
      expect((await status(h)).notified).toEqual(keys2);
      await h.executeUpdate(filingDecideUpdate, { args: [{ decision: 'reject', byStaffId: SECTION_HEAD }], updateId: 'd-2' });
      expect((await completedResult(env, h)).phase).toBe('closed');
    });
  });
});
