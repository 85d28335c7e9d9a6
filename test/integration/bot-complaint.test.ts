/**
 * A real-name complaint (实名举报) through the chat fronts, on both platforms,
 * with the real Temporal dev server (no time skipping needed) and the loopback
 * fakes: taken in private chat only, the ledger entry and its case written,
 * nothing of it shown in the group.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { issueBindingCode } from '../../bot/core/index.js';
import { devServerCalendar } from '../support/clock.js';
import { presets } from '../../domain/policy/load.js';
import { startChatFrontsUnderTest, type ChatFrontsUnderTest } from '../support/chat-drivers.js';
import { connectDevServer, createTestWorker, uniqueTaskQueue, useTemporalTestContext } from '../support/temporal.js';
import { createDeathFixture, eventually } from '../workflows/fixtures/death-review.js';
import { freshIdNumber } from '../support/ids.js';

describe.each(['feishu', 'telegram'] as const)('real-name complaint through %s (dev server)', (platform) => {
  const ctx = useTemporalTestContext(connectDevServer);
  const { prisma } = ctx;
  const taskQueue = uniqueTaskQueue(`bot-complaint-${platform}`);
  let under: ChatFrontsUnderTest;
  beforeAll(async () => {
    under = await startChatFrontsUnderTest(platform, { prisma, client: ctx.env.client, taskQueue, policy: presets.zhangzi, calendar: devServerCalendar() });
  });
  afterAll(async () => {
    await under?.close();
  });

  it('takes it in private chat only, writes the ledger entry, and shows nothing in the group', async () => {
    const fx = await createDeathFixture(prisma);
    const { driver } = under;
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    await worker.runUntil(async () => {
      const villager = await driver.user('孙委员');
      const { code } = await issueBindingCode(prisma, fx.staff.villager);
      expect(await driver.say(villager, 'private', `/绑定 ${code}`)).toBe(200);
      const group = driver.group();
      expect(await driver.say(villager, group, '/举报')).toBe(200);
      expect(driver.botTexts(villager, group).at(-1)).toContain('请私聊');
      const liaison = await prisma.staff.create({ data: { name: '周纪检', idNumber: freshIdNumber(), role: 'DISCIPLINE_LIAISON', unit: '纪检组', regionId: fx.countyId } });
      const details = '李经办在低保评议中优亲厚友，请核查。';
      expect(await driver.say(villager, 'private', '/举报')).toBe(200);
      // An unknown name is refused naming the field; the question is asked again.
      expect(await driver.say(villager, 'private', '查无此人')).toBe(200);
      expect(driver.botTexts(villager, 'private').at(-1)).toContain('被举报人：本县在职工作人员中找不到“查无此人”');
      for (const text of [String(fx.staff.caseworker), details]) expect(await driver.say(villager, 'private', text)).toBe(200);
      expect(await driver.press(villager, 'private', '确认提交')).toBe(200);
      // Delivered again: joins the same ledger entry.
      expect(await driver.press(villager, 'private', '确认提交', true)).toBe(200);
      await driver.settle();
      const ledger = await eventually(() => prisma.complaint.findFirst({ where: { countyRegionId: fx.countyId } }));
      expect(ledger).toMatchObject({ complainantName: '孙委员', channel: '聊天机器人（实名）' });
      expect(ledger.summary).toContain(details);
      expect(await prisma.complaint.count({ where: { countyRegionId: fx.countyId } })).toBe(1);
      // Recorded as an accusation of the caseworker: a clue for 纪检监察, assigned to 纪检联络, never to the accused.
      expect(ledger.accusedStaffId).toBe(fx.staff.caseworker);
      const row = await eventually(() => prisma.case.findFirst({ where: { kind: 'COMPLAINT', workflowId: ledger.workflowId } }));
      expect(row.assigneeStaffId).toBe(liaison.id);
      expect(row.regionId).toBeNull();
      expect(await prisma.disciplineClue.findUnique({ where: { complaintId: ledger.id } })).toMatchObject({ accusedStaffId: fx.staff.caseworker });
      expect(driver.botTexts(villager, 'private').join('\n')).toContain('已受理');
      // The accuser's words and name never reach the group.
      expect(driver.botTexts(villager, group).join('\n')).not.toContain(details);
      await ctx.env.client.workflow.getHandle(ledger.workflowId).terminate('end of test');
    });
  });

  it('lets the 专班 office register a hotline report accusing a staff member, once', async () => {
    const fx = await createDeathFixture(prisma);
    const { driver } = under;
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    await worker.runUntil(async () => {
      const office = await prisma.staff.create({ data: { name: '吴专班', idNumber: freshIdNumber(), role: 'TASKFORCE_OFFICE', unit: '专班办公室', regionId: fx.countyId } });
      const liaison = await prisma.staff.create({ data: { name: '郑纪检', idNumber: freshIdNumber(), role: 'DISCIPLINE_LIAISON', unit: '纪检组', regionId: fx.countyId } });
      const clerk = await driver.user('吴专班');
      const { code } = await issueBindingCode(prisma, office.id);
      expect(await driver.say(clerk, 'private', `/绑定 ${code}`)).toBe(200);
      const last = () => driver.botTexts(clerk, 'private').at(-1) ?? '';
      expect(await driver.say(clerk, 'private', '/登记信访')).toBe(200);
      expect(await driver.say(clerk, 'private', '微博')).toBe(200);
      expect(last()).toContain('来源只能是');
      for (const text of ['电话', '冯大娘']) expect(await driver.say(clerk, 'private', text)).toBe(200);
      expect(await driver.say(clerk, 'private', '12345')).toBe(200);
      expect(last()).toContain('手机号码格式不正确');
      expect(await driver.say(clerk, 'private', '13912345678')).toBe(200);
      expect(await driver.say(clerk, 'private', '第1村')).toBe(200);
      expect(last()).toContain('反映地点');
      expect(await driver.say(clerk, 'private', '第1镇第1村')).toBe(200);
      expect(await driver.say(clerk, 'private', '李经办')).toBe(200);
      const details = '反映李经办为亲属违规办理低保，请核查。';
      expect(await driver.say(clerk, 'private', details)).toBe(200);
      // The earlier answers were kept: the confirmation shows them, the phone masked.
      const confirm = last();
      expect(confirm).toContain('来电');
      expect(confirm).toContain('139****5678');
      expect(confirm).not.toContain('13912345678');
      expect(await driver.press(clerk, 'private', '确认提交')).toBe(200);
      expect(await driver.press(clerk, 'private', '确认提交', true)).toBe(200);
      await driver.settle();
      const ledger = await eventually(() => prisma.complaint.findFirst({ where: { countyRegionId: fx.countyId } }));
      expect(ledger).toMatchObject({ channel: '来电', complainantName: '冯大娘', complainantPhone: '13912345678', accusedStaffId: fx.staff.caseworker });
      expect(await prisma.complaint.count({ where: { countyRegionId: fx.countyId } })).toBe(1);
      const row = await eventually(() => prisma.case.findFirst({ where: { kind: 'COMPLAINT', workflowId: ledger.workflowId } }));
      expect(row.assigneeStaffId).toBe(liaison.id);
      expect(await prisma.disciplineClue.count({ where: { complaintId: ledger.id } })).toBe(1);
      expect(driver.botTexts(clerk, 'private').join('\n')).not.toContain('13912345678');
      await ctx.env.client.workflow.getHandle(ledger.workflowId).terminate('end of test');
    });
  });
});
