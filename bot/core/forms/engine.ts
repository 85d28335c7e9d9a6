// Short multi-step forms: one question per message, each answer validated with
// zod and answered in Chinese when it needs fixing, a confirmation card at the
// end, cancellable with /取消. State lives in ChatFormState with a TTL, one form
// per platform + chat + sender. Long processes belong in Temporal, not here.
import { CaseRefusedError } from '../case-starter.js';
import type { z } from 'zod';

import { chatFormDataSchema, columnValue, parseColumn } from '../../../domain/columns.js';
import { zhParseOptions } from '../../../domain/zod-zh.js';
import type { BotContext, BotMiddleware } from '../context.js';
import { T } from '../texts.js';
import type { BotMessage, CardField } from '../types.js';
import { log } from '../../../infra/logger.js';

export type FormData = Record<string, string>;

export interface FormStep {
  key: string;
  /** What is asked, e.g. "请输入死者姓名". */
  prompt: string;
  /** Field name used in messages ("身份证号"). */
  label: string;
  schema: z.ZodType<string, string>;
  /** How the value may appear in an audit entry or a group chat. */
  mask?: (value: string) => string;
  /** How the stored value reads in a private chat (default: as stored), e.g. a parsed answer in words. */
  display?: (value: string) => string;
  /** A choice: one button per value (the answer is then that value, as if typed). */
  choices?: readonly string[];
  /** A check against the database after the schema (e.g. the village is in the sender's scope): a Chinese reason, or null. */
  check?: (ctx: BotContext, value: string, data: FormData) => Promise<string | null>;
}

export interface FormDefinition {
  /** Short id (also the caseRef of its confirm buttons): ≤ 16 ASCII chars. */
  id: string;
  title: string;
  steps: FormStep[];
  /** Refuse to run in group chats, with this message. */
  privateOnlyMessage?: string;
  /** Does the submission; returns what to show. Must be idempotent on ctx.event.eventId. */
  submit(ctx: BotContext, data: FormData): Promise<BotMessage>;
}

const CONFIRM_WORDS = new Set(['确认', '确认提交', '提交', '是', 'confirm']);

/** The sender's form in this chat: the key of its ChatFormState row. */
export const formKey = (ctx: BotContext) => ({ platform: ctx.event.platform, chatId: ctx.event.chat.id, senderId: ctx.event.senderId });
type FormKey = ReturnType<typeof formKey>;

/** The column value of a form's answers (a bug fails before the write). */
const dataColumn = (data: FormData) => columnValue(chatFormDataSchema, 'ChatFormState.data', data);

/** Button verb of a choice answer: `fv:<formId>:<index>`. */
export const FORM_CHOICE = 'fv';

function prompt(step: FormStep, index: number, total: number, formId: string): BotMessage {
  const text = `（${index + 1}/${total}）${step.prompt}\n发送 /取消 可退出填报。`;
  if (!step.choices?.length) return { text };
  return { text, buttons: step.choices.map((c, i) => ({ label: c, payload: { action: FORM_CHOICE, caseRef: formId, value: String(i) } })) };
}

function shown(step: FormStep, value: string, ctx: BotContext): string {
  // Personal data goes into a group chat masked.
  if (ctx.isGroup && step.mask) return step.mask(value);
  return step.display ? step.display(value) : value;
}

function confirmation(form: FormDefinition, data: FormData, ctx: BotContext): BotMessage {
  const fields: CardField[] = form.steps.map((s) => ({ label: s.label, value: shown(s, data[s.key] ?? '', ctx) }));
  return {
    title: `${form.title}：请确认`,
    text: '请核对以下内容，无误后点击“确认提交”（或发送“确认”）。',
    fields,
    buttons: [
      { label: '确认提交', payload: { action: 'confirm', caseRef: form.id }, style: 'primary' },
      { label: '取消', payload: { action: 'cancel', caseRef: form.id }, style: 'danger' },
    ],
  };
}

/** Said in a group to a form that asks for ID numbers. */
export const idNumbersPrivateOnly = (title: string) => `“${title}”需要填写身份证号，不能在群里填写。请私聊机器人发送相应命令（发送 /帮助 查看）。`;

