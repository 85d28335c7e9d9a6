// The durable inbox of inbound events: record, then process, then mark done.
//
// A webhook verifies a request, records the event here (one ProcessedEvent row per platform +
// event id, status 'pending', the event itself as JSON) and answers at once. A processor claims due
// rows (a conditional UPDATE holding the row for a lease: the equivalent of SELECT … FOR UPDATE SKIP
// LOCKED that works the same on PGlite and PostgreSQL), runs the bot core on each, and the core's
// audit step writes the audit entry and marks the row done in one transaction. A failed attempt is
// retried with a growing back-off; after INBOX_MAX_ATTEMPTS the row is marked failed, audited, and
// the person is told. A crash anywhere leaves the row pending: the next pass (or the next process)
// takes it up again. Replayed deliveries find the row and record nothing. Done rows keep no event
// body (it may hold form answers) and are kept at least 8 h (Feishu retries for about 7.1 h).
import { Prisma, type PrismaClient } from '../../prisma/generated/client.js';
import { cleanInboundEvent } from './clean-event.js';
import { inboundEventColumn, storedInboundEvent } from './columns.js';
import type { InboundEvent, Platform } from './types.js';

export const PROCESSED_EVENT_RETENTION_MS = 8 * 60 * 60 * 1000;
/** Attempts before an event is given up (with the back-off below: about 40 minutes). */
export const INBOX_MAX_ATTEMPTS = 8;
/** How long one processing attempt holds its row. */
export const INBOX_LEASE_MS = 2 * 60_000;

type Db = PrismaClient | Prisma.TransactionClient;

export const inboxId = (platform: Platform, eventId: string) => `${platform}:${eventId}`;

/** Wait after the `attempts`-th failed attempt: 2 s doubling, at most 10 minutes. */
export function inboxRetryDelayMs(attempts: number): number {
  return Math.min(10 * 60_000, 2_000 * 2 ** Math.max(0, Math.min(attempts - 1, 20)));
}

export type RecordOutcome = 'new' | 'pending' | 'done' | 'failed';

/** Records an event (insert-or-skip). 'new' when this call recorded it; else the row's status. */
export async function recordEvent(prisma: Db, raw: InboundEvent): Promise<RecordOutcome> {
  return (await recordEvents(prisma, [raw]))[0]!;
}

// The insert of `recordEvents`: one statement of one shape whatever the number of events (arrays as
// parameters), written as SQL because it is on every webhook request's path: Prisma's createMany
// compiles a query plan per call and per row count, which cost more CPU than the rest of the request.
// The columns and values are the ones createManyAndReturn wrote (receivedAt from this process's clock,
// as Prisma's @default(now()) does; the event checked by its schema first).
const INSERT_EVENTS = `INSERT INTO "ProcessedEvent" ("id", "platform", "receivedAt", "status", "event", "attempts")
SELECT t.id, t.platform, $4::timestamptz(3), 'pending'::"InboxStatus", t.event, 0
FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS t(id, platform, event)
ON CONFLICT DO NOTHING
RETURNING "id"`;

/**
 * Records several events in one statement (insert-or-skip; the inbox processor's group commit: the
 * requests that arrive together wait for one INSERT, not one each). Outcomes in the order given; an
 * event id given twice is 'new' once and 'pending' after.
 */
export async function recordEvents(prisma: Db, raws: InboundEvent[]): Promise<RecordOutcome[]> {
  // Cleaned once more here, whoever recorded it: no U+0000 (refused by PostgreSQL) or hidden controls are stored.
  const events = raws.map((raw) => cleanInboundEvent(raw));
  const ids = events.map((e) => inboxId(e.platform, e.eventId));
  const first = new Map<string, number>();
  ids.forEach((id, i) => first.has(id) || first.set(id, i));
  const firsts = [...first.values()];
  const created = await prisma.$queryRawUnsafe<Array<{ id: string }>>(
    INSERT_EVENTS,
    firsts.map((i) => ids[i]!),
    firsts.map((i) => events[i]!.platform),
    firsts.map((i) => JSON.stringify(inboundEventColumn(events[i]!))),
    new Date(),
  );
  const isNew = new Set(created.map((r) => r.id));
  const old = [...first.keys()].filter((id) => !isNew.has(id));
  const status = new Map((old.length > 0 ? await prisma.processedEvent.findMany({ where: { id: { in: old } }, select: { id: true, status: true } }) : []).map((r) => [r.id, r.status as RecordOutcome]));
  return ids.map((id, i) => (first.get(id) === i && isNew.has(id) ? 'new' : isNew.has(id) ? 'pending' : (status.get(id) ?? 'done')));
}

