/**
 * The Updates and the status query of the application-review workflow
 * (申请审核确认): their names, argument and result types, defined once. The
 * workflow registers handlers for them; every front reaches them through the
 * step contracts in `domain/steps/application-review.ts` and the typed
 * gateway. The Update names are those the workflow has always used, so
 * running workflows accept them. Deterministic.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

import type {
  ApplicationDecideArgs,
  ApplicationPhase,
  ApplicationStep,
  ApplicationTrack,
  ExtendArgs,
  NearRelativeFacts,
  ObjectionArgs,
  PostPublicityArgs,
  RecordInvestigationArgs,
  RefusalNoticeArgs,
  StartInvestigationArgs,
  ApplicationStatusCode,
} from '../../cases/application.js';
import type { NotificationAttachment } from '../../tables/attachments.js';
import type { LocalDate } from '../../time/local-date.js';

export interface ApplicationStepResult {
  applicationId: number;
  status: ApplicationStatusCode;
  phase: ApplicationPhase;
  byStaffId: number;
  at: string;
  /** Last on-time day of the step that now runs, if it has a clock. */
  due?: LocalDate | null;
}

export interface ApplicationDecideResult extends ApplicationStepResult {
  decision: 'approve' | 'refuse';
  decidedByStaffId: number;
  decidedAt: string;
  monthlyAmount?: number;
}

export interface ApplicationReviewStatus {
  workflowId: string;
  phase: ApplicationPhase;
  track: ApplicationTrack | null;
  applicationId: number;
  caseId: number | null;
  status: ApplicationStatusCode;
  acceptedDate: LocalDate | null;
  /** The clock of the current step. */
  step: ApplicationStep | null;
  due: LocalDate | null;
  expiresAt: string | null;
  /** 低保 overall limit (30 or, extended, 45 working days). */
  overallDue: LocalDate | null;
  overallExpiresAt: string | null;
  overallOverdue: boolean;
  extended: boolean;
  objections: number;
  publicityPostedOn: LocalDate | null;
  decision: (ApplicationDecideArgs & { updateId: string; decidedAt: string }) | null;
  decisionDate: LocalDate | null;
  refusalNoticeDate: LocalDate | null;
  refusalNoticeMissing: boolean;
  nearRelative: NearRelativeFacts | null;
  notified: string[];
  closedAt: string | null;
  /** Applicant's name and masked ID number (set once the review is open). */
  subjectLabel?: string;
  /** The investigation started (who investigates), once recorded. */
  investigationStart?: (StartInvestigationArgs & { at: string }) | null;
  /** 入户调查 results recorded, one per investigation round (an objection starts a new round). */
  investigations?: Array<RecordInvestigationArgs & { at: string }>;
  /** The 公示's preliminary opinion (初审意见), last posted. */
  publicityOpinion?: string | null;
  /** Objections registered during the 公示 (newest last). */
  objectionNotes?: Array<ObjectionArgs & { at: string }>;
  /** The approved extension of the overall limit. */
  extension?: (ExtendArgs & { at: string }) | null;
  /** The written refusal notice (不予批准告知书) generated from the decision. */
  refusalNoticeFile?: NotificationAttachment | null;
  /** Its delivery, once recorded. */
  refusalNoticeDelivery?: (RefusalNoticeArgs & { at: string }) | null;
  /** Who may act (loaded when the review opens): the applicant's township staff, county deciders, extension approvers. */
  townshipStaffIds?: number[];
  countyDeciderIds?: number[];
  extensionApproverIds?: number[];
}

export const startInvestigationUpdate = defineUpdate<ApplicationStepResult, [StartInvestigationArgs]>('startInvestigation');
export const recordInvestigationUpdate = defineUpdate<ApplicationStepResult, [RecordInvestigationArgs]>('recordInvestigation');
export const postPublicityUpdate = defineUpdate<ApplicationStepResult, [PostPublicityArgs]>('postPublicity');
export const objectionUpdate = defineUpdate<ApplicationStepResult, [ObjectionArgs]>('objection');
export const applicationDecideUpdate = defineUpdate<ApplicationDecideResult, [ApplicationDecideArgs]>('decide');
export const applicationExtendUpdate = defineUpdate<ApplicationStepResult, [ExtendArgs]>('extend');
export const recordRefusalNoticeUpdate = defineUpdate<ApplicationStepResult, [RefusalNoticeArgs]>('recordRefusalNotice');
export const applicationReviewStatusQuery = defineQuery<ApplicationReviewStatus>('status');