export class FormRunner {
  private readonly forms: Map<string, FormDefinition>;
  constructor(forms: FormDefinition[]) {
    this.forms = new Map(forms.map((f) => [f.id, f]));
  }

  /** Starts a form; `initial` values ride along (keys starting with '__' are never shown). */
  async start(ctx: BotContext, formId: string, initial: FormData = {}): Promise<void> {
    const form = this.forms.get(formId)!;
    if (form.privateOnlyMessage && ctx.isGroup) {
      ctx.auditNotes.outcome = 'refused-in-group';
      await ctx.reply(form.privateOnlyMessage);
      return;
    }
    const key = formKey(ctx);
    const expiresAt = new Date(ctx.deps.now().getTime() + ctx.deps.formTtlMs);
    const data = dataColumn(initial);
    await ctx.prisma.chatFormState.upsert({
      where: { platform_chatId_senderId: key },
      create: { ...key, form: form.id, step: 0, data, lastEventId: null, expiresAt },
      update: { form: form.id, step: 0, data, lastEventId: null, expiresAt },
    });
    ctx.auditNotes.form = form.id;
    ctx.auditNotes.step = 'start';
    if (form.steps.length === 0) {
      await ctx.reply(confirmation(form, initial, ctx));
      return;
    }
    const first = prompt(form.steps[0]!, 0, form.steps.length, form.id);
    await ctx.reply({ ...first, text: `${form.title}\n${first.text}` });
  }

  /** Drops the sender's form in this chat. True when there was one. */
  async cancel(ctx: BotContext): Promise<boolean> {
    const { count } = await ctx.prisma.chatFormState.deleteMany({ where: formKey(ctx) });
    return count > 0;
  }

  private async load(ctx: BotContext) {
    const key = formKey(ctx);
    const state = await ctx.prisma.chatFormState.findUnique({ where: { platform_chatId_senderId: key } });
    if (!state) return undefined;
    const form = this.forms.get(state.form);
    if (!form || state.expiresAt.getTime() <= ctx.deps.now().getTime()) {
      await ctx.prisma.chatFormState.deleteMany({ where: { ...key, updatedAt: state.updatedAt } });
      return 'expired' as const;
    }
    const data = parseColumn(chatFormDataSchema, 'ChatFormState.data', state.data, `${key.platform}:${key.chatId}:${key.senderId}`);
    return { key, state, form, data };
  }

