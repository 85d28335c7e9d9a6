/**
 * The Feishu front end over real loopback HTTP: our fastify webhook receives
 * what the Feishu helpers post (encrypted, signed), the bot answers through
 * the SDK Client into the Feishu fake, against the shared test database.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { BOT_TEXTS as T, createBotCore, issueBindingCode } from '../../bot/core/index.js';
import { idNumbersPrivateOnly } from '../../bot/core/forms/engine.js';
import { createFeishuSender, registerFeishuWebhook, type FeishuSender, type FeishuWebhook } from '../../bot/lark/index.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { cardActionEvent, messageReceiveEvent, postToWebhook, urlVerification, type WebhookRequestOptions } from '../fakes/feishu-events.js';
import { startFakeFeishu, type FakeFeishu } from '../fakes/feishu-open-api.js';
import type { TestCounty } from '../support/county.js';
import { createStaff, createTestCounty, freshIdNumber, listen, RecordingCaseStarter, uniq } from './support.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
const APP = { appId: 'cli_bot_test_app', appSecret: 'secret-of-the-app', verificationToken: 'vt-token-123', encryptKey: 'ek-encrypt-key-456' };

let fake: FakeFeishu;
let app: FastifyInstance;
let webhook: FeishuWebhook;
let sender: FeishuSender;
let url: string;
let county: TestCounty;
const starter = new RecordingCaseStarter();

beforeAll(async () => {
  fake = await startFakeFeishu({ apps: [{ appId: APP.appId, appSecret: APP.appSecret }] });
  county = await createTestCounty(prisma);
  sender = createFeishuSender({ appId: APP.appId, appSecret: APP.appSecret, domain: fake.url, prisma, baseDelayMs: 20 });
  const core = createBotCore({ prisma, caseStarter: starter });
  app = Fastify();
  webhook = registerFeishuWebhook(app, { ...APP, core, out: sender, inlineBudgetMs: 30_000, onError: () => {} });
  url = (await listen(app)) + webhook.path;
});
afterAll(async () => {
  await app.close();
  await fake.close();
  await prisma.$disconnect();
});

/** Posts like Feishu does, then waits for the inbox to process it and send the replies (the answer itself does not wait). */
const post = async (payload: unknown, opts: WebhookRequestOptions = {}) => {
  const res = await postToWebhook(url, payload, { encryptKey: APP.encryptKey, ...opts });
  await webhook.idle();
  return res;
};

function say(openId: string, chatId: string, text: string, opts: { chatType?: 'group' | 'p2p'; eventId?: string } = {}) {
  return post(messageReceiveEvent(APP, { chatId, chatType: opts.chatType ?? 'p2p', senderOpenId: openId, text, eventId: opts.eventId }));
}

/** Every text the bot put into a chat, card texts flattened. */
function textsIn(chatId: string): string[] {
  return fake.messagesIn(chatId).map((m) => {
    const c = JSON.parse(m.content) as { text?: string; header?: { title?: { content: string } }; body?: { elements: Array<{ text?: { content: string } }> } };
    if (typeof c.text === 'string') return c.text;
    return [c.header?.title?.content, ...(c.body?.elements ?? []).map((e) => e.text?.content)].filter(Boolean).join('\n');
  });
}

async function boundStaff(role?: 'VILLAGE_COMMITTEE' | 'TOWNSHIP_HEAD') {
  const staff = await createStaff(prisma, county, { role });
  const openId = uniq('ou_');
  await prisma.staffBinding.create({ data: { staffId: staff.id, platform: 'feishu', externalId: openId } });
  return { staff, openId };
}

