// Feishu event subscription as a fastify route, on top of the SDK's
// EventDispatcher (decryption and dispatch) but with our own checks FIRST,
// because the SDK lets these through (tech-notes §7):
//   1. X-Lark-Signature over the RAW body bytes         → 401
//   2. timestamp within 5 minutes                        → 401
//   3. a JSON body with `encrypt` that our key decrypts  → 400 (never a crash)
//   4. header.token / url_verification token             → 401
//   5. url_verification answered only then
// A verified event is recorded in the inbox (bot/core/inbox.ts; a redelivery
// finds its row) and answered 200 at once: nothing here waits on Feishu's API.
// The inbox processor handles it and its replies go out through the outbox.
// A card action is answered at once too, with a toast (「已收到，正在处理」); the
// card is patched when its processing is done. `cardBudgetMs` (tests) makes it
// wait for the processing first, within Feishu's 3 s.
import crypto from 'node:crypto';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { BotCore } from '../core/bot-core.js';
import { cleanInboundEvent } from '../core/clean-event.js';
import { cleanText } from '../../domain/text.js';
import { createInboxProcessor, type InboxProcessor } from '../core/inbox-processor.js';
import { deliverReplies } from '../core/outbox.js';
import type { InboundEvent, OutboundPort } from '../core/types.js';
import { fromCardValue, formValues, fromFormButtonName } from './cards.js';
import { log } from '../../infra/logger.js';

export const FEISHU_MAX_SKEW_MS = 5 * 60 * 1000;

export interface FeishuWebhookOptions {
  /** The app's Encrypt Key: required (without it nothing would be verified). */
  encryptKey: string;
  verificationToken: string;
  appId: string;
  core: BotCore;
  /** Where replies go (createFeishuSender). */
  out: OutboundPort;
  /** The inbox events are recorded in (default: one of this webhook's own, delivering replies through `out`). */
  inbox?: InboxProcessor;
  /** How long a message waits for its processing and replies before the answer (default 0: answer at once). */
  inlineBudgetMs?: number;
  /**
   * The same for a card action (default 0: answer at once; the toast says it is being handled and the card is
   * patched after). Waiting here would wait for every event queued before it: under a burst of presses the
   * answers would all take the whole budget. Keep any budget well inside Feishu's 3 s.
   */
  cardBudgetMs?: number;
  /** Route path (default /webhooks/feishu). */
  path?: string;
  now?: () => number;
  /** Called with errors of background work and of handlers. */
  onError?: (err: unknown) => void;
}

