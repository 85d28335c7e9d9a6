import type { ReportingUnitKindName } from './units.js';

/**
 * Workflow ids of the reporting cycles. One run per county and period, so a
 * second start (a restarted schedule, a repeated tick) finds the same run.
 * Counties are named by their region id (stable, no personal data).
 */
export type CycleKind = 'progress' | 'phase-summary' | 'village-chain' | 'payment-watch' | 'daily-digest';

/**
 * The cycles that collect reports and have a ReportCycle row (ReportCycle.kind). These are the
 * stored values (hyphenated); the Prisma enum `ReportCycleKind` names them with `@map`
 * (infra/db/kinds.ts converts).
 */
export const REPORT_CYCLE_KINDS = ['progress', 'phase-summary', 'village-chain'] as const satisfies readonly CycleKind[];
export type ReportCycleKind = (typeof REPORT_CYCLE_KINDS)[number];

/** The title of each reporting cycle (dashboard, daily digest). */
export const REPORT_CYCLE_TITLES: Readonly<Record<ReportCycleKind, string>> = {
  progress: '进展情况报告',
  'phase-summary': '阶段总结',
  'village-chain': '村（居）月度报告',
};

/** The reporting-unit kinds that answer each cycle (ReportingUnit.kind). */
export const REPORT_CYCLE_UNIT_KINDS: Readonly<Record<ReportCycleKind, readonly ReportingUnitKindName[]>> = {
  progress: ['SECTION', 'TOWNSHIP'],
  'phase-summary': ['SECTION', 'TOWNSHIP'],
  'village-chain': ['VILLAGE', 'TOWNSHIP'],
};

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
