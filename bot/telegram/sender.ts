// Outbound to Telegram through grammY's Api (files by sendDocument, multipart): sends recorded in OutboundMessage
// under their dedupe key (Telegram has no send de-duplication of its own), transient
// failures (429, 5xx, network) retried with backoff.
import { GrammyError, HttpError, InlineKeyboard, InputFile, type Api } from 'grammy';

import type { PrismaClient } from '../../prisma/generated/client.js';
import { findOutbound, recordOutbound } from '../core/outbound-log.js';
import { withRetry } from '../core/retry.js';
import type { BotMessage, MessageRef, OutboundPort } from '../core/types.js';
import { encodeCallbackData } from './callback-data.js';

function isTransient(err: unknown): boolean {
  if (err instanceof HttpError) return true;
  if (err instanceof GrammyError) return err.error_code === 429 || err.error_code >= 500;
  return false;
}

export function renderText(m: BotMessage): string {
  return [m.title ? `【${m.title}】` : undefined, m.text, ...(m.fields ?? []).map((f) => `${f.label}：${f.value}`)].filter(Boolean).join('\n');
}

export function keyboard(m: BotMessage): InlineKeyboard | undefined {
  if (!m.buttons?.length) return undefined;
  const kb = new InlineKeyboard();
  for (const b of m.buttons) kb.text(b.label, encodeCallbackData(b.payload));
  return kb;
}

export function createTelegramSender(api: Api, prisma: PrismaClient, opts: { attempts?: number; baseDelayMs?: number } = {}): OutboundPort {
  const retry = <T>(fn: () => Promise<T>) => withRetry(fn, { attempts: opts.attempts ?? 4, baseDelayMs: opts.baseDelayMs ?? 300, isTransient });
  return {
    async send(chat, message, { dedupeKey }): Promise<MessageRef> {
      const known = await findOutbound(prisma, dedupeKey, chat);
      if (known) return known;
      const kb = keyboard(message);
      const sent = await retry(() => api.sendMessage(Number(chat.id), renderText(message), kb ? { reply_markup: kb } : {}));
      const ref = { chat, messageId: String(sent.message_id) };
      await recordOutbound(prisma, dedupeKey, ref);
      return ref;
    },
    async sendFile(chat, file, { dedupeKey }): Promise<MessageRef> {
      const known = await findOutbound(prisma, dedupeKey, chat);
      if (known) return known;
      // Multipart upload; the file is read afresh on each attempt.
      const sent = await retry(() => api.sendDocument(Number(chat.id), new InputFile(file.path, file.fileName)));
      const ref = { chat, messageId: String(sent.message_id) };
      await recordOutbound(prisma, dedupeKey, ref);
      return ref;
    },
    async edit(ref, message): Promise<void> {
      const kb = keyboard(message);
      await retry(() => api.editMessageText(Number(ref.chat.id), Number(ref.messageId), renderText(message), kb ? { reply_markup: kb } : {}));
    },
  };
}
