import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot, webhookCallback } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import { groupChat, messageUpdate, postUpdate, privateChat, tgUser } from '../fakes/telegram-updates.js';

// Acting as Telegram towards a webhook: grammY's own http adapter must accept
// what postUpdate sends with the right secret and refuse it otherwise; the
// bot's answers go to the fake Bot API.

const TOKEN = '987654321:AAWebhookTokenForTests_abcdefghijk';
const SECRET = 'Webhook_Secret-42';
const ALICE = tgUser(2002, '李娜');
const GROUP = groupChat(-1009876543210, '民政局审核群');

describe('postUpdate against grammY webhookCallback(bot, "http", { secretToken })', () => {
  let fake: FakeTelegram;
  let server: http.Server;
  let url: string;
  const handled: string[] = [];

  beforeAll(async () => {
    fake = await startFakeTelegram({ token: TOKEN, botUsername: 'jiuzhu_hook_bot', chats: [GROUP] });
    const bot = new Bot(TOKEN, { client: { apiRoot: fake.url } });
    bot.command('help', async (ctx) => {
      handled.push(`command:${ctx.message!.text}`);
      await ctx.reply('可用命令：/help');
    });
    bot.on('callback_query:data', async (ctx) => {
      handled.push(`callback:${ctx.callbackQuery.data}`);
      await ctx.answerCallbackQuery();
    });
    server = http.createServer(webhookCallback(bot, 'http', { secretToken: SECRET }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await fake.close();
  });

  it('handles an update sent with the right secret (and the reply reaches the fake)', async () => {
    const update = fake.userMessage({ chat: GROUP, from: ALICE, text: '/help@jiuzhu_hook_bot' });
    const res = await postUpdate(url, update, { secretToken: SECRET });
    expect(res.status).toBe(200);
    expect(handled).toContain('command:/help@jiuzhu_hook_bot');
    expect(fake.messages(GROUP.id).map((m) => m.text)).toEqual(['/help@jiuzhu_hook_bot', '可用命令：/help']);
    expect(fake.calls('getMe')).toHaveLength(1); // the webhook initialised the bot through the fake
  });

  it('refuses a wrong or missing secret with 401 before the bot sees it', async () => {
    const before = handled.length;
    const update = messageUpdate({ updateId: 1, messageId: 50, chat: privateChat(ALICE), from: ALICE, text: '/help' });
    const wrong = await postUpdate(url, update, { secretToken: 'not-the-secret' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toBe('secret token is wrong');
    const missing = await postUpdate(url, update);
    expect(missing.status).toBe(401);
    expect(handled.length).toBe(before);
  });

  it('delivers a callback query; the bot answers it through the fake', async () => {
    const sent = await fetch(`${fake.url}/bot${TOKEN}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: GROUP.id, text: '待审批', reply_markup: { inline_keyboard: [[{ text: '通过', callback_data: 'ok:1' }]] } }),
    });
    const message = ((await sent.json()) as { result: { message_id: number } }).result;
    const press = fake.callbackQuery({ from: ALICE, chatId: GROUP.id, messageId: message.message_id, data: 'ok:1' });
    expect((await postUpdate(url, press, { secretToken: SECRET })).status).toBe(200);
    expect(handled).toContain('callback:ok:1');
    expect(fake.callbackAnswers.map((a) => a.callback_query_id)).toEqual([press.callback_query!.id]);
  });
});
