// The outbox of replies to inbound events. The inbox processor runs the core with
// `outboxPort`: a reply or edit becomes an OutboxReply row under its dedupe key
// (a retried attempt writes nothing new) instead of a call to the IM API, so
// processing never waits on the platform and never fails because it is down.
// The delivery loop (alerts.ts) sends the rows in order with the platform's
// sender, which records each send under its dedupe key (OutboundMessage): each
// reply is posted once, whenever the API is back.
import type { PrismaClient } from '../../prisma/generated/client.js';
import { deliveryRetryDelayMs, type DeliveryReport } from './alerts.js';
import { botMessageColumn, storedBotMessage } from './columns.js';
import { findOutbound } from './outbound-log.js';
import type { BotMessage, ChatRef, MessageRef, OutboundFile, OutboundPort, Platform } from './types.js';

const PENDING = 'pending:';
const CLAIM_MS = 60_000;

/** The outbound port of one inbox event: replies are queued, not sent. */
export function outboxPort(prisma: PrismaClient, eventKey: string): OutboundPort {
  let edits = 0;
  const queue = async (dedupeKey: string, chat: ChatRef, message: BotMessage, edit?: string) => {
    await prisma.outboxReply.createMany({
      data: [{ dedupeKey, platform: chat.platform, chatId: chat.id, chatKind: chat.kind, kind: edit ? 'edit' : 'send', targetMessageId: edit ?? null, message: botMessageColumn(message) }],
      skipDuplicates: true,
    });
  };
  return {
    async send(chat, message, options) {
      // Sent before (a reply of an earlier attempt that was delivered): its real reference.
      const sent = await findOutbound(prisma, options.dedupeKey, chat);
      if (sent) return sent;
      await queue(options.dedupeKey, chat, message);
      return { chat, messageId: `${PENDING}${options.dedupeKey}` };
    },
    sendFile(_chat: ChatRef, _file: OutboundFile): Promise<MessageRef> {
      return Promise.reject(new Error('files go out with notifications, not as replies'));
    },
    async edit(ref, message) {
      await queue(`${eventKey}:edit:${edits++}`, ref.chat, message, ref.messageId);
    },
  };
}

export interface ReplyDeliveryOptions {
  prisma: PrismaClient;
  outs: Partial<Record<Platform, OutboundPort>>;
  now?: () => Date;
  limit?: number;
  /**
   * Which replies are this process's to send at once (its inbox's `owns`); others only once they
   * have waited `takeOverAfterMs` (their process died). Absent: all.
   */
  owns?: (dedupeKey: string) => boolean;
  takeOverAfterMs?: number;
  onError?: (err: unknown, replyId: number) => void;
}

/** One pass over queued replies of the configured platforms, oldest first, in order per chat. */
export async function deliverReplies(options: ReplyDeliveryOptions): Promise<DeliveryReport> {
  const now = (options.now ?? (() => new Date()))();
  const platforms = (Object.keys(options.outs) as Platform[]).filter((p) => options.outs[p]);
  const report: DeliveryReport = { delivered: 0, failed: 0 };
  if (platforms.length === 0) return report;
  const due = await options.prisma.outboxReply.findMany({
    where: { deliveredAt: null, platform: { in: platforms }, OR: [{ claimedUntil: null }, { claimedUntil: { lte: now } }] },
    orderBy: { id: 'asc' },
    take: options.limit ?? 200,
  });
  const blocked = new Set<string>();
  const staleBefore = now.getTime() - (options.takeOverAfterMs ?? 15_000);
  for (const r of due) {
    if (options.owns && !options.owns(r.dedupeKey) && r.createdAt.getTime() >= staleBefore) continue;
    const chatKey = `${r.platform}:${r.chatId}`;
    if (blocked.has(chatKey)) continue; // an earlier reply in this chat failed: keep the order
    const claimed = await options.prisma.outboxReply.updateMany({
      where: { id: r.id, deliveredAt: null, OR: [{ claimedUntil: null }, { claimedUntil: { lte: now } }] },
      data: { claimedUntil: new Date(now.getTime() + CLAIM_MS) },
    });
    if (claimed.count !== 1) continue;
    const out = options.outs[r.platform as Platform]!;
    const chat: ChatRef = { platform: r.platform as Platform, id: r.chatId, kind: r.chatKind === 'group' ? 'group' : 'private' };
    try {
      const message = storedBotMessage(r.message, r.id);
      if (r.kind === 'edit') {
        let target = r.targetMessageId ?? '';
        if (target.startsWith(PENDING)) {
          const sent = await findOutbound(options.prisma, target.slice(PENDING.length), chat);
          // The message to edit was never posted: post the outcome as a reply instead.
          if (!sent) {
            await out.send(chat, message, { dedupeKey: r.dedupeKey });
            target = '';
          } else target = sent.messageId;
        }
        if (target) await out.edit({ chat, messageId: target }, message);
      } else {
        await out.send(chat, message, { dedupeKey: r.dedupeKey });
      }
      await options.prisma.outboxReply.updateMany({ where: { id: r.id }, data: { deliveredAt: now, claimedUntil: null } });
      report.delivered++;
    } catch (err) {
      blocked.add(chatKey);
      const attempts = r.attempts + 1;
      await options.prisma.outboxReply.updateMany({
        where: { id: r.id, deliveredAt: null },
        data: { attempts, claimedUntil: new Date(now.getTime() + deliveryRetryDelayMs(attempts)), lastError: (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 500) },
      });
      options.onError?.(err, r.id);
      report.failed++;
    }
  }
  return report;
}
