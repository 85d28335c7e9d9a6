/**
 * Signals between case workflows. Workflow-safe (definitions only).
 */
import { defineSignal } from '@temporalio/workflow';
import type { FilingStatusCode } from '../domain/cases/index.js';

/** What a near-relative filing tells the application review it belongs to. */
export interface NearRelativeFilingChanged {
  filingId: number;
  staffId: number;
  status: FilingStatusCode;
  /** 'YYYY-MM-DD' of the county home visit, once recorded. */
  homeVisitDate: string | null;
}

/** Sent by workflows/near-relative-filing.ts to `application-review:<county>:<applicationId>`. */
export const nearRelativeFilingChangedSignal = defineSignal<[NearRelativeFilingChanged]>('nearRelativeFilingChanged');