export interface ClaimedEvent {
  id: string;
  event: InboundEvent;
  /** This attempt's number (1-based). */
  attempt: number;
}

/** Takes a pending row for one attempt, unless another processor holds it or its back-off runs. */
export async function claimInboxEvent(prisma: PrismaClient, id: string, now: Date = new Date()): Promise<ClaimedEvent | undefined> {
  // One statement: the conditional UPDATE takes the row and returns what it holds.
  const [row] = await prisma.processedEvent.updateManyAndReturn({
    where: { id, status: 'pending', OR: [{ claimedUntil: null }, { claimedUntil: { lte: now } }] },
    data: { claimedUntil: new Date(now.getTime() + INBOX_LEASE_MS), attempts: { increment: 1 } },
    select: { event: true, attempts: true },
  });
  if (!row?.event) return undefined;
  let event: InboundEvent;
  try {
    event = storedInboundEvent(row.event, id);
  } catch (err) {
    // A malformed row is never processed: it fails at once, saying which field (lastError).
    await prisma.processedEvent.updateMany({ where: { id, status: 'pending' }, data: { status: 'failed', claimedUntil: null, lastError: reason(err) } });
    return undefined;
  }
  return { id, event, attempt: row.attempts };
}

/** Marks an event done (inside the transaction that writes its audit entry). */
export async function markInboxDone(db: Db, id: string, now: Date = new Date()): Promise<void> {
  await db.processedEvent.updateMany({
    where: { id, status: 'pending' },
    data: { status: 'done', doneAt: now, claimedUntil: null, event: Prisma.DbNull, lastError: null },
  });
}

const reason = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 300);

/**
 * After a failed attempt: back off (or, with `release`, let the next delivery try at once).
 * Returns true when the event has used up its attempts and was marked failed.
 */
export async function inboxAttemptFailed(prisma: PrismaClient, claimed: ClaimedEvent, err: unknown, options: { release?: boolean; now?: Date } = {}): Promise<boolean> {
  const now = options.now ?? new Date();
  const giveUp = claimed.attempt >= INBOX_MAX_ATTEMPTS;
  await prisma.processedEvent.updateMany({
    where: { id: claimed.id, status: 'pending' },
    data: giveUp
      ? { status: 'failed', claimedUntil: null, lastError: reason(err) }
      : { claimedUntil: options.release ? null : new Date(now.getTime() + inboxRetryDelayMs(claimed.attempt)), lastError: reason(err) },
  });
  return giveUp;
}

/** Pending rows whose lease or back-off has run out, oldest first (only those in `ids`, when given). */
export async function dueInboxIds(prisma: PrismaClient, now: Date = new Date(), limit = 100, ids?: string[]): Promise<string[]> {
  const rows = await prisma.processedEvent.findMany({
    where: { status: 'pending', OR: [{ claimedUntil: null }, { claimedUntil: { lte: now } }], ...(ids ? { id: { in: ids } } : {}) },
    orderBy: { receivedAt: 'asc' },
    take: limit,
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

/** Pending rows received before `before` (another process recorded them and has not finished: taken over). */
export async function staleInboxIds(prisma: PrismaClient, before: Date, now: Date = new Date(), limit = 100): Promise<string[]> {
  const rows = await prisma.processedEvent.findMany({
    where: { status: 'pending', receivedAt: { lt: before }, OR: [{ claimedUntil: null }, { claimedUntil: { lte: now } }] },
    orderBy: { receivedAt: 'asc' },
    take: limit,
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

/** Deletes done and failed rows older than the retention (default 8 h). Returns how many. */
export async function pruneProcessedEvents(prisma: PrismaClient, now: Date = new Date(), retentionMs = PROCESSED_EVENT_RETENTION_MS): Promise<number> {
  if (retentionMs < PROCESSED_EVENT_RETENTION_MS) throw new Error(`processed events must be kept at least 8 h, got ${retentionMs} ms`);
  const { count } = await prisma.processedEvent.deleteMany({ where: { status: { in: ['done', 'failed'] }, receivedAt: { lt: new Date(now.getTime() - retentionMs) } } });
  return count;
}
