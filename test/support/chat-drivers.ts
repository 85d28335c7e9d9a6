// Drives the chat fronts over loopback as Feishu and Telegram users would: the
// same steps on both platforms (say, press a button, read what the bot sent),
// with the fronts wired exactly as `jiuzhu start` wires them.
import crypto from 'node:crypto';

import Fastify, { type FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import type { Chat, Message, User } from 'grammy/types';

import { startBotFronts, type BotFronts } from '../../app/bot/fronts.js';
import { createConsoleStore } from '../../bot/console/index.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import type { WorkCalendar } from '../../domain/time/work-calendar.js';
import type { PrismaClient } from '../../prisma/generated/client.js';
import { cardActionEvent, messageReceiveEvent, postToWebhook } from '../fakes/feishu-events.js';
import { formSubmission, startFakeFeishu, type FakeFeishu } from '../fakes/feishu-open-api.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import { groupChat, postUpdate, privateChat, tgUser } from '../fakes/telegram-updates.js';
import { listen, uniq, uniqNum } from '../bot/support.js';

export const FEISHU_APP = { appId: 'cli_e2e_app', appSecret: 'e2e-app-secret', verificationToken: 'e2e-vt', encryptKey: 'e2e-encrypt-key' };
export const TG_SECRET = 'e2e_webhook_secret';

/** One person on one platform, as a test drives them. */
export interface ChatUser {
  label: string;
}

/** What a test needs of a platform: say something, press a button, read what the bot sent. */
export interface Driver {
  platform: 'feishu' | 'telegram';
  user(label: string): Promise<ChatUser>;
  /** The account id the platform gives this user (for bindings). */
  externalId(u: ChatUser): string;
  group(): string;
  /** Sends text; returns the webhook's HTTP status. `eventId` lets a test replay a delivery. */
  say(u: ChatUser, chat: 'private' | string, text: string, eventId?: string): Promise<number>;
  /** Presses the button with this label on the newest bot message in the chat that has it. */
  press(u: ChatUser, chat: 'private' | string, label: string, replay?: boolean): Promise<number>;
  /** Texts (title + body + fields) of the bot's messages in a chat, oldest first. */
  botTexts(u: ChatUser, chat: 'private' | string): string[];
  /** A request the platform would never send (bad signature / secret). */
  forge(u: ChatUser, chat: string, text: string): Promise<number>;
  /** Waits for work done after the response (card actions). */
  settle(): Promise<void>;
  /**
   * Fills the form of the newest card (whose text contains `card`, if given) and
   * submits it as the platform does (Feishu: one card.action.trigger with form_value).
   * 0 when the client itself stops it (a required input left empty). `replay` resends the last submission.
   */
  submit(u: ChatUser, chat: 'private' | string, values: Record<string, string>, opts?: { card?: string; replay?: boolean }): Promise<number>;
}

export interface ChatFrontsUnderTest {
  fronts: BotFronts;
  driver: Driver;
  /** Where the fronts listen (the web console is at /console). */
  baseUrl: string;
  close(): Promise<void>;
}

/** Starts the platform's fake and the fronts (webhook mode) on a fastify app, as `jiuzhu start` does. */
export async function startChatFrontsUnderTest(
  platform: 'feishu' | 'telegram',
  opts: { prisma: PrismaClient; client: Client; taskQueue: string; policy: CountyPolicy; calendar?: WorkCalendar; now?: () => Date; demo?: boolean },
): Promise<ChatFrontsUnderTest> {
  const app: FastifyInstance = Fastify();
  const feishu = platform === 'feishu' ? await startFakeFeishu({ apps: [{ appId: FEISHU_APP.appId, appSecret: FEISHU_APP.appSecret }] }) : undefined;
  const telegram = platform === 'telegram' ? await startFakeTelegram({ token: `${uniqNum()}:AAe2eTestToken_abcdefghijklmnopqrs`, botUsername: 'jiuzhu_e2e_bot', rateLimit: false }) : undefined;
  const fronts = await startBotFronts({
    app,
    prisma: opts.prisma,
    client: opts.client,
    taskQueue: opts.taskQueue,
    policy: opts.policy,
    ...(opts.calendar ? { calendar: opts.calendar } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    ...(feishu ? { feishu: { ...FEISHU_APP, mode: 'webhook' as const, domain: feishu.url } } : {}),
    ...(telegram ? { telegram: { token: telegram.token, mode: 'webhook' as const, webhookSecret: TG_SECRET, webhookUrl: undefined, apiRoot: telegram.url } } : {}),
    deliveryIntervalMs: 3_600_000,
    log: () => {},
    ...(opts.demo ? { demo: true } : {}),
  });
  const baseUrl = await listen(app);
  const driver = feishu ? feishuDriver(feishu, `${baseUrl}/webhooks/feishu`, fronts) : telegramDriver(telegram!, `${baseUrl}/webhooks/telegram`, fronts);
  return {
    fronts,
    driver,
    baseUrl,
    async close() {
      await fronts.stop();
      await app.close();
      await feishu?.close();
      await telegram?.close();
    },
  };
}

function cardTexts(content: string): string {
  const c = JSON.parse(content) as { text?: string; header?: { title?: { content: string } }; body?: { elements: Array<{ tag: string; text?: { content: string } }> } };
  if (typeof c.text === 'string') return c.text;
  return [c.header?.title?.content, ...(c.body?.elements ?? []).filter((e) => e.tag !== 'button' && e.tag !== 'form').map((e) => e.text?.content)].filter(Boolean).join('\n');
}

function feishuDriver(fake: FakeFeishu, url: string, fronts: BotFronts): Driver {
  const users = new Map<ChatUser, string>();
  const groupId = uniq('oc_group');
  const lastPress = new Map<string, unknown>();
  const post = (payload: unknown, opts = {}) => postToWebhook(url, payload, { encryptKey: FEISHU_APP.encryptKey, ...opts }).then((r) => r.status);
  const chatOf = (u: ChatUser, chat: string) => (chat === 'private' ? fake.p2pChatId(FEISHU_APP.appId, 'open_id', users.get(u)!) : chat);
  return {
    platform: 'feishu',
    async user(label) {
      const u = { label };
      users.set(u, uniq('ou_'));
      return u;
    },
    externalId: (u) => users.get(u)!,
    group: () => groupId,
    // The webhook answers at once and the inbox works after: each step waits for the work and its replies.
    say: async (u, chat, text, eventId) => {
      const status = await post(messageReceiveEvent(FEISHU_APP, { chatId: chatOf(u, chat), chatType: chat === 'private' ? 'p2p' : 'group', senderOpenId: users.get(u)!, text, ...(eventId ? { eventId } : {}) }));
      await fronts.idle();
      return status;
    },
    async press(u, chat, label, replay) {
      const chatId = chatOf(u, chat);
      const key = `${chatId}|${label}`;
      if (replay) {
        const status = await post(lastPress.get(key));
        await fronts.idle();
        return status;
      }
      const msg = [...fake.messagesIn(chatId)].reverse().find((m) => m.content.includes(`"content":"${label}"`));
      if (!msg) throw new Error(`no card with a "${label}" button in ${chatId}`);
      const card = JSON.parse(msg.content) as { body: { elements: Array<{ tag: string; text: { content: string }; behaviors?: Array<{ value: Record<string, unknown> }> }> } };
      const button = card.body.elements.find((e) => e.tag === 'button' && e.text.content === label)!;
      const event = cardActionEvent(FEISHU_APP, { operatorOpenId: users.get(u)!, openMessageId: msg.message_id, openChatId: chatId, value: button.behaviors![0]!.value, token: fake.issueCardToken(msg.message_id) });
      lastPress.set(key, event);
      const status = await post(event);
      await fronts.idle();
      return status;
    },
    botTexts: (u, chat) => fake.messagesIn(chatOf(u, chat)).filter((m) => m.sender.sender_type === 'app').map((m) => cardTexts(m.content)),
    forge: (u, chat, text) => post(messageReceiveEvent(FEISHU_APP, { chatId: chat, chatType: 'group', senderOpenId: users.get(u)!, text }), { tamper: 'signature' }),
    settle: () => fronts.idle(),
    async submit(u, chat, values, opts = {}) {
      const chatId = chatOf(u, chat);
      const key = `${chatId}|form`;
      if (opts.replay) return post(lastPress.get(key));
      const msg = [...fake.messagesIn(chatId)].reverse().find((m) => m.content.includes('"tag":"form"') && (!opts.card || cardTexts(m.content).includes(opts.card)));
      if (!msg) throw new Error(`no card with a form${opts.card ? ` (${opts.card})` : ''} in ${chatId}`);
      const filled = formSubmission(JSON.parse(msg.content) as Record<string, unknown>, values);
      if (!filled) return 0;
      const event = cardActionEvent(FEISHU_APP, { operatorOpenId: users.get(u)!, openMessageId: msg.message_id, openChatId: chatId, name: filled.name, formValue: filled.formValue, token: fake.issueCardToken(msg.message_id) });
      lastPress.set(key, event);
      return post(event);
    },
  };
}

function telegramDriver(fake: FakeTelegram, url: string, fronts: { idle(): Promise<void> }): Driver {
  const users = new Map<ChatUser, User>();
  const group = groupChat(-Number(uniqNum()), '第1村工作群') as Chat;
  fake.addChat(group);
  const lastPress = new Map<string, Parameters<typeof postUpdate>[1]>();
  const chatOf = (u: ChatUser, chat: string): Chat => (chat === 'private' ? privateChat(users.get(u)!) : group);
  const text = (m: Message) => ('text' in m ? (m.text ?? '') : '');
  return {
    platform: 'telegram',
    async user(label) {
      const u = { label };
      users.set(u, tgUser(uniqNum(), label));
      return u;
    },
    externalId: (u) => String(users.get(u)!.id),
    group: () => String(group.id),
    // The webhook answers at once and the inbox works after: each step waits for the work and its replies.
    say: async (u, chat, t) => {
      const status = (await postUpdate(url, fake.userMessage({ chat: chatOf(u, chat), from: users.get(u)!, text: t }), { secretToken: TG_SECRET })).status;
      await fronts.idle();
      return status;
    },
    async press(u, chat, label, replay) {
      const c = chatOf(u, chat);
      const key = `${c.id}|${label}`;
      if (replay) return (await postUpdate(url, lastPress.get(key)!, { secretToken: TG_SECRET })).status;
      const msg = [...fake.messages(c.id)].reverse().find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => b.text === label));
      if (!msg) throw new Error(`no message with a "${label}" button in ${c.id}`);
      const button = msg.reply_markup!.inline_keyboard.flat().find((b) => b.text === label) as { callback_data: string };
      const update = fake.callbackQuery({ from: users.get(u)!, chatId: c.id, messageId: msg.message_id, data: button.callback_data });
      lastPress.set(key, update);
      const status = (await postUpdate(url, update, { secretToken: TG_SECRET })).status;
      await fronts.idle();
      return status;
    },
    botTexts: (u, chat) => fake.messages(chatOf(u, chat).id).filter((m) => m.from?.is_bot).map(text),
    forge: async (u, _chat, t) => (await postUpdate(url, fake.userMessage({ chat: group, from: users.get(u)!, text: t }), { secretToken: 'not-the-secret' })).status,
    settle: () => fronts.idle(),
    submit: async () => {
      throw new Error('Telegram has no card forms: steps are short private forms (say/press)');
    },
  };
}

