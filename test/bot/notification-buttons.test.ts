/**
 * Alerts and approval cards over Telegram (loopback fake): Notification rows
 * are delivered once to the recipient's private chat with their buttons; a
 * press becomes one workflow Update (event id as update id) by the named
 * recipient only; a refusal is answered and the card keeps its buttons; an
 * accepted decision edits the card to show the outcome and who decided.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { createPrismaClient } from '../../app/db/client.js';
import { createBotCore, deliverNotifications, type WorkflowGateway, type WorkflowUpdateRequest } from '../../bot/core/index.js';
import { deliveryRetryDelayMs } from '../../bot/core/alerts.js';
import { createTelegramBot, registerTelegramWebhook, type TelegramBot } from '../../bot/telegram/index.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import { postUpdate, privateChat, tgUser } from '../fakes/telegram-updates.js';
import { createStaff, createTestCounty, listen, RecordingCaseStarter, uniq, uniqNum } from './support.js';

const prisma = createPrismaClient(inject('databaseUrl'));
const TOKEN = `${uniqNum()}:AAButtonsTests_abcdefghijklmnopqrstu`;
const SECRET = 'buttons_secret';

/** Stands in for Temporal: 'reject' without a note is refused, as a validator would. */
class RecordingGateway implements WorkflowGateway {
  calls: WorkflowUpdateRequest[] = [];
  async update(request: WorkflowUpdateRequest) {
    this.calls.push(request);
    if (request.args.decision === 'reject') return { ok: false as const, message: '驳回须填写理由' };
    return { ok: true as const, result: { message: '已批准备案' } };
  }
}

let fake: FakeTelegram;
let app: FastifyInstance;
let tg: TelegramBot;
let url: string;
const gateway = new RecordingGateway();

beforeAll(async () => {
  fake = await startFakeTelegram({ token: TOKEN, botUsername: 'jiuzhu_buttons_bot', rateLimit: false });
  const core = createBotCore({ prisma, caseStarter: new RecordingCaseStarter(), workflows: gateway });
  tg = createTelegramBot({ token: TOKEN, core, prisma, apiRoot: fake.url, botInfo: fake.bot });
  app = Fastify();
  const hook = registerTelegramWebhook(app, { bot: tg, secretToken: SECRET, inlineBudgetMs: 4_000, onError: () => {} });
  url = (await listen(app)) + hook.path;
});
afterAll(async () => {
  await app.close();
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
  return { leader, other, leaderUser, otherUser };
}

describe('alert delivery and approval buttons', () => {
  it('delivers once, refuses the wrong presser and a refused decision, then edits the card to the outcome', async () => {
    const { leader, leaderUser, otherUser } = await boundLeaderAndOther();
    const workflowId = uniq('near-relative-filing:');
    const n = await prisma.notification.create({
      data: {
        dedupeKey: uniq('test:approval:'),
        recipientStaffId: leader.id,
        kind: 'approval',
        text: '孙委员申报其近亲属享受低保，请审批。',
        workflowId,
        actions: [
          { label: '批准', update: 'decide', args: { decision: 'approve' }, style: 'primary' },
          { label: '驳回', update: 'decide', args: { decision: 'reject' }, style: 'danger' },
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
    expect(botMessages(leaderUser.id).filter((m) => textOf(m).includes('请审批'))).toHaveLength(0);
    // After the back-off (the longest one: delivery loops of other test files share this database and
    // may have tried the row meanwhile), two replicas passing at the same moment: one of them claims it.
    const later = () => new Date(Date.now() + deliveryRetryDelayMs(99) + 60_000);
    const [second, concurrent] = await Promise.all([deliverNotifications({ prisma, outs, now: later }), deliverNotifications({ prisma, outs, now: later })]);
    expect(second.failed + concurrent.failed).toBe(0);
    await deliverNotifications({ prisma, outs, now: later });
    const delivered = botMessages(leaderUser.id).filter((m) => textOf(m).includes('请审批'));
    expect(delivered).toHaveLength(1);
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: n.id } })).deliveredAt).not.toBeNull();
    const card = delivered[0]!;
    expect(textOf(card)).toContain('待您审批');
    const buttons = card.reply_markup!.inline_keyboard.flat() as Array<{ text: string; callback_data: string }>;
    expect(buttons.map((b) => b.text)).toEqual(['批准', '驳回']);
    for (const b of buttons) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
    const press = (from: typeof leaderUser, label: string) =>
      fake.callbackQuery({ from, chatId: leaderUser.id, messageId: card.message_id, data: buttons.find((b) => b.text === label)!.callback_data });

    // Someone else pressing (a forwarded card) decides nothing.
    expect((await postUpdate(url, press(otherUser, '批准'), { secretToken: SECRET })).status).toBe(200);
    expect(gateway.calls.filter((c) => c.workflowId === workflowId)).toHaveLength(0);

    // A refusal is answered; the card keeps its buttons.
    expect((await postUpdate(url, press(leaderUser, '驳回'), { secretToken: SECRET })).status).toBe(200);
    expect(botMessages(leaderUser.id).map(textOf).at(-1)).toBe('未能办理：驳回须填写理由');
    expect(fake.message(leaderUser.id, card.message_id)!.reply_markup?.inline_keyboard.flat()).toHaveLength(2);

    // Approval: one Update with the presser's identity and the callback id, card edited, buttons gone.
    const approve = press(leaderUser, '批准');
    expect((await postUpdate(url, approve, { secretToken: SECRET })).status).toBe(200);
    expect((await postUpdate(url, approve, { secretToken: SECRET })).status).toBe(200);
    const calls = gateway.calls.filter((c) => c.workflowId === workflowId);
    expect(calls).toEqual([
      { workflowId, update: 'decide', args: { decision: 'reject', byStaffId: leader.id }, updateId: expect.stringMatching(/^telegram:cb:/) },
      { workflowId, update: 'decide', args: { decision: 'approve', byStaffId: leader.id }, updateId: `telegram:cb:${approve.callback_query!.id}` },
    ]);
    const edited = fake.message(leaderUser.id, card.message_id)!;
    expect(textOf(edited)).toContain('处理结果：已批准备案');
    expect(textOf(edited)).toContain('处理人：赵组长');
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
