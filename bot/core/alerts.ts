// Delivery of Notification rows (reminders, escalations, approval requests,
// prompts, digests) to each recipient's private chat on every platform they
// are bound on: an outbox. Workflows write the row exactly once (dedupe key);
// this sends it, at most once per platform (send dedupe key
// `notification:<id>:<platform>`), and marks it delivered when every bound
// platform has it. A failed send is left for the next pass. Rows are claimed
// before sending, so several server replicas can deliver side by side.
//
// Attachments (Notification.attachments, e.g. a cycle's statutory tables) go
// after the text, one file message each, in order, each once per platform
// (send dedupe key `notification:<id>:<platform>:file:<index>`, recorded in
// OutboundMessage by the sender). A failed file is retried on a later pass;
// the text and the files already sent are found by their keys and not sent again.
//
// A failed pass is retried with a growing back-off (`deliveryRetryDelayMs`,
// 5 s doubling up to 30 min), so a platform outage is not hammered every two
// seconds, and the reason is kept on the row for the operator. An attachment
// whose file is gone from the data folder can never be sent: the recipient is
// told once, in place of that file, and the rest of the message goes on.
import type { PrismaClient } from '../../prisma/generated/client.js';
import { notificationAttachments } from '../../domain/tables/attachments.js';
import { notificationKindOf } from '../../infra/db/kinds.js';
import { defaultDataDir, existingAttachmentPath } from './attachments.js';
import { notificationMessage } from './notification-buttons.js';
import { deliverReplies } from './outbox.js';
import type { ChatRef, OutboundPort, Platform } from './types.js';

/** How long a pass holds a notification it is sending. */
const CLAIM_MS = 60_000;

/** First retry delay after a failed pass; it doubles with each failure up to MAX_RETRY_MS. */
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 30 * 60_000;

/** How long to wait after the `attempts`-th failed delivery pass (1-based) before trying again. */
export function deliveryRetryDelayMs(attempts: number): number {
  if (attempts < 1) return 0;
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(attempts - 1, 20));
}

/** Said in place of an attachment that is no longer on the server (it will never be sendable). */
export function missingAttachmentText(fileName: string): string {
  return `附件“${fileName}”未能发送：服务器数据目录中已找不到该文件。请联系系统管理员用 jiuzhu report 命令重新生成。`;
}

/** A short, personal-data-free reason for the operator. */
function failureReason(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.slice(0, 500);
}

export interface DeliveryOptions {
  prisma: PrismaClient;
  /** The outbound port of each platform configured in this process. */
  outs: Partial<Record<Platform, OutboundPort>>;
  /** The data folder attachment paths are relative to (default JIUZHU_DATA_DIR, else ./.data). */
  dataDir?: string;
  now?: () => Date;
  /** Rows per pass (default 200). */
  limit?: number;
  onError?: (err: unknown, notificationId: number) => void;
  /** Which queued replies are this process's to send at once (the inbox processor's `owns`). */
  ownsReply?: (dedupeKey: string) => boolean;
}

export interface DeliveryReport {
  delivered: number;
  failed: number;
}

/** The private chat with a bound account: Feishu by open_id, Telegram by user id (= private chat id). */
export function privateChat(platform: Platform, externalId: string): ChatRef {
  return { platform, id: externalId, kind: 'private' };
}

