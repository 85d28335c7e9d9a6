/**
 * Client side of the death review: open (or join) the case for a reported
 * death. Any source may report; the workflow id is built from the county and
 * the member's database id, so a second report of the same death joins the
 * running workflow (USE_EXISTING) and therefore the same Case row.
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { deathReviewWorkflowId } from '../../domain/cases/ids.js';
import { deathReview, type DeathReviewInput } from '../../workflows/death-review.js';

export interface OpenDeathReviewInput extends DeathReviewInput {
  taskQueue: string;
}

export async function openDeathReview(
  client: Client,
  input: OpenDeathReviewInput,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof deathReview>> {
  const { taskQueue, ...args } = input;
  return client.workflow.start(deathReview, {
    taskQueue,
    workflowId: deathReviewWorkflowId(input.countyRegionId, input.memberId),
    args: [args],
    workflowIdConflictPolicy: 'USE_EXISTING',
    // A closed review is not reopened by a late duplicate report.
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
}
