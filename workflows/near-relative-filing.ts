/**
 * Near-relative filing (近亲属备案, domain.md R19/R20, §2.3). One workflow per
 * county + staff member + relative (`near-relative-filing:<county>:<staffId>:
 * member-<id>|application-<id>`): a second submission, or a finding about the
 * same pair, joins it (see services/cases/near-relative-filing.ts).
 *
 * record the filing and its Case → ask the approver (buttons: 批准 / 驳回 /
 * 补充材料) and run the escalation ladder against the 'near-relative-approval'
 * deadline → `decide`:
 *   - moreInfo: wait for the filer's `supplement`, then the clock restarts
 *     (a new round, with its own reminders and escalations, each once);
 *   - reject: close;
 *   - approve: wait for the county home visit (`recordHomeVisit`, 57号
 *     Art. 20) when the policy requires it, then close.
 * `recordHomeVisit` is accepted at any time before the filing is closed.
 * When the filing belongs to an application, every change is signalled to
 * that application's review workflow (best effort: the review also reads the
 * filing from the database when its decision step begins).
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CaseActivities } from '../activities/cases.js';
import type { FilingActivities, FilingContext } from '../activities/filings.js';
import type { NotifyActivities } from '../activities/notify.js';
import {
  applicationReviewWorkflowId,
  beijingDateOf,
  checkFilingDecision,
  checkFilingSupplement,
  checkHomeVisit,
  filingDecisionRequestText,
  filingEscalationText,
  filingMoreInfoText,
  filingOutcomeText,
  filingReminderText,
  type FilingCheckContext,
  type FilingPhase,
} from '../domain/cases/index.js';
import {
  filingDecideUpdate,
  filingSupplementUpdate,
  nearRelativeFilingStatusQuery,
  recordHomeVisitUpdate,
  type NearRelativeFilingStatus,
} from '../domain/steps/updates/near-relative-filing.js';
import { computeDeadline, escalationSchedule, reminderSchedule } from '../domain/policy/compute.js';
import type { CountyPolicy } from '../domain/policy/schema.js';
import type { LocalDate } from '../domain/time/local-date.js';
import { createCalendarFromData, type CalendarData } from '../domain/time/work-calendar.js';
import { nearRelativeFilingChangedSignal } from './case-signals.js';
import { planLadder, runEscalationLadder } from './escalation.js';
import { updateIdOrFail } from './update-id.js';

const acts = proxyActivities<FilingActivities & CaseActivities & NotifyActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export interface NearRelativeFilingInput {
  countyRegionId: number;
  /** The staff member or village cadre whose relative this is. */
  staffId: number;
  /** The relative: a roster member or an applicant (database ids; never the ID number). */
  relative: { memberId: number } | { applicationId: number };
  /** Relation code ('spouse') or label ('配偶'), one of the county's near relations. */
  relation: string;
  /** 'staff' (self-declared) or 'finding:<id>'. */
  source: string;
  /** Who submitted it (null when opened by a finding). */
  filedByStaffId: number | null;
  note?: string;
  policy: CountyPolicy;
  /** Holiday data for the working-day clock (calendar.sliceData(year, year + 1)). */
  calendar: CalendarData;
}

export type { FilingDecideResult, FilingStepResult, NearRelativeFilingStatus } from '../domain/steps/updates/near-relative-filing.js';

const nowIso = () => new Date(Date.now()).toISOString();
const today = () => beijingDateOf(Date.now());

