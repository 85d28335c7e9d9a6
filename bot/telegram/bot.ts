// The grammY bot: text messages and button presses become core events.
// A button press is answered first (answerCallbackQuery), then worked on, and
// the core shows the outcome by editing the message (editMessageText).
import { Bot, type Context } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { run, type RunnerHandle } from '@grammyjs/runner';

import type { PrismaClient } from '../../prisma/generated/client.js';
import type { BotCore } from '../core/bot-core.js';
import type { ChatRef, OutboundPort } from '../core/types.js';
import { decodeCallbackData } from './callback-data.js';
import { createTelegramSender } from './sender.js';

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
}

export interface TelegramBot {
  bot: Bot;
  out: OutboundPort;
}

const chatRef = (ctx: Context): ChatRef => ({
  platform: 'telegram',
  id: String(ctx.chat!.id),
  kind: ctx.chat!.type === 'private' ? 'private' : 'group',
});

export function createTelegramBot(options: TelegramBotOptions): TelegramBot {
  const bot = new Bot(options.token, {
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
    client: { ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}), timeoutSeconds: 30 },
  });
  const out = options.out ?? createTelegramSender(bot.api, options.prisma);

  bot.on('message:text', async (ctx) => {
    await options.core.handle(
      {
        type: 'text',
        platform: 'telegram',
        eventId: `${ctx.me.id}:${ctx.update.update_id}`,
        chat: chatRef(ctx),
        senderId: String(ctx.from.id),
        text: ctx.message.text,
      },
      out,
    );
  });

  bot.on('callback_query:data', async (ctx) => {
    // Best effort: a redelivered press has been answered already, and Telegram refuses a second answer.
    await ctx.answerCallbackQuery().catch(() => {});
    const action = decodeCallbackData(ctx.callbackQuery.data);
    if (!action || !ctx.chat) return;
    const chat = chatRef(ctx);
    const messageId = ctx.callbackQuery.message?.message_id;
    await options.core.handle(
      {
        type: 'button',
        platform: 'telegram',
        eventId: `cb:${ctx.callbackQuery.id}`,
        chat,
        senderId: String(ctx.from.id),
        button: action,
        ...(messageId !== undefined ? { source: { chat, messageId: String(messageId) } } : {}),
      },
      out,
    );
  });

  return { bot, out };
}

/** Long polling with @grammyjs/runner (instead of a webhook). Stop with `handle.stop()`. */
export function startTelegramPolling(bot: Bot): RunnerHandle {
  return run(bot, { runner: { fetch: { allowed_updates: ['message', 'callback_query'] } } });
}