describe('Feishu webhook checks (before the SDK sees anything)', () => {
  it('refuses to start without an encrypt key', () => {
    const core = createBotCore({ prisma, caseStarter: starter });
    expect(() => registerFeishuWebhook(Fastify(), { ...APP, encryptKey: '', core, out: sender })).toThrow(/Encrypt Key/);
  });

  it('answers url_verification only with the right token', async () => {
    const ok = await post(urlVerification(APP, 'chal-1'));
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ challenge: 'chal-1' });
    const bad = await post(urlVerification({ verificationToken: 'other' }, 'chal-2'));
    expect(bad.status).toBe(401);
    expect(bad.body).not.toContain('chal-2');
  });

  it('refuses forged, stale and foreign-key requests, does nothing, and keeps serving', async () => {
    const chatId = uniq('oc_');
    const openId = uniq('ou_');
    const event = (eventId: string) => messageReceiveEvent(APP, { chatId, chatType: 'p2p', senderOpenId: openId, text: '/帮助', eventId });
    const ids = [uniq('ev'), uniq('ev'), uniq('ev'), uniq('ev'), uniq('ev')];
    expect((await post(event(ids[0]!), { tamper: 'signature' })).status).toBe(401);
    expect((await post(event(ids[1]!), { tamper: 'missing-signature' })).status).toBe(401);
    expect((await post(event(ids[2]!), { tamper: 'body' })).status).toBe(401);
    expect((await post(event(ids[3]!), { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    expect((await post(event(ids[4]!), { tamper: 'wrong-key' })).status).toBe(400);
    expect((await post(event(uniq('ev')), { encrypt: false })).status).toBe(400);
    expect(fake.messagesIn(chatId)).toHaveLength(0);
    expect(await prisma.processedEvent.count({ where: { id: { in: ids.map((i) => `feishu:${i}`) } } })).toBe(0);
    // Still serving.
    expect((await post(urlVerification(APP, 'alive'))).json).toEqual({ challenge: 'alive' });
  });
});

describe('identity', () => {
  it('tells an unbound sender how to bind, and nothing else happens', async () => {
    const chatId = uniq('oc_');
    const openId = uniq('ou_');
    const res = await say(openId, chatId, '/我的待办');
    expect(res.status).toBe(200);
    expect(textsIn(chatId)).toEqual([T.unbound]);
    const res2 = await say(openId, chatId, '/报告死亡');
    expect(res2.status).toBe(200);
    expect(textsIn(chatId)).toEqual([T.unbound, T.unbound]);
    expect(await prisma.staffBinding.count({ where: { externalId: openId } })).toBe(0);
    expect(await prisma.chatFormState.count({ where: { senderId: openId } })).toBe(0);
  });

  it('binds with a one-time code; wrong, used and expired codes are refused; binding twice is idempotent', async () => {
    const staff = await createStaff(prisma, county, { name: '赵绑定' });
    const chatId = uniq('oc_');
    const openId = uniq('ou_');
    await say(openId, chatId, '/绑定 ZZZZZZZZ');
    const { code } = await issueBindingCode(prisma, staff.id);
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    expect(await prisma.bindingCode.count({ where: { codeHash: code } })).toBe(0); // stored hashed
    await say(openId, chatId, `/绑定 ${code.toLowerCase()}`);
    await say(openId, chatId, `绑定 ${code}`);
    expect(textsIn(chatId)).toEqual([T.bindBadCode, T.bound('赵绑定'), T.alreadyBound('赵绑定')]);
    expect(await prisma.staffBinding.findMany({ where: { platform: 'feishu', externalId: openId } })).toMatchObject([{ staffId: staff.id }]);

    const otherChat = uniq('oc_');
    await say(uniq('ou_'), otherChat, `/绑定 ${code}`);
    const old = await issueBindingCode(prisma, staff.id, new Date(Date.now() - 25 * 3_600_000));
    await say(uniq('ou_'), otherChat, `/绑定 ${old.code}`);
    expect(textsIn(otherChat)).toEqual([T.bindUsed, T.bindExpired]);
  });
});

describe('events', () => {
  it('handles a replayed event once and answers 200', async () => {
    const { openId } = await boundStaff();
    const chatId = uniq('oc_');
    const eventId = uniq('ev');
    expect((await say(openId, chatId, '/帮助', { eventId })).status).toBe(200);
    expect((await say(openId, chatId, '/帮助', { eventId })).status).toBe(200);
    expect(textsIn(chatId)).toEqual([T.help]);
  });

  it('lists my open items, least time left first', async () => {
    const { staff, openId } = await boundStaff();
    const chatId = uniq('oc_');
    await say(openId, chatId, '/我的待办');
    const now = Date.now();
    const mk = (kind: 'DEATH_REVIEW' | 'COMPLAINT' | 'RECTIFICATION', hours: number | null, status: 'OPEN' | 'CLOSED' = 'OPEN') =>
      prisma.case.create({
        data: { kind, workflowId: uniq('wf-'), assigneeStaffId: staff.id, status, dueAt: hours === null ? null : new Date(now + hours * 3_600_000) },
      });
    const late = await mk('RECTIFICATION', 24 * 10);
    const none = await mk('COMPLAINT', null);
    const soon = await mk('DEATH_REVIEW', 5);
    await mk('DEATH_REVIEW', 1, 'CLOSED');
    const overdue = await mk('COMPLAINT', -26);
    await say(openId, chatId, '我的待办');
    const texts = textsIn(chatId);
    expect(texts[0]).toBe(T.noItems);
    const list = texts[1]!;
    const order = [overdue, soon, late, none].map((c) => list.indexOf(`#${c.id}`));
    expect(order.every((x) => x >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(list).toContain('您有 4 项待办');
    expect(list).toMatch(/已逾期1天2小时/);
    expect(list).toMatch(/还剩(4|5)小时/);
    expect(list).toContain('未设期限');
  });

  it('accepts complaints in private chat only', async () => {
    const { openId } = await boundStaff();
    const group = uniq('oc_');
    await say(openId, group, '/举报', { chatType: 'group' });
    expect(textsIn(group)).toEqual([T.complaintGroupOnly]);
    expect(await prisma.chatFormState.count({ where: { senderId: openId } })).toBe(0);
  });
});

describe('death report form (private chat only: it asks for ID numbers)', () => {
  it('validates each answer, confirms with a card button, and starts the case exactly once', async () => {
    const { staff, openId } = await boundStaff();
    const group = uniq('oc_');
    const id = freshIdNumber();
    const before = starter.deaths.length;
    // In a group it is refused before anything is asked.
    const realGroup = uniq('oc_');
    await say(openId, realGroup, '/报告死亡', { chatType: 'group' });
    expect(textsIn(realGroup)).toEqual([idNumbersPrivateOnly('报告死亡')]);
    await say(openId, group, '/报告死亡');
    await say(openId, group, '张三丰');
    await say(openId, group, '123456');
    await say(openId, group, id);
    await say(openId, group, '2099-01-01');
    await say(openId, group, '2026-11-01');
    await say(openId, group, '村报');
    const texts = textsIn(group);
    expect(texts[2]).toMatch(/^身份证号有误：.+请重新输入身份证号。$/);
    expect(texts[3]).toContain('（3/4）');
    expect(texts[4]).toContain('日期不能晚于今天');
    const card = fake.messagesIn(group).at(-1)!;
    expect(card.msg_type).toBe('interactive');
    // In the private chat the person sees what they entered.
    expect(card.content).toContain('张三丰');
    const buttons = (card.card!.body as { elements: Array<{ tag: string; behaviors?: Array<{ type: string; value: Record<string, unknown> }> }> }).elements.filter((e) => e.tag === 'button');
    expect(buttons[0]!.behaviors![0]).toMatchObject({ type: 'callback', value: { a: 'confirm', c: 'death', k: 'p' } });

    const click = cardActionEvent(APP, {
      operatorOpenId: openId,
      openMessageId: card.message_id,
      openChatId: group,
      value: buttons[0]!.behaviors![0]!.value,
      token: fake.issueCardToken(card.message_id),
      eventId: uniq('ev'),
    });
    // Feishu wants the answer within 3 s: the toast comes back while the work (held here) has not run yet.
    const release = starter.hold();
    const r1 = await postToWebhook(url, click, { encryptKey: APP.encryptKey });
    expect(starter.deaths.length).toBe(before);
    release();
    expect(r1.status).toBe(200);
    expect(r1.json).toMatchObject({ toast: { type: 'info' } });
    const r2 = await post(click); // Feishu delivers it again
    expect(r2.status).toBe(200);
    await webhook.idle();
    await vi.waitFor(() => expect(fake.message(card.message_id)!.content).toContain('已受理'));
    expect(starter.deaths.slice(before)).toEqual([
      { reporterStaffId: staff.id, name: '张三丰', idNumber: id, deathDate: '2026-11-01', source: '村报', eventId: `feishu:${click.header.event_id}` },
    ]);
    const audit = await prisma.auditEntry.findMany({ where: { actor: `staff:${staff.id}` } });
    expect(JSON.stringify(audit.map((a) => a.payload))).not.toContain(id);
    expect(audit.length).toBeGreaterThanOrEqual(8);
  });

  it('/取消 ends the form', async () => {
    const { openId } = await boundStaff();
    const chat = uniq('oc_');
    await say(openId, chat, '/报告死亡');
    await say(openId, chat, '李四');
    await say(openId, chat, '/取消');
    await say(openId, chat, freshIdNumber());
    const texts = textsIn(chat);
    expect(texts[2]).toBe(T.cancelled);
    expect(texts[3]).toBe(T.unknown);
    await say(openId, chat, '/取消');
    expect(textsIn(chat)[4]).toBe(T.nothingToCancel);
  });
});

describe('Feishu outbound', () => {
  it('posts one message per dedupe key, even when our record is lost or the first attempt fails', async () => {
    const chat = { platform: 'feishu' as const, id: uniq('oc_'), kind: 'group' as const };
    const key = uniq('send-');
    const a = await sender.send(chat, { text: '第一次' }, { dedupeKey: key });
    const b = await sender.send(chat, { text: '第一次' }, { dedupeKey: key });
    expect(b).toEqual(a);
    // The send went out but our record of it was lost (crash before recording): Feishu's uuid de-dup holds.
    await prisma.outboundMessage.deleteMany({ where: { dedupeKey: key } });
    const c = await sender.send(chat, { text: '第一次' }, { dedupeKey: key });
    expect(c.messageId).toBe(a.messageId);
    expect(fake.messagesIn(chat.id)).toHaveLength(1);

    fake.failNext(2, { status: 500, match: '/im/v1/messages' });
    await sender.send(chat, { text: '第二条' }, { dedupeKey: uniq('send-') });
    expect(textsIn(chat.id)).toEqual(['第一次', '第二条']);
  });

  it('keeps to 5 sends a second per chat', async () => {
    const chat = { platform: 'feishu' as const, id: uniq('oc_'), kind: 'group' as const };
    await Promise.all(Array.from({ length: 8 }, (_, i) => sender.send(chat, { text: `第${i}条` }, { dedupeKey: uniq('rate-') })));
    expect(fake.messagesIn(chat.id)).toHaveLength(8);
  });
});
