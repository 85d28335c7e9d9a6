/**
 * Rectification item (整改清单事项, Zhangzi attachment 6). One workflow per
 * item: `rectification:<county>:<source ref>` or `rectification:<county>:seq-<n>`.
 *
 * open the item and its Case → progress reports (Update `reportProgress`) →
 * completion report (Update `reportCompleted`, status 待专班确认) → the 专班
 * confirms (Update `confirm`): accepted → 已完成 and the Case closes; rejected
 * → back to 整改中 with a notification to the responsible person. While the
 * item is 整改中 the escalation ladder runs (reminders before the deadline,
 * escalation after); each step is sent at most once over the item's life.
 *
 * The deadline is the given date or the policy's 'rectification-default' rule
 * counted from the discovery date; it is late from the end of that day in
 * Asia/Shanghai.
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
import type { NotifyActivities } from '../activities/notify.js';
import type { RectificationActivities, RectificationContextData } from '../activities/rectification.js';
import {
  checkConfirm,
  checkRectificationInput,
  checkReportCompleted,
  checkReportProgress,
  rectificationEscalationText,
  rectificationConfirmRequestText,
  rectificationRejectedText,
  rectificationReminderText,
  toCents,
  type RectificationContext,
  type RectificationItemInput,
} from '../domain/cases/index.js';
import { computeDeadline, escalationSchedule, reminderSchedule } from '../domain/policy/compute.js';
import type { CountyPolicy } from '../domain/policy/schema.js';
import { endOfChinaDay } from '../domain/time/instants.js';
import { planLadder, runEscalationLadder, type LadderEvent } from './escalation.js';
import { updateIdOrFail } from './update-id.js';

const { openRectificationItem, recordRectificationProgress, recordRectificationTransition, rectificationConfirmer, notify } = proxyActivities<RectificationActivities & NotifyActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export interface RectificationItemWorkflowInput extends RectificationItemInput {
  /** The county policy (validated), fixed for the life of the item. */
  policy: CountyPolicy;
}

export { confirmUpdate, rectificationStatusQuery, reportCompletedUpdate, reportProgressUpdate, type RectificationItemStatus } from '../domain/steps/updates/rectification-item.js';
import { confirmUpdate, rectificationStatusQuery, reportCompletedUpdate, reportProgressUpdate, type RectificationItemStatus } from '../domain/steps/updates/rectification-item.js';

