/**
 * Application review (申请审核确认, domain.md R16/R19, §2.1 57号, §2.4 特困办法).
 * One workflow per application (`application-review:<county>:<applicationId>`).
 *
 * accepted → `startInvestigation` (低保: ≤3 working days) → investigating
 * (特困: investigation ≤15 working days) → `postPublicity` → 公示 7 days (an
 * `objection` sends it back to investigation) → county review (`decide`
 * approve/refuse; 低保 ≤10, 特困 ≤15 working days) → approve: close; refuse:
 * `recordRefusalNotice` (≤3 working days; when none is recorded by then, an
 * audit entry 'application.refusal-notice-missing' and an escalation
 * notification, then wait for the late notice) → close.
 * 低保 also runs the overall clock (30 working days from acceptance, 45 after
 * an approved `extend`): when it expires undecided, an 'application.overdue'
 * audit entry and an escalation notification, once per limit.
 * Every step is written to the Application and Case rows by an activity; each
 * deadline runs the shared ladder (reminders, escalation, each once).
 *
 * Near relatives (57号 Art. 11 and 20): an applicant who is a near relative of
 * staff (StaffRelative match by ID number, a filing about them, or the
 * explicit flag) needs an APPROVED filing and a recorded county home visit
 * before approval. Update validators are synchronous, so the facts live in
 * workflow state: loaded when the review opens, refreshed by an activity when
 * the county-review step begins (approval is refused until that refresh has
 * returned), and kept current afterwards by the `nearRelativeFilingChanged`
 * signal that the filing workflow sends on every change.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ApplicationActivities, ApplicationContext } from '../activities/applications.js';
import type { CaseActivities } from '../activities/cases.js';
import type { NotifyActivities } from '../activities/notify.js';
import {
  APPLICATION_RULES,
  beijingDateOf,
  applicationEscalationText,
  applicationOverallOverdueText,
  applicationReminderText,
  applyFilingChange,
  checkApplicationDecision,
  checkExtend,
  checkObjection,
  checkPostPublicity,
  checkRecordInvestigation,
  checkRefusalNotice,
  checkStartInvestigation,
  refusalNoticeMissingText,
  refusalNoticeReadyText,
  trackOf,
  type ApplicationCheckContext,
  type ApplicationPhase,
  type ApplicationStatusCode,
  type ApplicationStep,
} from '../domain/cases/index.js';
import {
  applicationDecideUpdate,
  applicationExtendUpdate,
  applicationReviewStatusQuery,
  objectionUpdate,
  postPublicityUpdate,
  recordInvestigationUpdate,
  recordRefusalNoticeUpdate,
  startInvestigationUpdate,
  type ApplicationReviewStatus,
  type ApplicationStepResult,
} from '../domain/steps/updates/application-review.js';
import { computeDeadline, escalationSchedule, reminderSchedule, type ComputedDeadline } from '../domain/policy/compute.js';
import type { CountyPolicy } from '../domain/policy/schema.js';
import type { LocalDate } from '../domain/time/local-date.js';
import type { NotificationKind } from '../domain/notification-kinds.js';
import { createCalendarFromData, type CalendarData } from '../domain/time/work-calendar.js';
import { nearRelativeFilingChangedSignal } from './case-signals.js';
import { planLadder, runEscalationLadder } from './escalation.js';
import { updateIdOrFail } from './update-id.js';

const acts = proxyActivities<ApplicationActivities & CaseActivities & NotifyActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export interface ApplicationReviewInput {
  countyRegionId: number;
  applicationId: number;
  /** The applicant declared (or the township registered) a near relative among staff. */
  nearRelative?: boolean;
  policy: CountyPolicy;
  /** Holiday data for the working-day clocks (calendar.sliceData(…)). */
  calendar: CalendarData;
}

export type { ApplicationDecideResult, ApplicationReviewStatus, ApplicationStepResult } from '../domain/steps/updates/application-review.js';

const nowIso = () => new Date(Date.now()).toISOString();
const today = () => beijingDateOf(Date.now());
/** 代理审批: the leader the decider stood in for, recorded only when there is one (old runs replay unchanged). */
const onBehalf = (a: { onBehalfOfStaffId?: number }) => (a.onBehalfOfStaffId !== undefined ? { onBehalfOfStaffId: a.onBehalfOfStaffId } : {});

