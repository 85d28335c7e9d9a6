// Card JSON 2.0 for Feishu, with callback buttons whose value round-trips a ButtonAction.
import type { BotMessage, ButtonAction, ChatRef } from '../core/types.js';

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
  return {
    schema: '2.0',
    config: { update_multi: true },
    ...(message.title ? { header: { title: plain(message.title), template: 'blue' } } : {}),
    body: { elements },
  };
}

/** True when the message needs a card (buttons, fields or a title) rather than plain text. */
export const needsCard = (m: BotMessage) => Boolean(m.title || m.fields?.length || m.buttons?.length);
