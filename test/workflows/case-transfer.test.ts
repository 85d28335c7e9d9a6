/**
 * 转办 through the web console on the time-skipping server: a death review
 * opened for the township's caseworker; the township head sees 「转办」 on
 * /案件 (the caseworker does not), is told who may take it, and moves it to
 * another caseworker of the township. Refused: a caseworker of another
 * township as the new assignee, the caseworker himself ordering it. Then the
 * Case row, the audit chain, both people told, and the next reminder — fired
 * by the workflow's timer after the transfer — goes to the new assignee.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDeathReview } from '../../services/cases/death-review.js';
import { verifyAuditChain } from '../../infra/audit-chain.js';
import { computeDeadline, reminderSchedule } from '../../domain/policy/compute.js';
import { presets } from '../../domain/policy/load.js';
import { freshIdNumber } from '../support/ids.js';
import { consoleDriver, startChatFrontsUnderTest, type ChatFrontsUnderTest } from '../support/chat-drivers.js';
import { connectTimeSkipping, createTestWorker, uniqueTaskQueue, useTemporalTestContext } from '../support/temporal.js';
import { TEST_NOW_MS } from '../support/clock.js';
import { testCalendar } from './fixtures/complaint.js';
import { DAY, chinaDate, createDeathFixture, eventually, monthOf } from './fixtures/death-review.js';

describe('转办 of a case through the console (time-skipping server)', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;
  let under: ChatFrontsUnderTest;
  let clockMs = TEST_NOW_MS;
  const taskQueue = uniqueTaskQueue('case-transfer');

  beforeAll(async () => {
    const year = Number(chinaDate(await ctx.env.currentTimeMs()).slice(0, 4));
    under = await startChatFrontsUnderTest('feishu', { prisma, client: ctx.env.client, taskQueue, policy: presets.zhangzi, calendar: testCalendar(year), now: () => new Date(clockMs), demo: true });
  });
  afterAll(async () => {
    await under?.close();
  });

  it('the township head moves a death review to another caseworker; later reminders go to the new one', async () => {
    const envNow = await ctx.env.currentTimeMs();
    clockMs = envNow;
    const deathDate = chinaDate(envNow - 40 * DAY);
    const fx = await createDeathFixture(prisma, [monthOf(deathDate)]);
    const caseworkerRow = await prisma.staff.findUniqueOrThrow({ where: { id: fx.staff.caseworker } });
    const second = (await prisma.staff.create({ data: { name: '周经办', idNumber: freshIdNumber(), role: 'TOWNSHIP_CASEWORKER', unit: '测试单位', regionId: caseworkerRow.regionId } })).id;
    const web = consoleDriver(under.baseUrl, prisma, () => under.fronts.idle());
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    await worker.runUntil(async () => {
      for (const s of [fx.staff.head, fx.staff.caseworker, second]) expect(await web.open(s)).toBe(200);
      const handle = await openDeathReview(ctx.env.client, { taskQueue, countyRegionId: fx.countyId, memberId: fx.memberId, deathDate, source: '村报', policy: presets.zhangzi });
      const kase = await eventually(() => prisma.case.findUnique({ where: { workflowId: handle.workflowId } }));
      expect(kase.assigneeStaffId).toBe(fx.staff.caseworker);

      // The caseworker has no 「转办」 and may not order one.
      expect(await web.say(fx.staff.caseworker, `/案件 ${kase.id}`)).toBe(200);
      await expect(web.press(fx.staff.caseworker, '转办')).rejects.toThrow();
      expect(await web.say(fx.staff.caseworker, `/转办 ${kase.id} ${second}`)).toBe(200);
      expect((await web.texts(fx.staff.caseworker)).at(-1)).toContain('只有乡镇负责人或工作专班可以转办案件');

      // The head: 「转办」 lists who may take it (not the other township's caseworker).
      expect(await web.say(fx.staff.head, `/案件 ${kase.id}`)).toBe(200);
      expect(await web.press(fx.staff.head, '转办')).toBe(200);
      const listed = (await web.texts(fx.staff.head)).at(-1)!;
      expect(listed).toContain(`周经办（编号 ${second}）`);
      expect(listed).not.toContain('钱经办');
      // Bad input: the other township's caseworker, a missing number; nothing changes.
      expect(await web.say(fx.staff.head, `/转办 ${kase.id} ${fx.staff.outsider}`)).toBe(200);
      expect((await web.texts(fx.staff.head)).at(-1)).toContain('钱经办的辖区不含该案件');
      expect(await web.say(fx.staff.head, `/转办 ${kase.id}`)).toBe(200);
      expect((await web.texts(fx.staff.head)).at(-1)).toContain('/转办 <案件编号> <承办人编号>');
      expect((await prisma.case.findUniqueOrThrow({ where: { id: kase.id } })).assigneeStaffId).toBe(fx.staff.caseworker);

      expect(await web.say(fx.staff.head, `/转办 ${kase.id} ${second} 李经办病假`)).toBe(200);
      expect((await web.texts(fx.staff.head)).at(-1)).toContain('已将死亡核查');
      expect((await prisma.case.findUniqueOrThrow({ where: { id: kase.id } })).assigneeStaffId).toBe(second);
      const audit = await prisma.auditEntry.findMany({ where: { action: 'case.transferred', subjectType: 'Case', subjectId: String(kase.id) } });
      expect(audit).toHaveLength(1);
      expect(audit[0]!.payload).toMatchObject({ fromStaffId: fx.staff.caseworker, toStaffId: second, byStaffId: fx.staff.head, reason: '李经办病假' });
      // A second identical order changes nothing.
      expect(await web.say(fx.staff.head, `/转办 ${kase.id} ${second}`)).toBe(200);
      expect((await web.texts(fx.staff.head)).at(-1)).toContain('该案件已由周经办承办');
      const told = await prisma.notification.findMany({ where: { caseId: kase.id, kind: 'transfer' }, orderBy: { id: 'asc' } });
      expect(told.map((n) => n.recipientStaffId)).toEqual([second, fx.staff.caseworker]);
      await under.fronts.delivery.kick();
      expect((await web.texts(second)).join('\n')).toContain('转由您承办');
      expect((await web.texts(fx.staff.caseworker)).join('\n')).toContain('您不再承办此案件');

      // The next reminder falls due on the workflow's timer: it goes to the new assignee.
      const due = computeDeadline(presets.zhangzi, 'death-review', deathDate).due;
      const next = reminderSchedule(presets.zhangzi, due).find((r) => r.at.getTime() > envNow)!;
      await ctx.env.sleep(next.at.getTime() + 3_600_000 - (await ctx.env.currentTimeMs()));
      clockMs = await ctx.env.currentTimeMs();
      const reminder = await eventually(() => prisma.notification.findFirst({ where: { caseId: kase.id, kind: 'reminder' } }));
      expect(reminder.recipientStaffId).toBe(second);
      // And the new assignee may take the step from /案件.
      expect(await web.say(second, `/案件 ${kase.id}`)).toBe(200);
      expect(await web.press(second, '办理：登记入户核查')).toBe(200);
    });
    expect((await verifyAuditChain(prisma)).ok).toBe(true);
  });
});
