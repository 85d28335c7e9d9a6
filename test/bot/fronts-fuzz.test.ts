/**
 * Fuzzing the three fronts over real loopback HTTP (fast-check): the Feishu webhook (signed and
 * encrypted as Feishu does), the Telegram webhook (with its secret token) and the web console's
 * routes, all over the real bot core and the test database. Inputs: random JSON shapes, wrong types,
 * missing fields, huge strings, U+0000, lone surrogates, bidi and zero-width characters, emoji, long
 * Chinese text, out-of-range numbers, personal data inside the text.
 *
 * Properties: never a 5xx; the server keeps answering; a recorded event ends processed ('done'),
 * never half-written or stuck; whatever the bot says to a person is Chinese; a refused console
 * request is answered in Chinese; no raw ID number or phone is echoed in an answer or a group; a
 * redelivered event is processed once. Runs are bounded (numRuns) so the file stays well under a minute.
 */
import crypto from 'node:crypto';

import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../support/database.js';

import { createConsoleStore, registerConsole, type ConsoleRoutes, type ConsoleStore } from '../../bot/console/index.js';
import { createBotCore, type InboxProcessor } from '../../bot/core/index.js';
import { createInboxProcessor } from '../../bot/core/inbox-processor.js';
import { deliverReplies } from '../../bot/core/outbox.js';
import { createFeishuSender, registerFeishuWebhook, type FeishuWebhook } from '../../bot/lark/index.js';
import { createTelegramBot, registerTelegramWebhook, type TelegramBot } from '../../bot/telegram/index.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { cardActionEvent, messageReceiveEvent, postToWebhook, signBody } from '../fakes/feishu-events.js';
import { startFakeFeishu, type FakeFeishu } from '../fakes/feishu-open-api.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import { postUpdate, privateChat, tgUser, type Update } from '../fakes/telegram-updates.js';
import { cleanText } from '../../domain/text.js';
import type { TestCounty } from '../support/county.js';
import { RecordingGateway } from '../support/recording-gateway.js';
import { createStaff, createTestCounty, freshIdNumber, listen, RecordingCaseStarter, uniq, uniqNum } from './support.js';
import { chineseFrameworkErrors } from '../../bot/console/index.js';

const prisma = createPrismaClient(testDatabaseUrl());
const starter = new RecordingCaseStarter();
const gateway = new RecordingGateway(() => ({ ok: true, result: { status: 'COMPLETED' } }));
const core = createBotCore({ prisma, caseStarter: starter, workflows: gateway });
const APP = { appId: 'cli_fuzz_app', appSecret: 'fuzz-secret', verificationToken: 'vt-fuzz-1', encryptKey: 'ek-fuzz-2' };
const TOKEN = `${uniqNum()}:AAFuzzTests_abcdefghijklmnopqrstu`;
const SECRET = 'Fuzz_Secret-1';
/** A fuzzed sender sends far more than a person: the per-sender limit is lifted here (tested elsewhere). */
const NO_LIMIT = { limit: 1_000_000, windowMs: 60_000 };

let county: TestCounty;
let fakeFeishu: FakeFeishu;
let fakeTelegram: FakeTelegram;
let app: FastifyInstance;
let feishu: FeishuWebhook;
let feishuUrl: string;
let tg: TelegramBot;
let tgUrl: string;
let consoleUrl: string;
let consoleRoutes: ConsoleRoutes;
let store: ConsoleStore;
const inboxes: InboxProcessor[] = [];
/** Bound Feishu senders (open ids) and console staff ids. */
let feishuPeople: string[] = [];
let consolePeople: Array<{ id: number; group: string }> = [];

