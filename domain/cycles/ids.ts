/**
 * Workflow ids of the reporting cycles. One run per county and period, so a
 * second start (a restarted schedule, a repeated tick) finds the same run.
 * Counties are named by their region id (stable, no personal data).
 */
export type CycleKind = 'progress' | 'phase-summary' | 'village-chain' | 'payment-watch' | 'daily-digest';

export function progressCycleWorkflowId(countyRegionId: number, dueDate: string): string {
  return `progress:${countyRegionId}:${dueDate}`;
}

export function phaseSummaryWorkflowId(countyRegionId: number, summaryId: string): string {
  return `phase-summary:${countyRegionId}:${summaryId}`;
}

export function villageChainWorkflowId(countyRegionId: number, month: string): string {
  return `village-chain:${countyRegionId}:${month}`;
}

export function paymentWatchWorkflowId(countyRegionId: number, kind: string, periodMonth: string): string {
  return `payment-watch:${countyRegionId}:${kind}:${periodMonth}`;
}

export function dailyDigestWorkflowId(countyRegionId: number, date: string): string {
  return `daily-digest:${countyRegionId}:${date}`;
}

/** Schedule ids: county + cycle kind, so a restart updates instead of duplicating. */
export function cycleScheduleId(countyCode: string, countyRegionId: number, kind: CycleKind): string {
  return `cycles:${countyCode}:${countyRegionId}:${kind}`;
}
