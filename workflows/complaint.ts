/**
 * Real-name complaint (实名举报, 信访; domain.md R21–R22, §2.5). One workflow
 * per intake (`complaint:<county>:<digest of the intake key>`); the same
 * intake reported again joins it (services/cases/complaint.ts).
 *
 * ledger entry at once (Complaint + Case; DisciplineClue for an accusation)
 * → acceptance notice (Update `recordAcceptanceNotice`) within
 *   'complaint-acceptance-notice' (15 days from receipt; accusations:
 *   'accusation-acceptance-notice', 15 working days)
 * → handling within 'complaint-handling' (60 days from acceptance); once
 *   extendable to 'complaint-handling-extended' (90 days) when a 专班组长
 *   approves (Update `extend`) AND the complainant's notice is recorded
 *   (Update `recordExtensionNotice`)
 * → verification (Update `recordVerification`) → feedback to the complainant
 *   (Update `recordFeedback`) → 办结 by the handling unit or the 专班 (Update
 *   `closeComplaint`; runs started before 'complaint-close-step' closed at once)
 *   within 'complaint-close' (5 working days from the feedback; its ladder
 *   reminds the closer and escalates, since 'complaint-close-ladder').
 * An accusation's clue must be transferred within 'clue-transfer' (Update
 * `transferClue`, 纪检联络 or 专班组长), in parallel. Each stage runs its own
 * ladder (dedupe keys `<workflowId>:<stage>:…`); accusation notices reach only
 * 纪检联络 and 专班组长, and no text names the complainant.
 *
 * Working-day rules need the holiday calendar: it is input (`calendar`), so a
 * replay never sees other holiday data.
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
import type { ComplaintActivities, ComplaintContext } from '../activities/complaints.js';
import type { NotifyActivities } from '../activities/notify.js';
import {
  checkAcceptanceNotice,
  checkClose,
  checkClueTransfer,
  checkExtension,
  checkExtensionNotice,
  checkFeedback,
  checkVerification,
  complaintCloseRequestText,
  complaintEscalationText,
  complaintRegisteredText,
  complaintReminderText,
  type ComplaintCheckContext,
  type ComplaintStage,
} from '../domain/cases/complaint.js';
import {
  closeComplaintUpdate,
  complaintExtendUpdate,
  complaintStatusQuery,
  recordAcceptanceNoticeUpdate,
  recordExtensionNoticeUpdate,
  recordFeedbackUpdate,
  recordVerificationUpdate,
  transferClueUpdate,
  type ComplaintStatus,
  type StageStatus,
} from '../domain/steps/updates/complaint.js';
import { beijingDateOf } from '../domain/cases/clock.js';
import { complaintCloseDeadline, computeDeadline, escalationSchedule, reminderSchedule, type ComputedDeadline } from '../domain/policy/compute.js';
import type { CountyPolicy } from '../domain/policy/schema.js';
import type { LocalDate } from '../domain/time/local-date.js';
import { createCalendarFromData, type CalendarData } from '../domain/time/work-calendar.js';
import { planLadder, runEscalationLadder } from './escalation.js';
import { updateIdOrFail } from './update-id.js';

const acts = proxyActivities<ComplaintActivities & NotifyActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export interface ComplaintInput {
  countyRegionId: number;
  /** 来信、来访、电话、网络、平台 … */
  channel: string;
  /** ISO-8601 instant of receipt (登记时间). */
  receivedAt: string;
  /** Personal data: stored in the Complaint row only (payloads are encrypted). */
  complainant: { name: string; phone?: string | null; idNumber?: string | null };
  /** What it is about (no complainant identity). */
  summary: string;
  subjectRegionId?: number | null;
  /** Set when staff are accused: the complaint is then a clue for 纪检监察. */
  accusedStaffId?: number | null;
  policy: CountyPolicy;
  /** Holiday data covering the receipt date and the following working days. */
  calendar: CalendarData;
}

export type { ComplaintStatus, StageStatus } from '../domain/steps/updates/complaint.js';

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

/** 代理审批: the leader the person stood in for, passed on to the audit only when there is one (old runs replay unchanged). */
function onBehalf(a: { onBehalfOfStaffId?: number }): { onBehalfOfStaffId?: number } {
  return a.onBehalfOfStaffId !== undefined ? { onBehalfOfStaffId: a.onBehalfOfStaffId } : {};
}

function stage(d: ComputedDeadline): StageStatus {
  return { ruleId: d.ruleId, due: d.due, expiresAt: d.expiresAt.toISOString(), doneOn: null };
}

