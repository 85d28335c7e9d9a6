/**
 * Death review (死亡核查, domain.md R13/R14). One workflow per deceased
 * member per county (`death-review:<county>:<memberId>`); a second report of
 * the same death joins it (see services/cases/death-review.ts).
 *
 * open the Case and hold payments → escalation ladder until a decision (Update
 * `decide`) → compute and record the over-payment → its confirmation by
 * someone other than the decider (Update `confirmOverpayment`; runs decided
 * before 'death-review-overpayment-confirm' skip it) → wait for recoveries
 * (Update `recordRecovery`) until it is recovered → close the Case.
 *
 * The deadline is death date + 3 calendar months (clamped), late from the end
 * of that day in Asia/Shanghai; the clock runs from the death, so a case found
 * late opens overdue. The county policy is an argument: a policy change never
 * alters a running case's replay.
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
import type { CaseActivities, DeathReviewCaseContext } from '../activities/cases.js';
import type { NotifyActivities } from '../activities/notify.js';
import {
  beijingDateOf,
  checkDecision,
  checkHouseholdCheck,
  checkOverpaymentConfirm,
  checkRecovery,
  checkWriteOff,
  deathReviewConfirmText,
  deathReviewEscalationText,
  deathReviewReminderText,
  monthsCoveredByKind,
  toCents,
  type DecisionContext,
} from '../domain/cases/index.js';
import { computeDeadline, escalationSchedule, reminderSchedule } from '../domain/policy/compute.js';
import type { CountyPolicy } from '../domain/policy/schema.js';
import type { LocalDate } from '../domain/time/local-date.js';
import { planLadder, runEscalationLadder } from './escalation.js';
import { updateIdOrFail } from './update-id.js';

const { openDeathReviewCase, recordDeathReviewDecision, recordCaseRecovery, recordCaseStep, closeCase } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

const { notify } = proxyActivities<NotifyActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export interface DeathReviewInput {
  countyRegionId: number;
  /** The deceased member's database id (never the ID number: workflow ids are visible). */
  memberId: number;
  /** 'YYYY-MM-DD' */
  deathDate: LocalDate;
  /** Who reported it first: 公安、卫健、殡葬、村报 … */
  source: string;
  /** The county policy (validated), fixed for the life of the case. */
  policy: CountyPolicy;
}

export {
  approveWriteOffUpdate,
  confirmOverpaymentUpdate,
  deathReviewStatusQuery,
  decideUpdate,
  recordHouseholdCheckUpdate,
  recordRecoveryUpdate,
  type DeathReviewPhase,
  type DeathReviewStatus,
  type DecideResult,
  type HouseholdCheckArgs,
  type RecordRecoveryResult,
  type WriteOffArgs,
  type WriteOffResult,
} from '../domain/steps/updates/death-review.js';
import {
  approveWriteOffUpdate,
  confirmOverpaymentUpdate,
  deathReviewStatusQuery,
  decideUpdate,
  recordHouseholdCheckUpdate,
  recordRecoveryUpdate,
  type DeathReviewStatus,
} from '../domain/steps/updates/death-review.js';

export type DeathReviewResult = DeathReviewStatus;