export async function applicationReview(input: ApplicationReviewInput): Promise<ApplicationReviewStatus> {
  const { workflowId } = workflowInfo();
  const calendar = createCalendarFromData(input.calendar, { estimateUncovered: true });
  const deadlineOf = (ruleId: string, anchor: LocalDate) => computeDeadline(input.policy, ruleId, anchor, calendar);
  const relations = [...input.policy.nearRelatives.relations];

  const state: ApplicationReviewStatus = {
    workflowId,
    phase: 'opening',
    track: null,
    applicationId: input.applicationId,
    caseId: null,
    status: 'UNDER_REVIEW',
    acceptedDate: null,
    step: null,
    due: null,
    expiresAt: null,
    overallDue: null,
    overallExpiresAt: null,
    overallOverdue: false,
    extended: false,
    objections: 0,
    publicityPostedOn: null,
    decision: null,
    decisionDate: null,
    refusalNoticeDate: null,
    refusalNoticeMissing: false,
    nearRelative: null,
    notified: [],
    closedAt: null,
    investigationStart: null,
    investigations: [],
    publicityOpinion: null,
    objectionNotes: [],
    extension: null,
    refusalNoticeFile: null,
    refusalNoticeDelivery: null,
  };
  let ctx: ApplicationContext | undefined = undefined;
  /** An update of the current step was accepted and is being written. */
  let busy = false;
  /** The near-relative facts were refreshed for the county-review step. */
  let factsFresh = false;
  /** Set synchronously when the step's update is accepted (the ladders stop on them). */
  let investigationStarted = false;
  let publicityPosts = 0;
  const phaseNow = (): ApplicationPhase => state.phase;

  const checkContext = (): ApplicationCheckContext => ({
    phase: state.phase,
    track: state.track ?? 'dibao',
    busy,
    townshipStaffIds: ctx?.townshipStaffIds ?? [],
    countyDeciderIds: ctx?.countyDeciderIds ?? [],
    extensionApproverIds: ctx?.extensionApproverIds ?? [],
    nearRelative: state.nearRelative ?? { required: false, flagged: false, relatedStaff: [], filings: [] },
    homeVisitRequired: input.policy.nearRelatives.countyHomeVisitRequired,
    extended: state.extended,
    decided: state.decision !== null,
    decisionDate: state.decisionDate,
    today: today(),
    investigationsRecorded: state.investigations!.length,
    objections: state.objections,
  });
  const validate = (check: (args: unknown, c: ApplicationCheckContext) => string | null) => (args: unknown) => {
    const reason = check(args, checkContext());
    if (reason) throw new Error(reason);
  };

  /** Runs one human step: busy while its activity writes, then the new phase. */
  async function humanStep(
    action: string,
    byStaffId: number,
    /** The step's new phase and status; null for a step beside the others (extension): both unchanged. */
    next: { phase: ApplicationPhase; status: ApplicationStatusCode } | null,
    details: Record<string, unknown>,
    extra: { dueAt?: string | null; assigneeStaffId?: number | null; monthlyAmount?: number; close?: boolean; due?: LocalDate | null; lock?: boolean } = {},
  ): Promise<ApplicationStepResult> {
    if (!ctx) throw ApplicationFailure.nonRetryable('申请尚在登记中，请稍后再试');
    // An extension runs beside the steps: it does not hold them.
    const lock = extra.lock !== false;
    if (lock) busy = true;
    const at = nowIso();
    try {
      await acts.recordApplicationStep({
        caseId: ctx.caseId,
        applicationId: ctx.applicationId,
        key: updateIdOrFail(),
        action,
        actor: `staff:${byStaffId}`,
        at,
        status: next?.status,
        details: { byStaffId, ...details },
        dueAt: extra.dueAt,
        assigneeStaffId: extra.assigneeStaffId,
        monthlyAmount: extra.monthlyAmount,
        close: extra.close,
      });
      if (next) {
        state.status = next.status;
        state.phase = next.phase;
      }
    } finally {
      if (lock) busy = false;
    }
    return { applicationId: input.applicationId, status: state.status, phase: state.phase, byStaffId, at, due: extra.due };
  }

  setHandler(applicationReviewStatusQuery, () => ({ ...state }));

  setHandler(nearRelativeFilingChangedSignal, (change) => {
    if (state.nearRelative) state.nearRelative = applyFilingChange(state.nearRelative, change);
  });

  setHandler(
    startInvestigationUpdate,
    (args) => {
      investigationStarted = true;
      state.investigationStart = { ...args, at: nowIso() };
      return humanStep('investigation-started', args.byStaffId, { phase: 'investigating', status: 'INVESTIGATING' }, { investigators: args.investigators });
    },
    { validator: validate(checkStartInvestigation), description: '启动家庭经济状况入户调查' },
  );

  setHandler(
    recordInvestigationUpdate,
    async (args) => {
      const at = nowIso();
      state.investigations!.push({ ...args, at });
      const r = await humanStep(
        'investigation-recorded',
        args.byStaffId,
        null,
        { visitedOn: args.visitedOn, investigators: args.investigators, findings: args.findings, conclusion: args.conclusion, note: args.note ?? null, round: state.investigations!.length },
      );
      return r;
    },
    { validator: validate(checkRecordInvestigation), description: '登记入户调查结果（调查日期、人员、情况、结论）' },
  );

  setHandler(
    postPublicityUpdate,
    (args) => {
      const posted = today();
      state.publicityOpinion = args.opinion;
      publicityPosts += 1;
      const d = deadlineOf(APPLICATION_RULES[state.track!].publicity, posted);
      state.publicityPostedOn = posted;
      return humanStep(
        'publicity-posted',
        args.byStaffId,
        { phase: 'publicity', status: 'PUBLICITY' },
        { opinion: args.opinion, postedOn: posted, publicityEnds: d.due },
        { dueAt: d.expiresAt.toISOString(), due: d.due },
      );
    },
    { validator: validate(checkPostPublicity), description: '张贴初审意见公示' },
  );

  setHandler(
    objectionUpdate,
    (args) => {
      state.objections += 1;
      state.objectionNotes!.push({ ...args, at: nowIso() });
      return humanStep('objection', args.byStaffId, { phase: 'investigating', status: 'INVESTIGATING' }, { note: args.note, objection: state.objections });
    },
    { validator: validate(checkObjection), description: '登记公示期间的异议（退回重新调查）' },
  );

  setHandler(
    applicationDecideUpdate,
    async (args) => {
      const decidedAt = nowIso();
      const decisionDate = today();
      const updateId = updateIdOrFail();
      const approve = args.decision === 'approve';
      const notice = approve ? null : deadlineOf(APPLICATION_RULES[state.track!].refusalNotice, decisionDate);
      state.decision = { ...args, updateId, decidedAt };
      state.decisionDate = decisionDate;
      const r = await humanStep(
        'decided',
        args.byStaffId,
        approve ? { phase: 'closed', status: 'APPROVED' } : { phase: 'awaitingRefusalNotice', status: 'REFUSED' },
        { decision: args.decision, monthlyAmount: args.monthlyAmount ?? null, reason: args.reason ?? null, ...(args.note !== undefined ? { note: args.note } : {}), decisionDate, ...onBehalf(args) },
        approve
          ? { dueAt: null, monthlyAmount: args.monthlyAmount, close: true }
          : { dueAt: notice!.expiresAt.toISOString(), due: notice!.due },
      );
      return { ...r, decision: args.decision, decidedByStaffId: args.byStaffId, decidedAt, monthlyAmount: args.monthlyAmount };
    },
    {
      validator: (args) => {
        if (state.phase === 'countyReview' && !factsFresh) throw new Error('正在核对近亲属备案情况，请稍后再试');
        validate(checkApplicationDecision)(args);
      },
      description: '县级审核确认：批准（含月保障金额）或不予批准（含理由）',
    },
  );

  setHandler(
    applicationExtendUpdate,
    async (args) => {
      state.extended = true;
      state.extension = { ...args, at: nowIso() };
      const ruleId = APPLICATION_RULES[state.track!].overallExtended!;
      const d = deadlineOf(ruleId, state.acceptedDate!);
      return humanStep('extended', args.byStaffId, null, { reason: args.reason, ruleId, overallDue: d.due, ...onBehalf(args) }, { lock: false, due: d.due });
    },
    { validator: validate(checkExtend), description: '批准延长低保审核确认总时限（至45个工作日）' },
  );

  setHandler(
    recordRefusalNoticeUpdate,
    (args) => {
      state.refusalNoticeDate = args.noticeDate;
      state.refusalNoticeDelivery = { ...args, at: nowIso() };
      return humanStep(
        'refusal-notice-recorded',
        args.byStaffId,
        { phase: 'closed', status: 'REFUSED_NOTIFIED' },
        {
          noticeDate: args.noticeDate,
          note: args.note ?? null,
          late: state.refusalNoticeMissing,
          ...(args.method !== undefined ? { method: args.method } : {}),
          ...(args.receivedBy !== undefined ? { receivedBy: args.receivedBy } : {}),
          ...(state.refusalNoticeFile ? { document: state.refusalNoticeFile.path } : {}),
        },
        { dueAt: null, close: true },
      );
    },
    { validator: validate(checkRefusalNotice), description: '登记不予批准的书面告知' },
  );

  // ---------------------------------------------------------------- open
  ctx = await acts.openApplicationReview({
    workflowId,
    countyRegionId: input.countyRegionId,
    applicationId: input.applicationId,
    nearRelativeFlag: input.nearRelative === true,
    relations,
    openedAt: nowIso(),
  });
  const c = ctx;
  const track = trackOf(c.kind);
  const rules = APPLICATION_RULES[track];
  state.track = track;
  state.caseId = c.caseId;
  state.acceptedDate = c.acceptedDate;
  state.nearRelative = c.nearRelative;
  state.subjectLabel = c.subjectLabel;
  state.townshipStaffIds = c.townshipStaffIds;
  state.countyDeciderIds = c.countyDeciderIds;
  state.extensionApproverIds = c.extensionApproverIds;

  /** A workflow-taken step (no update): keyed by the workflow id and a name. */
  const systemStep = (key: string, action: string, details: Record<string, unknown>, extra: { dueAt?: string | null; assigneeStaffId?: number | null } = {}) =>
    acts.recordApplicationStep({
      caseId: c.caseId,
      applicationId: c.applicationId,
      key: `${workflowId}:${key}`,
      action,
      actor: 'system',
      at: nowIso(),
      status: state.status,
      details,
      ...extra,
    });

  /** Reminders and escalation for one step until `done()`; keys `${workflowId}:${name}:reminder:3` … */
  const ladder = (name: string, step: ApplicationStep, d: ComputedDeadline, done: () => boolean) => {
    state.step = step;
    state.due = d.due;
    state.expiresAt = d.expiresAt.toISOString();
    return runEscalationLadder({
      caseId: c.caseId,
      events: planLadder(`${workflowId}:${name}`, reminderSchedule(input.policy, d.due), escalationSchedule(input.policy, d.expiresAt), Date.now()),
      isDone: done,
      text: (e) =>
        e.kind === 'reminder'
          ? applicationReminderText(c.subjectLabel, step, d.due, e.daysBefore)
          : applicationEscalationText(c.subjectLabel, step, d.due, e.label),
      onSent: (e) => state.notified.push(e.key),
    });
  };

  const escalate = async (key: string, kind: NotificationKind, text: string) => {
    const r = await acts.resolveEscalationRecipients(c.caseId);
    const to = r.taskForceLeader ?? r.unitHead ?? r.assignee;
    if (to !== null) {
      await acts.notify({ recipientStaffId: to, kind, text, dedupeKey: `${workflowId}:${key}`, caseId: c.caseId, sentAt: nowIso() });
      state.notified.push(`${workflowId}:${key}`);
    }
  };

  // 低保 overall limit: runs beside the steps until the decision.
  async function watchOverall(): Promise<void> {
    if (rules.overall === null || rules.overallExtended === null) return;
    for (;;) {
      const extended = state.extended;
      const ruleId = extended ? rules.overallExtended : rules.overall;
      const d = deadlineOf(ruleId, c.acceptedDate);
      state.overallDue = d.due;
      state.overallExpiresAt = d.expiresAt.toISOString();
      const changed = () => state.decision !== null || state.extended !== extended;
      if (await condition(changed, Math.max(1, d.expiresAt.getTime() - Date.now()))) {
        if (state.decision !== null) return;
        continue;
      }
      state.overallOverdue = true;
      await systemStep(`overdue:${ruleId}`, 'overdue', { ruleId, due: d.due });
      await escalate(`overdue:${ruleId}`, 'escalation', applicationOverallOverdueText(c.subjectLabel, d.due, extended));
      await condition(changed);
      if (state.decision !== null) return;
      state.overallOverdue = false;
    }
  }
  const overall = watchOverall();

  // ---------------------------------------------------------------- investigation
  state.phase = 'awaitingInvestigation';
  const firstClock = deadlineOf(rules.investigationStart ?? rules.investigation!, c.acceptedDate);
  await systemStep('awaiting-investigation', 'awaiting-investigation', { ruleId: firstClock.ruleId, due: firstClock.due }, { dueAt: firstClock.expiresAt.toISOString() });
  if (rules.investigationStart !== null) {
    await ladder('investigation-start', 'investigationStart', firstClock, () => investigationStarted);
    await condition(() => phaseNow() !== 'awaitingInvestigation' && !busy);
  }

  let investigationClock: ComputedDeadline | null = rules.investigation !== null ? firstClock : null;
  for (let round = 1; ; round++) {
    // 特困: the township must finish the investigation (post the 公示) in time, counted from
    // acceptance (the start itself has no limit of its own) or, after an objection, from the objection.
    if (investigationClock !== null) {
      await ladder(`investigation-${round}`, 'investigation', investigationClock, () => publicityPosts >= round);
    }
    await condition(() => phaseNow() === 'publicity' && !busy);
    const publicity = deadlineOf(rules.publicity, state.publicityPostedOn!);
    state.step = null;
    state.due = publicity.due;
    state.expiresAt = publicity.expiresAt.toISOString();
    const objected = await condition(() => phaseNow() !== 'publicity' || busy, Math.max(1, publicity.expiresAt.getTime() - Date.now()));
    if (objected) {
      await condition(() => !busy);
      if (phaseNow() === 'investigating') {
        // 特困: a new opinion within 15 working days of the objection (Art. 15); 低保: the overall clock governs.
        investigationClock = rules.reinvestigation !== null ? deadlineOf(rules.reinvestigation, today()) : null;
        if (investigationClock !== null) {
          await systemStep(`reinvestigation-${round}`, 'reinvestigation', { ruleId: investigationClock.ruleId, due: investigationClock.due }, { dueAt: investigationClock.expiresAt.toISOString() });
        }
        continue;
      }
    }
    break;
  }

  // ---------------------------------------------------------------- county review
  state.phase = 'countyReview';
  const receipt = today();
  const decisionClock = deadlineOf(rules.decision, receipt);
  state.nearRelative = await acts.readNearRelativeFacts({ countyRegionId: input.countyRegionId, applicationId: c.applicationId, relations });
  factsFresh = true;
  state.status = 'COUNTY_REVIEW';
  await systemStep('county-review', 'county-review', { receivedOn: receipt, ruleId: decisionClock.ruleId, due: decisionClock.due, nearRelativeRequired: state.nearRelative.required }, {
    dueAt: decisionClock.expiresAt.toISOString(),
    assigneeStaffId: c.countyAssigneeStaffId,
  });
  await ladder('decision', 'decision', decisionClock, () => state.decision !== null);
  await condition(() => state.decision !== null && !busy);
  await overall;

  // ---------------------------------------------------------------- refusal notice
  if (state.decision!.decision === 'refuse') {
    const notice = deadlineOf(rules.refusalNotice, state.decisionDate!);
    state.step = 'refusalNotice';
    state.due = notice.due;
    state.expiresAt = notice.expiresAt.toISOString();
    if (patched('application-refusal-notice-docx')) {
      // The written notice (不予批准告知书) as a .docx from the decision, sent to the township
      // that delivers it; the delivery is then recorded by `recordRefusalNotice`.
      const d = state.decision!;
      const key = `${workflowId}:refusal-notice-document`;
      state.refusalNoticeFile = await acts.writeRefusalNotice({
        countyRegionId: input.countyRegionId,
        applicationId: c.applicationId,
        caseId: c.caseId,
        track,
        decisionDate: state.decisionDate!,
        reason: d.reason ?? '',
        decidedByStaffId: d.byStaffId,
        key,
      });
      if (c.assigneeStaffId !== null) {
        await acts.notify({
          recipientStaffId: c.assigneeStaffId,
          kind: 'refusal-notice',
          text: refusalNoticeReadyText(c.subjectLabel, notice.due),
          dedupeKey: key,
          caseId: c.caseId,
          workflowId,
          attachments: [state.refusalNoticeFile],
          actions: [{ label: '登记送达', step: 'ap.notice', style: 'primary' }],
          sentAt: nowIso(),
        });
        state.notified.push(key);
      }
    }
    const recorded = () => phaseNow() === 'closed' && !busy;
    if (!(await condition(recorded, Math.max(1, notice.expiresAt.getTime() - Date.now())))) {
      // There is no FindingKind for a missing refusal notice: an audit entry and an escalation instead.
      state.refusalNoticeMissing = true;
      await systemStep('refusal-notice-missing', 'refusal-notice-missing', { ruleId: notice.ruleId, due: notice.due, decisionDate: state.decisionDate });
      await escalate('refusal-notice-missing', 'escalation', refusalNoticeMissingText(c.subjectLabel, notice.due));
      await condition(recorded);
    }
  }

  await condition(() => !busy && allHandlersFinished());
  state.closedAt = nowIso();
  state.step = null;
  return { ...state };
}