beforeAll(async () => {
  county = await createTestCounty(prisma);
  fakeFeishu = await startFakeFeishu({ apps: [{ appId: APP.appId, appSecret: APP.appSecret }] });
  fakeTelegram = await startFakeTelegram({ token: TOKEN, botUsername: 'jiuzhu_fuzz_bot', rateLimit: false });
  app = Fastify({ frameworkErrors: chineseFrameworkErrors });

  const sender = createFeishuSender({ appId: APP.appId, appSecret: APP.appSecret, domain: fakeFeishu.url, prisma, baseDelayMs: 5 });
  const feishuInbox: InboxProcessor = createInboxProcessor({
    prisma,
    core,
    senderLimit: NO_LIMIT,
    afterPass: () => deliverReplies({ prisma, outs: { feishu: sender }, owns: (k) => feishuInbox.owns(k) }),
    onError: () => {},
  });
  inboxes.push(feishuInbox);
  feishu = registerFeishuWebhook(app, { ...APP, core, out: sender, inbox: feishuInbox, cardBudgetMs: 0, onError: () => {} });

  const tgInbox: InboxProcessor = createInboxProcessor({
    prisma,
    core,
    senderLimit: NO_LIMIT,
    afterPass: () => deliverReplies({ prisma, outs: { telegram: tg.out }, owns: (k) => tgInbox.owns(k) }),
    onError: () => {},
  });
  inboxes.push(tgInbox);
  tg = createTelegramBot({ token: TOKEN, core, prisma, apiRoot: fakeTelegram.url, botInfo: fakeTelegram.bot, inbox: tgInbox });
  const hook = registerTelegramWebhook(app, { bot: tg, secretToken: SECRET, onError: () => {} });

  store = createConsoleStore(prisma);
  const consoleInbox = createInboxProcessor({ prisma, core, direct: { console: store.port }, senderLimit: NO_LIMIT, onError: () => {} });
  inboxes.push(consoleInbox);
  consoleRoutes = registerConsole(app, { prisma, core, store, inbox: consoleInbox, demo: true, countyRegionId: county.countyId, onError: () => {} });

  const base = await listen(app);
  feishuUrl = base + feishu.path;
  tgUrl = base + hook.path;
  consoleUrl = base;

  const village = county.townships[0]!.villages[0]!;
  for (let i = 0; i < 3; i++) {
    const staff = await createStaff(prisma, county, { name: `模糊${'甲乙丙'[i]}` });
    const openId = uniq('ou_fz');
    await prisma.staffBinding.create({ data: { staffId: staff.id, platform: 'feishu', externalId: openId } });
    feishuPeople.push(openId);
    consolePeople.push({ id: staff.id, group: `group:${village.id}` });
  }
}, 60_000);

afterAll(async () => {
  await app.close();
  for (const i of inboxes) await i.stop();
  await tg.stop();
  await fakeFeishu.close();
  await fakeTelegram.close();
  await prisma.$disconnect();
  feishuPeople = [];
  consolePeople = [];
});

// ---------------------------------------------------------------- arbitraries

