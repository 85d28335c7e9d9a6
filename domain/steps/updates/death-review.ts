/**
 * The Updates and the status query of the death-review workflow (死亡核查):
 * their names, argument and result types, defined once. The workflow registers
 * handlers for them; every front reaches them through the step contracts in
 * `domain/steps/death-review.ts` and the typed gateway. Deterministic.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

import type { ConfirmOverpaymentArgs, DecideArgs, OverpaidMonth, RecordRecoveryArgs } from '../../cases/index.js';
import type { StepBy } from '../../cases/delegation.js';
import type { LocalDate } from '../../time/local-date.js';

export interface DecideResult {
  caseId: number;
  overpaidCents: number;
  months: OverpaidMonth[];
}

export interface RecordRecoveryResult {
  recoveredCents: number;
  remainingCents: number;
}

/** 入户核查: the household visit that precedes the decision. */
export interface HouseholdCheckArgs {
  /** 'YYYY-MM-DD' of the visit. */
  visitedOn: LocalDate;
  /** Who visited (names, free text). */
  visitors: string;
  /** What was found. */
  findings: string;
  byStaffId: number;
}

/** 核销: the unrecovered rest written off, approved by the 专班组长. */
export interface WriteOffArgs extends StepBy {
  reason: string;
}

export interface WriteOffResult {
  writtenOffCents: number;
}

/** 'confirming': decided with an over-payment, waiting for its confirmation (runs since 'death-review-overpayment-confirm'). */
export type DeathReviewPhase = 'opening' | 'reviewing' | 'confirming' | 'recovering' | 'closed';

export interface DeathReviewStatus {
  workflowId: string;
  phase: DeathReviewPhase;
  caseId: number | null;
  deathDate: LocalDate;
  /** Last on-time day. */
  due: LocalDate;
  /** First late instant (ISO-8601). */
  expiresAt: string;
  /** Late and still without a decision (workflow time of the last activation). */
  overdue: boolean;
  assigneeStaffId: number | null;
  /** Staff allowed to take the case's steps (township deciders and county staff); empty while opening. */
  allowedStaffIds?: number[];
  /** The household check, once recorded. */
  check?: (HouseholdCheckArgs & { updateId: string }) | null;
  decision: (DecideArgs & { updateId: string }) | null;
  overpaidCents: number | null;
  /** The over-payment's confirmation (确认超发金额), once recorded. */
  overpaymentConfirmed?: (ConfirmOverpaymentArgs & { updateId: string }) | null;
  recoveredCents: number;
  /** The unrecovered rest written off (核销), when approved. */
  writeOff?: (WriteOffArgs & { cents: number; updateId: string }) | null;
  /** Dedupe keys of the ladder events handled so far. */
  notified: string[];
  closedAt: string | null;
}

export const decideUpdate = defineUpdate<DecideResult, [DecideArgs]>('decide');
export const recordRecoveryUpdate = defineUpdate<RecordRecoveryResult, [RecordRecoveryArgs]>('recordRecovery');
export const recordHouseholdCheckUpdate = defineUpdate<{ caseId: number }, [HouseholdCheckArgs]>('recordHouseholdCheck');
export const approveWriteOffUpdate = defineUpdate<WriteOffResult, [WriteOffArgs]>('approveWriteOff');
export const confirmOverpaymentUpdate = defineUpdate<{ overpaidCents: number }, [ConfirmOverpaymentArgs]>('confirmOverpayment');
export const deathReviewStatusQuery = defineQuery<DeathReviewStatus>('status');
