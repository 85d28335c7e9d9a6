// Every human step the bot can put in front of a person, by stable step id
// ('dr.check'), and the steps of a workflow by its id prefix. A notification's
// stored action names a step id here, never an Update name.
import type { AnyStepContract } from '../../../domain/steps/contract.js';
import { CASE_STEPS, type AnyCaseSteps } from '../../../domain/steps/all.js';

export { CASE_STEPS, type AnyCaseSteps };

/** Extra id prefixes of a kind (the phase summary runs the progress-cycle workflow). */
const EXTRA_PREFIXES: Record<string, readonly string[]> = { progressReportCycle: ['phase-summary:'] };

export interface RegisteredStep {
  kind: AnyCaseSteps;
  step: AnyStepContract;
}

const kebab = (type: string) => type.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function prefixesOf(kind: AnyCaseSteps): string[] {
  return [kind.idPrefix ?? `${kebab(kind.workflowType)}:`, ...(EXTRA_PREFIXES[kind.workflowType] ?? [])];
}

function index(kinds: readonly AnyCaseSteps[]): Map<string, RegisteredStep> {
  const map = new Map<string, RegisteredStep>();
  for (const kind of kinds) {
    for (const step of kind.steps) {
      if (map.has(step.id)) throw new Error(`duplicate step id ${step.id}`);
      if (!/^[a-z0-9]+\.[a-z0-9]+$/.test(step.id) || step.id.length > 12) throw new Error(`step id ${step.id}: 'kind.verb' in lower-case letters and digits, at most 12 characters`);
      map.set(step.id, { kind, step });
    }
  }
  return map;
}

const BY_ID = index(CASE_STEPS);

export function stepById(id: string): RegisteredStep | undefined {
  return BY_ID.get(id);
}

/** The steps of the workflow with this id (by its id prefix), if it has any. */
export function stepsOfWorkflow(workflowId: string): AnyCaseSteps | undefined {
  return CASE_STEPS.find((k) => prefixesOf(k).some((p) => workflowId.startsWith(p)));
}

/**
 * The step a stored notification action means: its step id, or (rows written
 * before step ids) the step of the notification's workflow whose Update bears
 * the stored name.
 */
export function stepOfAction(workflowId: string, action: { step?: string; update?: string }): RegisteredStep | undefined {
  if (action.step) return stepById(action.step);
  const kind = stepsOfWorkflow(workflowId);
  const step = kind?.steps.find((s) => s.update.name === action.update);
  return kind && step ? { kind, step } : undefined;
}