const SPECIALS = [
  '\u0000', '\u0001', '\u0008', '\u000B', '\u001B', '\u007F', '\u0085', '\u009F', '\r', '\r\n', '\n', '\t',
  '\uD800', '\uDBFF', '\uDC00', '\uDFFF',
  '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C',
  '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD',
  '🙂', '👨\u200D👩\u200D👧', '𠀀', 'e\u0301', '１２３', '＜script＞', '<script>alert(1)</script>', "'; drop table x; --", '%00', '${x}', '__proto__',
];
const COMMANDS = ['/帮助', '/我的待办', '/报告死亡', '/案件', '/案件 ', '/取消', '/绑定 ', '/投诉', '/help', '/start', '确认', '是'];
const NUMBERS = ['0', '-1', '99999999999999999999', '2147483648', '1e309', 'NaN', '9007199254740993', '0x10', '٣'];
const han = fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCharCode(c));
const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SPECIALS) },
  { weight: 3, arbitrary: fc.array(han, { maxLength: 12 }).map((a) => a.join('')) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 1, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 1, arbitrary: fc.constant(' ') },
);
const nasty = fc.array(piece, { maxLength: 24 }).map((a) => a.join(''));
/** Long input: up to ~30 000 characters of one kind (Chinese, emoji, U+0000, bidi). */
const huge = fc.tuple(fc.constantFrom('测', '张三', '🙂', '\u0000', '\u202E', 'a', '\uD800'), fc.integer({ min: 1_000, max: 30_000 })).map(([c, n]) => c.repeat(Math.ceil(n / c.length)));
/** Personal data in the middle of the text (the property checks it is never echoed raw). */
const PHONE = '13912345678';
const ID_NUMBER = freshIdNumber();
const withPersonal = fc.tuple(nasty, fc.constantFrom('', '\u200B', ' ', '\u202E'), nasty).map(([a, sep, b]) => ({ text: `${a}${sep}${ID_NUMBER}${sep}${b} ${PHONE}`, personal: true }));
const freeText = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom('', ...COMMANDS), nasty).map(([c, t]) => ({ text: c + t, personal: false })) },
  { weight: 1, arbitrary: huge.map((text) => ({ text, personal: false })) },
  { weight: 2, arbitrary: withPersonal },
);
/** Any JSON value, with nasty strings in it. */
const anyJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    nasty,
    fc.integer(),
    fc.double(),
    fc.constantFrom(null, true, false, -1, 0, 2 ** 53 + 1, 1e308, -1e308),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(nasty, fc.constantFrom('event_id', 'text', 'chat_id', 'open_id', 'a', 'k', '__proto__')), tie('value'), { maxKeys: 5 }),
  ),
})).value;
/** A value of the right type, the wrong type, or missing. */
const maybe = <T>(right: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: right }, { weight: 1, arbitrary: anyJson }, { weight: 1, arbitrary: fc.constant(undefined) });

/** Percent-encoded; a lone surrogate (which no URL can carry) becomes the bytes of one (ED A0 80), invalid UTF-8 on purpose. */
const uriPart = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, '')) + '%ED%A0%80';
  }
};

// ---------------------------------------------------------------- checks

