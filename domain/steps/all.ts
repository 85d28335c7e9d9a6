// Every case kind and cycle with human steps: the fronts give each of their steps a front door
// (bot/core/steps/registry.ts) and docs/processes.md draws them (domain/steps/diagram.ts).
import type { CaseSteps } from './contract.js';
import { applicationReviewSteps } from './application-review.js';
import { complaintSteps } from './complaint.js';
import { progressCycleSteps, villageChainSteps } from './cycles.js';
import { deathReviewSteps } from './death-review.js';
import { nearRelativeFilingSteps } from './near-relative-filing.js';
import { prisonExitSteps } from './prison-exit.js';
import { rectificationSteps } from './rectification-item.js';

// The steps of one kind are heterogeneous in their view type only through `any`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCaseSteps = CaseSteps<any>;

/** All case kinds and cycles with human steps (add a kind here to give its steps a front door). */
export const CASE_STEPS: readonly AnyCaseSteps[] = [deathReviewSteps, prisonExitSteps, rectificationSteps, progressCycleSteps, villageChainSteps, applicationReviewSteps, nearRelativeFilingSteps, complaintSteps];
