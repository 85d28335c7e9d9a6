/**
 * Payment-deadline watch (domain.md R6–R8): one run per county, payment kind
 * and schedule period (`payment-watch:<county>:<kind>:<YYYY-MM>`). It waits
 * for the deadline to expire (低保: the 10th of each month; 分散/集中特困: the
 * 10th of the quarter's first month), compares due and paid for every
 * enrolment through the cross-matching (payment_missing / late / short /
 * wrong_payee findings of that period), alerts each responsible township
 * once (counts and amounts, no ID numbers) and sends the 专班 a summary.
 */
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { CycleActivities } from '../activities/cycles.js';
import type { NotifyActivities } from '../activities/notify.js';
import { paymentSummaryText, paymentTownshipText, type PaymentWatchTownship } from '../domain/cycles/index.js';
import { PAYMENT_KIND_LABELS, type CountyPolicy, type PaymentKind } from '../domain/policy/schema.js';
import { addCalendarDays, type LocalDate } from '../domain/time/local-date.js';

const acts = proxyActivities<CycleActivities & NotifyActivities>({
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export interface PaymentWatchInput {
  countyRegionId: number;
  kind: PaymentKind;
  /** The schedule month ('YYYY-MM'; quarterly kinds: the quarter's first month). */
  periodMonth: string;
  /** Last on-time day. */
  due: LocalDate;
  /** First late instant, ISO-8601. */
  expiresAt: string;
  policy: CountyPolicy;
}

export interface PaymentWatchResult {
  townships: PaymentWatchTownship[];
  findings: number;
  notified: string[];
}

export async function paymentDeadlineWatch(input: PaymentWatchInput): Promise<PaymentWatchResult> {
  const { workflowId } = workflowInfo();
  const waitMs = Date.parse(input.expiresAt) - Date.now();
  if (waitMs > 0) await sleep(waitMs);
  const r = await acts.comparePaymentsForPeriod({
    countyRegionId: input.countyRegionId,
    policy: input.policy,
    kind: input.kind,
    periodMonth: input.periodMonth,
    asOf: addCalendarDays(input.due, 1),
  });
  const label = PAYMENT_KIND_LABELS[input.kind];
  const notified: string[] = [];
  const sentAt = new Date(Date.now()).toISOString();
  for (const t of r.townships) {
    const recipient = t.caseworkerStaffId ?? t.headStaffId;
    if (recipient === null) continue;
    const dedupeKey = `${workflowId}:township:${t.townshipId}`;
    await acts.notify({ recipientStaffId: recipient, kind: 'payment-alert', text: paymentTownshipText(label, input.periodMonth, input.due, t), dedupeKey, workflowId, sentAt });
    notified.push(dedupeKey);
  }
  const team = await acts.taskForceStaff({ countyRegionId: input.countyRegionId });
  if (team.office !== null) {
    const dedupeKey = `${workflowId}:summary`;
    await acts.notify({ recipientStaffId: team.office, kind: 'payment-summary', text: paymentSummaryText(label, input.periodMonth, input.due, r.townships), dedupeKey, workflowId, sentAt });
    notified.push(dedupeKey);
  }
  return { townships: r.townships, findings: r.findings, notified };
}