/**
 * The web console as a staff member's browser drives it (demo mode: the person
 * is picked by staff id): type a line, press a card's button, submit a card's form.
 */
export function consoleDriver(baseUrl: string, prisma: PrismaClient, settle: () => Promise<void> = async () => {}) {
  const store = createConsoleStore(prisma);
  const chatOf = (staffId: number) => `private:${staffId}`;
  // The console records each request in the inbox and answers at once: wait for it to be processed.
  const post = async (path: string, body: Record<string, unknown>) => {
    const status = (await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;
    await settle();
    return status;
  };
  const last = new Map<number, Record<string, unknown>>();
  const history = (staffId: number) => store.history([chatOf(staffId)]);
  return {
    /** Opens the console once as this person (binds the console account). */
    open: async (staffId: number) => (await fetch(`${baseUrl}/console/api/me?staff=${staffId}`)).status,
    say: (staffId: number, text: string) => post('/console/say', { eventId: crypto.randomUUID(), chatId: chatOf(staffId), text, staffId }),
    async press(staffId: number, label: string) {
      const entry = [...(await history(staffId))].reverse().find((e) => e.message.buttons?.some((b) => b.label === label));
      if (!entry) throw new Error(`no console card with a "${label}" button`);
      return post('/console/press', { eventId: crypto.randomUUID(), chatId: chatOf(staffId), messageId: entry.id, button: entry.message.buttons!.find((b) => b.label === label)!.payload, staffId });
    },
    async submit(staffId: number, values: Record<string, string>, opts: { card?: string; replay?: boolean } = {}) {
      if (opts.replay) return post('/console/submit', last.get(staffId)!);
      const entry = [...(await history(staffId))].reverse().find((e) => e.message.form && (!opts.card || `${e.message.title ?? ''}${e.message.text}`.includes(opts.card)));
      if (!entry) throw new Error(`no console card with a form${opts.card ? ` (${opts.card})` : ''}`);
      const body = { eventId: crypto.randomUUID(), chatId: chatOf(staffId), messageId: entry.id, ref: entry.message.form!.ref, values, staffId };
      last.set(staffId, body);
      return post('/console/submit', body);
    },
    /** Texts (title, body, fields) of the bot's messages, oldest first. */
    async texts(staffId: number): Promise<string[]> {
      return (await history(staffId)).filter((e) => !e.from).map((e) => [e.message.title, e.message.text, ...(e.message.fields ?? []).map((f) => `${f.label}：${f.value}`)].filter(Boolean).join('\n'));
    },
  };
}

