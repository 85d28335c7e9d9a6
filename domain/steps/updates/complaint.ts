/**
 * The Updates and the status query of the complaint workflow (实名举报,
 * 信访), defined once for the workflow and every front. The Update names are
 * those running workflows already accept. Deterministic.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

import type {
  AcceptanceDecision,
  CloseComplaintArgs,
  ExtendComplaintArgs,
  RecordAcceptanceNoticeArgs,
  RecordExtensionNoticeArgs,
  RecordFeedbackArgs,
  RecordVerificationArgs,
  TransferClueArgs,
  VerificationFinding,
} from '../../cases/complaint.js';
import type { LocalDate } from '../../time/local-date.js';

export interface StageStatus {
  ruleId: string;
  due: LocalDate;
  expiresAt: string;
  /** The stage's step was recorded ('YYYY-MM-DD' as given), or null. */
  doneOn: LocalDate | null;
}

export interface ComplaintStatus {
  workflowId: string;
  /** 'awaitingClose': fed back (and the clue transferred), waiting for the explicit 办结 step. */
  phase: 'registering' | 'acceptance' | 'handling' | 'awaitingClose' | 'closing' | 'closed';
  complaintId: number | null;
  caseId: number | null;
  clueId: number | null;
  ledgerNo: string | null;
  accusation: boolean;
  receiptDate: LocalDate;
  acceptance: StageStatus;
  acceptedOn: LocalDate | null;
  handling: StageStatus | null;
  extension: { approved: boolean; noticed: boolean; reason: string | null; handling: StageStatus | null };
  verification: { finding: VerificationFinding; result?: string; byStaffId?: number; at?: string } | null;
  clue: StageStatus | null;
  notified: string[];
  closedAt: string | null;
  /** The accused staff member (an accusation), who must never act on it. */
  accusedStaffId?: number | null;
  /** 受理 or 不予受理, with the reason, who decided and when. */
  acceptanceDecision?: { decision: AcceptanceDecision; reason: string | null; byStaffId: number; noticeOn: LocalDate; at: string } | null;
  feedback?: (RecordFeedbackArgs & { at: string }) | null;
  clueTransfer?: (TransferClueArgs & { at: string }) | null;
  /** The explicit 办结, once recorded. */
  closure?: (CloseComplaintArgs & { at: string }) | null;
  /** 办结's due date ('complaint-close', from the feedback day), once awaiting it (since 'complaint-close-ladder'). */
  close?: StageStatus | null;
  /** Who may act (loaded when the ledger entry opens; the accused unit is never among them). */
  fullReaderIds?: number[];
  verifierIds?: number[];
  leaderIds?: number[];
  clueHandlerIds?: number[];
}

export const recordAcceptanceNoticeUpdate = defineUpdate<StageStatus, [RecordAcceptanceNoticeArgs]>('recordAcceptanceNotice');
export const complaintExtendUpdate = defineUpdate<void, [ExtendComplaintArgs]>('extend');
export const recordExtensionNoticeUpdate = defineUpdate<StageStatus, [RecordExtensionNoticeArgs]>('recordExtensionNotice');
export const recordVerificationUpdate = defineUpdate<void, [RecordVerificationArgs]>('recordVerification');
export const recordFeedbackUpdate = defineUpdate<void, [RecordFeedbackArgs]>('recordFeedback');
export const transferClueUpdate = defineUpdate<void, [TransferClueArgs]>('transferClue');
export const closeComplaintUpdate = defineUpdate<{ closedAt: string }, [CloseComplaintArgs]>('closeComplaint');
export const complaintStatusQuery = defineQuery<ComplaintStatus>('status');
