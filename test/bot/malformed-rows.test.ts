/**
 * A malformed JSON row in the inbox or the outbox (issue 16, typed state): the inbox marks the event
 * failed at once, its lastError naming the row and the field, and does not process it; the outbox
 * records the same kind of error on the reply and keeps delivering the others.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { claimInboxEvent, deliverReplies, inboxId, recordEvent, type InboundEvent, type OutboundPort } from '../../bot/core/index.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { uniq } from './support.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
afterAll(() => prisma.$disconnect());

describe('malformed stored rows', () => {
  it('the inbox fails an event whose stored JSON does not fit, naming the row and the field', async () => {
    const event: InboundEvent = { type: 'text', platform: 'console', eventId: uniq('bad-event-'), chat: { platform: 'console', id: 'private:1', kind: 'private' }, senderId: 'u1', text: '/待办' };
    expect(await recordEvent(prisma, event)).toBe('new');
    const id = inboxId('console', event.eventId);
    await prisma.processedEvent.update({ where: { id }, data: { event: { ...event, chat: { ...event.chat, kind: 'channel' } } } });

    expect(await claimInboxEvent(prisma, id)).toBeUndefined();
    const row = await prisma.processedEvent.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe('failed');
    expect(row.lastError).toContain(`数据库字段 ProcessedEvent.event（${id}）`);
    expect(row.lastError).toMatch(/chat\.kind/);
    // A well-formed event is claimed as before.
    const good: InboundEvent = { ...event, eventId: uniq('good-event-') };
    await recordEvent(prisma, good);
    expect((await claimInboxEvent(prisma, inboxId('console', good.eventId)))?.event).toEqual(good);
  });

  it('the outbox records the error on a malformed reply and still delivers the next chat’s', async () => {
    const sent: string[] = [];
    const out: OutboundPort = {
      send: (chat, message) => {
        sent.push(message.text);
        return Promise.resolve({ chat, messageId: `m${sent.length}` });
      },
      sendFile: () => Promise.reject(new Error('no files')),
      edit: () => Promise.resolve(),
    };
    const bad = await prisma.outboxReply.create({ data: { dedupeKey: uniq('bad-reply-'), platform: 'console', chatId: uniq('chat-a-'), chatKind: 'private', message: { title: '没有正文' } } });
    const good = await prisma.outboxReply.create({ data: { dedupeKey: uniq('good-reply-'), platform: 'console', chatId: uniq('chat-b-'), chatKind: 'private', message: { text: '已收到' } } });

    const report = await deliverReplies({ prisma, outs: { console: out }, owns: (k) => k === bad.dedupeKey || k === good.dedupeKey });
    expect(report.failed).toBeGreaterThanOrEqual(1);
    expect(sent).toContain('已收到');
    const row = await prisma.outboxReply.findUniqueOrThrow({ where: { id: bad.id } });
    expect(row.deliveredAt).toBeNull();
    expect(row.lastError).toContain(`数据库字段 OutboxReply.message（#${bad.id}）`);
    expect(row.lastError).toMatch(/text/);
    expect((await prisma.outboxReply.findUniqueOrThrow({ where: { id: good.id } })).deliveredAt).not.toBeNull();
  });
});
