// Application review (申请审核确认) with mocked activities: the workflow's branches on the time-skipping server, no database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ApplicationActivities, ApplicationContext } from '../../../activities/applications.js';
import type { CaseActivities } from '../../../activities/cases.js';
import type { NotifyActivities } from '../../../activities/notify.js';
import { beijingDateOf } from '../../../domain/cases/clock.js';
import type { NearRelativeFacts } from '../../../domain/cases/index.js';
import { computeDeadline } from '../../../domain/policy/compute.js';
import { presets } from '../../../domain/policy/load.js';
import {
  applicationDecideUpdate,
  applicationReviewStatusQuery,
  objectionUpdate,
  postPublicityUpdate,
  recordRefusalNoticeUpdate,
  startInvestigationUpdate,
} from '../../../domain/steps/updates/application-review.js';
import { createCalendarFromData } from '../../../domain/time/work-calendar.js';
import type { applicationReview } from '../../../workflows/application-review.js';
import { nearRelativeFilingChangedSignal } from '../../../workflows/case-signals.js';
import { testCalendarData } from '../../support/clock.js';
import { connectTimeSkipping } from '../../support/temporal.js';
import { callArgs, completedResult, orTerminate, dedupeKeys, mockActivities, mockedWorker, refusal, until, untilPhase } from './support.js';

type Handle = WorkflowHandle<typeof applicationReview>;
type Acts = Pick<ApplicationActivities, 'openApplicationReview' | 'readNearRelativeFacts' | 'recordApplicationStep' | 'writeRefusalNotice'> &
  Pick<CaseActivities, 'resolveEscalationRecipients'> &
  Pick<NotifyActivities, 'notify'>;

const policy = presets.zhangzi;
const calendarData = testCalendarData();
const TOWNSHIP = 501;
const RELATED = 502; // township staff whose near relative applies
const SECTION = 511; // 社会救助股: decides
const LEADER = 512;
const related: NearRelativeFacts = { required: true, flagged: false, relatedStaff: [{ id: RELATED, name: '李四' }], filings: [] };
const unrelated: NearRelativeFacts = { required: false, flagged: false, relatedStaff: [], filings: [] };

