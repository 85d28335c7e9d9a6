/**
 * Alerts and approval cards over Telegram (loopback fake): Notification rows
 * are delivered once to the recipient's private chat with their buttons (the
 * stored steps and 「办理」); a press takes the step named on the button
 * (event id as update id) by the named recipient only; a refusal is answered
 * and the card keeps its buttons; an accepted decision edits the card to show
 * the outcome and who decided.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPrismaClient } from '../../infra/db/client.js';
import { createBotCore, deliverNotifications } from '../../bot/core/index.js';
import { deliveryRetryDelayMs } from '../../bot/core/alerts.js';
import { createTelegramBot, registerTelegramWebhook, type TelegramBot } from '../../bot/telegram/index.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import { postUpdate, privateChat, tgUser } from '../fakes/telegram-updates.js';
import { RecordingGateway } from '../support/recording-gateway.js';
import { createStaff, createTestCounty, listen, RecordingCaseStarter, uniq, uniqNum } from './support.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
const TOKEN = `${uniqNum()}:AAButtonsTests_abcdefghijklmnopqrstu`;
const SECRET = 'buttons_secret';


let fake: FakeTelegram;
let app: FastifyInstance;
let tg: TelegramBot;
let url: string;
/** Stands in for Temporal: the first confirmation is refused, as a validator would; later ones pass. */
let refuseNext = true;
const gateway = new RecordingGateway(() => {
  if (refuseNext) {
    refuseNext = false;
    return { ok: false, message: '只有本县专班办公室或专班组长可以确认整改结果' };
  }
  return { ok: true, result: { status: 'COMPLETED' } };
});

beforeAll(async () => {
  fake = await startFakeTelegram({ token: TOKEN, botUsername: 'jiuzhu_buttons_bot', rateLimit: false });
  const core = createBotCore({ prisma, caseStarter: new RecordingCaseStarter(), workflows: gateway });
  tg = createTelegramBot({ token: TOKEN, core, prisma, apiRoot: fake.url, botInfo: fake.bot });
  app = Fastify();
  const hook = registerTelegramWebhook(app, { bot: tg, secretToken: SECRET, inlineBudgetMs: 30_000, onError: () => {} });
  url = (await listen(app)) + hook.path;
});
afterAll(async () => {
  await app.close();
  await tg?.stop(); // its inbox loop, before the file's database goes
  await fake.close();
  await prisma.$disconnect();
});

const botMessages = (chatId: number) => fake.messages(chatId).filter((m) => m.from?.is_bot);
const textOf = (m: { text?: string } | object) => ('text' in m ? (m.text ?? '') : '');

async function boundLeaderAndOther() {
  const county = await createTestCounty(prisma);
  const leader = await createStaff(prisma, county, { role: 'TASKFORCE_LEADER', name: '赵组长' });
  const other = await createStaff(prisma, county, { role: 'TASKFORCE_LEADER', name: '钱副组长' });
  const leaderUser = tgUser(uniqNum(), '赵');
  const otherUser = tgUser(uniqNum(), '钱');
  for (const [s, u] of [[leader, leaderUser], [other, otherUser]] as const) {
    await prisma.staffBinding.create({ data: { staffId: s.id, platform: 'telegram', externalId: String(u.id) } });
    // The person has opened the private chat with the bot (as binding requires).
    fake.userMessage({ chat: privateChat(u), from: u, text: '/start' });
  }
  return { county, leader, other, leaderUser, otherUser };
}

