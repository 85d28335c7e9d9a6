/**
 * /登记申请 and /整改 over the Telegram fake (issue 13): the application form refuses a bad answer in
 * Chinese naming the field (invalid ID number, unknown village, household size, amount, a future
 * acceptance date), keeps every answer given before it, runs in private chat only, and reaches the
 * case starter once; /整改 <线索编号> hands the finding to the case starter, the 专班 only.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPrismaClient } from '../../infra/db/client.js';
import type { ApplicationReport, RectificationReport } from '../../bot/core/case-starter.js';
import { createBotCore } from '../../bot/core/index.js';
import { createTelegramBot, registerTelegramWebhook, type TelegramBot } from '../../bot/telegram/index.js';
import type { StaffRole } from '../../prisma/generated/enums.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import { groupChat, postUpdate, privateChat, tgUser } from '../fakes/telegram-updates.js';
import { createStaff, createTestCounty, freshIdNumber, listen, RecordingCaseStarter, uniqNum } from './support.js';
import { testDatabaseUrl } from '../support/database.js';

class IntakeStarter extends RecordingCaseStarter {
  applications: ApplicationReport[] = [];
  rectifications: RectificationReport[] = [];
  async registerApplication(report: ApplicationReport) {
    this.applications.push(report);
    return { caseRef: `AR-${this.applications.length}` };
  }
  async openRectification(report: RectificationReport) {
    this.rectifications.push(report);
    return { caseRef: `RI-${this.rectifications.length}` };
  }
}

const prisma = createPrismaClient(testDatabaseUrl());
const TOKEN = `${uniqNum()}:AAIntakeForms_abcdefghijklmnopqrstuv`;
const SECRET = 'intake_forms';
const GROUP = groupChat(-1000000000000 - uniqNum(), '乡镇工作群');
// A pinned clock: "today" is 2026-12-01 in Beijing.
const NOW = new Date('2026-12-01T04:00:00Z');
const starter = new IntakeStarter();
let fake: FakeTelegram;
let app: FastifyInstance;
let tg: TelegramBot;
let url: string;

beforeAll(async () => {
  fake = await startFakeTelegram({ token: TOKEN, botUsername: 'jiuzhu_intake_bot', chats: [GROUP], rateLimit: false });
  const core = createBotCore({ prisma, caseStarter: starter, now: () => NOW });
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

const botTexts = (chatId: number): string[] => fake.messages(chatId).filter((m) => m.from?.is_bot).map((m) => ('text' in m ? (m.text ?? '') : ''));

async function bound(county: Awaited<ReturnType<typeof createTestCounty>>, role: StaffRole, name: string, regionId: number) {
  const staff = await createStaff(prisma, county, { role, name });
  await prisma.staff.update({ where: { id: staff.id }, data: { regionId } });
  const user = tgUser(uniqNum(), name);
  await prisma.staffBinding.create({ data: { staffId: staff.id, platform: 'telegram', externalId: String(user.id) } });
  return { staff, user };
}

describe('intake forms', () => {
  it('registers an application: bad answers name the field and keep what was answered; private chat only', async () => {
    const county = await createTestCounty(prisma, { townships: 2, villagesPerTownship: 2 });
    const t1 = county.townships[0]!;
    const { staff, user } = await bound(county, 'TOWNSHIP_CASEWORKER', '李经办', t1.id);
    const id = freshIdNumber();

    // In a group the form does not start (the ID number is asked in private only).
    await postUpdate(url, fake.userMessage({ chat: GROUP, from: user, text: '/登记申请' }), { secretToken: SECRET });
    expect(botTexts(GROUP.id).at(-1)).toContain('私聊');

    const chat = privateChat(user);
    const seen = () => botTexts(chat.id);
    const say = async (text: string) => {
      const before = seen().length;
      expect((await postUpdate(url, fake.userMessage({ chat, from: user, text }), { secretToken: SECRET })).status).toBe(200);
      return seen().slice(before).join('\n');
    };
    expect(await say('/登记申请')).toContain('申请人姓名');
    expect(await say('张三丰')).toContain('身份证号');
    const badId = await say(id.slice(0, 17) + (id[17] === '0' ? '1' : '0')); // wrong check digit
    expect(badId).toContain('申请人身份证号有误');
    expect(badId).toContain('请重新输入申请人身份证号');
    expect(await say(id)).toContain('申请哪类救助');
    expect(await say('低保金')).toContain('救助类型有误');
    expect(await say('农村低保')).toContain('村(社区)');
    // A village of the other township is outside this caseworker's scope.
    const unknown = await say('不存在村');
    expect(unknown).toContain('所在村(社区)有误');
    expect(unknown).toContain('没有“不存在村”');
    expect(await say(`${t1.name}${t1.villages[1]!.name}`)).toContain('家庭人口');
    expect(await say('0')).toContain('家庭人口有误');
    expect(await say('3人')).toContain('月保障金额');
    expect(await say('一千五')).toContain('申请金额有误');
    expect(await say('1500')).toContain('受理日期');
    expect(await say('2026-12-25')).toContain('受理日期有误');
    await say('2026-11-20');

    // The confirmation card still holds every earlier answer.
    const card = fake.messages(chat.id).at(-1)!;
    const cardText = 'text' in card ? (card.text ?? '') : '';
    for (const part of ['张三丰', id, '农村低保', `${t1.name}${t1.villages[1]!.name}`, '3', '1500.00 元/月', '2026-11-20']) expect(cardText).toContain(part);
    const confirm = card.reply_markup!.inline_keyboard.flat().find((b) => b.text === '确认提交') as { callback_data: string };
    const press = fake.callbackQuery({ from: user, chatId: chat.id, messageId: card.message_id, data: confirm.callback_data });
    await postUpdate(url, press, { secretToken: SECRET });
    await postUpdate(url, press, { secretToken: SECRET });
    expect(starter.applications.filter((a) => a.staffId === staff.id)).toEqual([
      expect.objectContaining({ applicantName: '张三丰', applicantIdNumber: id, kind: 'RURAL_DIBAO', village: `${t1.name}${t1.villages[1]!.name}`, householdSize: 3, monthlyAmount: '1500.00', acceptedAt: '2026-11-20' }),
    ]);
    // The reply after submission masks the ID number.
    expect(seen().at(-1)).not.toContain(id);
  });

  it('/整改 <线索编号> hands the finding to the case starter; only the 专班 may', async () => {
    const county = await createTestCounty(prisma, { townships: 1, villagesPerTownship: 1 });
    const office = await bound(county, 'TASKFORCE_OFFICE', '周办', county.countyId);
    const caseworker = await bound(county, 'TOWNSHIP_CASEWORKER', '钱经办', county.townships[0]!.id);
    const say = async (u: typeof office, text: string) => {
      const chat = privateChat(u.user);
      const before = botTexts(chat.id).length;
      await postUpdate(url, fake.userMessage({ chat, from: u.user, text }), { secretToken: SECRET });
      return botTexts(chat.id).slice(before).join('\n');
    };
    expect(await say(office, '/整改 12')).toContain('线索 #12 已列入整改清单');
    expect(await say(office, '/整改 十二')).toContain('请发送：/整改 <线索编号>');
    expect(await say(caseworker, '/整改 12')).not.toContain('已列入整改清单');
    expect(starter.rectifications.filter((r) => r.staffId === office.staff.id)).toEqual([expect.objectContaining({ findingId: 12 })]);
    expect(starter.rectifications.filter((r) => r.staffId === caseworker.staff.id)).toEqual([]);

    // By hand: unit, problem, measures, deadline (not in the past).
    expect(await say(office, '/整改')).toContain('责任乡镇');
    await say(office, county.townships[0]!.name);
    await say(office, '村委会代管低保户银行卡未签协议');
    await say(office, '收回银行卡，补签代管协议并报县民政局备案');
    expect(await say(office, '2026-11-01')).toContain('整改时限有误');
    await say(office, '2026-12-31');
    const chat = privateChat(office.user);
    const card = fake.messages(chat.id).at(-1)!;
    const confirm = card.reply_markup!.inline_keyboard.flat().find((b) => b.text === '确认提交') as { callback_data: string };
    await postUpdate(url, fake.callbackQuery({ from: office.user, chatId: chat.id, messageId: card.message_id, data: confirm.callback_data }), { secretToken: SECRET });
    expect(starter.rectifications.filter((r) => r.staffId === office.staff.id)).toEqual([
      expect.objectContaining({ findingId: 12 }),
      expect.objectContaining({ township: county.townships[0]!.name, deadline: '2026-12-31' }),
    ]);
  });
});
