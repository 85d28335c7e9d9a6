// Outbound for the web console: every message the bot sends to a console chat
// is kept in the database and pushed live to the browsers watching that chat.
//
// Storage: the send's dedupe key is an OutboundMessage row (platform 'console',
// chatId, platformMessageId = a fresh uuid), and the body is a ConsoleMessage row
// with that id (chat, who typed it, the message through botMessageSchema, the
// file, when), written in the same transaction. A chat's log is its
// OutboundMessage rows in id order joined to those bodies, so it survives a
// restart and is shared by server replicas; only the live push (Server-Sent
// Events) is per process.
import crypto from 'node:crypto';

import type { z } from 'zod';

import { botMessageSchema, columnValue, parseColumn } from '../../domain/columns.js';
import type { ConsoleMessage, PrismaClient } from '../../prisma/generated/client.js';
import type { BotMessage, ChatRef, MessageRef, OutboundFile, OutboundPort } from '../core/types.js';

/** How long a console message body is kept. */
export const CONSOLE_LOG_TTL_MS = 30 * 24 * 60 * 60 * 1000;

// botMessageSchema (domain/columns.ts) and BotMessage agree, both ways.
type Agree<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const messageSchemaMatches: Agree<z.output<typeof botMessageSchema>, BotMessage> & Agree<z.input<typeof botMessageSchema>, BotMessage> = true;
void messageSchemaMatches;

/** A file the bot sent: the page shows a download link (GET /console/files/<notificationId>/<index>). */
export interface ConsoleFile {
  fileName: string;
  notificationId: number;
  index: number;
}

/** One entry of a chat's log as the browser sees it. */
export interface ConsoleEntry {
  id: string;
  chatId: string;
  /** Absent: the bot said it; else the staff member's name (a typed line). */
  from?: string;
  /** The staff id of who typed it (lines recorded before this field existed lack it). */
  fromId?: number;
  message: BotMessage;
  file?: ConsoleFile;
  at: string;
}

/**
 * The console chat id of a chat ref: `group:<regionId>` or `private:<staffId>`.
 * Alert delivery addresses a private chat by the binding's external id
 * (`staff:<id>`), which is the same chat.
 */
export function consoleChatId(chat: ChatRef): string {
  const m = /^staff:(\d+)$/.exec(chat.id);
  return m ? `private:${m[1]}` : chat.id;
}

type Listener = (entry: ConsoleEntry, kind: 'message' | 'edit') => void;

/** Live subscribers per chat id (this process). */
export class ConsoleHub {
  private readonly listeners = new Map<string, Set<Listener>>();

  subscribe(chatIds: readonly string[], listener: Listener): () => void {
    for (const id of chatIds) {
      let set = this.listeners.get(id);
      if (!set) this.listeners.set(id, (set = new Set()));
      set.add(listener);
    }
    return () => {
      for (const id of chatIds) {
        const set = this.listeners.get(id);
        set?.delete(listener);
        if (set?.size === 0) this.listeners.delete(id);
      }
    };
  }

  publish(entry: ConsoleEntry, kind: 'message' | 'edit'): void {
    for (const l of this.listeners.get(entry.chatId) ?? []) l(entry, kind);
  }
}

/** What a console message row holds besides its id and chat. */
interface Body {
  from?: string;
  fromId?: number;
  message: BotMessage;
  file?: ConsoleFile;
}

/** The column value of a message: checked by botMessageSchema (a bug fails before the write). */
const messageColumn = (message: BotMessage) => columnValue(botMessageSchema, 'ConsoleMessage.message', message);

/** A ConsoleMessage row as the browser sees it. */
function entryOf(row: ConsoleMessage): ConsoleEntry {
  return {
    id: row.id,
    chatId: row.chatId,
    ...(row.fromName !== null ? { from: row.fromName } : {}),
    ...(row.fromStaffId !== null ? { fromId: row.fromStaffId } : {}),
    message: parseColumn(botMessageSchema, 'ConsoleMessage.message', row.message, row.id),
    ...(row.fileName !== null && row.fileNotificationId !== null && row.fileIndex !== null
      ? { file: { fileName: row.fileName, notificationId: row.fileNotificationId, index: row.fileIndex } }
      : {}),
    at: row.at.toISOString(),
  };
}

export interface ConsoleStore {
  port: OutboundPort;
  hub: ConsoleHub;
  /** Records a line a person typed (shown in the chat), once per dedupe key. */
  recordTyped(chatId: string, from: { name: string; staffId: number }, text: string, dedupeKey: string): Promise<void>;
  /** The last `limit` entries of each chat, oldest first. */
  history(chatIds: readonly string[], limit?: number): Promise<ConsoleEntry[]>;
  /** One entry, if it is in that chat. */
  find(chatId: string, messageId: string): Promise<ConsoleEntry | undefined>;
}