  /** Handles text answers and the confirm/cancel buttons of an active form; anything else passes on. */
  readonly middleware: BotMiddleware = async (ctx, next) => {
    const { event } = ctx;
    const isFormButton = event.type === 'button' && (event.button.action === 'confirm' || event.button.action === 'cancel' || event.button.action === FORM_CHOICE) && this.forms.has(event.button.caseRef ?? '');
    if (ctx.command || event.type === 'form' || (event.type === 'button' && !isFormButton)) return next();
    const loaded = await this.load(ctx);
    if (loaded === undefined || loaded === 'expired') {
      if (isFormButton) {
        ctx.auditNotes.outcome = 'no-form';
        await ctx.answer('该填报已提交、已取消或已超时。');
        return;
      }
      if (loaded === 'expired') {
        await ctx.reply(T.formExpired);
        return;
      }
      return next();
    }
    const { key, state, form, data } = loaded;
    // The event that last changed the form: a retried attempt of it changes nothing again.
    const replayed = state.lastEventId === event.eventId;
    ctx.auditNotes.form = form.id;
    if (event.type === 'button' && event.button.action === 'cancel') {
      await this.cancel(ctx);
      ctx.auditNotes.outcome = 'cancelled';
      await ctx.answer(T.cancelled);
      return;
    }
    if (state.step > form.steps.length) {
      // Being submitted: by this very event (an attempt that stopped half-way), or by another.
      if (replayed) return this.submit(ctx, form, key, form.steps.length, data, true);
      await ctx.answer('正在提交，请稍候。');
      return;
    }
    if (replayed && event.type === 'text') {
      // This answer was taken by an earlier attempt: say again what that attempt said (same dedupe key).
      await ctx.reply(state.step < form.steps.length ? prompt(form.steps[state.step]!, state.step, form.steps.length, form.id) : confirmation(form, data, ctx));
      return;
    }
    const awaitingConfirm = state.step >= form.steps.length;
    const choice = event.type === 'button' && event.button.action === FORM_CHOICE;
    if (awaitingConfirm) {
      if (choice) return;
      const confirmed = event.type === 'button' || CONFIRM_WORDS.has(event.text.trim().toLowerCase());
      if (!confirmed) {
        await ctx.reply('请点击“确认提交”或发送“确认”；发送 /取消 可放弃。');
        return;
      }
      await this.submit(ctx, form, key, state.step, data);
      return;
    }
    const step = form.steps[state.step]!;
    if (event.type === 'button' && !choice) {
      await ctx.reply('请先回答当前问题；发送 /取消 可放弃。');
      return;
    }
    const text = event.type === 'text' ? event.text : (step.choices?.[Number(event.button.value)] ?? '');
    ctx.auditNotes.step = step.key;
    const parsed = step.schema.safeParse(text, zhParseOptions);
    if (!parsed.success) {
      ctx.auditNotes.outcome = 'invalid';
      const why = parsed.error.issues.map((i) => i.message).join('；');
      await ctx.reply(`${step.label}有误：${why}。请重新输入${step.label}。`);
      return;
    }
    const value = parsed.data;
    const why = step.check ? await step.check(ctx, value, data) : null;
    if (why) {
      // The answers so far are kept: only this step is asked again.
      ctx.auditNotes.outcome = 'invalid';
      await ctx.reply(`${step.label}有误：${why}。请重新输入${step.label}。`);
      return;
    }
    ctx.auditNotes.value = step.mask ? step.mask(value) : value;
    const nextData = { ...data, [step.key]: value };
    const nextStep = state.step + 1;
    const expiresAt = new Date(ctx.deps.now().getTime() + ctx.deps.formTtlMs);
    // Optimistic: only the answer to the step we read advances the form.
    const { count } = await ctx.prisma.chatFormState.updateMany({
      where: { ...key, step: state.step },
      data: { step: nextStep, data: dataColumn(nextData), lastEventId: event.eventId, expiresAt },
    });
    if (count !== 1) return;
    if (nextStep < form.steps.length) {
      await ctx.reply(prompt(form.steps[nextStep]!, nextStep, form.steps.length, form.id));
    } else {
      await ctx.reply(confirmation(form, nextData, ctx));
    }
  };

  private async submit(ctx: BotContext, form: FormDefinition, key: FormKey, step: number, data: FormData, resumed = false): Promise<void> {
    // Take the form (exactly one confirmation wins) by marking it as being submitted by this event;
    // it is deleted only once the submission is through, so a crash in between loses nothing: the
    // inbox processes the same event again and finds the form marked with it (`resumed`).
    const submitting = form.steps.length + 1;
    if (!resumed) {
      const taken = await ctx.prisma.chatFormState.updateMany({ where: { ...key, step }, data: { step: submitting, data: dataColumn(data), lastEventId: ctx.event.eventId } });
      if (taken.count !== 1) return;
    }
    try {
      const outcome = await form.submit(ctx, data);
      await ctx.prisma.chatFormState.deleteMany({ where: { ...key, step: submitting } });
      ctx.auditNotes.outcome = 'submitted';
      await ctx.answer(outcome);
    } catch (err) {
      if (err instanceof CaseRefusedError) {
        // Nothing to retry: say why, and the form is over.
        await ctx.prisma.chatFormState.deleteMany({ where: { ...key, step: submitting } });
        ctx.auditNotes.outcome = 'refused';
        await ctx.answer({ title: `${form.title}：未受理`, text: err.message });
        return;
      }
      const expiresAt = new Date(ctx.deps.now().getTime() + ctx.deps.formTtlMs);
      // Back to awaiting confirmation, so the person (or the inbox's retry) can confirm again.
      await ctx.prisma.chatFormState.updateMany({ where: { ...key, step: submitting }, data: { step, data: dataColumn(data), lastEventId: null, expiresAt } });
      ctx.auditNotes.outcome = 'submit-failed';
      // The submission's own error is rethrown below (the inbox retries it); a failed notice only loses the hint.
      await ctx.reply(T.submitFailed, 'submit-failed').catch((replyErr: unknown) => log('forms').warn({ err: replyErr, form: form.id }, '提交失败提示未能送出'));
      throw err;
    }
  }
}
