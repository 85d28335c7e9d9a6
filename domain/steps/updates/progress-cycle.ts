/**
 * The Update and status query of the progress-report cycle (工作进展报送),
 * defined once for the workflow and every front. Deterministic.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

import type { CycleSummary, SubmitProgressArgs } from '../../cycles/index.js';

export interface ProgressCycleStatus {
  workflowId: string;
  phase: 'opening' | 'collecting' | 'aggregated' | 'closed';
  cycleId: number | null;
  expiresAt: string;
  units: Array<{ id: number; name: string }>;
  submitted: Array<{ unitId: number; late: boolean; updateId: string }>;
  notified: string[];
  summary: CycleSummary | null;
}

export interface SubmitResult {
  submissionId: number;
  late: boolean;
}

export const submitProgressUpdate = defineUpdate<SubmitResult, [SubmitProgressArgs]>('submit');
export const progressCycleStatusQuery = defineQuery<ProgressCycleStatus>('status');
