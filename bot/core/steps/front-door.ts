// The one front door of every human step, for every platform:
//   「办理」 button (s:<target>:<step>)  → the step's card with its form (Feishu,
//        console), or a short private form (Telegram); 'next' picks the first
//        step the presser may take now;
//   a submitted form (sf:<target>:<step>) → submitStep → the card is edited to
//        show the outcome, who and when; a refusal is answered and the card stays usable.
// The update id of a card's form is derived from the card's message id, so a
// double tap or a redelivered callback decides once.
import type { StepFormValues } from '../../../domain/steps/contract.js';
import type { BotContext, BotMiddleware } from '../context.js';
import type { FormRunner } from '../forms/engine.js';
import { STEP_OPEN, STEP_SUBMIT, stepCard } from './card.js';
import { stepById, stepsOfWorkflow, type RegisteredStep } from './registry.js';
import { presetFormFor, stepFormId } from './telegram-form.js';
import { readyStep, stepActor, submitStep } from './take.js';
import { resolveTarget } from './target.js';

export const PRIVATE_ONLY = '此环节需填写个人信息，请私聊机器人，在私聊中点“办理”继续。';

/** The first step of the target's workflow that this person may take now, or why none. */
export async function nextStepFor(ctx: BotContext, targetRef: string): Promise<RegisteredStep | string> {
  const target = await resolveTarget(ctx.prisma, targetRef);
  const gateway = ctx.deps.workflows;
  if (!target || !gateway) return '该办理入口已失效，请发送 /我的待办 查看当前事项。';
  const kind = stepsOfWorkflow(target.workflowId);
  if (!kind) return '该事项暂无可在聊天中办理的环节。';
  const view = await gateway.query(kind.status, target.workflowId);
  if (view === null) return '该事项已办结或不存在。';
  for (const step of kind.steps) {
    const reg = { kind, step };
    if (!step.open(view)) continue;
    if (typeof (await stepActor(ctx, reg, target, view)) === 'string') continue;
    return reg;
  }
  return `${target.label}当前没有您可以办理的环节。`;
}

/** Opens a step for the presser: its card with a form, or a private form on Telegram. */
export async function openStep(ctx: BotContext, forms: FormRunner, stepId: string, targetRef: string, preset: StepFormValues = {}): Promise<void> {
  const ready = await readyStep(ctx, stepId, targetRef);
  if (typeof ready === 'string') {
    ctx.auditNotes.outcome = 'refused';
    await ctx.reply(ready);
    return;
  }
  const { reg, target, view } = ready;
  ctx.auditNotes.step = reg.step.id;
  if (reg.step.command) {
    await ctx.reply(`“${reg.step.title}”内容较多，请${reg.step.fields.length ? '在卡片上选择，或' : ''}发送 ${reg.step.command} 逐项填写。`);
    if (!reg.step.fields.length) return;
  }
  if (ctx.isGroup && reg.step.fields.some((f) => f.personal)) {
    ctx.auditNotes.outcome = 'private-only';
    await ctx.reply(PRIVATE_ONLY);
    return;
  }
  // A button whose values answer every required field (「确认完成」) acts at once.
  const complete = reg.step.fields.length > 0 && reg.step.fields.every((f) => !f.required || preset[f.key] !== undefined);
  if (Object.keys(preset).length > 0 && complete) {
    const result = await submitStep(ctx, reg.step.id, target.ref, preset, `${ctx.event.platform}:${ctx.event.eventId}`);
    if (result.ok) {
      await ctx.answer(result.message);
      return;
    }
    await ctx.reply(result.message);
    // A value still missing (退回 needs its reason): the form, with the button's values filled in.
    if (!result.invalid) return;
  }
  if (ctx.event.platform === 'telegram') {
    ctx.auditNotes.outcome = 'form-started';
    // What the button answered (「批准」 → 审批结果) is not asked again.
    await forms.start(ctx, presetFormFor(reg.step, preset) ?? stepFormId(reg.step.id), { __step: reg.step.id, __target: target.ref, ...preset });
    return;
  }
  ctx.auditNotes.outcome = 'card';
  await ctx.reply(stepCard(reg, target, view, preset), `step:${reg.step.id}`);
}

/** The update id of a submission: the card's (one decision per card) or the event's. */
function submissionId(ctx: BotContext, stepId: string): string {
  const e = ctx.event;
  return e.type === 'form' && e.source ? `${e.platform}:card:${e.source.messageId}:${stepId}` : `${e.platform}:${e.eventId}`;
}

export function stepFrontDoor(forms: FormRunner): BotMiddleware {
  return async (ctx, next) => {
    const e = ctx.event;
    if (e.type === 'button' && e.button.action === STEP_OPEN && e.button.caseRef && e.button.value) {
      ctx.auditNotes.target = e.button.caseRef;
      let stepId = e.button.value;
      if (stepId === 'next') {
        const next = await nextStepFor(ctx, e.button.caseRef);
        if (typeof next === 'string') {
          ctx.auditNotes.outcome = 'nothing-open';
          await ctx.reply(next);
          return;
        }
        stepId = next.step.id;
      }
      await openStep(ctx, forms, stepId, e.button.caseRef);
      return;
    }
    if (e.type === 'form' && e.form.action === STEP_SUBMIT && e.form.caseRef && e.form.value) {
      ctx.auditNotes.target = e.form.caseRef;
      ctx.auditNotes.step = e.form.value;
      if (!stepById(e.form.value)) {
        await ctx.reply('该办理入口已失效，请发送 /我的待办 查看当前事项。');
        return;
      }
      const result = await submitStep(ctx, e.form.value, e.form.caseRef, e.values, submissionId(ctx, e.form.value));
      if (result.ok) await ctx.answer(result.message);
      else await ctx.reply(result.message);
      return;
    }
    return next();
  };
}
