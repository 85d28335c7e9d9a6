/**
 * Scheduled notice (定时通知): the smallest real slice of the product. A notice
 * is due at an instant; the workflow waits for it on a durable timer (days or
 * months, surviving restarts), then an activity records it in the database and
 * the audit log. The reminders of every case workflow are built the same way.
 *
 * Deterministic code only: time comes from the workflow clock, side effects
 * from activities.
 */
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { NoticeActivities } from '../activities/notices.js';

const { recordNotice } = proxyActivities<NoticeActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export interface ScheduledNoticeInput {
  /** What the notice says (Chinese, shown to staff). */
  note: string;
  /** When it is due, as an ISO-8601 instant. In the past: recorded at once. */
  dueAt: string;
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
  const { recordId } = await recordNotice({
    workflowId: workflowInfo().workflowId,
    note: input.note,
    recordedAt,
  });
  return { recordId, recordedAt };
}
