/**
 * Typed step contracts (人工办理环节). Every human step of a case workflow is
 * declared once, here in `domain/steps/<kind>.ts`, and imported by the
 * workflow (to register its Update handler and validator) and by every front
 * (console, Feishu, Telegram, dashboard) to render its card or form and send
 * it through the typed gateway. Renaming an Update or changing its arguments
 * is then a compile error in every front that uses it.
 *
 * Deterministic code only: workflows import this module.
 */
import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';

import { actsAs, type StepBy } from '../cases/delegation.js';
import type { StaffRole } from '../import/vocabulary.js';

/** How a field is asked for: the same on a Feishu form container, a Telegram private form and the console card. */
export type StepFieldKind = 'text' | 'textarea' | 'date' | 'select' | 'money' | 'number';

export interface StepFieldOption {
  value: string;
  /** Chinese label shown to the person. */
  label: string;
}

export interface StepField {
  /** Key of the value in the submitted form (`form_value` on Feishu): ASCII. */
  key: string;
  /** Chinese label: 「核查日期」. */
  label: string;
  kind: StepFieldKind;
  required: boolean;
  options?: readonly StepFieldOption[];
  placeholder?: string;
  /** Personal data (ID number, bank card, phone): asked only in private chat, masked anywhere else. */
  personal?: boolean;
}

/** The person taking a step, resolved by the front from the bound identity (never from the form). */
export interface StepActor {
  staffId: number;
  role: StaffRole;
  name: string;
  /** The actor's region scope (village, township or county id). */
  regionId: number;
  /**
   * 代理审批: the leader this person stands in for (a delegation in force). `role` and
   * `regionId` above are then the leader's; `staffId` and `name` stay the deputy's, so
   * recusal is the deputy's own.
   */
  onBehalfOf?: { staffId: number; name: string };
}

/** Whether the actor is, or stands in for, one of these staff (lists of approvers, leaders …). */
export function actsAsOneOf(actor: StepActor, staffIds: readonly number[]): boolean {
  return actsAs(stepBy(actor), staffIds);
}

/** Who took the step, for the Update's arguments: the person and, under 代理审批, the leader they stand in for. */
export function stepBy(actor: StepActor): StepBy {
  return { byStaffId: actor.staffId, ...(actor.onBehalfOf ? { onBehalfOfStaffId: actor.onBehalfOf.staffId } : {}) };
}

/** The raw values a form sends back: strings keyed by field key. */
export type StepFormValues = Record<string, string>;

/**
 * One human step: an Update of one workflow, who may take it, its form, and
 * what the case shows once it is done.
 *
 * - `Values`: the validated form values (output of `schema`).
 * - `Args`: the Update's argument (built by `toArgs` from the values and the actor).
 * - `Result`: the Update's result.
 * - `View`: the case's status as its workflow's status query returns it.
 */
export interface StepContract<Values, Args, Result, View> {
  /** Stable short id, e.g. 'dr.check' (≤ 12 ASCII characters: it rides in Telegram's 64-byte callback data). */
  id: string;
  update: UpdateDefinition<Result, [Args]>;
  /** Chinese title of the step, used on its button and card: 「登记入户核查」. */
  title: string;
  /** Roles that may take it (before the case-specific rule in `refuse`). */
  roles: readonly StaffRole[];
  /** Whether the step can be taken in the case's current state. */
  open(view: View): boolean;
  /** A case-specific refusal (not the assignee, outside the region, must recuse …): a Chinese sentence, or null. */
  refuse?(actor: StepActor, view: View): string | null;
  fields: readonly StepField[];
  /** Validates the raw form values; each message is Chinese and names the field. */
  schema: z.ZodType<Values, StepFormValues>;
  /** The Update's argument from the validated values and the acting person. */
  toArgs(values: Values, actor: StepActor): Args;
  /** What the case shows once the step is done (Chinese, one line). */
  done(result: Result, values: Values): string;
  /** Values the form starts with (shown as defaults; a button may carry some too). */
  initial?(view: View): StepFormValues;
  /** A line shown on the step's card before it is taken (e.g. the over-payment to recover). */
  brief?(view: View): string | null;
  /**
   * Values the front supplies instead of the person (e.g. the reporting unit of
   * a cycle, found from the actor): keys in the schema but not in `fields`.
   */
  carried?: readonly string[];
  /** When the values do not fit one card (a line per focus item …): the chat command that asks for them. */
  command?: string;
}

// The contracts of one case kind are heterogeneous in Values/Args/Result.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStepContract<View = any> = StepContract<any, any, any, View>;

/** The human steps of one case kind, with the query that tells which are open. */
export interface CaseSteps<View> {
  /** The workflow type, e.g. 'deathReview'. */
  workflowType: string;
  /** How this kind's workflow ids begin, e.g. 'death-review:' (finds the steps of a workflow id). */
  idPrefix?: string;
  /** Chinese name of the case kind: 「死亡核查」. */
  label: string;
  status: QueryDefinition<View>;
  steps: readonly AnyStepContract<View>[];
}

/** Declares a step with its types inferred from the Update definition and the schema. */
export function defineStep<Values, Args, Result, View>(step: StepContract<Values, Args, Result, View>): StepContract<Values, Args, Result, View> {
  return step;
}
