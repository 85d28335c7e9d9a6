/**
 * /整改进展, /整改完成 and /整改退回 over the Telegram fake: each becomes one
 * Update on the item's workflow (the event id as update id), found by the
 * item's 序号 in the sender's county; a refusal from the workflow is shown as is.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPrismaClient } from '../../infra/db/client.js';
import { createBotCore } from '../../bot/core/index.js';
import { createTelegramBot, registerTelegramWebhook, type TelegramBot } from '../../bot/telegram/index.js';
import type { StaffRole } from '../../prisma/generated/enums.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import { postUpdate, privateChat, tgUser } from '../fakes/telegram-updates.js';
import { RecordingGateway } from '../support/recording-gateway.js';
import { createStaff, createTestCounty, listen, RecordingCaseStarter, uniq, uniqNum } from './support.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
const TOKEN = `${uniqNum()}:AARectifyTests_abcdefghijklmnopqrstu`;
const SECRET = 'rectify_secret';
const gateway = new RecordingGateway((call) => {
  if (call.update === 'reportCompleted' && (call.args as { note?: string }).note === undefined) return { ok: false, message: '请说明完成情况' };
  return { ok: true, result: {} };
});
const calls = gateway.calls;
let fake: FakeTelegram;
let app: FastifyInstance;
let tg: TelegramBot;
let url: string;

beforeAll(async () => {
  fake = await startFakeTelegram({ token: TOKEN, botUsername: 'jiuzhu_rectify_bot', rateLimit: false });
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

describe('rectification commands', () => {
  it('turn chat lines into Updates on the right item, with the sender as actor', async () => {
    const county = await createTestCounty(prisma);
    const t1 = county.townships[0]!;
    const person = async (role: StaffRole, name: string, regionId: number) => {
      const staff = await createStaff(prisma, county, { role, name });
      await prisma.staff.update({ where: { id: staff.id }, data: { regionId } });
      const user = tgUser(uniqNum(), name);
      await prisma.staffBinding.create({ data: { staffId: staff.id, platform: 'telegram', externalId: String(user.id) } });
      return { staff, user };
    };
    const worker = await person('TOWNSHIP_CASEWORKER', '李经办', t1.id);
    const office = await person('TASKFORCE_OFFICE', '周办公室', county.countyId);
    const workflowId = uniq('rectification:');
    await prisma.rectificationItem.create({
      data: { countyRegionId: county.countyId, workflowId, seq: 3, problem: '某户收入超标', source: '举报', responsibleRegionId: t1.id, responsibleUnit: '第1镇', responsibleStaffId: worker.staff.id, measures: '入户核查', deadline: new Date('2026-12-31') },
    });
    const say = async (u: { user: ReturnType<typeof tgUser> }, text: string) => {
      const update = fake.userMessage({ chat: privateChat(u.user), from: u.user, text });
      await postUpdate(url, update, { secretToken: SECRET });
      const last = fake.messages(u.user.id).filter((m) => m.from?.is_bot).at(-1);
      return { reply: last && 'text' in last ? last.text : '', updateId: `telegram:${fake.bot.id}:${update.update_id}` };
    };
    const mine = () => calls.filter((c) => c.workflowId === workflowId);

    expect((await say(worker, '/rectify_progress 3')).reply).toContain('请发送：/整改进展');
    expect((await say(worker, '/rectify_progress 99 已核查')).reply).toBe('本县整改清单中没有第 99 项。');
    const progress = await say(worker, '/rectify_progress 3 已入户核查，正在办理退出');
    expect(progress.reply).toBe('整改清单第 3 项：已记录整改进展。');
    const refused = await say(worker, '/rectify_done 3');
    expect(refused.reply).toBe('未能办理：请说明完成情况');
    await say(worker, '/rectify_done #3 已退出并追回');
    expect((await say(worker, '/rectify_return 3 凭证不全')).reply).toBe('您的岗位无权使用此功能。');
    await say(office, '/rectify_return 3 追回凭证不全');
    expect(mine()).toEqual([
      { workflowId, update: 'reportProgress', args: { note: '已入户核查，正在办理退出', byStaffId: worker.staff.id }, updateId: progress.updateId },
      { workflowId, update: 'reportCompleted', args: { byStaffId: worker.staff.id }, updateId: refused.updateId },
      { workflowId, update: 'reportCompleted', args: { byStaffId: worker.staff.id, note: '已退出并追回' }, updateId: expect.any(String) },
      { workflowId, update: 'confirm', args: { accepted: false, note: '追回凭证不全', byStaffId: office.staff.id }, updateId: expect.any(String) },
    ]);
  });
});