const HAN = /\p{Script=Han}/u;
/** A refusal a person reads: Chinese, no English words beyond the few product terms. */
function expectChineseRefusal(error: unknown) {
  expect(typeof error).toBe('string');
  const text = error as string;
  expect(text).toMatch(HAN);
  expect(text.replace(/JSON|application\/json|UUID|jiuzhu staff login-link|\/console\/|\/dashboard\//g, '')).not.toMatch(/[A-Za-z]{3,}/);
}
const noPersonal = (s: string) => {
  expect(s).not.toContain(ID_NUMBER);
  expect(s).not.toContain(PHONE);
};
/** What a person sees of a bot message (Feishu's content JSON flattened). */
function feishuTexts(chatId: string): string[] {
  return fakeFeishu.messagesIn(chatId).map((m) => {
    const c = JSON.parse(m.content) as { text?: string; header?: { title?: { content: string } }; body?: { elements: Array<{ text?: { content: string }; content?: string }> } };
    if (typeof c.text === 'string') return c.text;
    return [c.header?.title?.content, ...(c.body?.elements ?? []).map((e) => e.text?.content ?? e.content)].filter(Boolean).join('\n');
  });
}
async function auditCount(platform: string, eventId: string): Promise<number> {
  return prisma.auditEntry.count({ where: { action: { startsWith: 'bot.' }, payload: { path: ['eventId'], equals: eventId }, subjectId: { startsWith: `${platform}:` } } });
}
async function expectDoneOnce(platform: string, eventId: string) {
  const row = await prisma.processedEvent.findUnique({ where: { id: `${platform}:${eventId}` } });
  expect(row?.status).toBe('done');
  expect(row?.event).toBeNull();
  expect(await auditCount(platform, eventId)).toBe(1);
}

/**
 * The default runs keep the file under a minute on a loaded 2-core machine (each heavy run posts an
 * event twice and waits for its processing); FUZZ_RUNS=2000 runs every property that many times (by hand).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 0) || undefined;
const runs = (n: number) => ({ numRuns: RUNS ?? n, endOnFailure: true });

// ---------------------------------------------------------------- Feishu

describe('Feishu webhook under fuzzed, correctly signed input', () => {
  it('a text message of any content: 200 at once, processed once even when redelivered, answered in Chinese, no personal data in a group or the answer', async () => {
    await fc.assert(
      fc.asyncProperty(freeText, fc.boolean(), fc.nat(3), async ({ text }, group, who) => {
        const chatId = uniq('oc_fz');
        const eventId = uniq('evfz');
        const sender = who < feishuPeople.length ? feishuPeople[who]! : uniq('ou_fz');
        const event = messageReceiveEvent(APP, { chatId, chatType: group ? 'group' : 'p2p', senderOpenId: sender, text, eventId });
        const res = await postToWebhook(feishuUrl, event, { encryptKey: APP.encryptKey });
        expect(res.status).toBe(200);
        noPersonal(res.body);
        await feishu.idle();
        await expectDoneOnce('feishu', eventId);
        const said = feishuTexts(chatId);
        for (const t of said) expect(t).toMatch(HAN);
        if (group) for (const t of said) noPersonal(t);
        // Redelivered: answered 200, nothing processed or said again.
        expect((await postToWebhook(feishuUrl, event, { encryptKey: APP.encryptKey })).status).toBe(200);
        await feishu.idle();
        expect(feishuTexts(chatId)).toHaveLength(said.length);
        expect(await auditCount('feishu', eventId)).toBe(1);
      }),
      runs(6),
    );
  }, 60_000);

  it('events of random shape (wrong types, missing fields, unknown types): never 5xx, and anything recorded is processed', async () => {
    const eventType = fc.constantFrom('im.message.receive_v1', 'card.action.trigger', 'im.chat.member.bot.added_v1', '', 'toString', '__proto__');
    const messageShape = fc.record(
      {
        sender: maybe(fc.record({ sender_id: maybe(fc.record({ open_id: maybe(fc.oneof(nasty, fc.constantFrom(...feishuPeople))) })) })),
        message: maybe(
          fc.record({
            chat_id: maybe(nasty),
            chat_type: maybe(fc.constantFrom('p2p', 'group', 'topic')),
            message_type: maybe(fc.constantFrom('text', 'post', 'image')),
            content: maybe(fc.oneof(nasty.map((t) => JSON.stringify({ text: t })), nasty, anyJson.map((v) => JSON.stringify(v) ?? ''))),
          }),
        ),
      },
      { requiredKeys: [] },
    );
    const cardShape = fc.record(
      {
        operator: maybe(fc.record({ open_id: maybe(fc.oneof(nasty, fc.constantFrom(...feishuPeople))) })),
        action: maybe(fc.record({ value: maybe(fc.record({ a: maybe(nasty), c: maybe(nasty), v: maybe(nasty), k: maybe(fc.constantFrom('g', 'p', 'x')) })), name: maybe(nasty), form_value: maybe(anyJson) }, { requiredKeys: [] })),
        context: maybe(fc.record({ open_message_id: maybe(nasty), open_chat_id: maybe(nasty) })),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(eventType, fc.oneof(messageShape, cardShape, anyJson), maybe(nasty), async (type, body, eventIdRaw) => {
        const eventId = typeof eventIdRaw === 'string' ? eventIdRaw : uniq('evfz');
        const payload = { schema: '2.0', header: { event_id: eventIdRaw === undefined ? undefined : eventId, event_type: type, token: APP.verificationToken, app_id: APP.appId, create_time: String(Date.now()) }, event: body };
        const res = await postToWebhook(feishuUrl, payload, { encryptKey: APP.encryptKey });
        expect(res.status).toBeLessThan(500);
        noPersonal(res.body);
        const toast = (res.json as { toast?: { content?: unknown } } | undefined)?.toast;
        if (toast) expectChineseRefusal(toast.content);
        await feishu.idle();
        // Nothing is left half-done: a recorded event of this run is done (not pending, not failed).
        if (typeof eventIdRaw === 'string') {
          const row = await prisma.processedEvent.findUnique({ where: { id: `feishu:${cleanText(eventId)}` } });
          if (row) expect(row.status).toBe('done');
        }
      }),
      runs(20),
    );
    // Still serving.
    const eventId = uniq('evfz');
    expect((await postToWebhook(feishuUrl, messageReceiveEvent(APP, { chatId: uniq('oc_'), chatType: 'p2p', senderOpenId: feishuPeople[0]!, text: '/帮助', eventId }), { encryptKey: APP.encryptKey })).status).toBe(200);
  }, 60_000);

  it('a button press or form submit with fuzzed values: answered with a Chinese toast, processed once when redelivered', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ a: nasty, c: fc.option(nasty, { nil: undefined }), v: fc.option(nasty, { nil: undefined }), k: fc.constantFrom('g', 'p') }),
        fc.option(fc.dictionary(nasty, fc.oneof(nasty, huge, fc.integer())), { nil: undefined }),
        fc.constantFrom(undefined, 'sf_submit_p_death_confirm', 'sf_x_g_1_a_b'),
        fc.nat(2),
        async (value, formValue, name, who) => {
          const eventId = uniq('evfz');
          const chatId = uniq('oc_fz');
          const event = cardActionEvent(APP, {
            operatorOpenId: feishuPeople[who]!,
            openMessageId: uniq('om_'),
            openChatId: chatId,
            value: Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)),
            ...(formValue ? { formValue } : {}),
            ...(name ? { name } : {}),
            eventId,
          });
          const res = await postToWebhook(feishuUrl, event, { encryptKey: APP.encryptKey });
          expect(res.status).toBe(200);
          expectChineseRefusal((res.json as { toast: { content: string } }).toast.content);
          await feishu.idle();
          await expectDoneOnce('feishu', eventId);
          const said = feishuTexts(chatId).length;
          expect((await postToWebhook(feishuUrl, event, { encryptKey: APP.encryptKey })).status).toBe(200);
          await feishu.idle();
          expect(await auditCount('feishu', eventId)).toBe(1);
          expect(feishuTexts(chatId)).toHaveLength(said);
        },
      ),
      runs(4),
    );
  }, 60_000);

  it('signed bodies that are not what Feishu sends (not JSON, no encrypt, garbage ciphertext): 4xx (refused before anything is recorded)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(nasty, anyJson.map((v) => JSON.stringify(v) ?? 'null'), fc.base64String().map((b) => JSON.stringify({ encrypt: b })), nasty.map((e) => JSON.stringify({ encrypt: e }))), async (body) => {
        const timestamp = String(Math.floor(Date.now() / 1000));
        const nonce = crypto.randomBytes(4).toString('hex');
        const res = await fetch(feishuUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': nonce, 'x-lark-signature': signBody(timestamp, nonce, APP.encryptKey, body) },
          body,
        });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }),
      runs(20),
    );
  }, 60_000);
});

// ---------------------------------------------------------------- Telegram

describe('Telegram webhook under fuzzed input with the secret token', () => {
  const tgTexts = (chatId: number) => fakeTelegram.messages(chatId).filter((m) => m.from?.is_bot).map((m) => ('text' in m ? m.text : ''));

  it('a text message of any content: 200, processed once even when redelivered, answered in Chinese', async () => {
    await fc.assert(
      fc.asyncProperty(freeText, async ({ text }) => {
        const user = tgUser(uniqNum(), '模糊');
        const update = fakeTelegram.userMessage({ chat: privateChat(user), from: user, text });
        const res = await postUpdate(tgUrl, update, { secretToken: SECRET });
        expect(res.status).toBe(200);
        noPersonal(res.body);
        await tg.inbox.settle();
        const eventId = `${tg.botId}:${update.update_id}`;
        await expectDoneOnce('telegram', eventId);
        const said = tgTexts(user.id);
        for (const t of said) expect(t).toMatch(HAN);
        expect((await postUpdate(tgUrl, update, { secretToken: SECRET })).status).toBe(200);
        await tg.inbox.settle();
        expect(tgTexts(user.id)).toHaveLength(said.length);
        expect(await auditCount('telegram', eventId)).toBe(1);
      }),
      runs(5),
    );
  }, 60_000);

  it('updates of random shape and raw bodies: 200 or 400, never 5xx, nothing left pending', async () => {
    const chat = maybe(fc.record({ id: maybe(fc.oneof(fc.integer(), fc.constantFrom(2 ** 60, -(2 ** 53) - 5, 1.5))), type: maybe(fc.constantFrom('private', 'group', 'supergroup', 'channel')) }));
    const from = maybe(fc.record({ id: maybe(fc.integer()), is_bot: maybe(fc.boolean()), first_name: maybe(nasty) }));
    const update = fc.record(
      {
        update_id: maybe(fc.integer({ min: 1, max: 2 ** 31 })),
        message: maybe(fc.record({ message_id: maybe(fc.integer()), text: maybe(nasty), chat, from, date: maybe(fc.integer()) }, { requiredKeys: [] })),
        callback_query: maybe(
          fc.record({ id: maybe(nasty), data: maybe(fc.oneof(nasty, nasty.map((s) => `a:${s}`))), from, message: maybe(fc.record({ message_id: maybe(fc.integer()), chat }, { requiredKeys: [] })) }, { requiredKeys: [] }),
        ),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: update.map((u) => JSON.stringify(u)) }, { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v) ?? '') }, { weight: 1, arbitrary: nasty }), async (body) => {
        const res = await postUpdate(tgUrl, {} as Update, { secretToken: SECRET, rawBody: body });
        expect([200, 400]).toContain(res.status);
        await tg.inbox.settle();
        // Nothing is left half-done: this bot's events (and the pressed button's) are all done.
        const cq = (() => { try { return (JSON.parse(body) as { callback_query?: { id?: unknown } } | null)?.callback_query?.id; } catch { return undefined; } })();
        const stuck = await prisma.processedEvent.count({
          where: { status: { not: 'done' }, OR: [{ id: { startsWith: `telegram:${tg.botId}:` } }, ...(typeof cq === 'string' ? [{ id: `telegram:cb:${cleanText(cq)}` }] : [])] },
        });
        expect(stuck).toBe(0);
      }),
      runs(15),
    );
  }, 60_000);
});

// ---------------------------------------------------------------- console

describe('console routes under fuzzed requests', () => {
  const send = async (path: string, body: string, contentType: string | undefined) => {
    const res = await fetch(consoleUrl + path, { method: 'POST', headers: contentType ? { 'content-type': contentType } : {}, body });
    const text = await res.text();
    return { status: res.status, text, json: (() => { try { return JSON.parse(text) as { ok?: boolean; error?: unknown }; } catch { return undefined; } })() };
  };

  it('a typed line of any content: 200 and processed once (retried POST too), or a Chinese refusal naming the field; nothing echoed', async () => {
    await fc.assert(
      fc.asyncProperty(freeText, fc.nat(2), fc.boolean(), async ({ text }, who, group) => {
        const p = consolePeople[who]!;
        const eventId = crypto.randomUUID();
        const chatId = group ? p.group : `private:${p.id}`;
        const body = JSON.stringify({ eventId, chatId, text, staffId: p.id });
        const res = await send('/console/say', body, 'application/json');
        expect(res.status).toBeLessThan(500);
        noPersonal(res.text);
        if (res.status !== 200) {
          expect(res.status).toBe(400);
          expectChineseRefusal(res.json?.error);
          expect(res.json?.error).toMatch(/内容/);
          expect(await prisma.processedEvent.count({ where: { id: `console:staff:${p.id}:${eventId}` } })).toBe(0);
          return;
        }
        await consoleRoutes.idle();
        await expectDoneOnce('console', `staff:${p.id}:${eventId}`);
        const entries = await store.history([chatId], 1000);
        const mine = entries.filter((e) => e.fromId === p.id);
        // Stored clean: nothing PostgreSQL would refuse or that hides what was typed.
        for (const e of mine) expect(e.message.text).not.toMatch(/[\u0000\u202A-\u202E\u2066-\u2069\u200B]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
        if (group) for (const e of entries) expect(JSON.stringify(e)).not.toContain(ID_NUMBER);
        const count = entries.length;
        expect((await send('/console/say', body, 'application/json')).status).toBe(200);
        await consoleRoutes.idle();
        expect(await auditCount('console', `staff:${p.id}:${eventId}`)).toBe(1);
        expect(await store.history([chatId], 1000)).toHaveLength(count);
      }),
      runs(4),
    );
  }, 60_000);

  it('random bodies, shapes and content types on every POST route: a 4xx with a Chinese refusal (or 200), never 5xx, nothing recorded for a refusal', async () => {
    const staffId = consolePeople[0]!.id;
    const shaped = fc.record(
      {
        eventId: maybe(fc.oneof(fc.uuid(), nasty)),
        chatId: maybe(fc.oneof(fc.constantFrom(consolePeople[0]!.group, `private:${staffId}`, 'private:99999999999999999999', 'group:-1'), nasty)),
        text: maybe(fc.oneof(nasty, huge)),
        staffId: maybe(fc.oneof(fc.constant(staffId), fc.constantFrom(0, -1, 2 ** 31, 1e308, '1e3', '12abc'))),
        messageId: maybe(fc.oneof(fc.uuid(), nasty)),
        button: maybe(fc.record({ action: maybe(nasty), caseRef: maybe(nasty), value: maybe(nasty) }, { requiredKeys: [] })),
        ref: maybe(fc.record({ action: maybe(nasty), caseRef: maybe(nasty), value: maybe(nasty) }, { requiredKeys: [] })),
        values: maybe(fc.dictionary(nasty, fc.oneof(nasty, fc.integer()))),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof({ weight: 4, arbitrary: shaped.map((b) => JSON.stringify(b)) }, { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v) ?? '') }, { weight: 1, arbitrary: nasty });
    const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined, 'application/jsonx');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/console/say', '/console/press', '/console/submit', '/console/logout', '/console/nope'), body, contentType, async (path, raw, type) => {
        const res = await send(path, raw, type);
        expect(res.status).toBeLessThan(500);
        noPersonal(res.text);
        if (res.status >= 400) {
          expectChineseRefusal(res.json?.error);
          // Nothing recorded for a refused request.
          const eventId = (() => { try { return (JSON.parse(raw) as { eventId?: unknown } | null)?.eventId; } catch { return undefined; } })();
          if (typeof eventId === 'string') expect(await prisma.processedEvent.count({ where: { id: { endsWith: `:${cleanText(eventId)}` }, platform: 'console' } })).toBe(0);
        }
      }),
      runs(40),
    );
  }, 60_000);

  it('GET routes with fuzzed query strings, path parts and cookies: never 5xx, refusals in Chinese', async () => {
    const part = fc.oneof(nasty, fc.constantFrom(...NUMBERS), fc.constant(String(consolePeople[0]!.id)));
    const cookie = fc.constantFrom(undefined, 'jiuzhu_console=%E0%A4%A', 'jiuzhu_console=%', `jiuzhu_console=${'A'.repeat(43)}`, 'jiuzhu_console=', '=;;=;jiuzhu_console', 'jiuzhu_console=%00');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/console/api/me?staff=', '/console/api/demo-roster?staff=', '/console/login?token=', '/console/events?staff=', '/console/files/', '/console/api/staff?x='), part, part, cookie, async (path, a, b, c) => {
        const url = consoleUrl + path + uriPart(a) + (path.endsWith('/') ? `/${uriPart(b)}` : '');
        const controller = new AbortController();
        const res = await fetch(url, { signal: controller.signal, headers: c ? { cookie: c } : {} });
        expect(res.status).toBeLessThan(500);
        if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
          controller.abort();
          return;
        }
        const text = await res.text();
        noPersonal(text);
        if (res.status >= 400 && (res.headers.get('content-type') ?? '').includes('json')) expectChineseRefusal((JSON.parse(text) as { error: unknown }).error);
      }),
      runs(20),
    );
  }, 60_000);
});
