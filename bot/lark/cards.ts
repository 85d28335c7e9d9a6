// Card JSON 2.0 for Feishu, with callback buttons whose value round-trips a ButtonAction.
import type { BotMessage, ButtonAction, ChatRef, FormInput, MessageForm } from '../core/types.js';

/** The value a button carries: short keys, plus the chat kind (card callbacks do not say it). */
export interface CardButtonValue {
  a: string;
  c?: string;
  v?: string;
  /** 'g' group, 'p' private. */
  k: 'g' | 'p';
}

export function toCardValue(action: ButtonAction, chat: ChatRef): CardButtonValue {
  return {
    a: action.action,
    ...(action.caseRef !== undefined ? { c: action.caseRef } : {}),
    ...(action.value !== undefined ? { v: action.value } : {}),
    k: chat.kind === 'private' ? 'p' : 'g',
  };
}

export function fromCardValue(value: unknown): { action: ButtonAction; kind: ChatRef['kind'] } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.a !== 'string') return undefined;
  return {
    action: {
      action: v.a,
      ...(typeof v.c === 'string' ? { caseRef: v.c } : {}),
      ...(typeof v.v === 'string' ? { value: v.v } : {}),
    },
    kind: v.k === 'p' ? 'private' : 'group',
  };
}

const plain = (content: string) => ({ tag: 'plain_text', content });

/**
 * A form's submit button is named after the step reference and the chat kind:
 * `sf_<k>_<target>_<step id with . as _>` (component names are letters, digits
 * and _, unique in the card); the callback gives it back as `action.name`.
 */
export function formButtonName(ref: ButtonAction, chat: ChatRef): string {
  const parts = [ref.action, chat.kind === 'private' ? 'p' : 'g', ref.caseRef ?? '', (ref.value ?? '').replace(/\./g, '_')];
  if (parts.some((p) => !/^[A-Za-z0-9_]*$/.test(p)) || parts.slice(0, 3).some((p) => p.includes('_'))) throw new Error(`form reference not encodable: ${parts.join(' ')}`);
  return parts.join('_');
}

export function fromFormButtonName(name: unknown): { ref: ButtonAction; kind: ChatRef['kind'] } | undefined {
  if (typeof name !== 'string') return undefined;
  const m = /^([a-z]+)_([gp])_([A-Za-z0-9]+)_([a-z0-9_]+)$/.exec(name);
  if (!m) return undefined;
  const [head, ...rest] = m[4]!.split('_');
  return { ref: { action: m[1]!, caseRef: m[3]!, value: [head, rest.join('_')].filter(Boolean).join('.') }, kind: m[2] === 'p' ? 'private' : 'group' };
}

/** Feishu's form_value as strings: a date picker answers "2026-12-07 +0800", a select its option value. */
export function formValues(formValue: unknown): Record<string, string> {
  if (typeof formValue !== 'object' || formValue === null) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(formValue as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = /^\d{4}-\d{2}-\d{2} [+-]\d{4}$/.test(v) ? v.slice(0, 10) : v;
    else if (typeof v === 'number') out[k] = String(v);
  }
  return out;
}

function formInput(input: FormInput): Record<string, unknown> {
  const common = { name: input.key, required: input.required, ...(input.placeholder ? { placeholder: plain(input.placeholder) } : {}) };
  if (input.kind === 'select') {
    return {
      tag: 'select_static',
      ...common,
      placeholder: plain(input.placeholder ?? `请选择${input.label}`),
      options: (input.options ?? []).map((o) => ({ text: plain(o.label), value: o.value })),
      ...(input.initial ? { initial_option: input.initial } : {}),
    };
  }
  if (input.kind === 'date') {
    return { tag: 'date_picker', ...common, placeholder: plain(input.placeholder ?? `请选择${input.label}`), ...(input.initial ? { initial_date: input.initial } : {}) };
  }
  return {
    tag: 'input',
    ...common,
    label: plain(input.label),
    label_position: 'top',
    ...(input.kind === 'textarea' ? { input_type: 'multiline_text', rows: 3 } : {}),
    ...(input.initial ? { default_value: input.initial } : {}),
  };
}

/** A form container (表单容器): its inputs and one submit button, at the card's root. */
function formContainer(form: MessageForm, chat: ChatRef): Record<string, unknown> {
  const elements: unknown[] = [];
  for (const input of form.inputs) {
    // Selects and date pickers have no label of their own: a line above them says what they are.
    if (input.kind === 'select' || input.kind === 'date') elements.push({ tag: 'markdown', content: input.label });
    elements.push(formInput(input));
  }
  elements.push({ tag: 'button', name: formButtonName(form.ref, chat), text: plain(form.submitLabel), type: 'primary', form_action_type: 'submit' });
  return { tag: 'form', name: 'step_form', elements };
}

export function buildCard(message: BotMessage, chat: ChatRef): Record<string, unknown> {
  const elements: unknown[] = [{ tag: 'div', text: plain(message.text) }];
  for (const f of message.fields ?? []) elements.push({ tag: 'div', text: plain(`${f.label}：${f.value}`) });
  for (const b of message.buttons ?? []) {
    elements.push({
      tag: 'button',
      text: plain(b.label),
      type: b.style === 'danger' ? 'danger' : b.style === 'primary' ? 'primary' : 'default',
      behaviors: [{ type: 'callback', value: toCardValue(b.payload, chat) }],
    });
  }
  if (message.form) elements.push(formContainer(message.form, chat));
  return {
    schema: '2.0',
    config: { update_multi: true },
    ...(message.title ? { header: { title: plain(message.title), template: 'blue' } } : {}),
    body: { elements },
  };
}

/** True when the message needs a card (buttons, fields or a title) rather than plain text. */
export const needsCard = (m: BotMessage) => Boolean(m.title || m.fields?.length || m.buttons?.length || m.form);
