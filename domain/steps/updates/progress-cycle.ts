/**
 * The Updates and status query of the progress-report cycle (工作进展报送)
 * and of the phase summary (阶段总结, same workflow), defined once for the
 * workflow and every front. Deterministic.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

import type { CompiledSummary, CycleSummary, ReportUpwardArgs, SubmitProgressArgs, SubmitSummaryArgs, SummarySentRecord } from '../../cycles/index.js';

export interface ProgressCycleStatus {
  workflowId: string;
  phase: 'opening' | 'collecting' | 'aggregated' | 'closed';
  cycleId: number | null;
  expiresAt: string;
  units: Array<{ id: number; name: string }>;
  submitted: Array<{ unitId: number; late: boolean; updateId: string }>;
  notified: string[];
  summary: CycleSummary | null;
  /** Phase summaries: 'text' once the run takes the units' summary texts (patch `phase-summary-compiled`). */
  summaryMode?: 'text';
  /** The compiled document (phase summaries). */
  compiled?: CompiledSummary | null;
  /** The 「已上报」 record (phase summaries). */
  sentUpward?: SummarySentRecord | null;
  /** Default recipient of the summary (the policy's). */
  recipient?: string;
}

export interface SubmitResult {
  submissionId: number;
  late: boolean;
}

export const submitProgressUpdate = defineUpdate<SubmitResult, [SubmitProgressArgs]>('submit');
/** A unit's summary text (工作总结). */
export const submitSummaryUpdate = defineUpdate<SubmitResult, [SubmitSummaryArgs]>('submitSummary');
/** The 专班 office records the compiled summary as sent upward (已上报). */
export const reportUpwardUpdate = defineUpdate<SummarySentRecord, [ReportUpwardArgs]>('reportUpward');
export const progressCycleStatusQuery = defineQuery<ProgressCycleStatus>('status');
