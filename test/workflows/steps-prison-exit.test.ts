/**
 * A prisoner exit (低保 track) through the chat only, on the time-skipping
 * server: the village cadre reports the imprisonment in Feishu; the township
 * caseworker recomputes the household amount from /案件 in the web console (a
 * double tap on the card's submit decides once; a role that may not take the
 * step is refused), records the release and the recovery; the case closes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { verifyAuditChain } from '../../infra/audit-chain.js';
import { issueBindingCode } from '../../bot/core/index.js';
import { prisonExitWorkflowId } from '../../domain/cases/ids.js';
import { presets } from '../../domain/policy/load.js';
import { consoleDriver, startChatFrontsUnderTest, type ChatFrontsUnderTest } from '../support/chat-drivers.js';
import { connectTimeSkipping, createTestWorker, uniqueTaskQueue, useTemporalTestContext } from '../support/temporal.js';
import { TEST_NOW_MS } from '../support/clock.js';
import { freshIdNumber } from '../support/ids.js';
import { testCalendar } from './fixtures/complaint.js';
import { DAY, chinaDate, createDeathFixture, eventually, monthOf } from './fixtures/death-review.js';

describe('a prisoner exit driven to closure through the chat (Feishu + console)', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;
  let under: ChatFrontsUnderTest;
  let clockMs = TEST_NOW_MS;
  const taskQueue = uniqueTaskQueue('steps-prison');

  beforeAll(async () => {
    const year = Number(chinaDate(await ctx.env.currentTimeMs()).slice(0, 4));
    under = await startChatFrontsUnderTest('feishu', { prisma, client: ctx.env.client, taskQueue, policy: presets.zhangzi, calendar: testCalendar(year), now: () => new Date(clockMs), demo: true });
  });
  afterAll(async () => {
    await under?.close();
  });

  it('recomputes the 低保, records the release and the recovery, and closes', async () => {
    clockMs = await ctx.env.currentTimeMs();
    const jailed = chinaDate(clockMs - 45 * DAY);
    const fx = await createDeathFixture(prisma, [monthOf(jailed), monthOf(jailed, 1)]);
    const member = await prisma.member.findUniqueOrThrow({ where: { id: fx.memberId } });
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const { driver } = under;
    const web = consoleDriver(under.baseUrl, prisma, () => under.fronts.idle());

    await worker.runUntil(async () => {
      const villager = await driver.user('孙委员');
      const { code } = await issueBindingCode(prisma, fx.staff.villager, new Date(clockMs));
      expect(await driver.say(villager, 'private', `/绑定 ${code}`)).toBe(200);
      const liaison = (await prisma.staff.create({ data: { name: '周纪检', idNumber: freshIdNumber(), role: 'DISCIPLINE_LIAISON', unit: '县纪委', regionId: fx.countyId } })).id;
      for (const id of [fx.staff.caseworker, liaison]) expect(await web.open(id)).toBe(200);

      for (const text of ['/报告服刑', member.name, member.idNumber, jailed, '司法所']) expect(await driver.say(villager, 'private', text)).toBe(200);
      expect(await driver.press(villager, 'private', '确认提交')).toBe(200);
      await driver.settle();
      const workflowId = prisonExitWorkflowId(fx.countyId, fx.memberId);
      const kase = await eventually(() => prisma.case.findUnique({ where: { workflowId } }));
      const handle = ctx.env.client.workflow.getHandle(workflowId);
      await eventually(async () => (await handle.query<{ phase: string }>('status')).phase === 'reviewing');

      // The county's discipline liaison sees the case but no role of theirs may take its steps.
      expect(await web.say(liaison, `/案件 ${kase.id}`)).toBe(200);
      expect((await web.texts(liaison)).at(-1)).toContain('您当前没有可办理的环节');

      // The caseworker: /案件 lists the recomputation and the release.
      expect(await web.say(fx.staff.caseworker, `/案件 ${kase.id}`)).toBe(200);
      const shown = (await web.texts(fx.staff.caseworker)).at(-1)!;
      expect(shown).toContain('服刑退出');
      expect(await web.press(fx.staff.caseworker, '办理：重新核定低保金额')).toBe(200);
      const month = monthOf(jailed, 1);
      // Bad input: the field is named, nothing is sent.
      expect(await web.submit(fx.staff.caseworker, { newMonthlyAmount: '零', effectiveMonth: month }, { card: '重新核定低保金额' })).toBe(200);
      expect((await web.texts(fx.staff.caseworker)).at(-1)).toContain('“剔除服刑人员后的月保障金额（元）”');
      // A double tap: two submissions of the same card, two events: one decision.
      const values = { newMonthlyAmount: '0', effectiveMonth: month, note: '本人服刑，家庭无其他成员' };
      const [a, b] = await Promise.all([
        web.submit(fx.staff.caseworker, values, { card: '重新核定低保金额' }),
        web.submit(fx.staff.caseworker, values, { card: '重新核定低保金额' }),
      ]);
      expect([a, b].every((s) => s === 200 || s === 409)).toBe(true);
      await eventually(async () => (await handle.query<{ phase: string }>('status')).phase === 'recovering');
      await eventually(async () => (await prisma.auditEntry.count({ where: { subjectType: 'Case', subjectId: String(kase.id), action: { contains: 'decided' } } })) >= 1);
      expect(await prisma.auditEntry.count({ where: { subjectType: 'Case', subjectId: String(kase.id), action: { contains: 'decided' } } })).toBe(1);
      const status = await handle.query<{ overpaidCents: number; decision: { newMonthlyAmount: number } }>('status');
      expect(status.decision.newMonthlyAmount).toBe(0);
      expect(status.overpaidCents).toBeGreaterThan(0);

      // The release, then the recovery of the whole over-payment: the case closes.
      expect(await web.say(fx.staff.caseworker, `/案件 ${kase.id}`)).toBe(200);
      expect(await web.press(fx.staff.caseworker, '办理：登记刑满释放')).toBe(200);
      expect(await web.submit(fx.staff.caseworker, { releasedOn: chinaDate(clockMs), note: '提前释放' }, { card: '登记刑满释放' })).toBe(200);
      expect((await web.texts(fx.staff.caseworker)).join('\n')).toContain('刑满释放');
      expect(await web.say(fx.staff.caseworker, `/案件 ${kase.id}`)).toBe(200);
      expect(await web.press(fx.staff.caseworker, '办理：登记追回')).toBe(200);
      expect(await web.submit(fx.staff.caseworker, { amount: (status.overpaidCents / 100).toFixed(2) }, { card: '登记追回' })).toBe(200);
      const closed = await eventually(async () => {
        const c = await prisma.case.findUniqueOrThrow({ where: { id: kase.id } });
        return c.status === 'CLOSED' ? c : null;
      });
      expect(closed.closedAt).not.toBeNull();
      expect((await web.texts(fx.staff.caseworker)).join('\n')).toContain('超发资金已全部追回');
      expect((await verifyAuditChain(prisma)).ok).toBe(true);
    });
  });
});
