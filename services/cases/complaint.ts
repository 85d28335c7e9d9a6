/**
 * Client side of a real-name complaint: register (or join) the ledger entry
 * of one intake. The workflow id is built from the county and a digest of the
 * intake key (hotline ticket, letter register number, chat event id), so the
 * same intake reported twice joins the running workflow (USE_EXISTING) and
 * therefore the same ledger entry; nothing the complainant wrote shows in it.
 */
import { createHash } from 'node:crypto';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { complaintWorkflowId } from '../../domain/cases/ids.js';
import { computeDeadline } from '../../domain/policy/compute.js';
import { toChinaDate } from '../../domain/time/instants.js';
import { yearOf } from '../../domain/time/local-date.js';
import type { WorkCalendar } from '../../domain/time/work-calendar.js';
import { complaint, type ComplaintInput } from '../../workflows/complaint.js';

export interface OpenComplaintInput extends Omit<ComplaintInput, 'calendar'> {
  taskQueue: string;
  /** The source's own id of this intake; the same key joins the same complaint. */
  intakeKey: string;
  /** The working-day calendar (the workflow gets the receipt year and the next as data). */
  calendar: WorkCalendar;
}

export function complaintIntakeDigest(intakeKey: string): string {
  return createHash('sha256').update(intakeKey, 'utf8').digest('hex').slice(0, 24);
}

export async function openComplaint(
  client: Client,
  input: OpenComplaintInput,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof complaint>> {
  const { taskQueue, intakeKey, calendar, ...rest } = input;
  const receiptDate = toChinaDate(new Date(input.receivedAt));
  // Fail here, in Chinese, when the holiday data does not cover the working-day rules.
  computeDeadline(input.policy, 'accusation-acceptance-notice', receiptDate, calendar);
  computeDeadline(input.policy, 'clue-transfer', receiptDate, calendar);
  const year = yearOf(receiptDate);
  const args: ComplaintInput = { ...rest, calendar: calendar.sliceData(year, year + 1) };
  return client.workflow.start(complaint, {
    taskQueue,
    workflowId: complaintWorkflowId(input.countyRegionId, complaintIntakeDigest(intakeKey)),
    args: [args],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
}
