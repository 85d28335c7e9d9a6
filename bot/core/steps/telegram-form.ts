// A step as a short chat form (Telegram, or any chat without card forms): one
// question per field, a select answered by an inline-keyboard button or its
// number, optional fields skipped with 「无」; each answer checked at once by
// the field's own schema, the whole by the contract at submission.
import { z } from 'zod';

import type { AnyStepContract, StepField } from '../../../domain/steps/contract.js';
import { zhParseOptions } from '../../../domain/zod-zh.js';
import { CaseRefusedError } from '../case-starter.js';
import type { FormDefinition, FormStep } from '../forms/engine.js';
import type { RegisteredStep } from './registry.js';
import { submitStep } from './take.js';

export const stepFormId = (stepId: string) => `st.${stepId}`;

const SKIP = /^(无|没有|跳过|-|—)$/u;

/** The schema of one field inside the contract's object schema, when it has a shape. */
function fieldSchema(step: AnyStepContract, key: string): z.ZodType | undefined {
  if (!(step.schema instanceof z.ZodObject)) return undefined;
  const field: unknown = step.schema.shape[key];
  return field instanceof z.ZodType ? field : undefined;
}

function fieldStep(step: AnyStepContract, f: StepField): FormStep {
  const options = f.options ?? [];
  const own = fieldSchema(step, f.key);
  const schema = z
    .string()
    .trim()
    .transform((text, ctx) => {
      if (!f.required && SKIP.test(text)) return '';
      let value = text;
      if (options.length) {
        const byNumber = /^\d+$/.test(text) ? options[Number(text) - 1] : undefined;
        const hit = byNumber ?? options.find((o) => o.value === text || o.label === text);
        if (!hit) {
          ctx.addIssue({ code: 'custom', message: `只能选择：${options.map((o, i) => `${i + 1}. ${o.label}`).join('；')}` });
          return z.NEVER;
        }
        value = hit.value;
      }
      const checked = own?.safeParse(value, zhParseOptions);
      if (checked && !checked.success) {
        ctx.addIssue({ code: 'custom', message: checked.error.issues.map((i) => i.message).join('；') });
        return z.NEVER;
      }
      return value;
    });
  const choices = options.map((o) => o.label);
  return {
    key: f.key,
    label: f.label,
    prompt: `请${options.length ? '选择' : '输入'}${f.label}${f.placeholder ? `（${f.placeholder}）` : ''}${options.length ? `：\n${choices.map((c, i) => `${i + 1}. ${c}`).join('\n')}` : ''}${f.required ? '' : '\n可发送“无”跳过。'}`,
    schema,
    ...(options.length ? { choices: options.map((o) => o.value) } : {}),
    ...(f.personal ? { mask: (v: string) => (v ? `${v.slice(0, 2)}****` : v) } : {}),
  };
}

/**
 * The form that asks what a button did not answer: a 「批准」 button fills in
 * 审批结果, so only the rest is asked (and the title says what was chosen).
 * One variant per select field and option: `st.<step>~<field><option>`.
 */
export const presetFormId = (stepId: string, fieldIndex: number, optionIndex: number) => `${stepFormId(stepId)}~${fieldIndex}${optionIndex}`;

/** The variant form for these button values, when they answer exactly one select field of the step. */
export function presetFormFor(step: AnyStepContract, preset: Record<string, string>): string | null {
  const keys = Object.keys(preset);
  if (keys.length !== 1) return null;
  const fi = step.fields.findIndex((f) => f.key === keys[0] && f.options?.length);
  if (fi < 0 || fi > 9) return null;
  const oi = step.fields[fi]!.options!.findIndex((o) => o.value === preset[keys[0]!]);
  return oi < 0 || oi > 9 ? null : presetFormId(step.id, fi, oi);
}

/** The step's form, and its variants with one select field answered by a button. */
export function stepForms(reg: RegisteredStep): FormDefinition[] {
  const variants = reg.step.fields.flatMap((f, fi) =>
    fi > 9 ? [] : (f.options ?? []).slice(0, 10).map((o, oi) => stepForm(reg, { id: presetFormId(reg.step.id, fi, oi), skip: f.key, chosen: `${f.label}：${o.label}` })),
  );
  return [stepForm(reg), ...variants];
}

export function stepForm(reg: RegisteredStep, variant?: { id: string; skip: string; chosen: string }): FormDefinition {
  const { step } = reg;
  return {
    id: variant?.id ?? stepFormId(step.id),
    title: `${reg.kind.label}：${step.title}${variant ? `（${variant.chosen}）` : ''}`,
    steps: step.fields.filter((f) => f.key !== variant?.skip).map((f) => fieldStep(step, f)),
    ...(step.fields.some((f) => f.personal) ? { privateOnlyMessage: '此环节需填写个人信息，请私聊机器人继续办理。' } : {}),
    async submit(ctx, data) {
      const values = Object.fromEntries(Object.entries(data).filter(([k, v]) => !k.startsWith('__') && v !== ''));
      const result = await submitStep(ctx, data.__step!, data.__target!, values, `${ctx.event.platform}:${ctx.event.eventId}`);
      if (!result.ok) throw new CaseRefusedError(result.message);
      return result.message;
    },
  };
}
