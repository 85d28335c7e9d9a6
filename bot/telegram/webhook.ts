// Telegram webhook as a fastify route: the secret token checked first
// (wrong/missing → 401), the body parsed by us (malformed → 400, never a
// crash), handler errors kept inside the request (→ 500, Telegram retries).
import crypto from 'node:crypto';

import type { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface TelegramWebhookOptions {
  bot: Bot;
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
  const onError = options.onError ?? ((err) => console.error('telegram webhook:', err));
  const { bot } = options;

  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
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
    try {
      if (!bot.isInited()) await bot.init();
      await bot.handleUpdate(update);
    } catch (err) {
      onError(err);
      return reply.code(500).send('handler failed');
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