export async function complaint(input: ComplaintInput): Promise<ComplaintStatus> {
  const { workflowId } = workflowInfo();
  const calendar = createCalendarFromData(input.calendar, { estimateUncovered: true });
  const receiptDate = beijingDateOf(Date.parse(input.receivedAt));
  const accusation = input.accusedStaffId !== undefined && input.accusedStaffId !== null;
  const acceptanceDl = computeDeadline(input.policy, accusation ? 'accusation-acceptance-notice' : 'complaint-acceptance-notice', receiptDate, calendar);
  const clueDl = accusation ? computeDeadline(input.policy, 'clue-transfer', receiptDate, calendar) : null;

  const state: ComplaintStatus = {
    workflowId,
    phase: 'registering',
    complaintId: null,
    caseId: null,
    clueId: null,
    ledgerNo: null,
    accusation,
    receiptDate,
    acceptance: stage(acceptanceDl),
    acceptedOn: null,
    handling: null,
    extension: { approved: false, noticed: false, reason: null, handling: null },
    verification: null,
    clue: clueDl ? stage(clueDl) : null,
    notified: [],
    closedAt: null,
    accusedStaffId: input.accusedStaffId ?? null,
    acceptanceDecision: null,
    feedback: null,
    clueTransfer: null,
  };
  let ctx: ComplaintContext | undefined = undefined;
  // Set when an update is accepted (before its activity finishes), so a second one is refused.
  const taken = { acceptance: false, extension: false, extensionNotice: false, verification: false, feedback: false, clue: false, close: false };
  const done = { acceptance: false, extensionNotice: false, feedback: false, clue: false, close: false };
  /** The acceptance step decided 不予受理: the complaint closes once the complainant is told. */
  let notAccepted = false;

  const checkContext = (): ComplaintCheckContext => ({
    opened: ctx !== undefined,
    closed: state.phase === 'closing' || state.phase === 'closed',
    accusation,
    receiptDate,
    today: beijingDateOf(Date.now()),
    fullReaderIds: ctx?.fullReaderIds ?? [],
    verifierIds: ctx?.verifierIds ?? [],
    leaderIds: ctx?.leaderIds ?? [],
    clueHandlerIds: ctx?.clueHandlerIds ?? [],
    accusedStaffId: input.accusedStaffId ?? null,
    acceptanceRecorded: taken.acceptance,
    acceptedOn: state.acceptedOn,
    handlingExpired: state.handling !== null && Date.now() >= Date.parse(state.handling.expiresAt),
    extensionApproved: taken.extension,
    extensionNoticed: taken.extensionNotice,
    verified: taken.verification,
    fedBack: taken.feedback,
    clueTransferred: taken.clue,
    awaitingClose: state.phase === 'awaitingClose',
    closeRecorded: taken.close,
  });
  const validate = (check: (args: unknown, c: ComplaintCheckContext) => string | null) => (args: unknown) => {
    const reason = check(args, checkContext());
    if (reason) throw new Error(reason);
  };
  const opened = (): ComplaintContext => {
    if (!ctx) throw ApplicationFailure.nonRetryable('台账尚在登记中');
    return ctx;
  };

  setHandler(complaintStatusQuery, () => state);

  setHandler(
    recordAcceptanceNoticeUpdate,
    async (args) => {
      const c = opened();
      taken.acceptance = true;
      const decision = args.decision ?? '受理';
      state.acceptanceDecision = { decision, reason: args.reason ?? null, byStaffId: args.byStaffId, noticeOn: args.noticeOn, at: nowIso() };
      if (decision === '不予受理') {
        await acts.recordComplaintAcceptanceNotice({ complaintId: c.complaintId, updateId: updateIdOrFail(), byStaffId: args.byStaffId, noticeOn: args.noticeOn, acceptedOn: args.noticeOn, method: args.method, handlingDueAt: null, decision, reason: args.reason });
        state.acceptance.doneOn = args.noticeOn;
        notAccepted = true;
        done.acceptance = true;
        return state.acceptance;
      }
      const acceptedOn = args.acceptedOn ?? args.noticeOn;
      const handling = stage(computeDeadline(input.policy, 'complaint-handling', acceptedOn, calendar));
      state.acceptedOn = acceptedOn;
      state.handling = handling;
      await acts.recordComplaintAcceptanceNotice({ complaintId: c.complaintId, updateId: updateIdOrFail(), byStaffId: args.byStaffId, noticeOn: args.noticeOn, acceptedOn, method: args.method, handlingDueAt: handling.expiresAt, ...(args.reason !== undefined ? { reason: args.reason } : {}) });
      state.acceptance.doneOn = args.noticeOn;
      done.acceptance = true;
      return handling;
    },
    { validator: validate(checkAcceptanceNotice), description: '登记受理告知（告知信访人已受理）' },
  );

  setHandler(
    complaintExtendUpdate,
    async (args) => {
      const c = opened();
      taken.extension = true;
      state.extension.approved = true;
      state.extension.reason = args.reason;
      await acts.recordComplaintExtension({ complaintId: c.complaintId, updateId: updateIdOrFail(), byStaffId: args.byStaffId, ...onBehalf(args), reason: args.reason, approvedAt: nowIso() });
    },
    { validator: validate(checkExtension), description: '工作专班组长批准延长办理期限（30日）' },
  );

  setHandler(
    recordExtensionNoticeUpdate,
    async (args) => {
      const c = opened();
      taken.extensionNotice = true;
      const extended = stage(computeDeadline(input.policy, 'complaint-handling-extended', state.acceptedOn!, calendar));
      await acts.recordComplaintExtensionNotice({ complaintId: c.complaintId, updateId: updateIdOrFail(), byStaffId: args.byStaffId, noticeOn: args.noticeOn, method: args.method, dueAt: extended.expiresAt });
      state.extension.noticed = true;
      state.extension.handling = extended;
      done.extensionNotice = true;
      return extended;
    },
    { validator: validate(checkExtensionNotice), description: '登记已告知信访人延期理由' },
  );

  setHandler(
    recordVerificationUpdate,
    async (args) => {
      const c = opened();
      taken.verification = true;
      const recordedAt = nowIso();
      await acts.recordComplaintVerification({ complaintId: c.complaintId, updateId: updateIdOrFail(), byStaffId: args.byStaffId, finding: args.finding, result: args.result, recordedAt });
      state.verification = { finding: args.finding, result: args.result, byStaffId: args.byStaffId, at: recordedAt };
    },
    { validator: validate(checkVerification), description: '登记核实结果' },
  );

  setHandler(
    recordFeedbackUpdate,
    async (args) => {
      const c = opened();
      taken.feedback = true;
      await acts.recordComplaintFeedback({ complaintId: c.complaintId, updateId: updateIdOrFail(), byStaffId: args.byStaffId, feedbackOn: args.feedbackOn, method: args.method, ...(args.content !== undefined ? { content: args.content } : {}) });
      state.feedback = { ...args, at: nowIso() };
      const h = state.extension.handling ?? state.handling;
      if (h) h.doneOn = args.feedbackOn;
      done.feedback = true;
    },
    { validator: validate(checkFeedback), description: '登记向信访人反馈办理结果' },
  );

  setHandler(
    transferClueUpdate,
    async (args) => {
      const c = opened();
      if (c.clueId === null) throw ApplicationFailure.nonRetryable('没有问题线索');
      taken.clue = true;
      await acts.transferDisciplineClue({ clueId: c.clueId, updateId: updateIdOrFail(), byStaffId: args.byStaffId, ...onBehalf(args), transferredTo: args.transferredTo, transferredOn: args.transferredOn, ...(args.receipt ? { receipt: args.receipt } : {}) });
      state.clue!.doneOn = args.transferredOn;
      state.clueTransfer = { ...args, at: nowIso() };
      done.clue = true;
    },
    { validator: validate(checkClueTransfer), description: '移交问题线索至纪检监察机关' },
  );

  // 办结: explicit since 'complaint-close-step' (a new handler; the wait for it is patched below).
  setHandler(
    closeComplaintUpdate,
    async (args) => {
      const c = opened();
      taken.close = true;
      const closedAt = nowIso();
      await acts.closeComplaint({ complaintId: c.complaintId, closedAt, reason: `已办结：${args.note}`, byStaffId: args.byStaffId, ...onBehalf(args), updateId: updateIdOrFail() });
      state.closure = { ...args, at: closedAt };
      done.close = true;
      return { closedAt };
    },
    { validator: validate(checkClose), description: '办结（反馈信访人后由承办单位或工作专班办结）' },
  );

  const openedAtMs = Date.now();
  ctx = await acts.registerComplaint({
    workflowId,
    countyRegionId: input.countyRegionId,
    channel: input.channel,
    receivedAt: input.receivedAt,
    complainant: input.complainant,
    summary: input.summary,
    subjectRegionId: input.subjectRegionId ?? null,
    accusedStaffId: input.accusedStaffId ?? null,
    acceptanceDueAt: acceptanceDl.expiresAt.toISOString(),
    openedAt: new Date(openedAtMs).toISOString(),
  });
  const c = ctx;
  state.complaintId = c.complaintId;
  state.caseId = c.caseId;
  state.clueId = c.clueId;
  state.ledgerNo = c.ledgerNo;
  state.fullReaderIds = c.fullReaderIds;
  state.verifierIds = c.verifierIds;
  state.leaderIds = c.leaderIds;
  state.clueHandlerIds = c.clueHandlerIds;

  if (c.assigneeStaffId !== null) {
    await acts.notify({
      recipientStaffId: c.assigneeStaffId,
      kind: 'complaint',
      text: complaintRegisteredText(accusation, c.ledgerNo),
      dedupeKey: `${workflowId}:registered`,
      caseId: c.caseId,
      workflowId,
      // The acceptance step only for a reader who may contact the complainant (not a township's redacted reader).
      ...(c.fullReaderIds.includes(c.assigneeStaffId) ? { actions: [{ label: '受理告知', step: 'cp.accept', style: 'primary' as const }] } : {}),
      sentAt: nowIso(),
    });
  }
  state.phase = 'acceptance';

  const ladder = (
    name: ComplaintStage,
    d: { due: LocalDate; expiresAt: string },
    isDone: () => boolean,
    fromMs: number,
    resolveRecipients = () => acts.resolveComplaintRecipients({ complaintId: c.complaintId, stage: name }),
  ) =>
    runEscalationLadder({
      caseId: c.caseId,
      events: planLadder(`${workflowId}:${name}`, reminderSchedule(input.policy, d.due), escalationSchedule(input.policy, new Date(d.expiresAt)), fromMs),
      isDone,
      text: (e) =>
        e.kind === 'reminder'
          ? complaintReminderText(accusation, c.ledgerNo, name, d.due, e.daysBefore)
          : complaintEscalationText(accusation, c.ledgerNo, name, d.due, e.label),
      onSent: (e) => state.notified.push(e.key),
      resolveRecipients,
    });

  const handlingTrack = async () => {
    await ladder('acceptance', state.acceptance, () => taken.acceptance, openedAtMs);
    await condition(() => done.acceptance);
    if (notAccepted && patched('complaint-not-accepted')) return;
    state.phase = 'handling';
    const extended = () => done.extensionNotice;
    await ladder('handling', state.handling!, () => taken.feedback || extended(), Date.now());
    await condition(() => done.feedback || extended());
    if (!taken.feedback) {
      await ladder('handling-extended', state.extension.handling!, () => taken.feedback, Date.now());
    }
    await condition(() => done.feedback);
  };
  const clueTrack = async () => {
    if (!state.clue) return;
    await ladder('clue', state.clue, () => taken.clue, openedAtMs);
    await condition(() => done.clue);
  };
  await Promise.all([handlingTrack(), clueTrack()]);

  if (!notAccepted && patched('complaint-close-step')) {
    // Fed back (and the clue transferred): the handling unit or the 专班 closes it, with a card that says so.
    state.phase = 'awaitingClose';
    // Since 'complaint-close-ladder': 办结 has its own due date ('complaint-close', counted from the feedback day).
    const closeLadder = patched('complaint-close-ladder') ? stage(complaintCloseDeadline(input.policy, state.feedback!.feedbackOn, calendar)) : null;
    state.close = closeLadder;
    const closer = c.assigneeStaffId !== null && c.verifierIds.includes(c.assigneeStaffId) ? c.assigneeStaffId : (c.leaderIds[0] ?? null);
    if (closer !== null) {
      await acts.notify({
        recipientStaffId: closer,
        kind: 'complaint',
        text: complaintCloseRequestText(accusation, c.ledgerNo),
        dedupeKey: `${workflowId}:close-request`,
        caseId: c.caseId,
        workflowId,
        actions: [{ label: '办结', step: 'cp.close', style: 'primary' as const }],
        sentAt: nowIso(),
      });
    }
    // The closer is reminded before that due date, the chain (专班组长 …) escalated after it.
    if (closeLadder) {
      await ladder('close', closeLadder, () => taken.close, Date.now(), async () => {
        const r = await acts.resolveComplaintRecipients({ complaintId: c.complaintId, stage: 'close' });
        return closer !== null ? { ...r, assignee: closer } : r;
      });
    }
    await condition(() => done.close);
    if (state.close) state.close.doneOn = beijingDateOf(Date.parse(state.closure!.at));
    await condition(allHandlersFinished);
    state.phase = 'closed';
    state.closedAt = state.closure!.at;
    return state;
  }

  state.phase = 'closing';
  await condition(allHandlersFinished);
  const closedAt = nowIso();
  await acts.closeComplaint({
    complaintId: c.complaintId,
    closedAt,
    reason: notAccepted ? `不予受理并已告知信访人：${state.acceptanceDecision?.reason ?? ''}` : accusation ? '已核实并反馈，问题线索已移交' : '已核实并反馈信访人',
  });
  state.phase = 'closed';
  state.closedAt = closedAt;
  return state;
}