function activities(facts: NearRelativeFacts, acceptedDate: string) {
  const context: ApplicationContext = {
    caseId: 82,
    applicationId: 81,
    kind: 'RURAL_DIBAO',
    acceptedDate,
    townshipId: 301,
    subjectLabel: '王五（1401**********0022）',
    assigneeStaffId: TOWNSHIP,
    townshipStaffIds: [TOWNSHIP, RELATED],
    countyDeciderIds: [SECTION, LEADER],
    extensionApproverIds: [LEADER],
    countyAssigneeStaffId: SECTION,
    nearRelative: facts,
  };
  return mockActivities<Acts>({
    openApplicationReview: async () => context,
    readNearRelativeFacts: async () => facts,
    recordApplicationStep: async () => ({ recorded: true }),
    writeRefusalNotice: async (i) => ({ path: `notices/${i.key}.docx`, fileName: '不予批准告知书.docx', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' }),
    resolveEscalationRecipients: async () => ({ assignee: TOWNSHIP, unitHead: null, taskForceOffice: null, taskForceDeputy: LEADER, taskForceLeader: LEADER }),
    notify: async () => ({ notificationId: 1, created: true }),
  });
}

describe('application review, mocked activities (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await connectTimeSkipping();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  let seq = 0;
  async function run<T>(facts: NearRelativeFacts, body: (h: Handle, acts: ReturnType<typeof activities>) => Promise<T>): Promise<{ result: T; acts: ReturnType<typeof activities> }> {
    const acts = activities(facts, beijingDateOf(await env.currentTimeMs()));
    const { worker, taskQueue } = await mockedWorker(env, 'ap-mocked', acts);
    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof applicationReview>('applicationReview', {
        taskQueue,
        workflowId: `application-review:1:${++seq}:${taskQueue}`,
        args: [{ countyRegionId: 1, applicationId: 81, policy, calendar: calendarData }],
      });
      return orTerminate(handle, async () => {
        await untilPhase(() => handle.query(applicationReviewStatusQuery), 'awaitingInvestigation');
        return body(handle, acts);
      });
    });
    return { result, acts };
  }
  const status = (h: Handle) => h.query(applicationReviewStatusQuery);
  /** Investigation started and the 公示 posted, then the 7 days of 公示 skipped: the county review. */
  async function toCountyReview(h: Handle): Promise<void> {
    await h.executeUpdate(startInvestigationUpdate, { args: [{ investigators: ['赵一', '钱二'], byStaffId: TOWNSHIP }], updateId: `start-${h.workflowId}` });
    await h.executeUpdate(postPublicityUpdate, { args: [{ opinion: '经入户调查，符合低保条件', byStaffId: TOWNSHIP }], updateId: `post-${h.workflowId}` });
    await skipPublicity(h);
  }
  async function skipPublicity(h: Handle): Promise<void> {
    const s = await until(async () => {
      const s = await status(h);
      return s.phase === 'publicity' && s.step === null && s.expiresAt ? s : null;
    });
    await env.sleep(Date.parse(s.expiresAt!) + 3_600_000 - (await env.currentTimeMs()));
    await untilPhase(() => status(h), 'countyReview');
  }

  it('近亲属: the related staff is recused, an objection sends it back, approval waits for the approved filing and home visit', async () => {
    const { result, acts } = await run(related, async (h, mocks) => {
      expect(await refusal(h.executeUpdate(startInvestigationUpdate, { args: [{ investigators: ['赵一', '钱二'], byStaffId: RELATED }], updateId: 's-related' }))).toBe('申请人是您的近亲属，您须回避');
      expect(await refusal(h.executeUpdate(startInvestigationUpdate, { args: [{ investigators: ['赵一'], byStaffId: TOWNSHIP }], updateId: 's-one' }))).toBe('入户调查须有至少 2 名调查人员（请填写调查人员姓名）');
      expect(await refusal(h.executeUpdate(startInvestigationUpdate, { args: [{ investigators: ['赵一', '钱二'], byStaffId: SECTION }], updateId: 's-county' }))).toBe('入户调查须由申请人所在乡镇的工作人员启动');
      await h.executeUpdate(startInvestigationUpdate, { args: [{ investigators: ['赵一', '钱二'], byStaffId: TOWNSHIP }], updateId: 's-1' });
      expect(await refusal(h.executeUpdate(objectionUpdate, { args: [{ note: '群众反映有车辆', byStaffId: TOWNSHIP }], updateId: 'o-early' }))).toContain('不能登记公示异议');
      await h.executeUpdate(postPublicityUpdate, { args: [{ opinion: '符合条件', byStaffId: TOWNSHIP }], updateId: 'p-1' });
      await h.executeUpdate(objectionUpdate, { args: [{ note: '群众反映有车辆', byStaffId: SECTION }], updateId: 'o-1' });
      expect(await status(h)).toMatchObject({ phase: 'investigating', objections: 1 });
      await h.executeUpdate(postPublicityUpdate, { args: [{ opinion: '复查后仍符合条件', byStaffId: TOWNSHIP }], updateId: 'p-2' });
      await skipPublicity(h);

      // County review: the facts were read again; without an approved filing and a home visit, no approval.
      expect(mocks.readNearRelativeFacts).toHaveBeenCalledTimes(1);
      const approve = { decision: 'approve' as const, monthlyAmount: 420, byStaffId: SECTION };
      expect(await refusal(h.executeUpdate(applicationDecideUpdate, { args: [approve], updateId: 'd-early' }))).toBe(
        '申请人是工作人员或村（居）委会成员的近亲属，确认前还须：李四的近亲属备案（须审批通过）；县级入户调查记录',
      );
      expect(await refusal(h.executeUpdate(applicationDecideUpdate, { args: [{ ...approve, byStaffId: TOWNSHIP }], updateId: 'd-township' }))).toContain('您无权作出审核确认决定');
      // The filing workflow reports its approval with the county's home visit.
      await h.signal(nearRelativeFilingChangedSignal, { filingId: 31, staffId: RELATED, status: 'APPROVED', homeVisitDate: beijingDateOf(await env.currentTimeMs()) });
      await h.executeUpdate(applicationDecideUpdate, { args: [approve], updateId: 'd-1' });
      return completedResult(env, h);
    });
    expect(result).toMatchObject({ phase: 'closed', status: 'APPROVED', objections: 1, decision: { decision: 'approve', monthlyAmount: 420, updateId: 'd-1' } });
    const steps = callArgs(acts.recordApplicationStep);
    expect(steps.map((s) => s.action)).toEqual(['awaiting-investigation', 'investigation-started', 'publicity-posted', 'objection', 'publicity-posted', 'county-review', 'decided']);
    expect(steps.at(-1)).toMatchObject({ key: 'd-1', status: 'APPROVED', monthlyAmount: 420, close: true, dueAt: null });
    expect(steps.find((s) => s.action === 'county-review')).toMatchObject({ assigneeStaffId: SECTION, details: expect.objectContaining({ nearRelativeRequired: true }) });
    expect(acts.writeRefusalNotice).not.toHaveBeenCalled();
  });

  it('不予批准: the written notice goes to the township; unrecorded by its deadline, an escalation; the late notice closes it', async () => {
    const { result, acts } = await run(unrelated, async (h, mocks) => {
      await toCountyReview(h);
      expect(await refusal(h.executeUpdate(applicationDecideUpdate, { args: [{ decision: 'refuse', byStaffId: SECTION }], updateId: 'r-no-reason' }))).toBe('不予批准须写明理由（将写入书面告知）');
      await h.executeUpdate(applicationDecideUpdate, { args: [{ decision: 'refuse', reason: '家庭人均收入高于低保标准', byStaffId: LEADER }], updateId: 'r-1' });
      const decided = await untilPhase(() => status(h), 'awaitingRefusalNotice');
      const notice = computeDeadline(policy, 'refusal-notice', decided.decisionDate!, createCalendarFromData(calendarData));
      await until(async () => mocks.notify.mock.calls.length === 1);
      expect(callArgs(mocks.writeRefusalNotice)).toEqual([expect.objectContaining({ track: 'dibao', reason: '家庭人均收入高于低保标准', decidedByStaffId: LEADER, key: `${h.workflowId}:refusal-notice-document` })]);
      expect(callArgs(mocks.notify)[0]).toMatchObject({ recipientStaffId: TOWNSHIP, kind: 'refusal-notice', dedupeKey: `${h.workflowId}:refusal-notice-document`, attachments: [{ fileName: '不予批准告知书.docx' }] });

      // Three working days pass without a notice: an audit step and an escalation to the 专班组长, once.
      await env.sleep(notice.expiresAt.getTime() + 3_600_000 - (await env.currentTimeMs()));
      await until(async () => (await status(h)).refusalNoticeMissing);
      await until(async () => mocks.notify.mock.calls.length === 2);
      expect(callArgs(mocks.notify)[1]).toMatchObject({ recipientStaffId: LEADER, kind: 'escalation', dedupeKey: `${h.workflowId}:refusal-notice-missing` });
      expect(await refusal(h.executeUpdate(recordRefusalNoticeUpdate, { args: [{ noticeDate: '2000-01-01', byStaffId: TOWNSHIP }], updateId: 'n-old' }))).toContain('早于决定日期');
      await h.executeUpdate(recordRefusalNoticeUpdate, { args: [{ noticeDate: beijingDateOf(await env.currentTimeMs()), byStaffId: TOWNSHIP }], updateId: 'n-1' });
      return completedResult(env, h);
    });
    expect(result).toMatchObject({ phase: 'closed', status: 'REFUSED_NOTIFIED', refusalNoticeMissing: true });
    const steps = callArgs(acts.recordApplicationStep);
    expect(steps.map((s) => s.action).slice(-3)).toEqual(['decided', 'refusal-notice-missing', 'refusal-notice-recorded']);
    expect(steps.at(-1)).toMatchObject({ key: 'n-1', status: 'REFUSED_NOTIFIED', close: true, details: expect.objectContaining({ late: true, document: `notices/${result.workflowId}:refusal-notice-document.docx` }) });
    expect(dedupeKeys(acts.notify)).toEqual([`${result.workflowId}:refusal-notice-document`, `${result.workflowId}:refusal-notice-missing`]);
  });
});