export async function nearRelativeFiling(input: NearRelativeFilingInput): Promise<NearRelativeFilingStatus> {
  const { workflowId } = workflowInfo();
  const calendar = createCalendarFromData(input.calendar, { estimateUncovered: true });
  const approvalDeadline = (anchor: LocalDate) => computeDeadline(input.policy, 'near-relative-approval', anchor, calendar);
  const homeVisitRequired = input.policy.nearRelatives.countyHomeVisitRequired;

  const state: NearRelativeFilingStatus = {
    workflowId,
    phase: 'opening',
    filingId: null,
    caseId: null,
    status: null,
    round: 1,
    due: null,
    expiresAt: null,
    decisions: [],
    homeVisitDate: null,
    notified: [],
    closedAt: null,
    subjectStaffId: input.staffId,
    filedByStaffId: input.filedByStaffId,
    supplements: [],
    homeVisit: null,
  };
  let ctx: FilingContext | undefined = undefined;
  /** A decision or supplement was accepted and is being written. */
  let busy = false;
  let homeVisitBusy = false;
  let roundAnchor: LocalDate = today();
  /** The phase, read through a function (handlers change it behind TypeScript's narrowing). */
  const phaseNow = (): FilingPhase => state.phase;

  const checkContext = (): FilingCheckContext => ({
    phase: state.phase,
    busy,
    approverStaffIds: ctx?.approverStaffIds ?? [],
    homeVisitStaffIds: ctx?.homeVisitStaffIds ?? [],
    filedByStaffId: input.filedByStaffId,
    subjectStaffId: input.staffId,
    conflictedStaffIds: ctx?.conflictedStaffIds ?? [input.staffId],
    homeVisitRecorded: state.homeVisitDate !== null || homeVisitBusy,
    today: today(),
  });

  /** Tell the application review (if any) what changed. Best effort: the review may not run (yet). */
  const tellApplication = async () => {
    if (!ctx || ctx.applicationId === null || state.status === null) return;
    try {
      await getExternalWorkflowHandle(applicationReviewWorkflowId(input.countyRegionId, ctx.applicationId)).signal(
        nearRelativeFilingChangedSignal,
        { filingId: ctx.filingId, staffId: input.staffId, status: state.status, homeVisitDate: state.homeVisitDate },
      );
    } catch {
      // No running review for this application: it reads the filing from the database when it needs it.
    }
  };

  setHandler(nearRelativeFilingStatusQuery, () => ({ ...state }));

  setHandler(
    filingDecideUpdate,
    async (args) => {
      if (!ctx || busy) throw ApplicationFailure.nonRetryable('该备案已审批，不能重复审批');
      busy = true;
      const updateId = updateIdOrFail();
      const decidedAt = nowIso();
      try {
        const r = await acts.recordFilingDecision({
          caseId: ctx.caseId,
          updateId,
          decision: args.decision,
          note: args.note,
          byStaffId: args.byStaffId,
          ...(args.onBehalfOfStaffId !== undefined ? { onBehalfOfStaffId: args.onBehalfOfStaffId } : {}),
          decidedAt,
          round: state.round,
        });
        state.status = r.status;
        state.decisions.push({ ...args, updateId, decidedAt });
        state.phase = args.decision === 'approve' ? 'approved' : args.decision === 'reject' ? 'rejected' : 'awaitingSupplement';
      } finally {
        busy = false;
      }
      return { filingId: ctx.filingId, status: state.status, decision: args.decision, decidedByStaffId: args.byStaffId, decidedAt };
    },
    {
      validator: (args) => {
        const reason = checkFilingDecision(args, checkContext());
        if (reason) throw new Error(reason);
      },
      description: '审批近亲属备案：批准、驳回或要求补充材料',
    },
  );

  setHandler(
    filingSupplementUpdate,
    async (args) => {
      if (!ctx || busy) throw ApplicationFailure.nonRetryable('该备案当前不需要补充材料');
      busy = true;
      const updateId = updateIdOrFail();
      const at = nowIso();
      const anchor = today();
      const deadline = approvalDeadline(anchor);
      try {
        const r = await acts.recordFilingSupplement({
          caseId: ctx.caseId,
          updateId,
          note: args.note,
          byStaffId: args.byStaffId,
          at,
          anchorDate: anchor,
          dueAt: deadline.expiresAt.toISOString(),
          round: state.round + 1,
        });
        state.status = r.status;
        state.round += 1;
        state.supplements!.push({ ...args, at });
        roundAnchor = anchor;
        state.phase = 'awaitingDecision';
      } finally {
        busy = false;
      }
      return { filingId: ctx.filingId, status: state.status, byStaffId: args.byStaffId, at, due: deadline.due };
    },
    {
      validator: (args) => {
        const reason = checkFilingSupplement(args, checkContext());
        if (reason) throw new Error(reason);
      },
      description: '备案人补充材料（审批时限重新计算）',
    },
  );

  setHandler(
    recordHomeVisitUpdate,
    async (args) => {
      if (!ctx || homeVisitBusy || state.homeVisitDate !== null) throw ApplicationFailure.nonRetryable('该备案已登记县级入户调查结果');
      homeVisitBusy = true;
      const at = nowIso();
      try {
        const r = await acts.recordFilingHomeVisit({
          caseId: ctx.caseId,
          updateId: updateIdOrFail(),
          visitDate: args.visitDate,
          result: args.result,
          ...(args.visitors !== undefined ? { visitors: args.visitors } : {}),
          byStaffId: args.byStaffId,
          at,
        });
        state.homeVisitDate = r.homeVisitDate;
        state.homeVisit = { ...args, at };
      } finally {
        homeVisitBusy = false;
      }
      await tellApplication();
      return { filingId: ctx.filingId, status: state.status ?? 'SUBMITTED', byStaffId: args.byStaffId, at, homeVisitDate: state.homeVisitDate ?? undefined };
    },
    {
      validator: (args) => {
        const reason = checkHomeVisit(args, checkContext());
        if (reason) throw new Error(reason);
      },
      description: '登记县级入户调查日期和结果',
    },
  );

  // ---------------------------------------------------------------- open
  const first = approvalDeadline(roundAnchor);
  ctx = await acts.openNearRelativeFiling({
    workflowId,
    countyRegionId: input.countyRegionId,
    staffId: input.staffId,
    memberId: 'memberId' in input.relative ? input.relative.memberId : null,
    applicationId: 'applicationId' in input.relative ? input.relative.applicationId : null,
    relation: input.relation,
    source: input.source,
    filedByStaffId: input.filedByStaffId,
    note: input.note,
    filedAt: nowIso(),
    anchorDate: roundAnchor,
    dueAt: first.expiresAt.toISOString(),
  });
  const c = ctx;
  state.filingId = c.filingId;
  state.caseId = c.caseId;
  state.subjectLabel = c.subjectLabel;
  state.approverStaffIds = c.approverStaffIds;
  state.homeVisitStaffIds = c.homeVisitStaffIds;
  state.conflictedStaffIds = c.conflictedStaffIds;
  state.status = c.status;
  state.homeVisitDate = c.homeVisitDate;
  state.phase = 'awaitingDecision';
  await tellApplication();

  // ---------------------------------------------------------------- approval rounds
  for (;;) {
    const round = state.round;
    const deadline = approvalDeadline(roundAnchor);
    state.due = deadline.due;
    state.expiresAt = deadline.expiresAt.toISOString();
    const roundOpenedAtMs = Date.now();
    const roundDone = () => state.round !== round || state.phase !== 'awaitingDecision' || busy;

    if (c.assigneeStaffId !== null) {
      const key = `${workflowId}:decision-request:${round}`;
      await acts.notify({
        recipientStaffId: c.assigneeStaffId,
        kind: 'approval-request',
        text: filingDecisionRequestText(c.subjectLabel, deadline.due, round > 1),
        dedupeKey: key,
        caseId: c.caseId,
        workflowId,
        actions: [
          // Step ids of domain/steps/near-relative-filing.ts: each opens the form with the choice made (a comment is required).
          { label: '批准', step: 'nr.decide', values: { decision: 'approve' }, style: 'primary' },
          { label: '驳回', step: 'nr.decide', values: { decision: 'reject' }, style: 'danger' },
          { label: '补充材料', step: 'nr.decide', values: { decision: 'moreInfo' } },
        ],
        sentAt: nowIso(),
      });
      state.notified.push(key);
    }

    // Each round has its own ladder keys (`…:round-2:reminder:1`), so a restarted
    // clock reminds again, and each reminder and escalation is still sent once.
    const prefix = round === 1 ? workflowId : `${workflowId}:round-${round}`;
    await runEscalationLadder({
      caseId: c.caseId,
      events: planLadder(prefix, reminderSchedule(input.policy, deadline.due), escalationSchedule(input.policy, deadline.expiresAt), roundOpenedAtMs),
      isDone: roundDone,
      text: (e) =>
        e.kind === 'reminder'
          ? filingReminderText(c.subjectLabel, deadline.due, e.daysBefore)
          : filingEscalationText(c.subjectLabel, deadline.due, e.label),
      onSent: (e) => state.notified.push(e.key),
      // The county chain, not the relative's township head (who may be close to the family).
      resolveRecipients: () => acts.resolveFilingEscalationRecipients({ caseId: c.caseId, countyRegionId: input.countyRegionId }),
    });
    await condition(() => !busy && state.phase !== 'awaitingDecision');
    await tellApplication();

    if (phaseNow() === 'awaitingSupplement') {
      const last = state.decisions.at(-1);
      const filer = input.filedByStaffId ?? input.staffId;
      const key = `${workflowId}:more-info:${round}`;
      await acts.notify({
        recipientStaffId: filer,
        kind: 'more-info',
        text: filingMoreInfoText(c.subjectLabel, last?.note),
        dedupeKey: key,
        caseId: c.caseId,
        workflowId,
        sentAt: nowIso(),
      });
      state.notified.push(key);
      await condition(() => state.round !== round && !busy);
      await tellApplication();
      continue;
    }
    break;
  }

  // ---------------------------------------------------------------- outcome
  const outcome = state.decisions.at(-1)!;
  const filer = input.filedByStaffId ?? input.staffId;
  const outcomeKey = `${workflowId}:outcome`;
  await acts.notify({
    recipientStaffId: filer,
    kind: 'outcome',
    text: filingOutcomeText(c.subjectLabel, outcome.decision === 'approve' ? 'approve' : 'reject', outcome.note),
    dedupeKey: outcomeKey,
    caseId: c.caseId,
    sentAt: nowIso(),
  });
  state.notified.push(outcomeKey);

  if (phaseNow() === 'approved' && homeVisitRequired) {
    await condition(() => state.homeVisitDate !== null && !homeVisitBusy);
  }
  await condition(() => !homeVisitBusy && allHandlersFinished());
  const closedAt = nowIso();
  await acts.closeCase({
    caseId: c.caseId,
    closedAt,
    reason: phaseNow() === 'approved' ? '近亲属备案已批准并完成县级入户调查' : '近亲属备案已驳回',
  });
  state.closedAt = closedAt;
  state.phase = 'closed';
  await condition(allHandlersFinished);
  return { ...state };
}
