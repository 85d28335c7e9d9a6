/**
 * Client side of the application review (申请审核确认): start (or join) the
 * review of an accepted application. The workflow id is county + application
 * id, so a second start joins the running review (USE_EXISTING) and a closed
 * review is not reopened (REJECT_DUPLICATE).
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { applicationReviewWorkflowId } from '../../domain/cases/ids.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import type { WorkCalendar } from '../../domain/time/work-calendar.js';
import { applicationReview } from '../../workflows/application-review.js';
import { calendarForCase } from './near-relative-filing.js';

export interface OpenApplicationReviewInput {
  taskQueue: string;
  countyRegionId: number;
  applicationId: number;
  /** The applicant declared a near relative among staff (申请人声明), or the township registered one. */
  nearRelative?: boolean;
  policy: CountyPolicy;
  /** The statutory calendar (services/county.ts loadCalendar). */
  calendar: WorkCalendar;
  /** The opening's time (default now): which years of holiday data the workflow gets. */
  now?: Date;
}

export async function openApplicationReview(
  client: Client,
  input: OpenApplicationReviewInput,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof applicationReview>> {
  return client.workflow.start(applicationReview, {
    taskQueue: input.taskQueue,
    workflowId: applicationReviewWorkflowId(input.countyRegionId, input.applicationId),
    args: [
      {
        countyRegionId: input.countyRegionId,
        applicationId: input.applicationId,
        nearRelative: input.nearRelative,
        policy: input.policy,
        calendar: calendarForCase(input.calendar, input.now),
      },
    ],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
}
