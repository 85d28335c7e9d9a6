/**
 * Prisoner exit (服刑退出, domain.md R14, §2.1 Art. 7, §2.4 Art. 24/26). One
 * workflow per imprisoned member per county (`prison-exit:<county>:<memberId>`);
 * a second report of the same imprisonment joins it (services/cases/prison-exit.ts).
 *
 * open the Case (member IN_PRISON, payments held when nobody else is left) →
 * - 低保: escalation ladder until Update `decide` (household amount without
 *   the prisoner) → over-payment since the month after imprisonment;
 * - 特困: ladder until Update `postTermination` starts the 7-day 公示 (rule
 *   'tekun-termination-publicity' from the posting date); Update `objection`
 *   during the 公示 sends it back to review (the ladder resumes); a 公示 that
 *   ends without objection ends the enrolment from the next month and yields
 *   the over-payment;
 * → Update `recordRecovery` until recovered → close. Update `released` (刑满释放)
 * may come at any time: it is recorded and the township caseworker is told
 * to reopen the eligibility review.
 *
 * Deadline: the seeds set none for prisoners ("及时退出") and the presets have
 * no prison rule, so the review runs on the 'death-review' rule (3 months)
 * counted from the imprisonment date, unless the county policy defines a
 * 'prison-exit' rule (see prisonExitDeadlineRuleId). A case found late opens
 * overdue.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CaseActivities } from '../activities/cases.js';
import type { NotifyActivities } from '../activities/notify.js';
import type { PrisonExitActivities, PrisonExitCaseContext } from '../activities/prison-exit.js';
import {
  beijingDateOf,
  checkPrisonDecision,
  checkPrisonRecovery,
  checkRelease,
  checkTerminationObjection,
  checkTerminationPosting,
  monthsCoveredByKind,
  prisonExitDeadlineRuleId,
  prisonExitEscalationText,
  prisonExitReminderText,
  prisonReleaseText,
  tekunTerminationEffectiveMonth,
  toCents,
  type PrisonExitCheckContext,
} from '../domain/cases/index.js';
import { computeDeadline, escalationSchedule, reminderSchedule } from '../domain/policy/compute.js';
import type { CountyPolicy } from '../domain/policy/schema.js';
import { monthKey, type LocalDate } from '../domain/time/local-date.js';
import { planLadder, runEscalationLadder, type LadderEvent } from './escalation.js';
import { updateIdOrFail } from './update-id.js';

const acts = proxyActivities<CaseActivities & PrisonExitActivities & NotifyActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export interface PrisonExitInput {
  countyRegionId: number;
  /** The prisoner's member id (never the ID number: workflow ids are visible). */
  memberId: number;
  /** 'YYYY-MM-DD' the sentence / custody began. */
  imprisonmentDate: LocalDate;
  /** Who reported it: 司法、公安、村报 … */
  source: string;
  policy: CountyPolicy;
}

export {
  postTerminationUpdate,
  prisonDecideUpdate,
  prisonExitStatusQuery,
  prisonRecoveryUpdate,
  releasedUpdate,
  terminationObjectionUpdate,
  type PrisonDecideResult,
  type PrisonExitPhase,
  type PrisonExitStatus,
} from '../domain/steps/updates/prison-exit.js';
import {
  postTerminationUpdate,
  prisonDecideUpdate,
  prisonExitStatusQuery,
  prisonRecoveryUpdate,
  releasedUpdate,
  terminationObjectionUpdate,
  type PrisonExitStatus,
} from '../domain/steps/updates/prison-exit.js';

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

