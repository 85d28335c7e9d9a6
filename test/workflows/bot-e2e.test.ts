/**
 * End to end through the chat fronts, on both platforms, with the real
 * Temporal time-skipping server, the real database and the loopback fakes of
 * Feishu and Telegram: staff bind their accounts, a village cadre reports a
 * death in a group chat, the death-review case opens, the assignee's reminders
 * and the township head's escalation arrive in their private chats once each,
 * and forged, replayed and unbound requests change nothing.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chat, Message, User } from 'grammy/types';

import { startBotFronts, type BotFronts } from '../../app/bot/fronts.js';
import { verifyAuditChain } from '../../app/db/audit.js';
import { issueBindingCode } from '../../bot/core/index.js';
import { deathReviewWorkflowId } from '../../domain/cases/ids.js';
import { presets } from '../../domain/policy/load.js';
import { computeDeadline, escalationSchedule, reminderSchedule } from '../../domain/policy/compute.js';
import { cardActionEvent, messageReceiveEvent, postToWebhook } from '../fakes/feishu-events.js';
import { startFakeFeishu, type FakeFeishu } from '../fakes/feishu-open-api.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import { groupChat, postUpdate, privateChat, tgUser } from '../fakes/telegram-updates.js';
import { connectTimeSkipping, createTestWorker, uniqueTaskQueue, useTemporalTestContext } from '../support/temporal.js';
import { listen, uniq, uniqNum } from '../bot/support.js';
import { DAY, chinaDate, createDeathFixture, eventually, monthOf, type DeathFixture } from './fixtures/death-review.js';

const FEISHU_APP = { appId: 'cli_e2e_app', appSecret: 'e2e-app-secret', verificationToken: 'e2e-vt', encryptKey: 'e2e-encrypt-key' };
const TG_SECRET = 'e2e_webhook_secret';

/** One person on one platform, as a test drives them. */
interface ChatUser {
  label: string;
}

/** What a test needs of a platform: say something, press a button, read what the bot sent. */
interface Driver {
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
}

