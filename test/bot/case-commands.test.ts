/**
 * /报告服刑 and /案件 over the Telegram fake: the imprisonment form reaches the
 * case starter once; a case's status is shown only to staff whose region
 * covers it, complaints only to the 专班 in private chat, with no ID numbers.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPrismaClient } from '../../infra/db/client.js';
import { createBotCore } from '../../bot/core/index.js';
import { createTelegramBot, registerTelegramWebhook, type TelegramBot } from '../../bot/telegram/index.js';
import { idNumbersPrivateOnly } from '../../bot/core/forms/engine.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import { groupChat, postUpdate, privateChat, tgUser } from '../fakes/telegram-updates.js';
import type { StaffRole } from '../../prisma/generated/enums.js';
import { createStaff, createTestCounty, freshIdNumber, listen, RecordingCaseStarter, uniq, uniqNum } from './support.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
const TOKEN = `${uniqNum()}:AACaseCommands_abcdefghijklmnopqrstu`;
const SECRET = 'case_commands';
const GROUP = groupChat(-1000000000000 - uniqNum(), '城关镇工作群');
const starter = new RecordingCaseStarter();
let fake: FakeTelegram;
let app: FastifyInstance;
let tg: TelegramBot;
let url: string;

beforeAll(async () => {
  fake = await startFakeTelegram({ token: TOKEN, botUsername: 'jiuzhu_cases_bot', chats: [GROUP], rateLimit: false });
  const core = createBotCore({ prisma, caseStarter: starter });
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

const texts = (chatId: number): string[] => fake.messages(chatId).filter((m) => m.from?.is_bot).map((m) => ('text' in m ? (m.text ?? '') : ''));

async function bound(county: Awaited<ReturnType<typeof createTestCounty>>, role: StaffRole, name: string, regionId?: number) {
  const staff = await createStaff(prisma, county, { role, name });
  if (regionId !== undefined) await prisma.staff.update({ where: { id: staff.id }, data: { regionId } });
  const user = tgUser(uniqNum(), name);
  await prisma.staffBinding.create({ data: { staffId: staff.id, platform: 'telegram', externalId: String(user.id) } });
  return { staff, user };
}

describe('case commands', () => {
  it('takes an imprisonment report once, with the date validated', async () => {
    const county = await createTestCounty(prisma);
    const { staff, user } = await bound(county, 'VILLAGE_COMMITTEE', '孙委员');
    const id = freshIdNumber();
    await postUpdate(url, fake.userMessage({ chat: GROUP, from: user, text: '/report_prison' }), { secretToken: SECRET });
    expect(texts(GROUP.id).at(-1)).toBe(idNumbersPrivateOnly('报告服刑'));
    const say = (text: string) => postUpdate(url, fake.userMessage({ chat: privateChat(user), from: user, text }), { secretToken: SECRET });
    for (const text of ['/report_prison', '王五', id, '2099-01-01', '2026-10-08', '司法所']) expect((await say(text)).status).toBe(200);
    expect(texts(user.id).some((t) => /日期/.test(t) && /未来|晚于|今天/.test(t))).toBe(true);
    const card = fake.messages(user.id).at(-1)!;
    const confirm = card.reply_markup!.inline_keyboard.flat().find((b) => b.text === '确认提交') as { callback_data: string };
    const press = fake.callbackQuery({ from: user, chatId: user.id, messageId: card.message_id, data: confirm.callback_data });
    await postUpdate(url, press, { secretToken: SECRET });
    await postUpdate(url, press, { secretToken: SECRET });
    expect(starter.imprisonments.filter((r) => r.reporterStaffId === staff.id)).toEqual([
      expect.objectContaining({ name: '王五', idNumber: id, imprisonmentDate: '2026-10-08', source: '司法所' }),
    ]);
    expect(JSON.stringify(fake.messages(user.id).filter((m) => m.from?.is_bot))).not.toContain(id);
  });

  it('shows a case only to staff whose region covers it, and complaints only to the 专班 in private', async () => {
    const county = await createTestCounty(prisma);
    const [t1, t2] = county.townships;
    const head = await bound(county, 'TOWNSHIP_HEAD', '王乡长', t1!.id);
    const other = await bound(county, 'TOWNSHIP_HEAD', '钱乡长', t2!.id);
    const leader = await bound(county, 'TASKFORCE_LEADER', '赵组长', county.countyId);
    const subject = freshIdNumber();
    const death = await prisma.case.create({ data: { kind: 'DEATH_REVIEW', workflowId: uniq('death-review:t:'), subjectIdNumber: subject, regionId: t1!.id, assigneeStaffId: head.staff.id, dueAt: new Date(Date.now() + 3 * 86_400_000) } });
    const complaintWorkflow = uniq('complaint:t:');
    const complaint = await prisma.case.create({ data: { kind: 'COMPLAINT', workflowId: complaintWorkflow, regionId: t1!.id, dueAt: new Date(Date.now() + 86_400_000) } });
    await prisma.complaint.create({ data: { countyRegionId: county.countyId, workflowId: complaintWorkflow, caseId: complaint.id, ledgerNo: uniq('XF'), channel: '来电', receivedAt: new Date(), complainantName: '群众乙', summary: '反映低保评议不公开', subjectRegionId: t1!.id } });
    const ask = async (u: { user: ReturnType<typeof tgUser> }, text: string, inGroup = false) => {
      const chat = inGroup ? GROUP : privateChat(u.user);
      await postUpdate(url, fake.userMessage({ chat, from: u.user, text }), { secretToken: SECRET });
      return texts(chat.id).at(-1)!;
    };
    const shown = await ask(head, `/case ${death.id}`);
    expect(shown).toContain(`死亡核查 #${death.id}`);
    expect(shown).toContain('还剩2天');
    expect(shown).toContain('承办人：王乡长');
    expect(shown).not.toContain(subject);
    expect(await ask(other, `/case ${death.id}`)).toBe('找不到该案件，或您无权查看。');
    expect(await ask(leader, `/case ${death.id}`)).toContain('办理中');
    // The one complaint access rule: an ordinary complaint about township 1 is seen (without the
    // complainant) by its township head, not by another township's.
    expect(await ask(head, `/case ${complaint.id}`)).toContain(`实名举报 #${complaint.id}`);
    expect(await ask(other, `/case ${complaint.id}`)).toBe('找不到该案件，或您无权查看。');
    expect(await ask(leader, `/case ${complaint.id}`, true)).toBe('找不到该案件，或您无权查看。');
    expect(await ask(leader, `/case ${complaint.id}`)).toContain(`实名举报 #${complaint.id}`);
  });
});