export async function rectificationItem(input: RectificationItemWorkflowInput): Promise<RectificationItemStatus> {
  const bad = checkRectificationInput(input, input.policy);
  if (bad) throw ApplicationFailure.nonRetryable(bad, 'BadInput');
  const { workflowId } = workflowInfo();
  const { due, expiresAt } =
    input.deadline !== undefined
      ? { due: input.deadline, expiresAt: endOfChinaDay(input.deadline) }
      : computeDeadline(input.policy, 'rectification-default', input.discoveryDate);
  const expiresAtMs = expiresAt.getTime();

  const state: RectificationItemStatus = {
    workflowId,
    itemId: null,
    caseId: null,
    seq: null,
    status: 'OPENING',
    due,
    expiresAt: expiresAt.toISOString(),
    overdue: false,
    progressReports: 0,
    recoveredCents: 0,
    rejections: 0,
    notified: [],
    completedAt: null,
  };
  let ctx: RectificationContextData | undefined = undefined;
  let busy = false;

  const validation = (): RectificationContext => ({
    opened: ctx !== undefined,
    status: state.status === 'OPENING' ? 'IN_PROGRESS' : state.status,
    busy,
    responsibleStaffId: input.responsibleStaffId,
    unitHeadStaffIds: ctx?.unitHeadStaffIds ?? [],
    confirmerStaffIds: ctx?.confirmerStaffIds ?? [],
  });
  const guard = (reason: string | null) => {
    if (reason) throw new Error(reason);
  };

  setHandler(rectificationStatusQuery, () => ({
    ...state,
    overdue: state.status !== 'COMPLETED' && Date.now() >= expiresAtMs,
  }));

  setHandler(
    reportProgressUpdate,
    async (args) => {
      const r = await recordRectificationProgress({
        itemId: ctx!.itemId,
        updateId: updateIdOrFail(),
        note: args.note,
        recoveredCents: toCents(args.recoveredAmount ?? 0),
        byStaffId: args.byStaffId,
        at: new Date(Date.now()).toISOString(),
      });
      state.progressReports += 1;
      state.recoveredCents = r.recoveredCents;
      return r;
    },
    { validator: (args) => guard(checkReportProgress(args, validation())), description: '报告整改进展' },
  );

  setHandler(
    reportCompletedUpdate,
    async (args) => {
      busy = true;
      try {
        const updateId = updateIdOrFail();
        const at = new Date(Date.now()).toISOString();
        await recordRectificationTransition({
          itemId: ctx!.itemId,
          updateId,
          to: 'AWAITING_CONFIRMATION',
          action: 'rectification.completed-reported',
          byStaffId: args.byStaffId,
          note: args.note,
          at,
        });
        state.status = 'AWAITING_CONFIRMATION';
        // Added after the first release: the 专班 office gets a card with a confirm button.
        // Items that reported completion before this change replay without it.
        if (patched('rectification-confirm-request')) {
          const confirmer = await rectificationConfirmer(input.countyRegionId);
          if (confirmer !== null) {
            await notify({
              recipientStaffId: confirmer,
              kind: 'approval',
              text: rectificationConfirmRequestText(input.problem, ctx!.seq, input.responsibleUnit),
              dedupeKey: `${workflowId}:confirm-request:${updateId}`,
              caseId: ctx!.caseId,
              workflowId,
              actions: [
                { label: '确认完成', step: 'rc.confirm', values: { verdict: '同意销号' }, style: 'primary' },
                { label: '退回整改', step: 'rc.confirm', values: { verdict: '退回整改' }, style: 'danger' },
              ],
              sentAt: at,
            });
          }
        }
      } finally {
        busy = false;
      }
      return { status: state.status };
    },
    { validator: (args) => guard(checkReportCompleted(args, validation())), description: '报告整改完成，提请专班确认' },
  );

  setHandler(
    confirmUpdate,
    async (args) => {
      busy = true;
      const updateId = updateIdOrFail();
      const at = new Date(Date.now()).toISOString();
      try {
        if (args.accepted) {
          await recordRectificationTransition({ itemId: ctx!.itemId, updateId, to: 'COMPLETED', action: 'rectification.confirmed', byStaffId: args.byStaffId, note: args.note, at });
          state.status = 'COMPLETED';
          state.completedAt = at;
        } else {
          await recordRectificationTransition({ itemId: ctx!.itemId, updateId, to: 'IN_PROGRESS', action: 'rectification.rejected', byStaffId: args.byStaffId, note: args.note, at });
          await notify({
            recipientStaffId: input.responsibleStaffId,
            kind: 'rectification-rejected',
            text: rectificationRejectedText(input.problem, ctx!.seq, args.note ?? ''),
            dedupeKey: `${workflowId}:rejected:${updateId}`,
            caseId: ctx!.caseId,
            workflowId,
            sentAt: at,
          });
          state.status = 'IN_PROGRESS';
          state.rejections += 1;
        }
      } finally {
        busy = false;
      }
      return { status: state.status };
    },
    { validator: (args) => guard(checkConfirm(args, validation())), description: '专班确认整改结果（同意或退回）' },
  );

  const openedAtMs = Date.now();
  ctx = await openRectificationItem({
    ...withoutPolicy(input),
    workflowId,
    deadline: due,
    dueAt: state.expiresAt,
    openedAt: new Date(openedAtMs).toISOString(),
  });
  const opened = ctx;
  state.itemId = opened.itemId;
  state.caseId = opened.caseId;
  state.seq = opened.seq;
  state.status = opened.status;

  const events = planLadder(workflowId, reminderSchedule(input.policy, due), escalationSchedule(input.policy, expiresAt), openedAtMs);
  const sent = new Set<string>();
  const text = (e: LadderEvent) =>
    e.kind === 'reminder'
      ? rectificationReminderText(input.problem, opened.seq, due, e.daysBefore)
      : rectificationEscalationText(input.problem, opened.seq, due, e.label);

  // The ladder runs while the item is 整改中; a completion report pauses it and
  // a rejection resumes it with the steps not yet sent (reminders whose time
  // passed meanwhile are skipped, escalations already due go out at once).
  for (;;) {
    await condition(() => state.status !== 'AWAITING_CONFIRMATION');
    if (state.status === 'COMPLETED') break;
    const now = Date.now();
    const remaining = events.filter((e) => !sent.has(e.key) && (e.kind === 'escalation' || e.atMs >= now));
    for (const e of events) if (e.kind === 'reminder' && e.atMs < now) sent.add(e.key);
    if (remaining.length === 0) {
      await condition(() => state.status !== 'IN_PROGRESS');
      continue;
    }
    await runEscalationLadder({
      caseId: opened.caseId,
      events: remaining,
      isDone: () => state.status !== 'IN_PROGRESS',
      text,
      onSent: (e) => {
        sent.add(e.key);
        state.notified.push(e.key);
      },
    });
  }

  await condition(allHandlersFinished);
  return { ...state, overdue: false };
}

function withoutPolicy(input: RectificationItemWorkflowInput): RectificationItemInput & { discoveryDate: string } {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { policy, deadline, ...rest } = input;
  return rest;
}
