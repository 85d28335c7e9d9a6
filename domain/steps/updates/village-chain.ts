/**
 * The Updates and status query of the village monthly chain (村级月报 →
 * 乡镇核报), defined once for the workflow and every front. Deterministic.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

import type { TownshipSubmitArgs, VillageReportArgs } from '../../cycles/index.js';

export interface VillageChainStatus {
  workflowId: string;
  phase: 'opening' | 'collecting' | 'closed';
  cycleId: number | null;
  villages: Array<{ id: number; name: string; townshipUnitId: number | null }>;
  townships: Array<{ id: number; name: string }>;
  reported: Array<{ unitId: number; late: boolean }>;
  deathReviewsStarted: string[];
  funeralsNotFound: number;
  reviewItems: string[];
  notified: string[];
}

export interface CycleSubmitResult {
  submissionId: number;
  late: boolean;
}

export const villageReportUpdate = defineUpdate<CycleSubmitResult, [VillageReportArgs]>('villageReport');
export const townshipSubmitUpdate = defineUpdate<CycleSubmitResult, [TownshipSubmitArgs]>('townshipSubmit');
export const villageChainStatusQuery = defineQuery<VillageChainStatus>('status');
