// The grammY bot: text messages and button presses become core events,
// recorded in the inbox and processed from it (replies through the outbox).
// A button press is answered (answerCallbackQuery) without waiting for it, and
// the core shows the outcome by editing the message (editMessageText).
import { Bot } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import { run, type RunnerHandle } from '@grammyjs/runner';

import type { PrismaClient } from '../../prisma/generated/client.js';
import type { BotCore } from '../core/bot-core.js';
import { cleanInboundEvent } from '../core/clean-event.js';
import { createInboxProcessor, type InboxProcessor } from '../core/inbox-processor.js';
import { deliverReplies } from '../core/outbox.js';
import type { ChatRef, InboundEvent, OutboundPort } from '../core/types.js';
import { decodeCallbackData } from './callback-data.js';
import { createTelegramSender } from './sender.js';
import { log } from '../../infra/logger.js';

export interface TelegramBotOptions {
  token: string;
  core: BotCore;
  prisma: PrismaClient;
  /** Bot API root (default https://api.telegram.org; the fake's URL in tests). */
  apiRoot?: string;
  /** Skips getMe at start. */
  botInfo?: UserFromGetMe;
  /** Replaces the default outbound port (tests). */
  out?: OutboundPort;
  /** The inbox events are recorded in (default: one of its own, delivering replies through `out`). */
  inbox?: InboxProcessor;
}

export interface TelegramBot {
  bot: Bot;
  out: OutboundPort;
  inbox: InboxProcessor;
  /** The bot's numeric id (the token's first part; Telegram's getMe says the same). */
  botId: number;
  /** Stops the inbox when it is the bot's own. */
  stop(): Promise<void>;
}

/** The bot id a token belongs to: Telegram tokens are `<bot id>:<secret>`. */
export function telegramBotId(token: string): number {
  const id = Number(token.split(':')[0]);
  if (!Number.isSafeInteger(id) || id <= 0) throw new Error('Telegram bot token must look like <bot id>:<secret>');
  return id;
}

const isChat = (c: unknown): c is { id: number; type: string } =>
  typeof c === 'object' && c !== null && Number.isSafeInteger((c as { id?: unknown }).id) && typeof (c as { type?: unknown }).type === 'string';

const chatRef = (chat: { id: number; type: string }): ChatRef => ({
  platform: 'telegram',
  id: String(chat.id),
  kind: chat.type === 'private' ? 'private' : 'group',
});

/** The core event of a Telegram update (a text message or a button press), or undefined for anything else. */
export function telegramEvent(botId: number, update: Update, decode = decodeCallbackData): InboundEvent | undefined {
  const event = rawTelegramEvent(botId, update, decode);
  // Every free-text part cleaned before anything looks at it (domain/text.ts).
  return event && cleanInboundEvent(event);
}

function rawTelegramEvent(botId: number, update: Update, decode: typeof decodeCallbackData): InboundEvent | undefined {
  // A malformed update (wrong types anywhere) is ignored, never a crash.
  if (typeof update !== 'object' || update === null || !Number.isSafeInteger(update.update_id)) return undefined;
  const m = update.message;
  if (m && typeof m.text === 'string' && isChat(m.chat) && typeof m.from?.id === 'number') {
    return { type: 'text', platform: 'telegram', eventId: `${botId}:${update.update_id}`, chat: chatRef(m.chat), senderId: String(m.from.id), text: m.text };
  }
  const cq = update.callback_query;
  if (cq && typeof cq.data === 'string' && typeof cq.id === 'string' && cq.id !== '' && typeof cq.from?.id === 'number' && isChat(cq.message?.chat) && typeof cq.message.message_id === 'number') {
    const action = decode(cq.data);
    if (!action) return undefined;
    const chat = chatRef(cq.message.chat);
    return { type: 'button', platform: 'telegram', eventId: `cb:${cq.id}`, chat, senderId: String(cq.from.id), button: action, source: { chat, messageId: String(cq.message.message_id) } };
  }
  return undefined;
}

export function createTelegramBot(options: TelegramBotOptions): TelegramBot {
  const bot = new Bot(options.token, {
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
    client: { ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}), timeoutSeconds: 30 },
  });
  const out = options.out ?? createTelegramSender(bot.api, options.prisma);
  const botId = telegramBotId(options.token);
  const inbox: InboxProcessor =
    options.inbox ??
    createInboxProcessor({ prisma: options.prisma, core: options.core, afterPass: () => deliverReplies({ prisma: options.prisma, outs: { telegram: out }, owns: (k) => inbox.owns(k) }) });

  // Long polling: grammY hands each update here; it is recorded, and polling goes on.
  bot.on(['message:text', 'callback_query:data'], async (ctx) => {
    // Best effort and not awaited: a redelivered press has been answered already, and Telegram refuses a second answer.
    if (ctx.callbackQuery) void ctx.answerCallbackQuery().catch((err: unknown) => log('telegram').warn({ err }, '按钮应答失败（按钮的等待图标会自行消失）'));
    const event = telegramEvent(botId, ctx.update);
    if (event) await inbox.record(event);
  });

  return {
    bot,
    out,
    inbox,
    botId,
    async stop() {
      if (!options.inbox) await inbox.stop();
    },
  };
}

/**
 * Telegram holds a long poll for this many seconds: shorter than the client's request timeout (30 s
 * above), so an idle poll is answered before the client gives up on it (at the runner's default of
 * 30 s both ran out together and every idle half minute printed a "timed out" stack).
 */
export const LONG_POLL_SECONDS = 20;

/** Long polling with @grammyjs/runner (instead of a webhook). Stop with `handle.stop()`. */
export function startTelegramPolling(bot: Bot): RunnerHandle {
  return run(bot, { runner: { fetch: { allowed_updates: ['message', 'callback_query'], timeout: LONG_POLL_SECONDS } } });
}