export interface FeishuWebhook {
  path: string;
  inbox: InboxProcessor;
  /** Resolves when the recorded events have been processed and their replies sent (or tried). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** What our dispatcher handlers return: the response body and, for card actions, the budget to wait. */
interface Dispatched {
  body: unknown;
  card?: boolean;
}
const isDispatched = (x: unknown): x is Dispatched => typeof x === 'object' && x !== null && 'body' in x;

/** The AES key: SHA-256 of the Encrypt Key (computed once per webhook, not per request). */
const aesKey = (encryptKey: string) => crypto.createHash('sha256').update(encryptKey).digest();

function decrypt(encrypt: string, key: Buffer): string {
  const buf = Buffer.from(encrypt, 'base64');
  if (buf.length < 32) throw new Error('encrypted payload too short');
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

/** A platform id: a non-empty string that stays non-empty once cleaned (a malformed event is ignored, never a crash). */
const isId = (x: unknown): x is string => typeof x === 'string' && x.length <= 256 && cleanText(x) !== '';

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
 * the webhook and the long connection (WSClient). Each hands the event to
 * `intake` (the inbox) and returns the response body.
 */
export function feishuEventHandlers(take: (event: InboundEvent) => Promise<unknown>) {
  // Every free-text part cleaned before anything looks at it (domain/text.ts).
  const intake = (event: InboundEvent) => take(cleanInboundEvent(event));
  return {
    'im.message.receive_v1': async (d: MessageEventData): Promise<Dispatched> => {
      const text = d.message?.message_type === 'text' && typeof d.message.content === 'string' ? messageText(d.message.content) : undefined;
      const sender = d.sender?.sender_id?.open_id;
      if (text === undefined || !isId(sender) || !d.message || !isId(d.message.chat_id) || !isId(d.event_id)) return { body: {} };
      const event: InboundEvent = {
        type: 'text',
        platform: 'feishu',
        eventId: d.event_id,
        chat: { platform: 'feishu', id: d.message.chat_id, kind: d.message.chat_type === 'p2p' ? 'private' : 'group' },
        senderId: sender,
        text,
      };
      await intake(event);
      return { body: {} };
    },
    'card.action.trigger': async (d: CardActionData): Promise<Dispatched> => {
      const chatId = isId(d.context?.open_chat_id) ? d.context.open_chat_id : undefined;
      const sender = isId(d.operator?.open_id) ? d.operator.open_id : undefined;
      const messageId = isId(d.context?.open_message_id) ? d.context.open_message_id : undefined;
      // A form container's submit: the values of all its inputs in one callback.
      const submitted = d.action?.form_value !== undefined ? fromFormButtonName(d.action.name) : undefined;
      if (submitted && chatId && sender && isId(d.event_id)) {
        const chat = { platform: 'feishu' as const, id: chatId, kind: submitted.kind };
        const event: InboundEvent = {
          type: 'form',
          platform: 'feishu',
          eventId: d.event_id,
          chat,
          senderId: sender,
          form: submitted.ref,
          values: formValues(d.action?.form_value),
          ...(messageId ? { source: { chat, messageId } } : {}),
        };
        await intake(event);
        return { body: { toast: { type: 'info', content: '已提交，正在办理' } }, card: true };
      }
      const decoded = fromCardValue(d.action?.value);
      if (!decoded || !chatId || !sender || !isId(d.event_id)) return { body: { toast: { type: 'warning', content: '无法识别的操作' } } };
      const chat = { platform: 'feishu' as const, id: chatId, kind: decoded.kind };
      const event: InboundEvent = {
        type: 'button',
        platform: 'feishu',
        eventId: d.event_id,
        chat,
        senderId: sender,
        button: decoded.action,
        ...(messageId ? { source: { chat, messageId } } : {}),
      };
      await intake(event);
      return { body: { toast: { type: 'info', content: '已收到，正在处理' } }, card: true };
    },
  };
}

/** The inbox of a front that was given none: replies go out through `out` after each pass. */
export function ownInbox(core: BotCore, platform: 'feishu' | 'telegram', out: OutboundPort, onError: (err: unknown) => void): InboxProcessor {
  const inbox: InboxProcessor = createInboxProcessor({ prisma: core.prisma, core, afterPass: () => deliverReplies({ prisma: core.prisma, outs: { [platform]: out }, owns: (k) => inbox.owns(k), onError }), onError });
  return inbox;
}

export function registerFeishuWebhook(app: FastifyInstance, options: FeishuWebhookOptions): FeishuWebhook {
  if (!options.encryptKey) throw new Error('Feishu webhook: an Encrypt Key is required (without it requests cannot be verified)');
  if (!options.verificationToken) throw new Error('Feishu webhook: a Verification Token is required');
  const path = options.path ?? '/webhooks/feishu';
  const now = options.now ?? Date.now;
  const onError = options.onError ?? ((err) => log('feishu-webhook').error({ err }, '飞书事件回调出错'));
  const inbox = options.inbox ?? ownInbox(options.core, 'feishu', options.out, onError);
  const ownsInbox = !options.inbox;
  const key = aesKey(options.encryptKey);

  const handlers = feishuEventHandlers((event) => inbox.record(event));

  // While a request is answered here the inbox processor waits (bounded: inbox-processor.ts), so a
  // burst of deliveries is answered first and processed right after.
  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const release = inbox.answering();
    try {
      return await answer(req, reply, release);
    } finally {
      release();
    }
  };

  const answer = async (req: FastifyRequest, reply: FastifyReply, release: () => void) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const timestamp = header(req, 'x-lark-request-timestamp');
    const nonce = header(req, 'x-lark-request-nonce');
    const signature = header(req, 'x-lark-signature');
    if (!timestamp || !nonce || !signature) return reply.code(401).send({ error: 'missing signature' });
    const expected = crypto.createHash('sha256').update(timestamp).update(nonce).update(options.encryptKey).update(raw).digest('hex');
    if (!safeEqualHex(signature.toLowerCase(), expected)) return reply.code(401).send({ error: 'bad signature' });
    const ts = Number(timestamp) * 1000;
    if (!Number.isFinite(ts) || Math.abs(now() - ts) > FEISHU_MAX_SKEW_MS) return reply.code(401).send({ error: 'stale timestamp' });

    let payload: Record<string, unknown>;
    try {
      const body = JSON.parse(raw.toString('utf8')) as { encrypt?: unknown };
      if (typeof body?.encrypt !== 'string') return reply.code(400).send({ error: 'encrypted body expected' });
      payload = JSON.parse(decrypt(body.encrypt, key)) as Record<string, unknown>;
      if (typeof payload !== 'object' || payload === null) throw new Error('not an object');
    } catch {
      return reply.code(400).send({ error: 'cannot decrypt' });
    }

    const head = payload.header as { token?: unknown; app_id?: unknown } | undefined;
    const token = payload.type === 'url_verification' ? payload.token : (head?.token ?? payload.token);
    if (typeof token !== 'string' || !safeEqualHex(token, options.verificationToken)) return reply.code(401).send({ error: 'bad token' });
    if (payload.type === 'url_verification') return reply.send({ challenge: payload.challenge });
    if (head?.app_id !== undefined && head.app_id !== options.appId) return reply.code(401).send({ error: 'other app' });

    // Dispatched here (the payload is decrypted and checked already): the SDK's invoke would decrypt
    // and parse it again, which costs more than the rest of the request.
    const eventType = (head as { event_type?: unknown } | undefined)?.event_type;
    // Own keys only: an event_type of "__proto__" or "toString" names no handler.
    const handler = typeof eventType === 'string' && Object.hasOwn(handlers, eventType) ? (handlers as Record<string, (d: never) => Promise<Dispatched>>)[eventType] : undefined;
    let result: unknown;
    try {
      result = handler ? await handler({ ...(payload.header as object), ...(payload.event as object) } as never) : {};
    } catch (err) {
      // Only the inbox write can fail here (the database): Feishu's retry will record it.
      onError(err);
      return reply.code(503).send({ error: '暂时无法受理，请稍后重试' });
    }
    if (!isDispatched(result)) return reply.send({});
    const budget = result.card ? (options.cardBudgetMs ?? 0) : (options.inlineBudgetMs ?? 0);
    if (budget > 0) {
      // This answer waits for the processing: it must not hold the processing back.
      release();
      await inbox.settle(budget);
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
    inbox,
    idle: () => inbox.settle(),
    async stop() {
      if (ownsInbox) await inbox.stop();
    },
  };
}