describe('alert delivery and approval buttons', () => {
  it('delivers once, refuses the wrong presser and a refused step, then edits the card to the outcome', async () => {
    const { county, leader, leaderUser, otherUser } = await boundLeaderAndOther();
    const workflowId = uniq('rectification:');
    const kase = await prisma.case.create({ data: { kind: 'RECTIFICATION', workflowId, regionId: county.townships[0]!.villages[0]!.id } });
    gateway.views.set(workflowId, { workflowId, status: 'AWAITING_CONFIRMATION', caseId: kase.id });
    const n = await prisma.notification.create({
      data: {
        dedupeKey: uniq('test:approval:'),
        recipientStaffId: leader.id,
        kind: 'approval',
        text: '整改清单第3项已报告整改完成，请确认。',
        caseId: kase.id,
        workflowId,
        actions: [
          { label: '确认完成', step: 'rc.confirm', values: { verdict: '同意销号' }, style: 'primary' },
          { label: '退回整改', step: 'rc.confirm', values: { verdict: '退回整改' }, style: 'danger' },
        ],
        sentAt: new Date(),
      },
    });
    const outs = { telegram: tg.out };
    // Telegram answers 500 to every attempt of the first pass (the sender retries 4 times): nothing is
    // marked delivered; a later pass sends it, once.
    fake.failNext(4, { status: 500 });
    const first = await deliverNotifications({ prisma, outs });
    expect(first.failed).toBeGreaterThanOrEqual(1);
    // It backs off: a pass at once leaves it alone.
    await deliverNotifications({ prisma, outs });
    expect(botMessages(leaderUser.id).filter((m) => textOf(m).includes('请确认'))).toHaveLength(0);
    // After the back-off (the longest one: delivery loops of other test files share this database and
    // may have tried the row meanwhile), two replicas passing at the same moment: one of them claims it.
    const later = () => new Date(Date.now() + deliveryRetryDelayMs(99) + 60_000);
    const [second, concurrent] = await Promise.all([deliverNotifications({ prisma, outs, now: later }), deliverNotifications({ prisma, outs, now: later })]);
    expect(second.failed + concurrent.failed).toBe(0);
    await deliverNotifications({ prisma, outs, now: later });
    const delivered = botMessages(leaderUser.id).filter((m) => textOf(m).includes('请确认'));
    expect(delivered).toHaveLength(1);
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: n.id } })).deliveredAt).not.toBeNull();
    const card = delivered[0]!;
    expect(textOf(card)).toContain('待您审批');
    const buttons = card.reply_markup!.inline_keyboard.flat() as Array<{ text: string; callback_data: string }>;
    expect(buttons.map((b) => b.text)).toEqual(['确认完成', '退回整改', '办理（填写意见）']);
    for (const b of buttons) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
    const press = (from: typeof leaderUser, label: string) =>
      fake.callbackQuery({ from, chatId: leaderUser.id, messageId: card.message_id, data: buttons.find((b) => b.text === label)!.callback_data });

    // Someone else pressing (a forwarded card) decides nothing.
    expect((await postUpdate(url, press(otherUser, '确认完成'), { secretToken: SECRET })).status).toBe(200);
    expect(gateway.calls.filter((c) => c.workflowId === workflowId)).toHaveLength(0);

    // 退回 needs its reason: nothing is sent, the reason is asked for (a private form with the verdict chosen).
    expect((await postUpdate(url, press(leaderUser, '退回整改'), { secretToken: SECRET })).status).toBe(200);
    expect(gateway.calls.filter((c) => c.workflowId === workflowId)).toHaveLength(0);
    expect(botMessages(leaderUser.id).map(textOf).join('\n')).toContain('退回整改须填写“意见”');
    expect(botMessages(leaderUser.id).map(textOf).at(-1)).toContain('确认结果');
    expect((await postUpdate(url, fake.userMessage({ chat: privateChat(leaderUser), from: leaderUser, text: '/取消' }), { secretToken: SECRET })).status).toBe(200);

    // The workflow's refusal is answered; the card keeps its buttons.
    expect((await postUpdate(url, press(leaderUser, '确认完成'), { secretToken: SECRET })).status).toBe(200);
    expect(botMessages(leaderUser.id).map(textOf).at(-1)).toBe('未能办理：只有本县专班办公室或专班组长可以确认整改结果');
    expect(fake.message(leaderUser.id, card.message_id)!.reply_markup?.inline_keyboard.flat()).toHaveLength(3);

    // Confirmation: one Update with the presser's identity and the callback id, card edited, buttons gone.
    const approve = press(leaderUser, '确认完成');
    expect((await postUpdate(url, approve, { secretToken: SECRET })).status).toBe(200);
    expect((await postUpdate(url, approve, { secretToken: SECRET })).status).toBe(200);
    const calls = gateway.calls.filter((c) => c.workflowId === workflowId);
    expect(calls).toEqual([
      { workflowId, update: 'confirm', args: { accepted: true, byStaffId: leader.id }, updateId: expect.stringMatching(/^telegram:cb:/) },
      { workflowId, update: 'confirm', args: { accepted: true, byStaffId: leader.id }, updateId: `telegram:cb:${approve.callback_query!.id}` },
    ]);
    const edited = fake.message(leaderUser.id, card.message_id)!;
    expect(textOf(edited)).toContain('已确认整改到位，销号');
    expect(textOf(edited)).toContain('办理人：赵组长');
    expect(edited.reply_markup?.inline_keyboard.flat() ?? []).toHaveLength(0);
    const audit = await prisma.auditEntry.findMany({ where: { subjectId: `telegram:${leaderUser.id}` }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => (a.payload as { outcome?: string }).outcome)).toEqual(expect.arrayContaining(['not-recipient', 'refused', 'done']));
  });

  it('answers a stale or unknown button without calling any workflow', async () => {
    const { leaderUser } = await boundLeaderAndOther();
    const before = gateway.calls.length;
    const msg = await tg.out.send({ platform: 'telegram', id: String(leaderUser.id), kind: 'private' }, { text: '旧卡片', buttons: [{ label: '批准', payload: { action: 'n', caseRef: '999999999', value: '0' } }] }, { dedupeKey: uniq('stale:') });
    const update = fake.callbackQuery({ from: leaderUser, chatId: leaderUser.id, messageId: Number(msg.messageId), data: 'a:n:999999999:0' });
    expect((await postUpdate(url, update, { secretToken: SECRET })).status).toBe(200);
    expect(gateway.calls.length).toBe(before);
    expect(botMessages(leaderUser.id).map(textOf).at(-1)).toContain('该按钮已失效');
  });
});
