/**
 * /进展报送 over the Telegram fake: the reporting unit's open cycle is found,
 * each focus item is one line of seven numbers (validated, answered in Chinese),
 * and the result is one `submit` Update on the cycle workflow with the numbers
 * per focus item; nothing is asked when nothing is due.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPrismaClient } from '../../infra/db/client.js';
import { createBotCore } from '../../bot/core/index.js';
import { createTelegramBot, registerTelegramWebhook, type TelegramBot } from '../../bot/telegram/index.js';
import { presets } from '../../domain/policy/load.js';
import { parseVillageAnswer } from '../../bot/core/forms/village-report.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import { postUpdate, privateChat, tgUser } from '../fakes/telegram-updates.js';
import { RecordingGateway } from '../support/recording-gateway.js';
import { createStaff, createTestCounty, freshIdNumber, listen, RecordingCaseStarter, uniq, uniqNum } from './support.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
const TOKEN = `${uniqNum()}:AAProgressTests_abcdefghijklmnopqrst`;
const SECRET = 'progress_secret';
const gateway = new RecordingGateway(() => ({ ok: true, result: { submissionId: 1, late: true } }));
const calls = gateway.calls;
let fake: FakeTelegram;
let app: FastifyInstance;
let tg: TelegramBot;
let url: string;

beforeAll(async () => {
  fake = await startFakeTelegram({ token: TOKEN, botUsername: 'jiuzhu_progress_bot', rateLimit: false });
  const core = createBotCore({ prisma, caseStarter: new RecordingCaseStarter(), workflows: gateway, policy: presets.zhangzi });
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

describe('progress report form', () => {
  it('asks line by line, validates, and submits one Update with the numbers per focus item', async () => {
    const county = await createTestCounty(prisma);
    const t1 = county.townships[0]!;
    const reporter = await createStaff(prisma, county, { role: 'TOWNSHIP_CASEWORKER', name: '李经办' });
    const user = tgUser(uniqNum(), '李');
    await prisma.staffBinding.create({ data: { staffId: reporter.id, platform: 'telegram', externalId: String(user.id) } });
    const say = async (text: string) => {
      await postUpdate(url, fake.userMessage({ chat: privateChat(user), from: user, text }), { secretToken: SECRET });
      const last = fake.messages(user.id).filter((m) => m.from?.is_bot).at(-1);
      return last && 'text' in last ? (last.text ?? '') : '';
    };

    expect(await say('/progress')).toBe('您不是进展报送单位的填报人或负责人，无需报送。');
    const unit = await prisma.reportingUnit.create({ data: { countyRegionId: county.countyId, kind: 'TOWNSHIP', name: t1.name, regionId: t1.id, reporterStaffId: reporter.id } });
    expect(await say('/progress')).toBe('目前没有待您报送的工作进展。');
    const workflowId = uniq('progress:');
    await prisma.reportCycle.create({ data: { countyRegionId: county.countyId, kind: 'progress', period: uniq('p'), workflowId, dueAt: new Date(Date.now() + 2 * 86_400_000), openedAt: new Date() } });

    expect(await say('/progress')).toContain('（1/5）【Z1】');
    expect(await say('3 2 1500')).toContain('需要 7 个数');
    expect(await say('3 2 1500 1 0 -1 0')).toContain('“移交问题线索（条）”应为不小于 0 的整数');
    expect(await say('3，2，1500.5，1，0，0，0')).toContain('（2/5）【Z2】');
    for (const line of ['0', '无', '1 1 200 1 200 0 0']) await say(line);
    expect(await say('0')).toContain('请确认');
    const card = fake.messages(user.id).at(-1)!;
    const confirm = card.reply_markup!.inline_keyboard.flat().find((b) => b.text === '确认提交') as { callback_data: string };
    const press = fake.callbackQuery({ from: user, chatId: user.id, messageId: card.message_id, data: confirm.callback_data });
    await postUpdate(url, press, { secretToken: SECRET });
    await postUpdate(url, press, { secretToken: SECRET });

    const zero = { found: 0, households: 0, amount: 0, rectified: 0, recovered: 0, cluesTransferred: 0, heldAccountable: 0 };
    expect(calls.filter((c) => c.workflowId === workflowId)).toEqual([
      {
        workflowId,
        update: 'submit',
        updateId: `telegram:cb:${press.callback_query!.id}`,
        args: {
          unitId: unit.id,
          byStaffId: reporter.id,
          items: { Z1: { ...zero, found: 3, households: 2, amount: 1500.5, rectified: 1 }, Z2: zero, Z3: zero, Z4: { ...zero, found: 1, households: 1, amount: 200, rectified: 1, recovered: 200 }, Z5: zero },
        },
      },
    ]);
    const edited = fake.message(user.id, card.message_id)!;
    expect('text' in edited && edited.text).toContain('按迟报记录');
  });

  it('village monthly report: 无 is an answer, events are parsed per line, the township then confirms', async () => {
    const county = await createTestCounty(prisma);
    const t1 = county.townships[0]!;
    const v1 = t1.villages[0]!;
    const cadre = await createStaff(prisma, county, { role: 'VILLAGE_COMMITTEE', name: '孙委员' });
    const head = await createStaff(prisma, county, { role: 'TOWNSHIP_HEAD', name: '王乡长' });
    const users = new Map([[cadre.id, tgUser(uniqNum(), '孙')], [head.id, tgUser(uniqNum(), '王')]]);
    for (const [staffId, u] of users) await prisma.staffBinding.create({ data: { staffId, platform: 'telegram', externalId: String(u.id) } });
    const say = async (staffId: number, text: string) => {
      const u = users.get(staffId)!;
      await postUpdate(url, fake.userMessage({ chat: privateChat(u), from: u, text }), { secretToken: SECRET });
      const last = fake.messages(u.id).filter((m) => m.from?.is_bot).at(-1);
      return last && 'text' in last ? (last.text ?? '') : '';
    };
    expect(await say(cadre.id, '/village_report')).toBe('您不是村（居）月度报告的报告人。');
    const village = await prisma.reportingUnit.create({ data: { countyRegionId: county.countyId, kind: 'VILLAGE', name: v1.name, regionId: v1.id, reporterStaffId: cadre.id } });
    const township = await prisma.reportingUnit.create({ data: { countyRegionId: county.countyId, kind: 'TOWNSHIP', name: t1.name, regionId: t1.id, headStaffId: head.id } });
    const workflowId = uniq('village-chain:');
    await prisma.reportCycle.create({ data: { countyRegionId: county.countyId, kind: 'villageChain', period: '2026-11', workflowId, dueAt: new Date(Date.now() + 86_400_000), openedAt: new Date() } });

    expect(await say(cadre.id, '/village_report')).toContain('有无以下情况');
    expect(await say(cadre.id, '丧葬 张三')).toContain('丧葬须写逝者身份证号和死亡日期');
    const dead = freshIdNumber();
    expect(await say(cadre.id, `丧葬 张三 ${dead} 2026-11-03\n收入变化 李四 外出务工 月收入约3000元`)).toContain('请确认');
    const u = users.get(cadre.id)!;
    const card = fake.messages(u.id).at(-1)!;
    expect(JSON.stringify(card)).not.toContain(dead);
    const confirm = card.reply_markup!.inline_keyboard.flat().find((b) => b.text === '确认提交') as { callback_data: string };
    await postUpdate(url, fake.callbackQuery({ from: u, chatId: u.id, messageId: card.message_id, data: confirm.callback_data }), { secretToken: SECRET });
    expect(await say(head.id, '/township_submit 已逐村核实')).toBe(`${t1.name}2026-11月度核报已提交县民政局。`);
    expect(calls.filter((c) => c.workflowId === workflowId).map((c) => [c.update, c.args])).toEqual([
      ['villageReport', { unitId: village.id, byStaffId: cadre.id, events: [{ type: 'funeral', name: '张三', idNumber: dead, date: '2026-11-03' }, { type: 'incomeChange', name: '李四', note: '外出务工 月收入约3000元' }] }],
      ['townshipSubmit', { unitId: township.id, byStaffId: head.id, note: '已逐村核实' }],
    ]);
    expect(parseVillageAnswer('无')).toEqual({ nothingToReport: true });
    expect(() => parseVillageAnswer('买房 王五')).toThrow('事项类型应为');
  });
});
