/**
 * The Telegram front end: our fastify webhook receives what the Telegram
 * helpers post, grammY talks to the Bot API fake on loopback.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { BOT_TEXTS as T, createBotCore } from '../../bot/core/index.js';
import { idNumbersPrivateOnly } from '../../bot/core/forms/engine.js';
import { createTelegramBot, decodeCallbackData, encodeCallbackData, registerTelegramWebhook, startTelegramPolling, type TelegramBot } from '../../bot/telegram/index.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import { groupChat, postUpdate, privateChat, tgUser } from '../fakes/telegram-updates.js';
import { createStaff, createTestCounty, freshIdNumber, listen, RecordingCaseStarter, uniqNum } from './support.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
// A bot id of its own per run: update ids restart at 1 in every fake, and event ids are botId:update_id.
const TOKEN = `${uniqNum()}:AABotIdentityTests_abcdefghijklmnop`;
const SECRET = 'Bot_Secret-7';
const GROUP = groupChat(-1000000000000 - uniqNum(), '文水县民政核查群');

let fake: FakeTelegram;
let app: FastifyInstance;
let tg: TelegramBot;
let url: string;
const starter = new RecordingCaseStarter();

beforeAll(async () => {
  fake = await startFakeTelegram({ token: TOKEN, botUsername: 'jiuzhu_test_bot', chats: [GROUP], rateLimit: false });
  const core = createBotCore({ prisma, caseStarter: starter });
  tg = createTelegramBot({ token: TOKEN, core, prisma, apiRoot: fake.url, botInfo: fake.bot });
  app = Fastify();
  const hook = registerTelegramWebhook(app, { bot: tg, secretToken: SECRET, inlineBudgetMs: 30_000, onError: () => {} });
  url = (await listen(app)) + hook.path;
});
afterAll(async () => {
  await app.close();
  await fake.close();
  await prisma.$disconnect();
});

const texts = (chatId: number) => fake.messages(chatId).filter((m) => m.from?.is_bot).map((m) => ('text' in m ? m.text : ''));

describe('Telegram webhook', () => {
  it('refuses a wrong or missing secret with 401 and a malformed body with 400, and keeps serving', async () => {
    const user = tgUser(uniqNum(), '周');
    const update = fake.userMessage({ chat: privateChat(user), from: user, text: '/help' });
    expect((await postUpdate(url, update, { secretToken: 'wrong' })).status).toBe(401);
    expect((await postUpdate(url, update)).status).toBe(401);
    expect((await postUpdate(url, update, { secretToken: SECRET, rawBody: '{"update_id": 1, "message": ' })).status).toBe(400);
    expect((await postUpdate(url, update, { secretToken: SECRET, rawBody: '[]' })).status).toBe(400);
    expect(texts(user.id)).toEqual([]);
    const ok = await postUpdate(url, update, { secretToken: SECRET, timeoutMs: 30_000 });
    expect(ok.status).toBe(200);
    await tg.inbox.settle();
    expect(texts(user.id)).toEqual([T.unbound]);
  });

  it('holds the inbox processing back while it answers, and lets go before it waits for the reply', async () => {
    let inFlight = 0;
    const seen: Array<{ at: 'record' | 'settle'; inFlight: number }> = [];
    const answering = tg.inbox.answering.bind(tg.inbox);
    const record = tg.inbox.record.bind(tg.inbox);
    const settle = tg.inbox.settle.bind(tg.inbox);
    const spies = [
      vi.spyOn(tg.inbox, 'answering').mockImplementation(() => {
        const release = answering();
        inFlight++;
        let done = false;
        return () => {
          if (!done) inFlight--;
          done = true;
          release();
        };
      }),
      vi.spyOn(tg.inbox, 'record').mockImplementation((e) => (seen.push({ at: 'record', inFlight }), record(e))),
      vi.spyOn(tg.inbox, 'settle').mockImplementation((ms) => (seen.push({ at: 'settle', inFlight }), settle(ms))),
    ];
    try {
      const user = tgUser(uniqNum(), '郑');
      const ok = await postUpdate(url, fake.userMessage({ chat: privateChat(user), from: user, text: '/help' }), { secretToken: SECRET, timeoutMs: 30_000 });
      expect(ok.status).toBe(200);
      expect(texts(user.id)).toEqual([T.unbound]); // answered within the inline budget
      expect(seen).toEqual([{ at: 'record', inFlight: 1 }, { at: 'settle', inFlight: 0 }]);
      expect(inFlight).toBe(0);
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });

  it('keeps callback data within 64 bytes', () => {
    const data = encodeCallbackData({ action: 'confirm', caseRef: 'death' });
    expect(data).toBe('a:confirm:death');
    expect(decodeCallbackData(data)).toEqual({ action: 'confirm', caseRef: 'death' });
    expect(() => encodeCallbackData({ action: 'approve', caseRef: 'x'.repeat(70) })).toThrow(/64 bytes/);
  });
});

describe('death report form (private chat only: it asks for ID numbers)', () => {
  it('reaches CaseStarter exactly once when the confirming press is delivered twice', async () => {
    const county = await createTestCounty(prisma);
    const staff = await createStaff(prisma, county);
    const user = tgUser(uniqNum(), '王');
    await prisma.staffBinding.create({ data: { staffId: staff.id, platform: 'telegram', externalId: String(user.id) } });
    const id = freshIdNumber();
    // In the group it is refused (the ID number would stay in the group's history), and nothing is asked.
    expect((await postUpdate(url, fake.userMessage({ chat: GROUP, from: user, text: '/report_death@jiuzhu_test_bot' }), { secretToken: SECRET })).status).toBe(200);
    expect(texts(GROUP.id).at(-1)).toBe(idNumbersPrivateOnly('报告死亡'));
    const chat = privateChat(user);
    const send = (text: string) => postUpdate(url, fake.userMessage({ chat, from: user, text }), { secretToken: SECRET });
    for (const text of ['/report_death@jiuzhu_test_bot', '李四', '11010519491231002Y', id, '2026/10/3', '殡葬']) {
      expect((await send(text)).status).toBe(200);
    }
    const bot = texts(user.id);
    expect(bot[2]).toMatch(/^身份证号有误：/);
    const card = fake.messages(user.id).at(-1)!;
    expect('text' in card && card.text).toContain('请确认');
    // Nothing of it in the group.
    expect(JSON.stringify(fake.messages(GROUP.id))).not.toContain(id);
    const keyboard = card.reply_markup!.inline_keyboard.flat();
    const confirm = keyboard.find((b) => b.text === '确认提交')! as { callback_data: string };
    expect(Buffer.byteLength(confirm.callback_data)).toBeLessThanOrEqual(64);

    const press = fake.callbackQuery({ from: user, chatId: user.id, messageId: card.message_id, data: confirm.callback_data });
    const before = starter.deaths.length;
    expect((await postUpdate(url, press, { secretToken: SECRET })).status).toBe(200);
    expect((await postUpdate(url, press, { secretToken: SECRET })).status).toBe(200);
    expect(starter.deaths.slice(before)).toEqual([
      { reporterStaffId: staff.id, name: '李四', idNumber: id, deathDate: '2026-10-03', source: '殡葬', eventId: `telegram:cb:${press.callback_query!.id}` },
    ]);
    const edited = fake.message(user.id, card.message_id)!;
    expect('text' in edited && edited.text).toContain('已受理');
    // Answer first, then the work, then the edit.
    const methods = fake.requests.map((r) => r.apiMethod?.toLowerCase()).filter((m) => m === 'answercallbackquery' || m === 'editmessagetext');
    // (The redelivered press is answered again, best effort, and changes nothing.)
    expect(methods.slice(0, 2)).toEqual(['answercallbackquery', 'editmessagetext']);
    expect(methods.filter((m) => m === 'editmessagetext')).toHaveLength(1);
  });
});

describe('Telegram long polling', () => {
  it('serves the same bot through @grammyjs/runner', async () => {
    const token = `${uniqNum()}:AAPollingTests_abcdefghijklmnopqrs`;
    const polling = await startFakeTelegram({ token, botUsername: 'jiuzhu_poll_bot', rateLimit: false, maxLongPollSeconds: 1 });
    try {
      const core = createBotCore({ prisma, caseStarter: starter });
      const { bot } = createTelegramBot({ token, core, prisma, apiRoot: polling.url, botInfo: polling.bot });
      const handle = startTelegramPolling(bot);
      const user = tgUser(uniqNum(), '孙');
      polling.enqueueUpdate(polling.userMessage({ chat: privateChat(user), from: user, text: '/帮助' }));
      await vi.waitFor(() => expect(polling.messages(user.id).filter((m) => m.from?.is_bot)).toHaveLength(1), { timeout: 10_000 });
      await handle.stop();
    } finally {
      await polling.close();
    }
  });
});
