// Feishu event subscription as a fastify route, on top of the SDK's
// EventDispatcher (decryption and dispatch) but with our own checks FIRST,
// because the SDK lets these through (tech-notes §7):
//   1. X-Lark-Signature over the RAW body bytes         → 401
//   2. timestamp within 5 minutes                        → 401
//   3. a JSON body with `encrypt` that our key decrypts  → 400 (never a crash)
//   4. header.token / url_verification token             → 401
//   5. url_verification answered only then
//   6. replayed event ids: 200, nothing done (core dedupe)
// Messages are handled before answering (errors → 500, so Feishu retries);
// card actions are acknowledged with a toast at once and worked on after the response.
import crypto from 'node:crypto';

import * as lark from '@larksuiteoapi/node-sdk';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { BotCore } from '../core/bot-core.js';
import type { InboundEvent, OutboundPort } from '../core/types.js';
import { fromCardValue, formValues, fromFormButtonName } from './cards.js';

export const FEISHU_MAX_SKEW_MS = 5 * 60 * 1000;

export interface FeishuWebhookOptions {
  /** The app's Encrypt Key: required (without it nothing would be verified). */
  encryptKey: string;
  verificationToken: string;
  appId: string;
  core: BotCore;
  /** Where replies go (createFeishuSender). */
  out: OutboundPort;
  /** Route path (default /webhooks/feishu). */
  path?: string;
  now?: () => number;
  /** Called with errors of background work and of handlers. */
  onError?: (err: unknown) => void;
}

export interface FeishuWebhook {
  path: string;
  /** Resolves when the work started after responses (card actions) has finished. */
  idle(): Promise<void>;
}

/** What our dispatcher handlers return: the response body and work to do after it. */
interface Dispatched {
  body: unknown;
  after?: () => Promise<void>;
}
const isDispatched = (x: unknown): x is Dispatched => typeof x === 'object' && x !== null && 'body' in x;

function decrypt(encrypt: string, encryptKey: string): string {
  const buf = Buffer.from(encrypt, 'base64');
  if (buf.length < 32) throw new Error('encrypted payload too short');
  const key = crypto.createHash('sha256').update(encryptKey).digest();
  const decipher = crypto.createDecipheriv('aes-256-cbc', key, buf.subarray(0, 16));
  return Buffer.concat([decipher.update(buf.subarray(16)), decipher.final()]).toString('utf8');
}

function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

const header = (req: FastifyRequest, name: string) => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

function messageText(content: string): string | undefined {
  try {
    const parsed = JSON.parse(content) as { text?: unknown };
    // Mentions arrive as @_user_N placeholders: drop them.
    return typeof parsed.text === 'string' ? parsed.text.replace(/@_user_\d+/g, '').trim() : undefined;
  } catch {
    return undefined;
  }
}

interface MessageEventData {
  event_id: string;
  sender?: { sender_id?: { open_id?: string } };
  message?: { chat_id: string; chat_type: string; message_type: string; content: string };
}

interface CardActionData {
  event_id: string;
  operator?: { open_id?: string };
  action?: { value?: unknown; name?: unknown; form_value?: unknown };
  context?: { open_message_id?: string; open_chat_id?: string };
}

/**
 * The events the bot takes from Feishu, as EventDispatcher handlers: shared by
 * the webhook and the long connection (WSClient). Each returns the response body
 * and, for card actions, the work to do after answering (Feishu wants an answer within 3 s).
 */
