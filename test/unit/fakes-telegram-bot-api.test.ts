import { run } from '@grammyjs/runner';
import { Bot, GrammyError, InlineKeyboard } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import { groupChat, privateChat, tgUser } from '../fakes/telegram-updates.js';

// The fake is checked with the real grammY Bot pointed at it through apiRoot.

const TOKEN = '123456789:AAFakeTokenForTests_abcdefghijklmno';
const ALICE = tgUser(1001, '王芳', { username: 'wangfang_1' });
const ALICE_CHAT = privateChat(ALICE);
const GROUP = groupChat(-1001234567890, '城关镇低保核查组');

const newBot = (fake: FakeTelegram, token = TOKEN) => new Bot(token, { client: { apiRoot: fake.url } });

async function grammyError(p: Promise<unknown>): Promise<GrammyError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GrammyError) return err;
    throw err;
  }
  throw new Error('expected a GrammyError');
}

describe('fake Telegram Bot API with the real grammY Bot', () => {
  let fake: FakeTelegram;
  beforeEach(async () => {
    fake = await startFakeTelegram({ token: TOKEN, botUsername: 'jiuzhu_test_bot', chats: [ALICE_CHAT, GROUP] });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('answers getMe with the bot, and 401 Unauthorized for a wrong token', async () => {
    const bot = newBot(fake);
    await bot.init();
    expect(bot.botInfo).toMatchObject({ id: 123456789, is_bot: true, username: 'jiuzhu_test_bot' });
    const wrong = newBot(fake, '123456789:AAwrong');
    const err = await grammyError(wrong.api.getMe());
    expect(err.error_code).toBe(401);
    expect(err.description).toBe('Unauthorized');
  });

  it('sends a message with an inline keyboard; message_id counts per chat', async () => {
    const bot = newBot(fake);
    const kb = new InlineKeyboard().text('通过', 'approve:C-1').text('退回', 'reject:C-1');
    const m1 = await bot.api.sendMessage(GROUP.id, '案件 C-1 待审批', { reply_markup: kb });
    const m2 = await bot.api.sendMessage(GROUP.id, '案件 C-2 待审批');
    const p1 = await bot.api.sendMessage(ALICE_CHAT.id, '你好');
    expect([m1.message_id, m2.message_id, p1.message_id]).toEqual([1, 2, 1]);
    expect(m1).toMatchObject({ chat: GROUP, from: { id: 123456789, is_bot: true }, text: '案件 C-1 待审批', reply_markup: { inline_keyboard: kb.inline_keyboard } });
    expect(typeof m1.date).toBe('number');
    expect(fake.messages(GROUP.id).map((m) => m.message_id)).toEqual([1, 2]);
    expect(fake.calls('sendMessage')[0]!.params).toMatchObject({ chat_id: GROUP.id, reply_markup: { inline_keyboard: kb.inline_keyboard } });
  });

  it('refuses unknown chats, empty and over-long text', async () => {
    const bot = newBot(fake);
    expect((await grammyError(bot.api.sendMessage(42, 'x'))).description).toBe('Bad Request: chat not found');
    expect((await grammyError(bot.api.sendMessage(GROUP.id, '  '))).description).toBe('Bad Request: message text is empty');
    expect((await grammyError(bot.api.sendMessage(GROUP.id, '字'.repeat(4097)))).description).toBe('Bad Request: message is too long');
    await bot.api.sendMessage(GROUP.id, '字'.repeat(4096));
  });

  it('checks callback_data in UTF-8 bytes: 64 ok, 65 → BUTTON_DATA_INVALID', async () => {
    const bot = newBot(fake);
    const ok64 = `${'核'.repeat(21)}x`; // 63 + 1 bytes
    const bad65 = `${'核'.repeat(21)}xy`; // 65 bytes, only 23 characters
    expect(Buffer.byteLength(ok64)).toBe(64);
    expect(Buffer.byteLength(bad65)).toBe(65);
    await bot.api.sendMessage(GROUP.id, 'ok', { reply_markup: new InlineKeyboard().text('a', ok64) });
    const err = await grammyError(bot.api.sendMessage(GROUP.id, 'bad', { reply_markup: new InlineKeyboard().text('a', bad65) }));
    expect(err.error_code).toBe(400);
    expect(err.description).toBe('Bad Request: BUTTON_DATA_INVALID');
    const textOnly = await grammyError(bot.api.sendMessage(GROUP.id, 'bad', { reply_markup: { inline_keyboard: [[{ text: 'x' } as never]] } }));
    expect(textOnly.description).toMatch(/Text buttons are unallowed/);
  });

  it('validates parse_mode and turns markup into entities', async () => {
    const bot = newBot(fake);
    const md = await grammyError(bot.api.sendMessage(GROUP.id, '截止 11.30 前完成', { parse_mode: 'MarkdownV2' }));
    expect(md.description).toBe("Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'");
    const okMd = await bot.api.sendMessage(GROUP.id, '*张三* 截止 11\\.30', { parse_mode: 'MarkdownV2' });
    expect(okMd.text).toBe('张三 截止 11.30');
    expect(okMd.entities).toEqual([{ type: 'bold', offset: 0, length: 2 }]);

    const br = await grammyError(bot.api.sendMessage(GROUP.id, '第一行<br>第二行', { parse_mode: 'HTML' }));
    expect(br.description).toBe('Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 9');
    const html = await bot.api.sendMessage(GROUP.id, '<b>低保</b> &amp; <a href="https://example.org">特困</a>', { parse_mode: 'HTML' });
    expect(html.text).toBe('低保 & 特困');
    expect(html.entities).toEqual([
      { type: 'bold', offset: 0, length: 2 },
      { type: 'text_link', offset: 5, length: 2, url: 'https://example.org' },
    ]);
    const unclosed = await grammyError(bot.api.sendMessage(GROUP.id, '<b>x', { parse_mode: 'HTML' }));
    expect(unclosed.description).toBe('Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"');
    const mode = await grammyError(bot.api.sendMessage(GROUP.id, 'x', { parse_mode: 'Markdown3' as never }));
    expect(mode.description).toBe('Bad Request: unsupported parse_mode');
  });

  it('edits text: identical content is "not modified"; omitting reply_markup drops the keyboard', async () => {
    const bot = newBot(fake);
    const kb = new InlineKeyboard().text('通过', 'approve:C-1');
    const m = await bot.api.sendMessage(GROUP.id, '待审批', { reply_markup: kb });
    const same = await grammyError(bot.api.editMessageText(GROUP.id, m.message_id, '待审批', { reply_markup: kb }));
    expect(same.description).toMatch(/^Bad Request: message is not modified: /);
    const edited = await bot.api.editMessageText(GROUP.id, m.message_id, '已通过');
    expect(edited).toMatchObject({ message_id: m.message_id, text: '已通过' });
    expect((edited as { edit_date?: number }).edit_date).toBeTypeOf('number');
    expect(fake.message(GROUP.id, m.message_id)).not.toHaveProperty('reply_markup');
    expect((await grammyError(bot.api.editMessageText(GROUP.id, 999, 'x'))).description).toBe('Bad Request: message to edit not found');

    const fromUser = fake.userMessage({ chat: GROUP, from: ALICE, text: '我的消息' });
    expect((await grammyError(bot.api.editMessageText(GROUP.id, fromUser.message!.message_id, 'x'))).description).toBe("Bad Request: message can't be edited");
  });

  it('edits only the reply markup', async () => {
    const bot = newBot(fake);
    const m = await bot.api.sendMessage(GROUP.id, '待审批', { reply_markup: new InlineKeyboard().text('通过', 'a') });
    const next = new InlineKeyboard().text('撤销', 'undo');
    await bot.api.editMessageReplyMarkup(GROUP.id, m.message_id, { reply_markup: next });
    expect(fake.message(GROUP.id, m.message_id)!.reply_markup).toEqual({ inline_keyboard: next.inline_keyboard });
    const again = await grammyError(bot.api.editMessageReplyMarkup(GROUP.id, m.message_id, { reply_markup: next }));
    expect(again.description).toMatch(/message is not modified/);
  });

  it('answers a callback query once; twice, unknown or too old is rejected', async () => {
    const bot = newBot(fake);
    const m = await bot.api.sendMessage(GROUP.id, '待审批', { reply_markup: new InlineKeyboard().text('通过', 'approve:C-1') });
    const press = fake.callbackQuery({ from: ALICE, chatId: GROUP.id, messageId: m.message_id, data: 'approve:C-1' });
    const id = press.callback_query!.id;
    expect(press.callback_query).toMatchObject({ data: 'approve:C-1', from: ALICE, message: { message_id: m.message_id } });
    expect(await bot.api.answerCallbackQuery(id, { text: '已记录' })).toBe(true);
    const twice = await grammyError(bot.api.answerCallbackQuery(id));
    expect(twice.description).toBe('Bad Request: query is too old and response timeout expired or query ID is invalid');
    expect((await grammyError(bot.api.answerCallbackQuery('123'))).error_code).toBe(400);

    const late = fake.callbackQuery({ from: ALICE, chatId: GROUP.id, messageId: m.message_id, data: 'approve:C-1' });
    fake.advanceTime(11_000);
    await grammyError(bot.api.answerCallbackQuery(late.callback_query!.id));
    expect(fake.callbackAnswers).toEqual([expect.objectContaining({ callback_query_id: id, text: '已记录' })]);
  });

  it('validates setWebhook, reports it in getWebhookInfo, and blocks getUpdates while set', async () => {
    const bot = newBot(fake);
    const http = await grammyError(bot.api.setWebhook('http://example.org/tg'));
    expect(http.description).toBe('Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
    expect((await grammyError(bot.api.setWebhook('https://example.org:3000/tg'))).description).toMatch(/ports 80, 88, 443 or 8443/);
    expect((await grammyError(bot.api.setWebhook('https://example.org/tg', { secret_token: 'bad:secret' }))).description).toBe(
      'Bad Request: secret token contains unallowed characters',
    );
    await grammyError(bot.api.setWebhook('https://example.org/tg', { secret_token: 'a'.repeat(257) }));

    expect(await bot.api.setWebhook('https://example.org:8443/tg', { secret_token: 'Sec_ret-123', allowed_updates: ['message', 'callback_query'] })).toBe(true);
    expect(fake.webhook()).toMatchObject({ url: 'https://example.org:8443/tg', secret_token: 'Sec_ret-123' });
    const info = await bot.api.getWebhookInfo();
    expect(info).toMatchObject({ url: 'https://example.org:8443/tg', has_custom_certificate: false, pending_update_count: 0, allowed_updates: ['message', 'callback_query'] });
    expect((info as unknown as Record<string, unknown>).secret_token).toBeUndefined(); // never echoed back
    const conflict = await grammyError(bot.api.getUpdates());
    expect(conflict.error_code).toBe(409);
    expect(await bot.api.deleteWebhook()).toBe(true);
    expect(fake.webhook()).toBeUndefined();
    expect(await bot.api.getUpdates()).toEqual([]);
  });

  it('getUpdates: offset confirms, limit caps, timeout waits for an enqueued update', async () => {
    const bot = newBot(fake);
    const u1 = fake.enqueueUpdate(fake.userMessage({ chat: ALICE_CHAT, from: ALICE, text: '/start' }));
    const u2 = fake.enqueueUpdate(fake.userMessage({ chat: ALICE_CHAT, from: ALICE, text: '查询' }));
    expect(u2.update_id).toBe(u1.update_id + 1);
    expect(u1.message!.entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);
    expect((await bot.api.getUpdates({ limit: 1 })).map((u) => u.update_id)).toEqual([u1.update_id]);
    expect((await bot.api.getUpdates()).map((u) => u.update_id)).toEqual([u1.update_id, u2.update_id]); // not confirmed yet
    expect((await bot.api.getUpdates({ offset: u2.update_id })).map((u) => u.update_id)).toEqual([u2.update_id]);
    expect(await bot.api.getUpdates({ offset: u2.update_id + 1 })).toEqual([]);
    expect(fake.pendingUpdates()).toEqual([]);

    const started = Date.now();
    const waiting = bot.api.getUpdates({ offset: u2.update_id + 1, timeout: 20 });
    setTimeout(() => fake.enqueueUpdate(fake.userMessage({ chat: ALICE_CHAT, from: ALICE, text: '晚到的' })), 100);
    const got = await waiting;
    expect(got.map((u) => u.message?.text)).toEqual(['晚到的']);
    // Woken by the arrival, not by the 20 s poll timeout.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('a second getUpdates ends the pending one with 409 Conflict', async () => {
    const bot = newBot(fake);
    const first = bot.api.getUpdates({ timeout: 5 });
    await new Promise((r) => setTimeout(r, 50));
    const second = bot.api.getUpdates({ timeout: 0 });
    expect((await grammyError(first)).error_code).toBe(409);
    expect(await second).toEqual([]);
  });

  it('long polling with bot.start(): an enqueued update reaches the handler, stop() ends cleanly', async () => {
    const bot = newBot(fake);
    const seen: string[] = [];
    let done!: () => void;
    let fail!: (err: unknown) => void;
    const replied = new Promise<void>((resolve, reject) => ((done = resolve), (fail = reject)));
    bot.catch((err) => fail(err.error));
    bot.command('start', async (ctx) => {
      seen.push(ctx.message!.text);
      await ctx.reply('欢迎使用');
      done();
    });
    const running = bot.start({ timeout: 10 });
    fake.enqueueUpdate(fake.userMessage({ chat: ALICE_CHAT, from: ALICE, text: '/start' }));
    await replied;
    await bot.stop();
    await running;
    expect(seen).toEqual(['/start']);
    expect(fake.messages(ALICE_CHAT.id).map((m) => m.text)).toEqual(['/start', '欢迎使用']);
    expect(fake.calls('deleteWebhook')).toHaveLength(1);
    expect(fake.pendingUpdates()).toEqual([]); // stop() confirmed the offset
  });

  it('long polling with @grammyjs/runner receives a callback query and stops cleanly', async () => {
    const bot = newBot(fake);
    const m = await bot.api.sendMessage(GROUP.id, '待审批', { reply_markup: new InlineKeyboard().text('通过', 'approve:C-9') });
    const answered = new Promise<string>((resolve) => {
      bot.callbackQuery(/^approve:(.+)$/, async (ctx) => {
        await ctx.answerCallbackQuery({ text: '已通过' });
        await ctx.editMessageText(`已通过 ${ctx.match[1]}`);
        resolve(ctx.match[1]!);
      });
    });
    const handle = run(bot, { runner: { fetch: { timeout: 10 } } });
    fake.enqueueUpdate(fake.callbackQuery({ from: ALICE, chatId: GROUP.id, messageId: m.message_id, data: 'approve:C-9' }));
    expect(await answered).toBe('C-9');
    await handle.stop();
    expect(handle.isRunning()).toBe(false);
    expect(fake.message(GROUP.id, m.message_id)).toMatchObject({ text: '已通过 C-9' });
    expect(fake.callbackAnswers).toHaveLength(1);
  });

  it('rate-limits a chat after a burst with 429 and retry_after; can be turned off', async () => {
    // A frozen base clock: only advanceTime refills the bucket, however slow the machine.
    await fake.close();
    const t0 = Date.now();
    fake = await startFakeTelegram({ token: TOKEN, botUsername: 'jiuzhu_test_bot', chats: [ALICE_CHAT], now: () => t0 });
    const bot = newBot(fake);
    for (let i = 0; i < 3; i++) await bot.api.sendMessage(ALICE_CHAT.id, `第${i}条`);
    const err = await grammyError(bot.api.sendMessage(ALICE_CHAT.id, '第4条'));
    expect(err.error_code).toBe(429);
    expect(err.description).toBe('Too Many Requests: retry after 1');
    expect(err.parameters.retry_after).toBe(1);
    fake.advanceTime(1000);
    await bot.api.sendMessage(ALICE_CHAT.id, '第5条');

    await fake.close();
    fake = await startFakeTelegram({ token: TOKEN, botUsername: 'jiuzhu_test_bot', chats: [ALICE_CHAT], rateLimit: false });
    const free = newBot(fake);
    for (let i = 0; i < 10; i++) await free.api.sendMessage(ALICE_CHAT.id, `第${i}条`);
  });

  it('injects failures: 500s, then success', async () => {
    const bot = newBot(fake);
    fake.failNext(2, { match: /sendMessage$/ });
    expect((await grammyError(bot.api.sendMessage(GROUP.id, 'x'))).error_code).toBe(500);
    expect((await grammyError(bot.api.sendMessage(GROUP.id, 'x'))).error_code).toBe(500);
    await bot.api.sendMessage(GROUP.id, 'x');
    expect(fake.messages(GROUP.id)).toHaveLength(1);
    fake.failNext(1, { status: 429, match: /sendMessage$/ });
    expect((await grammyError(bot.api.sendMessage(GROUP.id, 'y'))).parameters.retry_after).toBe(1);
  });

  it('accepts form-urlencoded and query parameters; methods are case-insensitive; unknown methods 404', async () => {
    const form = await fetch(`${fake.url}/bot${TOKEN}/SENDMESSAGE`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ chat_id: String(GROUP.id), text: '表单', reply_markup: JSON.stringify({ inline_keyboard: [[{ text: 'a', callback_data: 'b' }]] }) }),
    });
    expect(await form.json()).toMatchObject({ ok: true, result: { text: '表单', chat: { id: GROUP.id }, reply_markup: { inline_keyboard: [[{ text: 'a', callback_data: 'b' }]] } } });
    const query = await fetch(`${fake.url}/bot${TOKEN}/sendMessage?chat_id=${GROUP.id}&text=${encodeURIComponent('查询串')}`);
    expect(await query.json()).toMatchObject({ ok: true, result: { text: '查询串' } });
    const unknown = await fetch(`${fake.url}/bot${TOKEN}/sendRocket`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
  });
});
