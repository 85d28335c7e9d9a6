/**
 * The step front door on Telegram (loopback fake; the workflow stands in as a
 * recording gateway with a status): /案件 shows the steps the reader may take;
 * 「办理」 starts a short private form (one question per message, a select
 * answered by an inline-keyboard button, a bad date answered in Chinese naming
 * the field); the confirmation sends one Update with the sender as actor. A
 * person outside the case's region, or in a role that may not take the step,
 * is refused and nothing is sent.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPrismaClient } from '../../infra/db/client.js';
import { createBotCore } from '../../bot/core/index.js';
import { createTelegramBot, registerTelegramWebhook, type TelegramBot } from '../../bot/telegram/index.js';
import type { StaffRole } from '../../prisma/generated/enums.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import { groupChat, postUpdate, privateChat, tgUser } from '../fakes/telegram-updates.js';
import { RecordingGateway } from '../support/recording-gateway.js';
import { createStaff, createTestCounty, listen, RecordingCaseStarter, uniq, uniqNum } from './support.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
const TOKEN = `${uniqNum()}:AAStepsTests_abcdefghijklmnopqrstuv`;
const SECRET = 'steps_secret';
const gateway = new RecordingGateway((call) =>
  call.update === 'decide' ? { ok: true, result: { caseId: 1, overpaidCents: 50_000, months: [{ month: '2026-12', cents: 50_000 }] } } : { ok: true, result: { caseId: 1 } },
);
let fake: FakeTelegram;
let app: FastifyInstance;
let tg: TelegramBot;
let url: string;

beforeAll(async () => {
  fake = await startFakeTelegram({ token: TOKEN, botUsername: 'jiuzhu_steps_bot', rateLimit: false });
  const core = createBotCore({ prisma, caseStarter: new RecordingCaseStarter(), workflows: gateway, now: () => new Date('2026-12-07T03:00:00Z') });
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

const botTexts = (chatId: number) => fake.messages(chatId).filter((m) => m.from?.is_bot).map((m) => ('text' in m ? (m.text ?? '') : ''));

describe('steps on Telegram', () => {
  it('/案件 → 办理 → a private form → one Update; refusals by region and role send nothing', async () => {
    const county = await createTestCounty(prisma);
    const [t1, t2] = county.townships as [(typeof county.townships)[0], (typeof county.townships)[0]];
    const person = async (role: StaffRole, name: string, regionId: number) => {
      const staff = await createStaff(prisma, county, { role, name });
      await prisma.staff.update({ where: { id: staff.id }, data: { regionId } });
      const user = tgUser(uniqNum(), name);
      await prisma.staffBinding.create({ data: { staffId: staff.id, platform: 'telegram', externalId: String(user.id) } });
      fake.userMessage({ chat: privateChat(user), from: user, text: '/start' });
      return { staff, user };
    };
    const worker = await person('TOWNSHIP_CASEWORKER', '李经办', t1.id);
    const outsider = await person('TOWNSHIP_CASEWORKER', '钱经办', t2.id);
    const cadre = await person('VILLAGE_COMMITTEE', '孙委员', t1.id);
    const workflowId = uniq('death-review:');
    const kase = await prisma.case.create({ data: { kind: 'DEATH_REVIEW', workflowId, regionId: t1.id, assigneeStaffId: worker.staff.id } });
    const view = { workflowId, phase: 'reviewing', caseId: kase.id, check: null as unknown, decision: null, overpaidCents: null, recoveredCents: 0, writeOff: null, allowedStaffIds: [worker.staff.id, outsider.staff.id] };
    gateway.views.set(workflowId, view);
    const say = async (u: typeof worker, text: string) => expect((await postUpdate(url, fake.userMessage({ chat: privateChat(u.user), from: u.user, text }), { secretToken: SECRET })).status).toBe(200);
    const press = async (u: typeof worker, data: string, messageId = 1) =>
      expect((await postUpdate(url, fake.callbackQuery({ from: u.user, chatId: u.user.id, messageId, data }), { secretToken: SECRET })).status).toBe(200);
    const pressLabel = async (u: typeof worker, label: string) => {
      const msg = [...fake.messages(u.user.id)].reverse().find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => b.text === label));
      if (!msg) throw new Error(`no "${label}" button`);
      await press(u, (msg.reply_markup!.inline_keyboard.flat().find((b) => b.text === label) as { callback_data: string }).callback_data, msg.message_id);
    };
    const calls = () => gateway.calls.filter((c) => c.workflowId === workflowId);

    // /我的待办 gives the item its next step; /案件 shows the steps open now (the check: no decision before it).
    await say(worker, '/我的待办');
    expect(fake.messages(worker.user.id).at(-1)!.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toContain(`办理 #${kase.id}`);
    await say(worker, `/案件 ${kase.id}`);
    const card = fake.messages(worker.user.id).at(-1)!;
    expect(card.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toEqual(['办理：登记入户核查']);

    // Refusals: another township's caseworker (region), a village cadre (role). Nothing is sent.
    await press(outsider, `a:s:c${kase.id}:dr.check`);
    expect(botTexts(outsider.user.id).at(-1)).toBe('该事项不在您的辖区，不能办理。');
    await press(cadre, `a:s:c${kase.id}:dr.check`);
    expect(botTexts(cadre.user.id).at(-1)).toBe('您的岗位不能办理“登记入户核查”。');
    // A step the case is not at: refused with where to look.
    await press(worker, `a:s:c${kase.id}:dr.decide`);
    expect(botTexts(worker.user.id).at(-1)).toContain('当前不在“作出核查决定”环节');
    expect(calls()).toHaveLength(0);

    // The check as a private form: a bad date is answered naming the field.
    await pressLabel(worker, '办理：登记入户核查');
    expect(botTexts(worker.user.id).at(-1)).toContain('核查日期');
    await say(worker, '2026-13-01');
    expect(botTexts(worker.user.id).at(-1)).toContain('“核查日期”应为日期');
    await say(worker, '2026-12-05');
    await say(worker, '李经办、孙委员');
    await say(worker, '死者已火化，家中无其他保障对象');
    expect(calls()).toHaveLength(0);
    await pressLabel(worker, '确认提交');
    expect(calls()).toEqual([
      { workflowId, update: 'recordHouseholdCheck', args: { visitedOn: '2026-12-05', visitors: '李经办、孙委员', findings: '死者已火化，家中无其他保障对象', byStaffId: worker.staff.id }, updateId: expect.stringMatching(/^telegram:cb:/) },
    ]);
    expect(botTexts(worker.user.id).join('\n')).toContain('已入户核查（2026-12-05，李经办、孙委员）');

    // The decision: the select answered by its button, optional fields skipped with 无.
    view.check = { visitedOn: '2026-12-05' };
    await say(worker, `/案件 ${kase.id}`);
    await pressLabel(worker, '办理：作出核查决定');
    await pressLabel(worker, '停发');
    await say(worker, '无');
    await say(worker, '2026-12');
    await say(worker, '无');
    await pressLabel(worker, '确认提交');
    expect(calls().at(-1)).toEqual({ workflowId, update: 'decide', args: { decision: '停发', effectiveMonth: '2026-12', decidedByStaffId: worker.staff.id }, updateId: expect.stringMatching(/^telegram:cb:/) });
    expect(botTexts(worker.user.id).join('\n')).toContain('超发 500.00 元（1 个月），须追回');
    expect(calls()).toHaveLength(2);
  });

  it('a step with a personal field pressed in a group says to continue in private chat; in private the form runs', async () => {
    const county = await createTestCounty(prisma);
    const office = await prisma.staff.update({ where: { id: (await createStaff(prisma, county, { role: 'TASKFORCE_OFFICE', name: '周专班' })).id }, data: { regionId: county.countyId } });
    const user = tgUser(uniqNum(), '周专班');
    await prisma.staffBinding.create({ data: { staffId: office.id, platform: 'telegram', externalId: String(user.id) } });
    fake.userMessage({ chat: privateChat(user), from: user, text: '/start' });
    const workflowId = uniq('complaint:');
    const kase = await prisma.case.create({ data: { kind: 'COMPLAINT', workflowId, regionId: county.townships[0]!.id, assigneeStaffId: office.id } });
    const stage = { due: '2026-12-31', doneOn: null };
    gateway.views.set(workflowId, {
      workflowId, phase: 'handling', complaintId: 1, caseId: kase.id, clueId: null, ledgerNo: 'X-1', accusation: false, receiptDate: '2026-12-01',
      acceptance: { due: '2026-12-16', doneOn: '2026-12-02' }, acceptedOn: '2026-12-02', handling: stage,
      extension: { approved: false, noticed: false, reason: null, handling: null }, verification: { finding: '属实' }, clue: null, notified: [], closedAt: null,
      fullReaderIds: [office.id], verifierIds: [office.id], leaderIds: [], clueHandlerIds: [],
    });
    const group = groupChat(-uniqNum(), '专班工作群');
    const before = gateway.calls.length;
    // The step's button (as a reminder card carries it) pressed in the work group does not open the form.
    expect((await postUpdate(url, fake.userMessage({ chat: group, from: user, text: '/帮助' }), { secretToken: SECRET })).status).toBe(200);
    const data = `a:s:c${kase.id}:cp.feedback`;
    expect((await postUpdate(url, fake.callbackQuery({ from: user, chatId: group.id, messageId: fake.messages(group.id).at(-1)!.message_id, data }), { secretToken: SECRET })).status).toBe(200);
    const inGroup = fake.messages(group.id).filter((m) => m.from?.is_bot).map((m) => ('text' in m ? (m.text ?? '') : ''));
    expect(inGroup.at(-1)).toContain('请私聊机器人');
    expect(gateway.calls.length).toBe(before);
    const entry = await prisma.auditEntry.findFirst({ where: { actor: `staff:${office.id}`, subjectId: `telegram:${group.id}` }, orderBy: { id: 'desc' } });
    expect(JSON.stringify(entry?.payload)).toContain('private-only');

    // In private chat the same step opens its form.
    const mine = fake.messages(user.id).at(-1)!;
    expect((await postUpdate(url, fake.callbackQuery({ from: user, chatId: user.id, messageId: mine.message_id, data }), { secretToken: SECRET })).status).toBe(200);
    expect(botTexts(user.id).at(-1)).toContain('反馈日期');
  });
});
