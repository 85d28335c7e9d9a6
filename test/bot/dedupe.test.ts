/** The inbox (ProcessedEvent): insert-or-skip recording, leases, back-off, and pruning that keeps at least 8 hours. */
import { afterAll, describe, expect, it } from 'vitest';

import { claimInboxEvent, inboxAttemptFailed, inboxId, markInboxDone, pruneProcessedEvents, recordEvent, type InboundEvent } from '../../bot/core/index.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { uniq } from './support.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
afterAll(() => prisma.$disconnect());

const textEvent = (platform: 'feishu' | 'telegram', eventId: string): InboundEvent => ({ type: 'text', platform, eventId, chat: { platform, id: 'c1', kind: 'private' }, senderId: 'u1', text: '/帮助' });

describe('event inbox', () => {
  it('records an event once, lets one processor hold it, and keeps nothing of it once done', async () => {
    const id = uniq('ev');
    const [a, b] = await Promise.all([recordEvent(prisma, textEvent('feishu', id)), recordEvent(prisma, textEvent('feishu', id))]);
    expect([a, b].sort()).toEqual(['new', 'pending']);
    expect(await recordEvent(prisma, textEvent('telegram', id))).toBe('new'); // platforms do not collide
    const [c1, c2] = await Promise.all([claimInboxEvent(prisma, inboxId("feishu", id)), claimInboxEvent(prisma, inboxId("feishu", id))]);
    expect([c1, c2].filter(Boolean)).toHaveLength(1);
    const claimed = (c1 ?? c2)!;
    expect(claimed.event).toMatchObject({ type: 'text', text: '/帮助' });
    // A failed attempt backs off: not claimable at once; released, it is.
    await inboxAttemptFailed(prisma, claimed, new Error('boom'));
    expect(await claimInboxEvent(prisma, claimed.id)).toBeUndefined();
    expect(await claimInboxEvent(prisma, claimed.id, new Date(Date.now() + 60_000))).toBeDefined();
    await markInboxDone(prisma, claimed.id);
    const row = await prisma.processedEvent.findUniqueOrThrow({ where: { id: claimed.id } });
    expect(row.status).toBe('done');
    expect(row.event).toBeNull();
    expect(await recordEvent(prisma, textEvent('feishu', id))).toBe('done');
    // Leave nothing pending for the processors of other test files to take over.
    await prisma.processedEvent.deleteMany({ where: { id: inboxId('telegram', id) } });
  });

  it('prunes finished rows older than 8 hours only, never pending ones, and refuses a shorter retention', async () => {
    const old = uniq('old');
    const recent = uniq('recent');
    const pending = uniq('pend');
    const now = new Date();
    const longAgo = new Date(now.getTime() - 8 * 3_600_000 - 1000);
    await prisma.processedEvent.createMany({
      data: [
        { id: `feishu:${old}`, platform: 'feishu', receivedAt: longAgo },
        { id: `feishu:${recent}`, platform: 'feishu', receivedAt: new Date(now.getTime() - 7.5 * 3_600_000) },
        // Held far into the future, so no processor of another test file takes it over.
        { id: `feishu:${pending}`, platform: 'feishu', receivedAt: longAgo, status: 'pending', event: textEvent('feishu', pending) as never, claimedUntil: new Date(now.getTime() + 3_600_000) },
      ],
    });
    await pruneProcessedEvents(prisma, now);
    const left = await prisma.processedEvent.findMany({ where: { id: { in: [`feishu:${old}`, `feishu:${recent}`, `feishu:${pending}`] } }, select: { id: true }, orderBy: { id: 'asc' } });
    expect(left.map((r) => r.id).sort()).toEqual([`feishu:${pending}`, `feishu:${recent}`].sort());
    await expect(pruneProcessedEvents(prisma, now, 3_600_000)).rejects.toThrow(/8 h/);
  });
});