describe.each(['feishu', 'telegram'] as const)('chat bot end to end on %s (time-skipping server)', (platform) => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;
  let feishu: FakeFeishu | undefined;
  let telegram: FakeTelegram | undefined;
  let app: FastifyInstance;
  let fronts: BotFronts;
  let baseUrl: string;
  let driver: Driver;
  /** The bot's clock follows the workflow clock (set before each step). */
  let clockMs = Date.now();
  const taskQueue = uniqueTaskQueue(`bot-e2e-${platform}`);

  beforeAll(async () => {
    app = Fastify();
    if (platform === 'feishu') feishu = await startFakeFeishu({ apps: [{ appId: FEISHU_APP.appId, appSecret: FEISHU_APP.appSecret }] });
    else telegram = await startFakeTelegram({ token: `${uniqNum()}:AAe2eTestToken_abcdefghijklmnopqrs`, botUsername: 'jiuzhu_e2e_bot', rateLimit: false });
    fronts = await startBotFronts({
      app,
      prisma,
      client: ctx.env.client,
      taskQueue,
      policy: presets.zhangzi,
      now: () => new Date(clockMs),
      ...(feishu ? { feishu: { ...FEISHU_APP, mode: 'webhook' as const, domain: feishu.url } } : {}),
      ...(telegram ? { telegram: { token: telegram.token, mode: 'webhook' as const, webhookSecret: TG_SECRET, webhookUrl: undefined, apiRoot: telegram.url } } : {}),
      deliveryIntervalMs: 3_600_000,
      log: () => {},
    });
    baseUrl = await listen(app);
    driver = feishu ? feishuDriver(feishu, `${baseUrl}/webhooks/feishu`, fronts) : telegramDriver(telegram!, `${baseUrl}/webhooks/telegram`);
  });
  afterAll(async () => {
    await fronts?.stop();
    await app?.close();
    await feishu?.close();
    await telegram?.close();
  });

  it('binds, reports a death in a group, reminds the assignee and escalates to the township head once each', async () => {
    const envNow = await ctx.env.currentTimeMs();
    clockMs = envNow;
    const fx: DeathFixture = await createDeathFixture(prisma, [monthOf(chinaDate(envNow))]);
    const member = await prisma.member.findUniqueOrThrow({ where: { id: fx.memberId } });
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });

    await worker.runUntil(async () => {
      const villager = await driver.user('孙委员');
      const caseworker = await driver.user('李经办');
      const head = await driver.user('王乡长');
      const stranger = await driver.user('陌生人');
      const step = (label: string) => process.env.E2E_DEBUG && console.log(`[e2e ${platform}] ${label}`);
      for (const [u, staffId] of [[villager, fx.staff.villager], [caseworker, fx.staff.caseworker], [head, fx.staff.head]] as const) {
        const { code } = await issueBindingCode(prisma, staffId, new Date(clockMs));
        expect(await driver.say(u, 'private', `/绑定 ${code}`)).toBe(200);
        expect(driver.botTexts(u, 'private').at(-1)).toContain('绑定成功');
      }
      step('bound');
      const group = driver.group();

      // An unbound person is told how to bind and can start nothing.
      expect(await driver.say(stranger, group, '/报告死亡')).toBe(200);
      expect(driver.botTexts(stranger, group).at(-1)).toContain('尚未绑定');

      // The village cadre reports the death in the group, step by step.
      const deathDate = chinaDate(envNow - 5 * DAY);
      for (const text of ['/报告死亡', member.name, member.idNumber, deathDate, '村报']) {
        expect(await driver.say(villager, group, text)).toBe(200);
      }
      expect(JSON.stringify(driver.botTexts(villager, group))).not.toContain(member.idNumber);
      step('form filled');
      expect(await driver.press(villager, group, '确认提交')).toBe(200);
      step('pressed');
      // The same press delivered again decides nothing twice.
      expect(await driver.press(villager, group, '确认提交', true)).toBe(200);
      await driver.settle();
      const workflowId = deathReviewWorkflowId(fx.countyId, fx.memberId);
      const row = await eventually(() => prisma.case.findUnique({ where: { workflowId } }));
      step('case open');
      expect(row).toMatchObject({ kind: 'DEATH_REVIEW', status: 'OPEN', assigneeStaffId: fx.staff.caseworker });
      expect(await prisma.case.count({ where: { workflowId } })).toBe(1);
      expect(driver.botTexts(villager, group).join('\n')).toContain('已受理');

      // A forged request changes nothing.
      const notesBefore = await prisma.notification.count({ where: { caseId: row.id } });
      expect(await driver.forge(villager, group, '/报告死亡')).toBe(401);

      // Run the case past its deadline and the unit-head escalation.
      const deadline = computeDeadline(presets.zhangzi, 'death-review', deathDate);
      const reminders = reminderSchedule(presets.zhangzi, deadline.due).filter((r) => r.at.getTime() >= envNow);
      const steps = escalationSchedule(presets.zhangzi, deadline.expiresAt);
      const unitHeadAt = steps.find((s) => s.level === 'unitHead')!.at.getTime();
      await ctx.env.sleep(unitHeadAt + 3_600_000 - (await ctx.env.currentTimeMs()));
      clockMs = await ctx.env.currentTimeMs();
      const expectedToAssignee = reminders.length + 1; // the reminders, then the assignee-level escalation
      await eventually(async () => (await prisma.notification.count({ where: { caseId: row.id } })) >= notesBefore + expectedToAssignee + 1);

      step('escalated');
      const first = await fronts.delivery.kick();
      const second = await fronts.delivery.kick();
      expect(first.failed).toBe(0);
      expect(second).toEqual({ delivered: 0, failed: 0 });

      const toCaseworker = driver.botTexts(caseworker, 'private').filter((t) => t.includes(member.name) || t.includes('死亡核查'));
      const toHead = driver.botTexts(head, 'private').filter((t) => t.includes('逾期升级'));
      expect(toCaseworker.filter((t) => t.includes('催办提醒'))).toHaveLength(reminders.length);
      expect(toCaseworker.filter((t) => t.includes('逾期升级'))).toHaveLength(1);
      expect(toHead).toHaveLength(1);
      const [y, m, d] = deadline.due.split('-').map(Number);
      expect(toHead[0]).toContain(`${y}年${m}月${d}日`);
      // ID numbers never reach a chat unmasked.
      for (const t of [...toCaseworker, ...toHead]) expect(t).not.toContain(member.idNumber);
      // Nothing was sent twice: one notification row per dedupe key, each delivered once.
      const rows = await prisma.notification.findMany({ where: { caseId: row.id } });
      expect(rows.every((n) => n.deliveredAt !== null)).toBe(true);
      expect(new Set(rows.map((n) => n.dedupeKey)).size).toBe(rows.length);
      // Pending timers of a case left open would hold the shared test clock for the next file.
      await ctx.env.client.workflow.getHandle(workflowId).terminate('end of test');
    });
    expect((await verifyAuditChain(prisma)).ok).toBe(true);
  });
});