export function createConsoleStore(prisma: PrismaClient, now: () => Date = () => new Date()): ConsoleStore {
  const hub = new ConsoleHub();

  /** Inserts once per dedupe key; returns the entry and whether this call created it. */
  async function append(chatId: string, body: Body, dedupeKey: string): Promise<{ id: string; created: boolean; entry?: ConsoleEntry }> {
    const id = crypto.randomUUID();
    const at = now();
    const message = messageColumn(body.message);
    const row = await prisma.$transaction(async (tx) => {
      const { count } = await tx.outboundMessage.createMany({
        data: [{ dedupeKey, platform: 'console', chatId, platformMessageId: id }],
        skipDuplicates: true,
      });
      if (count !== 1) return undefined;
      return tx.consoleMessage.create({
        data: {
          id,
          chatId,
          fromName: body.from ?? null,
          fromStaffId: body.fromId ?? null,
          message,
          fileName: body.file?.fileName ?? null,
          fileNotificationId: body.file?.notificationId ?? null,
          fileIndex: body.file?.index ?? null,
          at,
          expiresAt: new Date(at.getTime() + CONSOLE_LOG_TTL_MS),
        },
      });
    });
    if (!row) {
      const sent = await prisma.outboundMessage.findUnique({ where: { dedupeKey } });
      return { id: sent!.platformMessageId, created: false };
    }
    const entry = entryOf(row);
    hub.publish(entry, 'message');
    return { id, created: true, entry };
  }

  const port: OutboundPort = {
    async send(chat: ChatRef, message: BotMessage, { dedupeKey }): Promise<MessageRef> {
      const chatId = consoleChatId(chat);
      const { id } = await append(chatId, { message }, dedupeKey);
      return { chat: { ...chat, id: chatId }, messageId: id };
    },
    async sendFile(chat: ChatRef, file: OutboundFile, { dedupeKey }): Promise<MessageRef> {
      // Only files of a notification can be linked (the download route checks the recipient).
      if (!file.source) throw new Error('the console can only send files attached to a notification');
      const chatId = consoleChatId(chat);
      const { id } = await append(chatId, { message: { text: `附件：${file.fileName}` }, file: { fileName: file.fileName, ...file.source } }, dedupeKey);
      return { chat: { ...chat, id: chatId }, messageId: id };
    },
    async edit(ref: MessageRef, message: BotMessage): Promise<void> {
      const chatId = consoleChatId(ref.chat);
      const id = ref.messageId;
      const old = await prisma.consoleMessage.findUnique({ where: { id }, select: { chatId: true } });
      if (old && old.chatId !== chatId) throw new Error(`console message ${id} is not in chat ${chatId}`);
      const stored = messageColumn(message);
      // The new message replaces the whole body (only the bot's own messages are edited); `at` is kept.
      const row = await prisma.consoleMessage.upsert({
        where: { id },
        create: { id, chatId, message: stored, at: now(), expiresAt: new Date(now().getTime() + CONSOLE_LOG_TTL_MS) },
        update: { message: stored, fromName: null, fromStaffId: null, fileName: null, fileNotificationId: null, fileIndex: null },
      });
      hub.publish(entryOf(row), 'edit');
    },
  };

  async function entries(ids: string[]): Promise<Map<string, ConsoleEntry>> {
    const rows = await prisma.consoleMessage.findMany({ where: { id: { in: ids } } });
    return new Map(rows.map((r) => [r.id, entryOf(r)]));
  }

  return {
    port,
    hub,
    async recordTyped(chatId, from, text, dedupeKey) {
      await append(chatId, { from: from.name, fromId: from.staffId, message: { text } }, dedupeKey);
    },
    async history(chatIds, limit = 100) {
      const out: ConsoleEntry[] = [];
      for (const chatId of chatIds) {
        const refs = await prisma.outboundMessage.findMany({ where: { platform: 'console', chatId }, orderBy: { id: 'desc' }, take: limit });
        refs.reverse();
        const byId = await entries(refs.map((r) => r.platformMessageId));
        for (const r of refs) {
          const e = byId.get(r.platformMessageId);
          if (e) out.push(e);
        }
      }
      return out;
    },
    async find(chatId, messageId) {
      const e = (await entries([messageId])).get(messageId);
      return e && e.chatId === chatId ? e : undefined;
    },
  };
}
