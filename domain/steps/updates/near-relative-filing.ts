/**
 * The Updates and the status query of the near-relative filing workflow
 * (近亲属备案), defined once for the workflow and every front. The Update
 * names are those running workflows already accept. Deterministic.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

import type { FilingDecideArgs, FilingDecision, FilingPhase, FilingSupplementArgs, HomeVisitArgs } from '../../cases/near-relative.js';
import type { FilingStatusCode } from '../../cases/application.js';
import type { LocalDate } from '../../time/local-date.js';

export interface FilingDecideResult {
  filingId: number;
  status: FilingStatusCode;
  decision: FilingDecision;
  decidedByStaffId: number;
  decidedAt: string;
}

export interface FilingStepResult {
  filingId: number;
  status: FilingStatusCode;
  byStaffId: number;
  at: string;
  /** 'YYYY-MM-DD' of the home visit (recordHomeVisit). */
  homeVisitDate?: string;
  /** New last on-time day of the approval (supplement). */
  due?: LocalDate;
}

export interface NearRelativeFilingStatus {
  workflowId: string;
  phase: FilingPhase;
  filingId: number | null;
  caseId: number | null;
  status: FilingStatusCode | null;
  /** Approval rounds so far (a supplement starts a new one). */
  round: number;
  due: LocalDate | null;
  expiresAt: string | null;
  decisions: Array<FilingDecideArgs & { updateId: string; decidedAt: string }>;
  homeVisitDate: string | null;
  notified: string[];
  closedAt: string | null;
  /** The relative's name and masked ID number, with the staff member (set once open). */
  subjectLabel?: string;
  /** The staff member whose relative this is, and who filed it (null: opened by a finding). */
  subjectStaffId?: number;
  filedByStaffId?: number | null;
  /** Who may approve and who may record the home visit (loaded when the filing opens). */
  approverStaffIds?: number[];
  homeVisitStaffIds?: number[];
  /** Staff who must recuse (the subject and everyone who declared the same relative). */
  conflictedStaffIds?: number[];
  /** The filer's answers to 补充材料 requests. */
  supplements?: Array<FilingSupplementArgs & { at: string }>;
  /** The county home visit, once recorded. */
  homeVisit?: (HomeVisitArgs & { at: string }) | null;
}

export const filingDecideUpdate = defineUpdate<FilingDecideResult, [FilingDecideArgs]>('decide');
export const filingSupplementUpdate = defineUpdate<FilingStepResult, [FilingSupplementArgs]>('supplement');
export const recordHomeVisitUpdate = defineUpdate<FilingStepResult, [HomeVisitArgs]>('recordHomeVisit');
export const nearRelativeFilingStatusQuery = defineQuery<NearRelativeFilingStatus>('status');