/** One delivery pass over due, undelivered notifications of people bound on a configured platform. */
export async function deliverNotifications(options: DeliveryOptions): Promise<DeliveryReport> {
  const now = (options.now ?? (() => new Date()))();
  const platforms = (Object.keys(options.outs) as Platform[]).filter((p) => options.outs[p]);
  const report: DeliveryReport = { delivered: 0, failed: 0 };
  if (platforms.length === 0) return report;
  const dataDir = options.dataDir ?? defaultDataDir();
  const bindings = await options.prisma.staffBinding.findMany({ where: { platform: { in: platforms } } });
  const byStaff = new Map<number, typeof bindings>();
  for (const b of bindings) byStaff.set(b.staffId, [...(byStaff.get(b.staffId) ?? []), b]);
  if (byStaff.size === 0) return report;
  const due = await options.prisma.notification.findMany({
    where: { deliveredAt: null, recipientStaffId: { in: [...byStaff.keys()] }, OR: [{ claimedUntil: null }, { claimedUntil: { lte: now } }] },
    orderBy: { id: 'asc' },
    take: options.limit ?? 200,
  });
  for (const n of due) {
    // Claim the row for a while, so another server replica passing at the same time skips it.
    const claimed = await options.prisma.notification.updateMany({
      where: { id: n.id, deliveredAt: null, OR: [{ claimedUntil: null }, { claimedUntil: { lte: now } }] },
      data: { claimedUntil: new Date(now.getTime() + CLAIM_MS) },
    });
    if (claimed.count !== 1) continue;
    let allSent = true;
    let lastError: unknown;
    const files = notificationAttachments(n.attachments);
    for (const b of byStaff.get(n.recipientStaffId) ?? []) {
      const out = options.outs[b.platform as Platform]!;
      const chat = privateChat(b.platform as Platform, b.externalId);
      try {
        await out.send(chat, notificationMessage({ ...n, kind: notificationKindOf(n.kind) }), { dedupeKey: `notification:${n.id}:${b.platform}` });
        for (const [index, f] of files.entries()) {
          const dedupeKey = `notification:${n.id}:${b.platform}:file:${index}`;
          const file = existingAttachmentPath(dataDir, f.path);
          if (!file) {
            // Permanent: say so once under the file's own key, so no later pass tries it again.
            options.onError?.(new Error(`notification ${n.id}: attachment ${index} (${f.fileName}) is missing or outside the data folder`), n.id);
            await out.send(chat, { text: missingAttachmentText(f.fileName) }, { dedupeKey });
            continue;
          }
          await out.sendFile(chat, { path: file, fileName: f.fileName, mime: f.mime, source: { notificationId: n.id, index } }, { dedupeKey });
        }
      } catch (err) {
        allSent = false;
        lastError = err;
        options.onError?.(err, n.id);
      }
    }
    if (allSent) {
      await options.prisma.notification.updateMany({ where: { id: n.id, deliveredAt: null }, data: { deliveredAt: now, claimedUntil: null } });
      report.delivered++;
    } else {
      // Back off before the next attempt; keep why for the operator.
      const attempts = n.deliveryAttempts + 1;
      await options.prisma.notification.updateMany({
        where: { id: n.id, deliveredAt: null },
        data: { claimedUntil: new Date(now.getTime() + deliveryRetryDelayMs(attempts)), deliveryAttempts: attempts, lastDeliveryError: failureReason(lastError) },
      });
      report.failed++;
    }
  }
  return report;
}

export interface DeliveryLoop {
  /** Runs a pass now (after the one in progress, if any). */
  kick(): Promise<DeliveryReport>;
  stop(): Promise<void>;
}

/** One pass of the outbox: queued replies to inbound events first (people are waiting), then notifications. */
export async function deliverOutbox(options: DeliveryOptions): Promise<DeliveryReport> {
  const replies = await deliverReplies({ prisma: options.prisma, outs: options.outs, ...(options.now ? { now: options.now } : {}), ...(options.onError ? { onError: options.onError } : {}), ...(options.ownsReply ? { owns: options.ownsReply } : {}) });
  const notes = await deliverNotifications(options);
  return { delivered: replies.delivered + notes.delivered, failed: replies.failed + notes.failed };
}

/** Delivers every `intervalMs` (one pass at a time in this process). */
export function startDeliveryLoop(options: DeliveryOptions & { intervalMs?: number }): DeliveryLoop {
  let chain: Promise<DeliveryReport> = Promise.resolve({ delivered: 0, failed: 0 });
  let stopped = false;
  const kick = () => {
    chain = chain.catch(() => ({ delivered: 0, failed: 0 })).then(() => (stopped ? { delivered: 0, failed: 0 } : deliverOutbox(options)));
    return chain;
  };
  const timer = setInterval(() => void kick().catch((err: unknown) => options.onError?.(err, 0)), options.intervalMs ?? 2000);
  timer.unref();
  return {
    kick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await chain.catch(() => {});
    },
  };
}
