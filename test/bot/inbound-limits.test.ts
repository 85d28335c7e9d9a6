/**
 * Security review finding 10: a per-sender limit before anything is written; ids too large for the
 * database are "not found", not a Prisma error; /health names no versions.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { publicHealth } from '../../app/server.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { createBotCore, createInboxProcessor, inboxId, type BotMessage, type ChatRef, type InboundEvent, type OutboundPort } from '../../bot/core/index.js';
import { createStaff, createTestCounty, RecordingCaseStarter, uniq } from './support.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
afterAll(() => prisma.$disconnect());

class Said implements OutboundPort {
  texts: string[] = [];
  async send(chat: ChatRef, m: BotMessage) {
    this.texts.push(m.text);
    return { chat, messageId: uniq('m') };
  }
  async sendFile(chat: ChatRef) {
    return { chat, messageId: uniq('f') };
  }
  async edit(_ref: unknown, m: BotMessage) {
    this.texts.push(m.text);
  }
}

const core = createBotCore({ prisma, caseStarter: new RecordingCaseStarter() });
const text = (senderId: string, t: string): InboundEvent => ({ type: 'text', platform: 'telegram', eventId: uniq('ev'), chat: { platform: 'telegram', id: senderId, kind: 'private' }, senderId, text: t });

describe('inbound limits', () => {
  it('refuses a sender over the limit before writing anything (no inbox row, no audit entry)', async () => {
    const inbox = createInboxProcessor({ prisma, core, senderLimit: { limit: 3, windowMs: 60_000 }, takeOverAfterMs: 3_600_000, onError: () => {} });
    try {
      const sender = uniq('spam');
      const events = Array.from({ length: 5 }, () => text(sender, '/帮助'));
      const outcomes = [];
      for (const e of events) outcomes.push(await inbox.record(e));
      expect(outcomes).toEqual(['new', 'new', 'new', 'limited', 'limited']);
      const rows = await prisma.processedEvent.count({ where: { id: { in: events.map((e) => inboxId(e.platform, e.eventId)) } } });
      expect(rows).toBe(3);
      // Another sender is not affected.
      expect(await inbox.record(text(uniq('other'), '/帮助'))).toBe('new');
      await inbox.settle();
      expect(await prisma.auditEntry.count({ where: { actor: `telegram:${sender}` } })).toBe(3);
    } finally {
      await inbox.stop();
    }
  });

  it('answers "not found" for a case or notification number too large for the database', async () => {
    const county = await createTestCounty(prisma);
    const staff = await createStaff(prisma, county, { role: 'TASKFORCE_OFFICE' });
    const account = uniq('tg');
    await prisma.staffBinding.create({ data: { staffId: staff.id, platform: 'telegram', externalId: account } });
    const out = new Said();
    await core.handle(text(account, '/案件 99999999999999999999'), out);
    await core.handle(text(account, '/案件 2147483648'), out);
    await core.handle({ type: 'button', platform: 'telegram', eventId: uniq('cb'), chat: { platform: 'telegram', id: account, kind: 'private' }, senderId: account, button: { action: 'n', caseRef: '99999999999', value: '0' } }, out);
    expect(out.texts.slice(0, 2)).toEqual(['找不到该案件，或您无权查看。', '找不到该案件，或您无权查看。']);
    expect(out.texts[2]).toMatch(/按钮已失效|未识别/);
  });

  it('/health tells ok or not per component, and no versions or error texts', () => {
    const shown = publicHealth({ ok: false, components: { temporal: { ok: true, detail: 'server 1.29.1' }, database: { ok: false, detail: 'connect ECONNREFUSED 10.0.0.3:5432' }, worker: { ok: true, detail: 'RUNNING' } } });
    expect(shown).toEqual({ ok: false, components: { temporal: { ok: true }, database: { ok: false }, worker: { ok: true } } });
  });
});
