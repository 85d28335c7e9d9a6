// Telegram webhook as a fastify route: the secret token checked first
// (wrong/missing → 401), the body parsed by us (malformed → 400, never a
// crash), the update recorded in the inbox and answered 200 at once (nothing
// here waits on the Bot API: not even getMe, the bot id comes from the token).
// A failed inbox write answers 503 (Telegram retries).
import crypto from 'node:crypto';

import type { Update } from 'grammy/types';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { telegramEvent, type TelegramBot } from './bot.js';
import { log } from '../../infra/logger.js';

export interface TelegramWebhookOptions {
  /** createTelegramBot's result: its inbox records the updates. */
  bot: TelegramBot;
  /** How long to wait for processing and replies before answering (default 0: answer at once). */
  inlineBudgetMs?: number;
  /** 1-256 chars of [A-Za-z0-9_-]; also passed to setWebhook. */
  secretToken: string;
  path?: string;
  onError?: (err: unknown) => void;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export function registerTelegramWebhook(app: FastifyInstance, options: TelegramWebhookOptions): { path: string } {
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(options.secretToken)) throw new Error('Telegram webhook: secretToken must be 1-256 characters of A-Z a-z 0-9 _ -');
  const path = options.path ?? '/webhooks/telegram';
  const onError = options.onError ?? ((err) => log('telegram-webhook').error({ err }, 'Telegram 回调出错'));
  const { bot } = options;

  // While a request is answered here the inbox processor waits (bounded: inbox-processor.ts), so a
  // burst of deliveries is answered first and processed right after (as the Feishu webhook does).
  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const release = bot.inbox.answering();
    try {
      return await answer(req, reply, release);
    } finally {
      release();
    }
  };

  const answer = async (req: FastifyRequest, reply: FastifyReply, release: () => void) => {
    const secret = req.headers['x-telegram-bot-api-secret-token'];
    if (typeof secret !== 'string' || !safeEqual(secret, options.secretToken)) return reply.code(401).send('secret token is wrong');
    let update: Update;
    try {
      const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      update = JSON.parse(raw) as Update;
      if (typeof update !== 'object' || update === null || typeof update.update_id !== 'number') throw new Error('not an update');
    } catch {
      return reply.code(400).send('malformed update');
    }
    const event = telegramEvent(bot.botId, update);
    if (event) {
      // Not awaited: the Bot API may be unreachable, and the answer must not wait on it.
      if (update.callback_query) void bot.bot.api.answerCallbackQuery(update.callback_query.id).catch((err: unknown) => log('telegram-webhook').warn({ err }, '按钮应答失败（按钮的等待图标会自行消失）'));
      try {
        await bot.inbox.record(event);
      } catch (err) {
        onError(err);
        return reply.code(503).send('暂时无法受理，请稍后重试');
      }
      if ((options.inlineBudgetMs ?? 0) > 0) {
        // An answer that waits for the processing must not hold it back.
        release();
        await bot.inbox.settle(options.inlineBudgetMs);
      }
    }
    return reply.code(200).send('');
  };

  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));
    scope.post(path, handle);
  });
  return { path };
}