// ───────────────────────── drivers ─────────────────────────

function cardTexts(content: string): string {
  const c = JSON.parse(content) as { text?: string; header?: { title?: { content: string } }; body?: { elements: Array<{ tag: string; text?: { content: string } }> } };
  if (typeof c.text === 'string') return c.text;
  return [c.header?.title?.content, ...(c.body?.elements ?? []).filter((e) => e.tag !== 'button').map((e) => e.text?.content)].filter(Boolean).join('\n');
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
    say: (u, chat, text, eventId) =>
      post(messageReceiveEvent(FEISHU_APP, { chatId: chatOf(u, chat), chatType: chat === 'private' ? 'p2p' : 'group', senderOpenId: users.get(u)!, text, ...(eventId ? { eventId } : {}) })),
    async press(u, chat, label, replay) {
      const chatId = chatOf(u, chat);
      const key = `${chatId}|${label}`;
      if (replay) return post(lastPress.get(key));
      const msg = [...fake.messagesIn(chatId)].reverse().find((m) => m.content.includes(`"content":"${label}"`));
      if (!msg) throw new Error(`no card with a "${label}" button in ${chatId}`);
      const card = JSON.parse(msg.content) as { body: { elements: Array<{ tag: string; text: { content: string }; behaviors?: Array<{ value: Record<string, unknown> }> }> } };
      const button = card.body.elements.find((e) => e.tag === 'button' && e.text.content === label)!;
      const event = cardActionEvent(FEISHU_APP, { operatorOpenId: users.get(u)!, openMessageId: msg.message_id, openChatId: chatId, value: button.behaviors![0]!.value, token: fake.issueCardToken(msg.message_id) });
      lastPress.set(key, event);
      return post(event);
    },
    botTexts: (u, chat) => fake.messagesIn(chatOf(u, chat)).filter((m) => m.sender.sender_type === 'app').map((m) => cardTexts(m.content)),
    forge: (u, chat, text) => post(messageReceiveEvent(FEISHU_APP, { chatId: chat, chatType: 'group', senderOpenId: users.get(u)!, text }), { tamper: 'signature' }),
    settle: () => fronts.idle(),
  };
}

function telegramDriver(fake: FakeTelegram, url: string): Driver {
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
    say: async (u, chat, t) => (await postUpdate(url, fake.userMessage({ chat: chatOf(u, chat), from: users.get(u)!, text: t }), { secretToken: TG_SECRET })).status,
    async press(u, chat, label, replay) {
      const c = chatOf(u, chat);
      const key = `${c.id}|${label}`;
      if (replay) return (await postUpdate(url, lastPress.get(key)!, { secretToken: TG_SECRET })).status;
      const msg = [...fake.messages(c.id)].reverse().find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => b.text === label));
      if (!msg) throw new Error(`no message with a "${label}" button in ${c.id}`);
      const button = msg.reply_markup!.inline_keyboard.flat().find((b) => b.text === label) as { callback_data: string };
      const update = fake.callbackQuery({ from: users.get(u)!, chatId: c.id, messageId: msg.message_id, data: button.callback_data });
      lastPress.set(key, update);
      return (await postUpdate(url, update, { secretToken: TG_SECRET })).status;
    },
    botTexts: (u, chat) => fake.messages(chatOf(u, chat).id).filter((m) => m.from?.is_bot).map(text),
    forge: async (u, _chat, t) => (await postUpdate(url, fake.userMessage({ chat: group, from: users.get(u)!, text: t }), { secretToken: 'not-the-secret' })).status,
    settle: async () => {},
  };
}