export async function deathReview(input: DeathReviewInput): Promise<DeathReviewResult> {
  const { workflowId } = workflowInfo();
  const deadline = computeDeadline(input.policy, 'death-review', input.deathDate);
  const expiresAtMs = deadline.expiresAt.getTime();
  const deathMonth = input.deathDate.slice(0, 7);

  const state: DeathReviewStatus = {
    workflowId,
    phase: 'opening',
    caseId: null,
    deathDate: input.deathDate,
    due: deadline.due,
    expiresAt: deadline.expiresAt.toISOString(),
    overdue: false,
    assigneeStaffId: null,
    allowedStaffIds: [],
    check: null,
    decision: null,
    overpaidCents: null,
    overpaymentConfirmed: null,
    recoveredCents: 0,
    writeOff: null,
    notified: [],
    closedAt: null,
  };
  let ctx: DeathReviewCaseContext | undefined = undefined;
  /** Set when a valid decision is accepted (before its activity finishes). */
  let deciding = false;
  /** Recoveries accepted but not yet recorded, so concurrent ones cannot over-recover. */
  let pendingRecoveryCents = 0;

  const decisionContext = (): DecisionContext => ({
    deathMonth,
    currentMonthlyAmount: ctx?.currentMonthlyAmount ?? 0,
    allowedStaffIds: ctx?.allowedStaffIds ?? [],
    opened: ctx !== undefined,
    decided: deciding,
    closed: state.phase === 'closed',
  });

  setHandler(deathReviewStatusQuery, () => ({
    ...state,
    overdue: state.decision === null && Date.now() >= expiresAtMs,
  }));

  setHandler(
    decideUpdate,
    async (args) => {
      if (deciding || !ctx) throw ApplicationFailure.nonRetryable('本案已作出决定，不能重复决定');
      deciding = true;
      const updateId = updateIdOrFail();
      const r = await recordDeathReviewDecision({
        caseId: ctx.caseId,
        updateId,
        args,
        decidedAt: new Date(Date.now()).toISOString(),
        deathMonth,
        monthsCoveredByKind: monthsCoveredByKind(input.policy),
      });
      state.decision = { ...args, updateId };
      state.overpaidCents = r.overpaidCents;
      // An over-payment is confirmed before anything is recovered (decided before the patch: straight on).
      state.phase = r.overpaidCents > 0 && patched('death-review-overpayment-confirm') ? 'confirming' : 'recovering';
      return { caseId: ctx.caseId, overpaidCents: r.overpaidCents, months: r.months };
    },
    {
      validator: (args) => {
        const reason = checkDecision(args, decisionContext());
        if (reason) throw new Error(reason);
      },
      description: '作出增发、减发或停发决定',
    },
  );

  setHandler(
    recordRecoveryUpdate,
    async (args) => {
      if (!ctx || state.overpaidCents === null) throw ApplicationFailure.nonRetryable('本案尚未作出决定，无需登记追回');
      const amountCents = toCents(args.amount);
      pendingRecoveryCents += amountCents;
      try {
        const r = await recordCaseRecovery({
          caseId: ctx.caseId,
          updateId: updateIdOrFail(),
          amountCents,
          recordedByStaffId: args.recordedByStaffId,
          recordedAt: new Date(Date.now()).toISOString(),
          ...(args.recoveredOn ? { recoveredOn: args.recoveredOn } : {}),
          ...(args.receiptNo ? { receiptNo: args.receiptNo } : {}),
        });
        state.recoveredCents = r.recoveredCents;
      } finally {
        pendingRecoveryCents -= amountCents;
      }
      return { recoveredCents: state.recoveredCents, remainingCents: Math.max(0, state.overpaidCents - state.recoveredCents) };
    },
    {
      validator: (args) => {
        const reason = checkRecovery(args, {
          ...decisionContext(),
          decided: state.overpaidCents !== null,
          overpaidCents: state.overpaidCents,
          recoveredCents: state.recoveredCents + pendingRecoveryCents,
          confirming: state.phase === 'confirming',
        });
        if (reason) throw new Error(reason);
      },
      description: '登记追回的超发资金',
    },
  );

  // 入户核查: recorded before the decision (added with the step contracts; a new handler, no patch).
  setHandler(
    recordHouseholdCheckUpdate,
    async (args) => {
      if (!ctx) throw ApplicationFailure.nonRetryable('案件尚在建立中，请稍后再试');
      const updateId = updateIdOrFail();
      state.check = { ...args, updateId };
      await recordCaseStep({
        caseId: ctx.caseId,
        updateId,
        action: 'case.household-checked',
        byStaffId: args.byStaffId,
        at: new Date(Date.now()).toISOString(),
        entry: { visitedOn: args.visitedOn, visitors: args.visitors, findings: args.findings },
      });
      return { caseId: ctx.caseId };
    },
    {
      validator: (args) => {
        const reason = checkHouseholdCheck(args, { ...decisionContext(), checked: Boolean(state.check), today: beijingDateOf(Date.now()) });
        if (reason) throw new Error(reason);
      },
      description: '登记入户核查情况',
    },
  );

  // 核销: the 专班组长 writes off what cannot be recovered; the case then closes.
  setHandler(
    approveWriteOffUpdate,
    async (args) => {
      if (!ctx || state.overpaidCents === null) throw ApplicationFailure.nonRetryable('本案尚未作出决定，无需核销');
      const cents = Math.max(0, state.overpaidCents - state.recoveredCents);
      const updateId = updateIdOrFail();
      state.writeOff = { ...args, cents, updateId };
      await recordCaseStep({
        caseId: ctx.caseId,
        updateId,
        action: 'case.written-off',
        byStaffId: args.byStaffId,
        at: new Date(Date.now()).toISOString(),
        entry: { writtenOffCents: cents, reason: args.reason, ...(args.onBehalfOfStaffId !== undefined ? { onBehalfOfStaffId: args.onBehalfOfStaffId } : {}) },
      });
      return { writtenOffCents: cents };
    },
    {
      validator: (args) => {
        const reason = checkWriteOff(args, {
          ...decisionContext(),
          decided: state.overpaidCents !== null,
          overpaidCents: state.overpaidCents,
          recoveredCents: state.recoveredCents + pendingRecoveryCents,
          leaderStaffIds: ctx?.leaderStaffIds ?? [],
          writtenOff: state.writeOff !== null,
          confirming: state.phase === 'confirming',
        });
        if (reason) throw new Error(reason);
      },
      description: '专班组长批准核销未能追回的超发资金',
    },
  );

  // 确认超发金额: a new handler (the phase that waits for it is patched in `decide`).
  setHandler(
    confirmOverpaymentUpdate,
    async (args) => {
      if (!ctx || state.overpaidCents === null) throw ApplicationFailure.nonRetryable('本案尚未作出决定，无超发金额可确认');
      const updateId = updateIdOrFail();
      state.overpaymentConfirmed = { ...args, updateId };
      state.phase = 'recovering';
      await recordCaseStep({
        caseId: ctx.caseId,
        updateId,
        action: 'case.overpayment-confirmed',
        byStaffId: args.byStaffId,
        at: new Date(Date.now()).toISOString(),
        entry: {
          overpaidCents: state.overpaidCents,
          ...(args.note ? { note: args.note } : {}),
          ...(args.onBehalfOfStaffId !== undefined ? { onBehalfOfStaffId: args.onBehalfOfStaffId } : {}),
        },
      });
      return { overpaidCents: state.overpaidCents };
    },
    {
      validator: (args) => {
        const reason = checkOverpaymentConfirm(args, {
          ...decisionContext(),
          decided: state.overpaidCents !== null,
          overpaidCents: state.overpaidCents,
          confirming: state.phase === 'confirming',
          decidedByStaffId: state.decision?.decidedByStaffId ?? null,
        });
        if (reason) throw new Error(reason);
      },
      description: '确认决定计算出的超发金额（作出决定以外的工作人员）',
    },
  );

  const openedAtMs = Date.now();
  ctx = await openDeathReviewCase({
    workflowId,
    countyRegionId: input.countyRegionId,
    memberId: input.memberId,
    deathDate: input.deathDate,
    source: input.source,
    dueAt: state.expiresAt,
    openedAt: new Date(openedAtMs).toISOString(),
  });
  const caseCtx = ctx;
  state.caseId = caseCtx.caseId;
  state.assigneeStaffId = caseCtx.assigneeStaffId;
  state.allowedStaffIds = caseCtx.allowedStaffIds;
  state.phase = 'reviewing';

  const events = planLadder(
    workflowId,
    reminderSchedule(input.policy, deadline.due),
    escalationSchedule(input.policy, deadline.expiresAt),
    openedAtMs,
  );
  await runEscalationLadder({
    caseId: caseCtx.caseId,
    events,
    isDone: () => deciding,
    text: (e) =>
      e.kind === 'reminder'
        ? deathReviewReminderText(caseCtx.subjectLabel, deadline.due, e.daysBefore)
        : deathReviewEscalationText(caseCtx.subjectLabel, deadline.due, e.label),
    onSent: (e) => state.notified.push(e.key),
  });

  await condition(() => state.overpaidCents !== null);
  // (Set by the `decide` handler: the compiler's narrowing of `state.phase` does not see it.)
  if ((state.phase as DeathReviewStatus['phase']) === 'confirming') {
    // Only on runs past the patch: a card with the step for the 专班组长 (to the deputy while one stands in).
    const confirmer = (caseCtx.leaderStaffIds ?? []).find((id) => id !== state.decision?.decidedByStaffId);
    if (confirmer !== undefined) {
      await notify({
        recipientStaffId: confirmer,
        kind: 'approval-request',
        text: deathReviewConfirmText(caseCtx.subjectLabel, state.overpaidCents!),
        dedupeKey: `${workflowId}:confirm-overpayment`,
        caseId: caseCtx.caseId,
        workflowId,
        actions: [{ label: '确认超发金额', step: 'dr.confirm', style: 'primary' as const }],
        sentAt: new Date(Date.now()).toISOString(),
      });
    }
  }
  await condition(() => state.recoveredCents >= (state.overpaidCents ?? 0) || state.writeOff !== null);
  await condition(() => pendingRecoveryCents === 0 && allHandlersFinished());

  const closedAt = new Date(Date.now()).toISOString();
  await closeCase({
    caseId: caseCtx.caseId,
    closedAt,
    reason:
      state.overpaidCents === 0
        ? '已作出决定，无超发资金'
        : state.writeOff !== null && state.recoveredCents < (state.overpaidCents ?? 0)
          ? '已作出决定，未追回部分经专班组长批准核销'
          : '已作出决定，超发资金已全部追回',
  });
  state.phase = 'closed';
  state.closedAt = closedAt;
  await condition(allHandlersFinished);
  return { ...state, overdue: false };
}
