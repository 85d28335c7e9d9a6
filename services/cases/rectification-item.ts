/**
 * Client side of a rectification item (整改清单事项): checks the input, then
 * starts (or joins) the item's workflow. The workflow id comes from the county
 * and the source reference (a finding or complaint), or from the 序号 when the
 * problem has no source record; a second start with the same key joins the
 * running item (USE_EXISTING).
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { checkRectificationInput, rectificationWorkflowId } from '../../domain/cases/rectification.js';
import { DomainInputError } from '../../domain/errors.js';
import { rectificationItem, type RectificationItemWorkflowInput } from '../../workflows/rectification-item.js';

export interface OpenRectificationItemInput extends RectificationItemWorkflowInput {
  taskQueue: string;
}

export async function openRectificationItem(
  client: Client,
  input: OpenRectificationItemInput,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof rectificationItem>> {
  const { taskQueue, ...args } = input;
  const bad = checkRectificationInput(args, args.policy);
  if (bad) throw new DomainInputError(bad);
  return client.workflow.start(rectificationItem, {
    taskQueue,
    workflowId: rectificationWorkflowId(args.countyRegionId, args),
    args: [args],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
}