export async function prisonExit(input: PrisonExitInput): Promise<PrisonExitStatus> {
  const { workflowId } = workflowInfo();
  const ruleId = prisonExitDeadlineRuleId(input.policy);
  const deadline = computeDeadline(input.policy, ruleId, input.imprisonmentDate);
  const expiresAtMs = deadline.expiresAt.getTime();
  const imprisonmentMonth = monthKey(input.imprisonmentDate);
  const covered = monthsCoveredByKind(input.policy);

  const state: PrisonExitStatus = {
    workflowId,
    phase: 'opening',
    track: null,
    caseId: null,
    imprisonmentDate: input.imprisonmentDate,
    ruleId,
    due: deadline.due,
    expiresAt: deadline.expiresAt.toISOString(),
    overdue: false,
    assigneeStaffId: null,
    allowedStaffIds: [],
    decision: null,
    publicity: null,
    objections: 0,
    termination: null,
    overpaidCents: null,
    overpaidMonths: [],
    recoveredCents: 0,
    release: null,
    notified: [],
    closedAt: null,
  };
  let ctx: PrisonExitCaseContext | undefined = undefined;
  let deciding = false;
  let releasing = false;
  let postingsInFlight = 0;
  let pendingRecoveryCents = 0;

  /** The ladder is answered: a decision (低保) or a posted / completed termination (特困). */
  const answered = () => deciding || state.publicity !== null || state.termination !== null;
  const publicityRunning = () => state.publicity !== null && state.termination === null && Date.now() < Date.parse(state.publicity.expiresAt);

  const checkContext = (): PrisonExitCheckContext => ({
    imprisonmentDate: input.imprisonmentDate,
    track: ctx?.track ?? 'none',
    currentMonthlyAmount: ctx?.currentMonthlyAmount ?? 0,
    allowedStaffIds: ctx?.allowedStaffIds ?? [],
    opened: ctx !== undefined,
    closed: state.phase === 'closed',
    decided: deciding || state.termination !== null,
    publicityRunning: publicityRunning(),
    today: beijingDateOf(Date.now()),
  });
  const reject = (reason: string | null) => {
    if (reason) throw new Error(reason);
  };

  setHandler(prisonExitStatusQuery, () => ({ ...state, overdue: !answered() && state.phase !== 'closed' && Date.now() >= expiresAtMs }));

  setHandler(
    prisonDecideUpdate,
    async (args) => {
      if (deciding || !ctx) throw ApplicationFailure.nonRetryable('本案已作出决定，不能重复决定');
      deciding = true;
      const updateId = updateIdOrFail();
      const r = await acts.recordPrisonExitDecision({ caseId: ctx.caseId, updateId, args, decidedAt: nowIso(), imprisonmentMonth, monthsCoveredByKind: covered });
      state.decision = { ...args, updateId };
      state.overpaidCents = r.overpaidCents;
      state.overpaidMonths = r.months;
      return { caseId: ctx.caseId, overpaidCents: r.overpaidCents, months: r.months };
    },
    { validator: (args) => reject(checkPrisonDecision(args, checkContext())), description: '低保：剔除服刑人员后重新核定家庭保障金额' },
  );

  setHandler(
    postTerminationUpdate,
    async (args) => {
      if (!ctx) throw ApplicationFailure.nonRetryable('案件尚在建立中');
      const pub = computeDeadline(input.policy, 'tekun-termination-publicity', args.postedOn);
      state.publicity = { postedOn: args.postedOn, due: pub.due, expiresAt: pub.expiresAt.toISOString() };
      postingsInFlight++;
      try {
        await acts.recordTerminationPosted({ caseId: ctx.caseId, updateId: updateIdOrFail(), postedOn: args.postedOn, due: pub.due, byStaffId: args.byStaffId, ...(args.note ? { note: args.note } : {}) });
      } finally {
        postingsInFlight--;
      }
      return { due: pub.due, expiresAt: pub.expiresAt.toISOString() };
    },
    { validator: (args) => reject(checkTerminationPosting(args, checkContext())), description: '特困：张贴终止供养公示（7天）' },
  );

  setHandler(
    terminationObjectionUpdate,
    async (args) => {
      if (!ctx) throw ApplicationFailure.nonRetryable('案件尚在建立中');
      const caseId = ctx.caseId;
      // Back to review at once, so the 公示 timer cannot end the support meanwhile.
      state.publicity = null;
      state.objections++;
      state.phase = 'reviewing';
      const updateId = updateIdOrFail();
      await condition(() => postingsInFlight === 0);
      await acts.recordTerminationObjection({ caseId, updateId, receivedOn: args.receivedOn, summary: args.summary, byStaffId: args.byStaffId });
    },
    { validator: (args) => reject(checkTerminationObjection(args, checkContext())), description: '特困：公示期间登记异议，退回重新审核' },
  );

  setHandler(
    prisonRecoveryUpdate,
    async (args) => {
      if (!ctx || state.overpaidCents === null) throw ApplicationFailure.nonRetryable('本案尚未作出决定，无需登记追回');
      const amountCents = toCents(args.amount);
      pendingRecoveryCents += amountCents;
      try {
        const r = await acts.recordCaseRecovery({ caseId: ctx.caseId, updateId: updateIdOrFail(), amountCents, recordedByStaffId: args.byStaffId, recordedAt: nowIso() });
        state.recoveredCents = r.recoveredCents;
      } finally {
        pendingRecoveryCents -= amountCents;
      }
      return { recoveredCents: state.recoveredCents, remainingCents: Math.max(0, state.overpaidCents - state.recoveredCents) };
    },
    {
      validator: (args) =>
        reject(checkPrisonRecovery(args, { ...checkContext(), decided: state.overpaidCents !== null, overpaidCents: state.overpaidCents, recoveredCents: state.recoveredCents + pendingRecoveryCents })),
      description: '登记追回的超发资金',
    },
  );

  setHandler(
    releasedUpdate,
    async (args) => {
      if (!ctx) throw ApplicationFailure.nonRetryable('案件尚在建立中');
      releasing = true;
      const updateId = updateIdOrFail();
      const r = await acts.recordPrisonRelease({ caseId: ctx.caseId, updateId, releasedOn: args.releasedOn, byStaffId: args.byStaffId, recordedAt: nowIso(), ...(args.note ? { note: args.note } : {}) });
      state.release = { releasedOn: args.releasedOn, updateId };
      if (r.caseworkerStaffId !== null) {
        await acts.notify({
          recipientStaffId: r.caseworkerStaffId,
          kind: 'release',
          text: prisonReleaseText(ctx.subjectLabel, args.releasedOn),
          dedupeKey: `${workflowId}:released`,
          caseId: ctx.caseId,
          workflowId,
          sentAt: nowIso(),
        });
      }
    },
    { validator: (args) => reject(checkRelease(args, { ...checkContext(), closed: state.phase === 'closed', released: releasing })), description: '登记刑满释放，重新开展资格审核' },
  );

  const openedAtMs = Date.now();
  ctx = await acts.openPrisonExitCase({
    workflowId,
    countyRegionId: input.countyRegionId,
    memberId: input.memberId,
    imprisonmentDate: input.imprisonmentDate,
    source: input.source,
    dueAt: state.expiresAt,
    openedAt: new Date(openedAtMs).toISOString(),
  });
  const caseCtx = ctx;
  state.caseId = caseCtx.caseId;
  state.track = caseCtx.track;
  state.assigneeStaffId = caseCtx.assigneeStaffId;
  state.allowedStaffIds = caseCtx.allowedStaffIds;

  if (caseCtx.track !== 'none') {
    state.phase = 'reviewing';
    const reminders = reminderSchedule(input.policy, deadline.due);
    const steps = escalationSchedule(input.policy, deadline.expiresAt);
    const ladder = (fromMs: number) =>
      runEscalationLadder({
        caseId: caseCtx.caseId,
        // Resumed after an objection: stale reminders dropped, events already sent skipped.
        events: planLadder(workflowId, reminders, steps, fromMs).filter((e: LadderEvent) => !state.notified.includes(e.key)),
        isDone: answered,
        text: (e) =>
          e.kind === 'reminder'
            ? prisonExitReminderText(caseCtx.subjectLabel, deadline.due, e.daysBefore)
            : prisonExitEscalationText(caseCtx.subjectLabel, deadline.due, e.label),
        onSent: (e) => state.notified.push(e.key),
      });

    if (caseCtx.track === 'dibao') {
      await ladder(openedAtMs);
      await condition(() => state.overpaidCents !== null);
    } else {
      let fromMs = openedAtMs;
      for (;;) {
        await ladder(fromMs);
        await condition(() => state.publicity !== null);
        const pub = state.publicity!;
        state.phase = 'publicity';
        const leftMs = Date.parse(pub.expiresAt) - Date.now();
        const objected = leftMs > 0 ? await condition(() => state.publicity !== pub, leftMs) : false;
        if (!objected && state.publicity === pub) {
          const effectiveMonth = tekunTerminationEffectiveMonth(pub.due);
          state.termination = { effectiveMonth };
          await condition(() => postingsInFlight === 0);
          const r = await acts.completeTekunTermination({ caseId: caseCtx.caseId, effectiveMonth, completedAt: nowIso(), imprisonmentMonth, monthsCoveredByKind: covered });
          state.overpaidCents = r.overpaidCents;
          state.overpaidMonths = r.months;
          break;
        }
        state.phase = 'reviewing';
        fromMs = Date.now();
      }
    }

    state.phase = 'recovering';
    await condition(() => state.recoveredCents >= (state.overpaidCents ?? 0));
  }
  await condition(() => pendingRecoveryCents === 0 && allHandlersFinished());

  const closedAt = nowIso();
  const reason =
    caseCtx.track === 'none'
      ? '该家庭无在保待遇，无需办理退出'
      : state.overpaidCents === 0
        ? '已办结退出手续，无超发资金'
        : '已办结退出手续，超发资金已全部追回';
  await acts.closeCase({ caseId: caseCtx.caseId, closedAt, reason });
  state.phase = 'closed';
  state.closedAt = closedAt;
  await condition(allHandlersFinished);
  return { ...state, overdue: false };
}
