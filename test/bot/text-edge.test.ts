/**
 * Text normalisation at the edge, on the real database: U+0000 is refused by PostgreSQL in text and
 * jsonb columns, so it must never reach a write; hidden characters (bidi overrides, zero-width) must
 * not disguise a name or an ID number; overlong input is refused naming the field, never cut.
 */
import crypto from 'node:crypto';

import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../support/database.js';

import { createConsoleStore, registerConsole, type ConsoleStore } from '../../bot/console/index.js';
import { createBotCore } from '../../bot/core/index.js';
import { recordEvent } from '../../bot/core/inbox.js';
import { createFeishuSender, registerFeishuWebhook, type FeishuWebhook } from '../../bot/lark/index.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { MAX_MESSAGE_CHARS, tooLongText } from '../../domain/text.js';
import { messageReceiveEvent, postToWebhook } from '../fakes/feishu-events.js';
import { startFakeFeishu, type FakeFeishu } from '../fakes/feishu-open-api.js';
import type { TestCounty } from '../support/county.js';
import { RecordingGateway } from '../support/recording-gateway.js';
import { createStaff, createTestCounty, freshIdNumber, listen, RecordingCaseStarter, uniq } from './support.js';

const prisma = createPrismaClient(testDatabaseUrl());
const starter = new RecordingCaseStarter();
const core = createBotCore({ prisma, caseStarter: starter, workflows: new RecordingGateway() });
const APP = { appId: 'cli_text_edge', appSecret: 'te-secret', verificationToken: 'vt-te', encryptKey: 'ek-te' };

let county: TestCounty;
let store: ConsoleStore;
let app: FastifyInstance;
let consoleUrl: string;
let fake: FakeFeishu;
let webhook: FeishuWebhook;
let feishuUrl: string;

beforeAll(async () => {
  county = await createTestCounty(prisma);
  store = createConsoleStore(prisma);
  fake = await startFakeFeishu({ apps: [{ appId: APP.appId, appSecret: APP.appSecret }] });
  const sender = createFeishuSender({ appId: APP.appId, appSecret: APP.appSecret, domain: fake.url, prisma, baseDelayMs: 5 });
  app = Fastify();
  registerConsole(app, { prisma, core, store, demo: true, countyRegionId: county.countyId });
  webhook = registerFeishuWebhook(app, { ...APP, core, out: sender, inlineBudgetMs: 30_000, onError: () => {} });
  const base = await listen(app);
  consoleUrl = base;
  feishuUrl = base + webhook.path;
});
afterAll(async () => {
  await app.close();
  await webhook.stop();
  await fake.close();
  await prisma.$disconnect();
});

