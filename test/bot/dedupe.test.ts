/** ProcessedEvent: insert-or-skip claims, and pruning that keeps at least 8 hours. */
import { afterAll, describe, expect, inject, it } from 'vitest';

import { claimEvent, pruneProcessedEvents, releaseEvent } from '../../bot/core/index.js';
import { createPrismaClient } from '../../app/db/client.js';
import { uniq } from './support.js';

const prisma = createPrismaClient(inject('databaseUrl'));
afterAll(() => prisma.$disconnect());

describe('event de-duplication', () => {
  it('claims an event once, and again after release', async () => {
    const id = uniq('ev');
    const [a, b] = await Promise.all([claimEvent(prisma, 'feishu', id), claimEvent(prisma, 'feishu', id)]);
    expect([a, b].sort()).toEqual([false, true]);
    expect(await claimEvent(prisma, 'telegram', id)).toBe(true); // platforms do not collide
    await releaseEvent(prisma, 'feishu', id);
    expect(await claimEvent(prisma, 'feishu', id)).toBe(true);
  });

  it('prunes rows older than 8 hours only, and refuses a shorter retention', async () => {
    const old = uniq('old');
    const recent = uniq('recent');
    const now = new Date();
    await prisma.processedEvent.createMany({
      data: [
        { id: `feishu:${old}`, platform: 'feishu', receivedAt: new Date(now.getTime() - 8 * 3_600_000 - 1000) },
        { id: `feishu:${recent}`, platform: 'feishu', receivedAt: new Date(now.getTime() - 7.5 * 3_600_000) },
      ],
    });
    await pruneProcessedEvents(prisma, now);
    expect(await prisma.processedEvent.findMany({ where: { id: { in: [`feishu:${old}`, `feishu:${recent}`] } }, select: { id: true } })).toEqual([{ id: `feishu:${recent}` }]);
    await expect(pruneProcessedEvents(prisma, now, 3_600_000)).rejects.toThrow(/8 h/);
  });
});
