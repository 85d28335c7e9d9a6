// Files: uploaded (im.v1.file.create, multipart) for a file_key, then sent as a
// `file` message under the same uuid/dedupe-key rule as text.
//
// Outbound to Feishu through the SDK Client: a send carries a `uuid` derived
// from its dedupe key (Feishu posts one message per uuid per hour) and is
// recorded in OutboundMessage (a later retry finds it without calling Feishu);
// transient failures are retried with backoff; each chat gets at most 5 sends a second.
import crypto from 'node:crypto';
import fs from 'node:fs';

import * as lark from '@larksuiteoapi/node-sdk';
import axios, { isAxiosError } from 'axios';

import type { PrismaClient } from '../../prisma/generated/client.js';
import { findOutbound, recordOutbound } from '../core/outbound-log.js';
import { PerKeyRateLimiter } from '../core/rate-limit.js';
import { withRetry } from '../core/retry.js';
import type { BotMessage, ChatRef, MessageRef, OutboundFile, OutboundPort } from '../core/types.js';
import { buildCard, needsCard } from './cards.js';

export interface FeishuSenderOptions {
  appId: string;
  appSecret: string;
  /** lark.Domain.Feishu, lark.Domain.Lark, or a base URL (the fake's, in tests). */
  domain?: lark.Domain | string;
  prisma: PrismaClient;
  /** HTTP timeout per call (default 10 s). */
  timeoutMs?: number;
  /** Attempts per send (default 4). */
  attempts?: number;
  baseDelayMs?: number;
  /** Sends per chat per second (default 5, Feishu's limit). */
  perChatPerSecond?: number;
  /** SDK log level (default fatal: failures surface as thrown errors instead). */
  loggerLevel?: lark.LoggerLevel;
  /** SDK logger (default silent). */
  logger?: lark.Logger;
}

const SILENT: lark.Logger = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

/** Feishu answers that are worth another try: rate limits. */
const TRANSIENT_CODES = new Set([99991400, 230020]);

export class FeishuApiError extends Error {
  constructor(
    readonly code: number,
    msg: string,
  ) {
    super(`Feishu API error ${code}: ${msg}`);
  }
}

function isTransient(err: unknown): boolean {
  if (err instanceof FeishuApiError) return TRANSIENT_CODES.has(err.code);
  if (isAxiosError(err)) {
    const status = err.response?.status;
    if (status === undefined) return true; // network error or timeout
    if (status >= 500 || status === 429) return true;
    const code = (err.response?.data as { code?: number } | undefined)?.code;
    return code !== undefined && TRANSIENT_CODES.has(code);
  }
  return false;
}

/** Feishu's uuid (≤ 50 chars) for a dedupe key. */
export const feishuUuid = (dedupeKey: string) => crypto.createHash('sha256').update(dedupeKey).digest('hex').slice(0, 32);

/** An axios instance shaped like the SDK's default one (returns response data), with a timeout. */
function httpInstance(timeoutMs: number): lark.HttpInstance {
  const instance = axios.create({ timeout: timeoutMs });
  instance.interceptors.response.use((resp) => {
    if ((resp.config as { $return_headers?: boolean }).$return_headers) return { data: resp.data, headers: resp.headers } as never;
    return resp.data as never;
  });
  return instance as unknown as lark.HttpInstance;
}

/** A token cache of its own (not the SDK's module-global one). */
function memoryCache(): lark.Cache {
  const store = new Map<string, { value: unknown; expire?: number }>();
  const k = (key: string | symbol, ns?: string) => `${ns ?? ''}|${String(key)}`;
  return {
    async set(key, value, expire, options) {
      store.set(k(key as string, options?.namespace), { value, expire });
      return true;
    },
    async get(key, options) {
      const hit = store.get(k(key as string, options?.namespace));
      if (!hit) return undefined;
      if (hit.expire !== undefined && hit.expire < Date.now()) return undefined;
      return hit.value;
    },
  };
}

/** Feishu's file_type of an upload: xls for spreadsheets, pdf/doc/ppt/mp4/opus by extension, else stream. */
export function feishuFileType(fileName: string): 'opus' | 'mp4' | 'pdf' | 'doc' | 'xls' | 'ppt' | 'stream' {
  const ext = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
  if (ext === 'xls' || ext === 'xlsx' || ext === 'csv') return 'xls';
  if (ext === 'doc' || ext === 'docx') return 'doc';
  if (ext === 'ppt' || ext === 'pptx') return 'ppt';
  if (ext === 'pdf' || ext === 'mp4' || ext === 'opus') return ext;
  return 'stream';
}

