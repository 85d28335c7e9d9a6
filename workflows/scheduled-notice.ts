/**
 * Scheduled notice (定时通知): the smallest real slice of the product. A notice
 * is due at an instant; the workflow waits for it on a durable timer (days or
 * months, surviving restarts), then an activity records it in the database and
 * the audit log. The reminders of every case workflow are built the same way.
 * With a recipient, the notice also goes to that staff member's chats as an
 * alert (a Notification row, key `<workflow id>:notice`, that the delivery
 * loop sends once): the fault drills count what the chat fakes received.
 *
 * Deterministic code only: time comes from the workflow clock, side effects
 * from activities.
 */
import { patched, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { NoticeActivities } from '../activities/notices.js';
import type { NotifyActivities } from '../activities/notify.js';

/** Runs recorded before it never sent an alert (and had no recipient). */
export const NOTICE_ALERT_PATCH = 'scheduled-notice-alert';

const { recordNotice, notify } = proxyActivities<NoticeActivities & NotifyActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export interface ScheduledNoticeInput {
  /** What the notice says (Chinese, shown to staff). */
  note: string;
  /** When it is due, as an ISO-8601 instant. In the past: recorded at once. */
  dueAt: string;
  /** Staff member to alert in chat when the notice falls due (optional). */
  recipientStaffId?: number;
}

export interface ScheduledNoticeResult {
  recordId: string;
  /** Workflow time at which the notice was recorded (ISO-8601). */
  recordedAt: string;
}

export async function scheduledNotice(input: ScheduledNoticeInput): Promise<ScheduledNoticeResult> {
  const dueAtMs = Date.parse(input.dueAt);
  if (Number.isNaN(dueAtMs)) {
    throw new Error(`invalid dueAt: ${input.dueAt}`);
  }
  const waitMs = dueAtMs - Date.now();
  if (waitMs > 0) await sleep(waitMs);
  const recordedAt = new Date(Date.now()).toISOString();
  const { workflowId } = workflowInfo();
  const { recordId } = await recordNotice({ workflowId, note: input.note, recordedAt });
  if (input.recipientStaffId !== undefined && patched(NOTICE_ALERT_PATCH)) {
    await notify({ recipientStaffId: input.recipientStaffId, kind: 'notice', text: input.note, dedupeKey: `${workflowId}:notice`, workflowId, sentAt: recordedAt });
  }
  return { recordId, recordedAt };
}
