/**
 * Client side of the prisoner exit: open (or join) the case for a reported
 * imprisonment. The workflow id is built from the county and the member's
 * database id, so a second report (another source, a re-import) joins the
 * running workflow (USE_EXISTING) and therefore the same Case row.
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { prisonExitWorkflowId } from '../../domain/cases/ids.js';
import { prisonExit, type PrisonExitInput } from '../../workflows/prison-exit.js';

export interface OpenPrisonExitInput extends PrisonExitInput {
  taskQueue: string;
}

export async function openPrisonExit(
  client: Client,
  input: OpenPrisonExitInput,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof prisonExit>> {
  const { taskQueue, ...args } = input;
  return client.workflow.start(prisonExit, {
    taskQueue,
    workflowId: prisonExitWorkflowId(input.countyRegionId, input.memberId),
    args: [args],
    workflowIdConflictPolicy: 'USE_EXISTING',
    // A closed case is not reopened by a late duplicate report.
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
}