export interface FeishuSender extends OutboundPort {
  client: lark.Client;
}

export function createFeishuSender(options: FeishuSenderOptions): FeishuSender {
  const client = new lark.Client({
    appId: options.appId,
    appSecret: options.appSecret,
    domain: options.domain ?? lark.Domain.Feishu,
    cache: memoryCache(),
    httpInstance: httpInstance(options.timeoutMs ?? 10_000),
    loggerLevel: options.loggerLevel ?? lark.LoggerLevel.fatal,
    ...(options.logger ? { logger: options.logger } : { logger: SILENT }),
  });
  // A little over a second per window, so our count and Feishu's never straddle a boundary.
  const limiter = new PerKeyRateLimiter(options.perChatPerSecond ?? 5, 1100);
  const retry = <T>(fn: () => Promise<T>) => withRetry(fn, { attempts: options.attempts ?? 4, baseDelayMs: options.baseDelayMs ?? 200, isTransient });
  const check = <R extends { code?: number; msg?: string }>(res: R): R => {
    if (res.code !== undefined && res.code !== 0) throw new FeishuApiError(res.code, res.msg ?? '');
    return res;
  };

  return {
    client,
    async send(chat: ChatRef, message: BotMessage, { dedupeKey }): Promise<MessageRef> {
      const known = await findOutbound(options.prisma, dedupeKey, chat);
      if (known) return known;
      const card = needsCard(message);
      const content = JSON.stringify(card ? buildCard(message, chat) : { text: message.text });
      const uuid = feishuUuid(dedupeKey);
      const res = await retry(async () => {
        await limiter.acquire(chat.id);
        return check(
          await client.im.v1.message.create({
            // A private chat is addressed by the person's open_id (alerts); anything else by chat_id.
            params: { receive_id_type: chat.kind === 'private' && chat.id.startsWith('ou_') ? 'open_id' : 'chat_id' },
            data: { receive_id: chat.id, msg_type: card ? 'interactive' : 'text', content, uuid },
          }),
        );
      });
      const messageId = res.data?.message_id;
      if (!messageId) throw new Error('Feishu message.create answered without a message_id');
      const ref = { chat, messageId };
      await recordOutbound(options.prisma, dedupeKey, ref);
      return ref;
    },
    async sendFile(chat: ChatRef, file: OutboundFile, { dedupeKey }): Promise<MessageRef> {
      const known = await findOutbound(options.prisma, dedupeKey, chat);
      if (known) return known;
      // Upload (each attempt with a fresh stream); an upload alone sends nothing to anyone.
      const uploaded = await retry(async () => {
        const res = await client.im.v1.file.create({ data: { file_type: feishuFileType(file.fileName), file_name: file.fileName, file: fs.createReadStream(file.path) } });
        if (!res?.file_key) throw new FeishuApiError(-1, 'file.create answered without a file_key');
        return res.file_key;
      });
      const uuid = feishuUuid(dedupeKey);
      const res = await retry(async () => {
        await limiter.acquire(chat.id);
        return check(
          await client.im.v1.message.create({
            params: { receive_id_type: chat.kind === 'private' && chat.id.startsWith('ou_') ? 'open_id' : 'chat_id' },
            data: { receive_id: chat.id, msg_type: 'file', content: JSON.stringify({ file_key: uploaded }), uuid },
          }),
        );
      });
      const messageId = res.data?.message_id;
      if (!messageId) throw new Error('Feishu message.create answered without a message_id');
      const ref = { chat, messageId };
      await recordOutbound(options.prisma, dedupeKey, ref);
      return ref;
    },
    async edit(ref: MessageRef, message: BotMessage): Promise<void> {
      const content = JSON.stringify(buildCard({ ...message, buttons: message.buttons ?? [] }, ref.chat));
      await retry(async () => {
        await limiter.acquire(ref.chat.id);
        check(await client.im.v1.message.patch({ path: { message_id: ref.messageId }, data: { content } }));
      });
    },
  };
}
