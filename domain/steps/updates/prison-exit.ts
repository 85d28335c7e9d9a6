/**
 * The Updates and status query of the prisoner-exit workflow (服刑退出),
 * defined once for the workflow and every front (see `domain/steps/prison-exit.ts`). Deterministic.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

import type {
  OverpaidMonth,
  PostTerminationArgs,
  PrisonDecideArgs,
  PrisonExitTrack,
  PrisonRecoveryArgs,
  ReleasedArgs,
  TerminationObjectionArgs,
} from '../../cases/index.js';
import type { LocalDate } from '../../time/local-date.js';

export type PrisonExitPhase = 'opening' | 'reviewing' | 'publicity' | 'recovering' | 'closed';

export interface PrisonExitStatus {
  workflowId: string;
  phase: PrisonExitPhase;
  track: PrisonExitTrack | null;
  caseId: number | null;
  imprisonmentDate: LocalDate;
  /** The deadline rule used ('death-review' unless the policy has 'prison-exit'). */
  ruleId: string;
  due: LocalDate;
  expiresAt: string;
  /** Late and still without a decision (低保) or a posted termination (特困). */
  overdue: boolean;
  assigneeStaffId: number | null;
  /** Staff allowed to take the case's steps; empty while opening. */
  allowedStaffIds?: number[];
  decision: (PrisonDecideArgs & { updateId: string }) | null;
  /** The running (or last unobjected) termination 公示. */
  publicity: { postedOn: LocalDate; due: LocalDate; expiresAt: string } | null;
  objections: number;
  termination: { effectiveMonth: string } | null;
  overpaidCents: number | null;
  overpaidMonths: OverpaidMonth[];
  recoveredCents: number;
  release: { releasedOn: LocalDate; updateId: string } | null;
  notified: string[];
  closedAt: string | null;
}

export interface PrisonDecideResult {
  caseId: number;
  overpaidCents: number;
  months: OverpaidMonth[];
}

export const prisonDecideUpdate = defineUpdate<PrisonDecideResult, [PrisonDecideArgs]>('decide');
export const postTerminationUpdate = defineUpdate<{ due: LocalDate; expiresAt: string }, [PostTerminationArgs]>('postTermination');
export const terminationObjectionUpdate = defineUpdate<void, [TerminationObjectionArgs]>('objection');
export const prisonRecoveryUpdate = defineUpdate<{ recoveredCents: number; remainingCents: number }, [PrisonRecoveryArgs]>('recordRecovery');
export const releasedUpdate = defineUpdate<void, [ReleasedArgs]>('released');
export const prisonExitStatusQuery = defineQuery<PrisonExitStatus>('status');
