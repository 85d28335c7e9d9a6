/**
 * The Updates and status query of a rectification item (整改事项), defined
 * once for the workflow and every front. Deterministic.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

import type { ConfirmArgs, RectificationStatusCode, ReportCompletedArgs, ReportProgressArgs } from '../../cases/index.js';
import type { LocalDate } from '../../time/local-date.js';

export interface RectificationItemStatus {
  workflowId: string;
  itemId: number | null;
  caseId: number | null;
  seq: number | null;
  status: RectificationStatusCode | 'OPENING';
  /** Last on-time day. */
  due: LocalDate;
  /** First late instant (ISO-8601). */
  expiresAt: string;
  overdue: boolean;
  progressReports: number;
  recoveredCents: number;
  rejections: number;
  /** Dedupe keys of the ladder events handled so far. */
  notified: string[];
  completedAt: string | null;
}

export const reportProgressUpdate = defineUpdate<{ recoveredCents: number }, [ReportProgressArgs]>('reportProgress');
export const reportCompletedUpdate = defineUpdate<{ status: RectificationStatusCode }, [ReportCompletedArgs]>('reportCompleted');
export const confirmUpdate = defineUpdate<{ status: RectificationStatusCode }, [ConfirmArgs]>('confirm');
export const rectificationStatusQuery = defineQuery<RectificationItemStatus>('status');