export function feishuEventHandlers(core: BotCore, out: OutboundPort) {
  return {
    'im.message.receive_v1': async (d: MessageEventData): Promise<Dispatched> => {
      const text = d.message?.message_type === 'text' ? messageText(d.message.content) : undefined;
      const sender = d.sender?.sender_id?.open_id;
      if (text === undefined || !sender || !d.message) return { body: {} };
      const event: InboundEvent = {
        type: 'text',
        platform: 'feishu',
        eventId: d.event_id,
        chat: { platform: 'feishu', id: d.message.chat_id, kind: d.message.chat_type === 'p2p' ? 'private' : 'group' },
        senderId: sender,
        text,
      };
      await core.handle(event, out);
      return { body: {} };
    },
    'card.action.trigger': async (d: CardActionData): Promise<Dispatched> => {
      const chatId = d.context?.open_chat_id;
      const sender = d.operator?.open_id;
      // A form container's submit: the values of all its inputs in one callback.
      const submitted = d.action?.form_value !== undefined ? fromFormButtonName(d.action.name) : undefined;
      if (submitted && chatId && sender) {
        const chat = { platform: 'feishu' as const, id: chatId, kind: submitted.kind };
        const event: InboundEvent = {
          type: 'form',
          platform: 'feishu',
          eventId: d.event_id,
          chat,
          senderId: sender,
          form: submitted.ref,
          values: formValues(d.action?.form_value),
          ...(d.context?.open_message_id ? { source: { chat, messageId: d.context.open_message_id } } : {}),
        };
        return { body: { toast: { type: 'info', content: '已提交，正在办理' } }, after: () => core.handle(event, out) };
      }
      const decoded = fromCardValue(d.action?.value);
      if (!decoded || !chatId || !sender) return { body: { toast: { type: 'warning', content: '无法识别的操作' } } };
      const chat = { platform: 'feishu' as const, id: chatId, kind: decoded.kind };
      const event: InboundEvent = {
        type: 'button',
        platform: 'feishu',
        eventId: d.event_id,
        chat,
        senderId: sender,
        button: decoded.action,
        ...(d.context?.open_message_id ? { source: { chat, messageId: d.context.open_message_id } } : {}),
      };
      return { body: { toast: { type: 'info', content: '已收到，正在处理' } }, after: () => core.handle(event, out) };
    },
  };
}

export function registerFeishuWebhook(app: FastifyInstance, options: FeishuWebhookOptions): FeishuWebhook {
  if (!options.encryptKey) throw new Error('Feishu webhook: an Encrypt Key is required (without it requests cannot be verified)');
  if (!options.verificationToken) throw new Error('Feishu webhook: a Verification Token is required');
  const path = options.path ?? '/webhooks/feishu';
  const now = options.now ?? Date.now;
  const onError = options.onError ?? ((err) => console.error('feishu webhook:', err));
  const background = new Set<Promise<void>>();

  const dispatcher = new lark.EventDispatcher({ encryptKey: options.encryptKey, verificationToken: options.verificationToken, loggerLevel: lark.LoggerLevel.error });
  const handlers = feishuEventHandlers(options.core, options.out);
  // The SDK types only its own event shapes; ours are the subset we read.
  dispatcher.register(handlers as never);

  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const timestamp = header(req, 'x-lark-request-timestamp');
    const nonce = header(req, 'x-lark-request-nonce');
    const signature = header(req, 'x-lark-signature');
    if (!timestamp || !nonce || !signature) return reply.code(401).send({ error: 'missing signature' });
    const expected = crypto.createHash('sha256').update(timestamp).update(nonce).update(options.encryptKey).update(raw).digest('hex');
    if (!safeEqualHex(signature.toLowerCase(), expected)) return reply.code(401).send({ error: 'bad signature' });
    const ts = Number(timestamp) * 1000;
    if (!Number.isFinite(ts) || Math.abs(now() - ts) > FEISHU_MAX_SKEW_MS) return reply.code(401).send({ error: 'stale timestamp' });

    let body: { encrypt?: unknown };
    let payload: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString('utf8')) as { encrypt?: unknown };
      if (typeof body?.encrypt !== 'string') return reply.code(400).send({ error: 'encrypted body expected' });
      payload = JSON.parse(decrypt(body.encrypt, options.encryptKey)) as Record<string, unknown>;
      if (typeof payload !== 'object' || payload === null) throw new Error('not an object');
    } catch {
      return reply.code(400).send({ error: 'cannot decrypt' });
    }

    const head = payload.header as { token?: unknown; app_id?: unknown } | undefined;
    const token = payload.type === 'url_verification' ? payload.token : (head?.token ?? payload.token);
    if (typeof token !== 'string' || !safeEqualHex(token, options.verificationToken)) return reply.code(401).send({ error: 'bad token' });
    if (payload.type === 'url_verification') return reply.send({ challenge: payload.challenge });
    if (head?.app_id !== undefined && head.app_id !== options.appId) return reply.code(401).send({ error: 'other app' });

    let result: unknown;
    try {
      result = await dispatcher.invoke(body, { needCheck: false });
    } catch (err) {
      onError(err);
      return reply.code(500).send({ error: 'handler failed' });
    }
    if (!isDispatched(result)) return reply.send({});
    const after = result.after;
    if (after) {
      reply.raw.once('finish', () => {
        const p = after()
          .catch(onError)
          .finally(() => background.delete(p));
        background.add(p);
      });
    }
    return reply.send(result.body);
  };

  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));
    scope.post(path, handle);
  });

  return {
    path,
    async idle() {
      while (background.size > 0) await Promise.allSettled([...background]);
    },
  };
}