const post = (path: string, body: unknown) => fetch(consoleUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const feishuTexts = (chatId: string) => fake.messagesIn(chatId).map((m) => (JSON.parse(m.content) as { text?: string }).text ?? m.content);

describe('U+0000 never reaches PostgreSQL', () => {
  it('the database itself refuses U+0000 in a text column and in jsonb (why the edge must clean it)', async () => {
    await expect(
      prisma.chatFormState.create({ data: { platform: 'feishu', chatId: uniq('nul\u0000'), senderId: 'ou_x', form: 'x', step: 0, data: {}, expiresAt: new Date(Date.now() + 60_000) } }),
    ).rejects.toThrow();
    await expect(
      prisma.processedEvent.createMany({ data: [{ id: uniq('raw:'), platform: 'feishu', status: 'pending', event: { text: 'a\u0000b' } }] }),
    ).rejects.toThrow();
  });

  it('recordEvent stores an event full of U+0000, lone surrogates and bidi controls, cleaned', async () => {
    const eventId = uniq('ev\u0000');
    const outcome = await recordEvent(prisma, {
      type: 'form',
      platform: 'feishu',
      eventId,
      chat: { platform: 'feishu', id: 'oc_\u0000x', kind: 'private' },
      senderId: 'ou_\u202Ey',
      form: { action: 'submit\u0000', caseRef: 'death', value: 'a\uD800' },
      values: { 'name\u0000': '李\u0000四\u202E', note: '\uDC00\u200B' },
    });
    expect(outcome).toBe('new');
    const row = await prisma.processedEvent.findUniqueOrThrow({ where: { id: `feishu:${eventId.replace('\u0000', '')}` } });
    expect(row.event).toEqual({
      type: 'form',
      platform: 'feishu',
      eventId: eventId.replace('\u0000', ''),
      chat: { platform: 'feishu', id: 'oc_x', kind: 'private' },
      senderId: 'ou_y',
      form: { action: 'submit', caseRef: 'death', value: 'a\uFFFD' },
      values: { name: '李四', note: '\uFFFD' },
    });
    // A redelivery finds the same row.
    expect(await recordEvent(prisma, { type: 'text', platform: 'feishu', eventId, chat: { platform: 'feishu', id: 'oc_x', kind: 'private' }, senderId: 'ou_y', text: 'x' })).toBe('pending');
  });

  it('a Feishu message with U+0000 and a lone surrogate is answered 200 and processed (was a 500 on every redelivery)', async () => {
    const chatId = uniq('oc_');
    const eventId = uniq('ev');
    const event = messageReceiveEvent(APP, { chatId, chatType: 'p2p', senderOpenId: uniq('ou_'), text: '/帮助\u0000\uD800', eventId });
    expect((await postToWebhook(feishuUrl, event, { encryptKey: APP.encryptKey })).status).toBe(200);
    await webhook.idle();
    expect((await prisma.processedEvent.findUniqueOrThrow({ where: { id: `feishu:${eventId}` } })).status).toBe('done');
    expect(feishuTexts(chatId)).toHaveLength(1);
  });
});

describe('hidden characters cannot disguise a name or an ID number', () => {
  it('a death report typed with U+0000, U+202E and zero-width characters reaches the CaseStarter clean', async () => {
    const cadre = await createStaff(prisma, county);
    const chatId = `private:${cadre.id}`;
    const id = freshIdNumber();
    const disguised = `${id.slice(0, 6)}\u200B${id.slice(6, 14)}\u2060${id.slice(14)}`;
    for (const text of ['/报告死亡\u0000', '\u202E李\u0000四\u202C', disguised, '2026/10/3\uFEFF', '殡葬\u200D']) {
      const res = await post('/console/say', { eventId: crypto.randomUUID(), chatId, text, staffId: cadre.id });
      expect(res.status).toBe(200);
    }
    const log = await store.history([chatId]);
    // The typed lines are stored clean.
    expect(log.filter((e) => e.fromId === cadre.id).map((e) => e.message.text)).toEqual(['/报告死亡', '李四', id, '2026/10/3', '殡葬']);
    const card = log.find((e) => (e.message.title ?? '').includes('请确认'))!;
    const confirm = card.message.buttons!.find((b) => b.label === '确认提交')!;
    expect((await post('/console/press', { eventId: crypto.randomUUID(), chatId, messageId: card.id, button: confirm.payload, staffId: cadre.id })).status).toBe(200);
    expect(starter.deaths.at(-1)).toMatchObject({ reporterStaffId: cadre.id, name: '李四', idNumber: id, source: '殡葬' });
  });
});

describe('overlong input is refused naming the field, never cut', () => {
  it('console: a line over the limit is a 400 naming “内容”, with nothing recorded', async () => {
    const cadre = await createStaff(prisma, county);
    const eventId = crypto.randomUUID();
    const res = await post('/console/say', { eventId, chatId: `private:${cadre.id}`, text: '张'.repeat(MAX_MESSAGE_CHARS + 1), staffId: cadre.id });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe(tooLongText('内容', MAX_MESSAGE_CHARS, MAX_MESSAGE_CHARS + 1));
    expect(await prisma.processedEvent.count({ where: { id: `console:staff:${cadre.id}:${eventId}` } })).toBe(0);
    expect(await store.history([`private:${cadre.id}`])).toEqual([]);
    // At the limit (counted in characters, an emoji is one) it is taken.
    const ok = await post('/console/say', { eventId: crypto.randomUUID(), chatId: `private:${cadre.id}`, text: '🙂'.repeat(MAX_MESSAGE_CHARS), staffId: cadre.id });
    expect(ok.status).toBe(200);
  });

  it('Feishu: a private message over the limit gets a Chinese refusal naming “消息”; overlong group chatter is not refused', async () => {
    const chatId = uniq('oc_');
    const say = (text: string, chatType: 'p2p' | 'group', chat = chatId) =>
      postToWebhook(feishuUrl, messageReceiveEvent(APP, { chatId: chat, chatType, senderOpenId: uniq('ou_'), text, eventId: uniq('ev') }), { encryptKey: APP.encryptKey });
    expect((await say('/帮助' + '测'.repeat(MAX_MESSAGE_CHARS), 'p2p')).status).toBe(200);
    await webhook.idle();
    expect(feishuTexts(chatId)).toEqual([tooLongText('消息', MAX_MESSAGE_CHARS, MAX_MESSAGE_CHARS + 3)]);
    const group = uniq('oc_');
    expect((await say('测'.repeat(MAX_MESSAGE_CHARS * 3), 'group', group)).status).toBe(200);
    await webhook.idle();
    // (an unbound sender is still told how to bind; what matters is that chatter is not refused for its length)
    expect(feishuTexts(group).filter((t) => t.includes('过长'))).toEqual([]);
  });
});
