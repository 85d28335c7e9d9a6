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
// OutboundMessage by the sender). A failed file is retried on the next pass;
// the text and the files already sent are found by their keys and not sent again.
import type { PrismaClient } from '../../prisma/generated/client.js';
import { notificationAttachments } from '../../domain/tables/attachments.js';
import { defaultDataDir, existingAttachmentPath } from './attachments.js';
import { notificationMessage } from './notification-buttons.js';
import type { ChatRef, OutboundPort, Platform } from './types.js';

/** How long a pass holds a notification it is sending. */
const CLAIM_MS = 60_000;

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
    where: { deliveredAt: null, recipientStaffId: { in: [...byStaff.keys()] }, OR: [{ claimedUntil: null }, { claimedUntil: { lt: now } }] },
    orderBy: { id: 'asc' },
    take: options.limit ?? 200,
  });
  for (const n of due) {
    // Claim the row for a while, so another server replica passing at the same time skips it.
    const claimed = await options.prisma.notification.updateMany({
      where: { id: n.id, deliveredAt: null, OR: [{ claimedUntil: null }, { claimedUntil: { lt: now } }] },
      data: { claimedUntil: new Date(now.getTime() + CLAIM_MS) },
    });
    if (claimed.count !== 1) continue;
    let allSent = true;
    const files = notificationAttachments(n.attachments);
    for (const b of byStaff.get(n.recipientStaffId) ?? []) {
      const out = options.outs[b.platform as Platform]!;
      const chat = privateChat(b.platform as Platform, b.externalId);
      try {
        await out.send(chat, notificationMessage(n), { dedupeKey: `notification:${n.id}:${b.platform}` });
        for (const [index, f] of files.entries()) {
          const file = existingAttachmentPath(dataDir, f.path);
          if (!file) throw new Error(`notification ${n.id}: attachment ${index} (${f.fileName}) is missing or outside the data folder`);
          await out.sendFile(chat, { path: file, fileName: f.fileName, mime: f.mime, source: { notificationId: n.id, index } }, { dedupeKey: `notification:${n.id}:${b.platform}:file:${index}` });
        }
      } catch (err) {
        allSent = false;
        options.onError?.(err, n.id);
      }
    }
    if (allSent) {
      await options.prisma.notification.updateMany({ where: { id: n.id, deliveredAt: null }, data: { deliveredAt: now } });
      report.delivered++;
    } else {
      // Release it for the next pass.
      await options.prisma.notification.updateMany({ where: { id: n.id, deliveredAt: null }, data: { claimedUntil: null } });
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

/** Delivers every `intervalMs` (one pass at a time in this process). */
export function startDeliveryLoop(options: DeliveryOptions & { intervalMs?: number }): DeliveryLoop {
  let chain: Promise<DeliveryReport> = Promise.resolve({ delivered: 0, failed: 0 });
  let stopped = false;
  const kick = () => {
    chain = chain.catch(() => ({ delivered: 0, failed: 0 })).then(() => (stopped ? { delivered: 0, failed: 0 } : deliverNotifications(options)));
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
