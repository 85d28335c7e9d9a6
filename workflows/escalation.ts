/**
 * The escalation ladder (催办升级) every case workflow runs while it waits for
 * a decision: reminders before the deadline, then escalation to each level
 * after it (assignee → unit head → 专班 leader, each N hours after expiry).
 *
 * Workflow code (not a workflow): durable timers via `condition(done, ms)`,
 * time from the workflow clock, notifications through the notify activity
 * with deterministic dedupe keys, so each is written exactly once even when
 * an activity is retried or the workflow is replayed.
 */
import { condition, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/cases.js';
import type { NotifyActivities } from '../activities/notify.js';
import type { EscalationStep, Reminder } from '../domain/policy/compute.js';
import type { EscalationLevel } from '../domain/policy/schema.js';

const { notify, resolveEscalationRecipients } = proxyActivities<NotifyActivities & CaseActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export type LadderEvent =
  | { kind: 'reminder'; key: string; atMs: number; daysBefore: number }
  | { kind: 'escalation'; key: string; atMs: number; level: EscalationLevel; label: string };

/**
 * The ladder's events, in the order they are sent. Reminders whose instant
 * lies before `openedAtMs` are dropped (a case found late gets no stale
 * reminders); escalations already due are kept and go out at once.
 */
export function planLadder(
  workflowId: string,
  reminders: readonly Reminder[],
  steps: readonly EscalationStep[],
  openedAtMs: number,
): LadderEvent[] {
  const events: LadderEvent[] = [
    ...reminders
      .filter((r) => r.at.getTime() >= openedAtMs)
      .map((r): LadderEvent => ({ kind: 'reminder', key: `${workflowId}:reminder:${r.daysBefore}`, atMs: r.at.getTime(), daysBefore: r.daysBefore })),
    ...steps.map((s): LadderEvent => ({ kind: 'escalation', key: `${workflowId}:escalation:${s.level}`, atMs: s.at.getTime(), level: s.level, label: s.label })),
  ];
  // Stable sort: at equal instants reminders (listed first) precede escalations.
  return events.sort((a, b) => a.atMs - b.atMs);
}

export interface LadderOptions {
  caseId: number;
  events: readonly LadderEvent[];
  /** True once the case no longer needs chasing (a decision arrived). */
  isDone: () => boolean;
  text: (event: LadderEvent) => string;
  /** Called after each event was handled (for the status query). */
  onSent?: (event: LadderEvent, recipientStaffId: number | null) => void;
  /**
   * Who holds each level now (default: the `resolveEscalationRecipients`
   * activity, i.e. the case's assignee, township head and 专班). Cases whose
   * notifications must reach only some roles (accusations) pass their own.
   */
  resolveRecipients?: () => Promise<Record<EscalationLevel, number | null>>;
}

/**
 * Runs the ladder until `isDone()` or until the last step was sent. Events
 * due in the past are sent at once. Reminders go to the assignee; each
 * escalation to whoever holds that level at the time (resolved from the DB).
 * A level nobody holds is skipped.
 */
export async function runEscalationLadder(opts: LadderOptions): Promise<void> {
  for (const event of opts.events) {
    const waitMs = event.atMs - Date.now();
    if (waitMs > 0) {
      if (await condition(opts.isDone, waitMs)) return;
    }
    if (opts.isDone()) return;
    const sentAt = new Date(Date.now()).toISOString();
    const recipients = opts.resolveRecipients ? await opts.resolveRecipients() : await resolveEscalationRecipients(opts.caseId);
    const recipient = event.kind === 'reminder' ? recipients.assignee : recipients[event.level];
    if (recipient !== null && recipient !== undefined) {
      await notify({
        recipientStaffId: recipient,
        kind: event.kind,
        text: opts.text(event),
        dedupeKey: event.key,
        caseId: opts.caseId,
        sentAt,
      });
    }
    opts.onSent?.(event, recipient ?? null);
  }
}

/** The workflow id of the running case (for dedupe keys). */
export function currentWorkflowId(): string {
  return workflowInfo().workflowId;
}
