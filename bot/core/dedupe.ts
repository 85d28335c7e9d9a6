// At-most-once handling of inbound events: the first delivery of an event id
// claims a ProcessedEvent row; retries and replays find it and stop. Feishu
// retries for about 7.1 h, so rows are kept at least 8 h.
import type { PrismaClient } from '../../prisma/generated/client.js';
import type { BotMiddleware } from './context.js';
import type { Platform } from './types.js';

export const PROCESSED_EVENT_RETENTION_MS = 8 * 60 * 60 * 1000;

const rowId = (platform: Platform, eventId: string) => `${platform}:${eventId}`;

/** Insert-or-skip. True when this call claimed the event (first delivery). */
export async function claimEvent(prisma: PrismaClient, platform: Platform, eventId: string): Promise<boolean> {
  const { count } = await prisma.processedEvent.createMany({
    data: [{ id: rowId(platform, eventId), platform }],
    skipDuplicates: true,
  });
  return count === 1;
}

/** Gives an event back (its handling failed), so the platform's retry is handled. */
export async function releaseEvent(prisma: PrismaClient, platform: Platform, eventId: string): Promise<void> {
  await prisma.processedEvent.deleteMany({ where: { id: rowId(platform, eventId) } });
}

/** Deletes rows older than the retention (default 8 h). Returns how many. */
export async function pruneProcessedEvents(prisma: PrismaClient, now: Date = new Date(), retentionMs = PROCESSED_EVENT_RETENTION_MS): Promise<number> {
  if (retentionMs < PROCESSED_EVENT_RETENTION_MS) throw new Error(`processed events must be kept at least 8 h, got ${retentionMs} ms`);
  const { count } = await prisma.processedEvent.deleteMany({ where: { receivedAt: { lt: new Date(now.getTime() - retentionMs) } } });
  return count;
}

/** Stops replayed events; releases the claim when a later middleware throws. */
export const dedupeEvents: BotMiddleware = async (ctx, next) => {
  const { platform, eventId } = ctx.event;
  if (!(await claimEvent(ctx.prisma, platform, eventId))) return;
  try {
    await next();
  } catch (err) {
    await releaseEvent(ctx.prisma, platform, eventId).catch(() => {});
    throw err;
  }
};
