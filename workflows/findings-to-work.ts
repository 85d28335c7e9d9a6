/**
 * Findings to work (issue 13, design.md "Data becomes work"): one run per county and trigger
 * (`findings-to-work:<county>:<trigger>`: an import batch, a match run, a payment watch, the service's
 * start-up sweep). It records the work the county's data asks for (WorkOrder rows, natural keys),
 * opens every pending order through the case clients (death review, prisoner exit, rectification
 * item, application review; a request to file for an undeclared near relative), in batches, and
 * tells the assignees of open work whose finding has since been cleared 「线索已消除」 (once each).
 * Every step is an activity that is safe to retry; a second run opens nothing twice.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { FindingScope, FindingWorkActivities, RecordWorkResult } from '../activities/findings-work.js';
import type { CountyPolicy } from '../domain/policy/schema.js';

const acts = proxyActivities<FindingWorkActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export interface FindingsToWorkInput {
  countyRegionId: number;
  /** The county policy in force (its findingWork setting; the cases opened keep it). */
  policy: CountyPolicy;
  /** Only findings of these kinds and this period are turned into work (the payment watch's run). */
  only?: FindingScope;
}

export interface FindingsToWorkResult {
  recorded: RecordWorkResult['recorded'];
  skipped: number;
  /** Orders handled by outcome: opened / existing / notified / skipped. */
  outcomes: Record<string, number>;
  /** 「线索已消除」 notifications sent. */
  clearedNotices: number;
}

/** Orders opened per activity. */
const BATCH = 50;

export async function findingsToWork(input: FindingsToWorkInput): Promise<FindingsToWorkResult> {
  const recorded = await acts.recordFindingWork({ countyRegionId: input.countyRegionId, policy: input.policy, ...(input.only ? { only: input.only } : {}) });
  const outcomes: Record<string, number> = {};
  let afterId = 0;
  for (;;) {
    const ids = await acts.pendingWorkOrders({ countyRegionId: input.countyRegionId, afterId, limit: BATCH });
    if (ids.length === 0) break;
    const tally = await acts.openWorkOrders({ ids, policy: input.policy, sentAt: new Date(Date.now()).toISOString() });
    for (const [k, n] of Object.entries(tally)) outcomes[k] = (outcomes[k] ?? 0) + n;
    afterId = ids[ids.length - 1]!;
  }
  const clearedNotices = await acts.notifyClearedFindings({ countyRegionId: input.countyRegionId, sentAt: new Date(Date.now()).toISOString() });
  return { recorded: recorded.recorded, skipped: recorded.skippedCount ?? recorded.skipped.length, outcomes, clearedNotices };
}
