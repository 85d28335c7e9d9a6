// A step as a card: its title, what the case shows now, and a form with the
// step's fields (Feishu draws a form container, the console its inputs; Telegram
// asks the fields one by one instead). The step buttons of a case.
import type { AnyStepContract, StepFormValues } from '../../../domain/steps/contract.js';
import type { BotMessage, Button, ButtonAction } from '../types.js';
import type { RegisteredStep } from './registry.js';
import type { StepTarget } from './target.js';

/** Button verbs: open a step (「办理」) and submit a step's form. */
export const STEP_OPEN = 's';
export const STEP_SUBMIT = 'sf';

export const openStepAction = (targetRef: string, stepId: string): ButtonAction => ({ action: STEP_OPEN, caseRef: targetRef, value: stepId });
export const submitStepAction = (targetRef: string, stepId: string): ButtonAction => ({ action: STEP_SUBMIT, caseRef: targetRef, value: stepId });

/** 「办理：登记入户核查」 */
export function stepButton(targetRef: string, step: AnyStepContract, label?: string): Button {
  return { label: label ?? `办理：${step.title}`, style: 'primary', payload: openStepAction(targetRef, step.id) };
}

export function stepCard(reg: RegisteredStep, target: StepTarget, view: unknown, preset: StepFormValues = {}): BotMessage {
  const { step } = reg;
  const initial = { ...(step.initial?.(view) ?? {}), ...preset };
  const brief = step.brief?.(view);
  return {
    title: `${target.label}：${step.title}`,
    text: [brief, step.fields.some((f) => f.required) ? '请填写后提交（带 * 为必填）。' : '请确认后提交。'].filter(Boolean).join('\n'),
    form: {
      ref: submitStepAction(target.ref, step.id),
      submitLabel: '提交',
      inputs: step.fields.map((f) => ({
        key: f.key,
        label: f.required ? `${f.label} *` : f.label,
        kind: f.kind,
        required: f.required,
        ...(f.options ? { options: f.options } : {}),
        ...(f.placeholder ? { placeholder: f.placeholder } : {}),
        ...(initial[f.key] !== undefined ? { initial: initial[f.key] } : {}),
      })),
    },
  };
}
