/**
 * A death review from opening to closure ONLY through the chat: the Feishu fake
 * (card JSON 2.0 form containers coming back in one card.action.trigger) and the
 * web console, on the time-skipping server (the reminder that carries 「办理」
 * comes when its timer fires). A village cadre reports the death; the township
 * caseworker opens the step from the reminder card, records the household check
 * (a bad date first: a Chinese message naming the field, nothing written),
 * decides 停发 (the same submission delivered twice decides once); the 专班组长
 * confirms the over-payment (not the decider); the caseworker records a
 * recovery with its receipt; the 专班组长 writes off the rest from the console's
 * /案件 card. Then the Case row, the audit chain and statutory table 5.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { verifyAuditChain } from '../../infra/audit-chain.js';
import { deathPrisonRows } from '../../readmodels/statutory-tables.js';
import { issueBindingCode } from '../../bot/core/index.js';
import { deathReviewWorkflowId } from '../../domain/cases/ids.js';
import { reminderSchedule, computeDeadline } from '../../domain/policy/compute.js';
import { presets } from '../../domain/policy/load.js';
import { consoleDriver, startChatFrontsUnderTest, type ChatFrontsUnderTest } from '../support/chat-drivers.js';
import { connectTimeSkipping, createTestWorker, uniqueTaskQueue, useTemporalTestContext } from '../support/temporal.js';
import { TEST_NOW_MS } from '../support/clock.js';
import { testCalendar } from './fixtures/complaint.js';
import { DAY, chinaDate, createDeathFixture, eventually, monthOf } from './fixtures/death-review.js';

describe('a death review driven to closure through the chat (Feishu + console, time-skipping server)', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;
  let under: ChatFrontsUnderTest;
  let clockMs = TEST_NOW_MS;
  const taskQueue = uniqueTaskQueue('steps-e2e');

  beforeAll(async () => {
    const year = Number(chinaDate(await ctx.env.currentTimeMs()).slice(0, 4));
    under = await startChatFrontsUnderTest('feishu', { prisma, client: ctx.env.client, taskQueue, policy: presets.zhangzi, calendar: testCalendar(year), now: () => new Date(clockMs), demo: true });
  });
  afterAll(async () => {
    await under?.close();
  });

  it('check, 停发, recovery and write-off, each from a card', async () => {
    const envNow = await ctx.env.currentTimeMs();
    clockMs = envNow;
    const deathDate = chinaDate(envNow - 40 * DAY);
    // Paid for the month of the death and the two after it: 停发 from the next month leaves an over-payment.
    const fx = await createDeathFixture(prisma, [monthOf(deathDate), monthOf(deathDate, 1), monthOf(deathDate, 2)]);
    const member = await prisma.member.findUniqueOrThrow({ where: { id: fx.memberId } });
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const { driver, fronts } = under;
    const web = consoleDriver(under.baseUrl, prisma, () => under.fronts.idle());

    await worker.runUntil(async () => {
      const villager = await driver.user('孙委员');
      const caseworker = await driver.user('李经办');
      for (const [u, staffId] of [[villager, fx.staff.villager], [caseworker, fx.staff.caseworker]] as const) {
        const { code } = await issueBindingCode(prisma, staffId, new Date(clockMs));
        expect(await driver.say(u, 'private', `/绑定 ${code}`)).toBe(200);
      }
      // The 专班组长 and the other township's caseworker use the web console.
      expect(await web.open(fx.staff.leader)).toBe(200);
      expect(await web.open(fx.staff.outsider)).toBe(200);

      // Opening: the village cadre reports the death.
      for (const text of ['/报告死亡', member.name, member.idNumber, deathDate, '村报']) expect(await driver.say(villager, 'private', text)).toBe(200);
      expect(await driver.press(villager, 'private', '确认提交')).toBe(200);
      await driver.settle();
      const workflowId = deathReviewWorkflowId(fx.countyId, fx.memberId);
      const kase = await eventually(() => prisma.case.findUnique({ where: { workflowId } }));

      // The first reminder fires on its timer and reaches the caseworker with 「办理」.
      const due = computeDeadline(presets.zhangzi, 'death-review', deathDate).due;
      const firstReminder = reminderSchedule(presets.zhangzi, due).find((r) => r.at.getTime() > envNow)!;
      await ctx.env.sleep(firstReminder.at.getTime() + 3_600_000 - (await ctx.env.currentTimeMs()));
      clockMs = await ctx.env.currentTimeMs();
      await eventually(() => prisma.notification.findFirst({ where: { caseId: kase.id, kind: 'reminder' } }));
      await fronts.delivery.kick();
      expect(driver.botTexts(caseworker, 'private').some((t) => t.includes('催办提醒'))).toBe(true);
      expect(await driver.press(caseworker, 'private', '办理')).toBe(200);
      await driver.settle();
      expect(driver.botTexts(caseworker, 'private').at(-1)).toContain('登记入户核查');

      // Bad input (a visit after today): refused by the workflow's validator, the field named, nothing written, the card usable.
      const today = chinaDate(clockMs);
      const said = () => driver.botTexts(caseworker, 'private').join('\n');
      expect(await driver.submit(caseworker, 'private', { visitedOn: chinaDate(clockMs + 2 * DAY), visitors: '李经办、孙委员', findings: '死者已火化，家中无其他保障对象' }, { card: '登记入户核查' })).toBe(200);
      await driver.settle();
      expect(driver.botTexts(caseworker, 'private').at(-1)).toContain('“核查日期”');
      expect(driver.botTexts(caseworker, 'private').at(-1)).toContain('晚于今天');
      expect((await prisma.case.findUniqueOrThrow({ where: { id: kase.id } })).data).not.toHaveProperty('steps');
      // A required input left empty never leaves the Feishu client.
      expect(await driver.submit(caseworker, 'private', { visitors: '', findings: '' }, { card: '登记入户核查' })).toBe(0);
      expect(await driver.submit(caseworker, 'private', { visitedOn: today, visitors: '李经办、孙委员', findings: '死者已火化，家中无其他保障对象' }, { card: '登记入户核查' })).toBe(200);
      await driver.settle();
      // The card itself now shows the outcome, who and when (edited in place).
      expect(said()).toMatch(/已入户核查（[^）]+）[\s\S]*办理人：李经办/);

      // The decision, from the same reminder's 「办理」; delivered twice, it decides once.
      expect(await driver.press(caseworker, 'private', '办理')).toBe(200);
      await driver.settle();
      const stopMonth = monthOf(deathDate, 1);
      expect(await driver.submit(caseworker, 'private', { decision: '停发', effectiveMonth: stopMonth, note: '经入户核实已死亡，停发' }, { card: '作出核查决定' })).toBe(200);
      expect(await driver.submit(caseworker, 'private', {}, { replay: true })).toBe(200);
      await driver.settle();
      const decidedText = driver.botTexts(caseworker, 'private').find((t) => t.includes('决定停发'))!;
      expect(decidedText).toContain(`决定停发（${stopMonth} 起）`);
      expect(decidedText).toContain('须追回');
      expect(decidedText).toContain('意见：经入户核实已死亡，停发');
      expect(await prisma.auditEntry.count({ where: { action: 'case.decided', subjectType: 'Case', subjectId: String(kase.id) } })).toBe(1);
      const decided = await prisma.case.findUniqueOrThrow({ where: { id: kase.id } });
      const overpaidCents = (decided.data as { overpayment: { totalCents: number } }).overpayment.totalCents;
      expect(overpaidCents).toBeGreaterThan(0);

      // The over-payment is confirmed by someone other than the decider: the caseworker has no such step;
      // the 专班组长 confirms it from the console at the amount shown (a wrong one is refused, saying why).
      expect(await driver.say(caseworker, 'private', `/案件 ${kase.id}`)).toBe(200);
      expect(driver.botTexts(caseworker, 'private').at(-1)).not.toContain('确认超发金额');
      expect(await web.say(fx.staff.leader, `/案件 ${kase.id}`)).toBe(200);
      expect(await web.press(fx.staff.leader, '办理：确认超发金额')).toBe(200);
      expect((await web.texts(fx.staff.leader)).at(-1)).toContain(`计算超发 ${(overpaidCents / 100).toFixed(2)} 元`);
      expect(await web.submit(fx.staff.leader, { amount: '1.00' }, { card: '确认超发金额' })).toBe(200);
      expect((await web.texts(fx.staff.leader)).at(-1)).toContain('不一致');
      expect((await prisma.case.findUniqueOrThrow({ where: { id: kase.id } })).data).not.toHaveProperty('steps.1');
      expect(await web.say(fx.staff.leader, `/案件 ${kase.id}`)).toBe(200);
      expect(await web.press(fx.staff.leader, '办理：确认超发金额')).toBe(200);
      expect(await web.submit(fx.staff.leader, { amount: (overpaidCents / 100).toFixed(2), note: '与发放记录核对无误' }, { card: '确认超发金额' })).toBe(200);
      expect((await web.texts(fx.staff.leader)).at(-1)).toContain(`已确认超发 ${(overpaidCents / 100).toFixed(2)} 元`);

      // A recovery from /案件: the card lists the steps the caseworker may take now.
      expect(await driver.say(caseworker, 'private', `/案件 ${kase.id}`)).toBe(200);
      expect(driver.botTexts(caseworker, 'private').at(-1)).toContain('决定：');
      expect(await driver.press(caseworker, 'private', '办理：登记追回')).toBe(200);
      await driver.settle();
      const half = Math.floor(overpaidCents / 2) / 100;
      // Bad input on a free-text input: the field named, nothing written.
      expect(await driver.submit(caseworker, 'private', { amount: '五百元', recoveredOn: today, receiptNo: 'SJ-2026-001' }, { card: '登记追回' })).toBe(200);
      await driver.settle();
      expect(driver.botTexts(caseworker, 'private').at(-1)).toContain('“追回金额（元）”应为大于 0 的金额');
      expect((await prisma.case.findUniqueOrThrow({ where: { id: kase.id } })).data).not.toHaveProperty('recoveries');
      expect(await driver.submit(caseworker, 'private', { amount: String(half), recoveredOn: today, receiptNo: 'SJ-2026-001' }, { card: '登记追回' })).toBe(200);
      await driver.settle();
      expect(said()).toContain('收据 SJ-2026-001');

      // The other township's caseworker sees nothing of the case and cannot act on it.
      expect(await web.say(fx.staff.outsider, `/案件 ${kase.id}`)).toBe(200);
      expect((await web.texts(fx.staff.outsider)).at(-1)).toContain('无权查看');

      // The 专班组长 writes off the rest from the console.
      expect(await web.say(fx.staff.leader, `/案件 ${kase.id}`)).toBe(200);
      expect(await web.press(fx.staff.leader, '办理：批准核销')).toBe(200);
      expect(await web.submit(fx.staff.leader, { reason: '' }, { card: '批准核销' })).toBe(200);
      expect((await web.texts(fx.staff.leader)).at(-1)).toContain('“核销理由”');
      expect(await web.submit(fx.staff.leader, { reason: '家庭无可供追回的财产，经专班研究同意核销' }, { card: '批准核销' })).toBe(200);
      const closed = await eventually(async () => {
        const c = await prisma.case.findUniqueOrThrow({ where: { id: kase.id } });
        return c.status === 'CLOSED' ? c : null;
      });
      expect((await web.texts(fx.staff.leader)).join('\n')).toContain('已批准核销');

      // The Case row: the decision, the check, the recovery and the write-off.
      const data = closed.data as {
        decision: { decision: string; effectiveMonth: string; decidedByStaffId: number; note: string };
        steps: Array<{ action: string; byStaffId: number; writtenOffCents?: number; visitedOn?: string }>;
        recoveries: Array<{ amountCents: number; receiptNo?: string; recoveredOn?: string }>;
      };
      expect(data.decision).toMatchObject({ decision: '停发', effectiveMonth: stopMonth, decidedByStaffId: fx.staff.caseworker, note: '经入户核实已死亡，停发' });
      expect(data.steps.map((s) => s.action)).toEqual(['case.household-checked', 'case.overpayment-confirmed', 'case.written-off']);
      expect(data.steps[0]).toMatchObject({ byStaffId: fx.staff.caseworker, visitedOn: today });
      expect(data.steps[1]).toMatchObject({ byStaffId: fx.staff.leader, overpaidCents });
      expect(data.steps[2]).toMatchObject({ byStaffId: fx.staff.leader, writtenOffCents: overpaidCents - Math.round(half * 100) });
      expect(data.recoveries).toEqual([expect.objectContaining({ amountCents: Math.round(half * 100), receiptNo: 'SJ-2026-001', recoveredOn: today })]);
      expect((await prisma.enrolment.findUniqueOrThrow({ where: { id: fx.enrolmentId } })).status).toBe('ENDED');

      // The audit chain holds, with each step in it.
      expect((await verifyAuditChain(prisma)).ok).toBe(true);
      const actions = (await prisma.auditEntry.findMany({ where: { subjectType: 'Case', subjectId: String(kase.id) }, orderBy: { id: 'asc' } })).map((a) => a.action);
      for (const a of ['case.household-checked', 'case.decided', 'case.overpayment-confirmed', 'case.recovery-recorded', 'case.written-off', 'case.closed']) expect(actions).toContain(a);
      expect(actions.indexOf('case.overpayment-confirmed')).toBeLessThan(actions.indexOf('case.recovery-recorded'));
      expect(actions.indexOf('case.household-checked')).toBeLessThan(actions.indexOf('case.decided'));

      // Statutory table 5 lists the case with its decision and amounts.
      const rows = [];
      for await (const r of deathPrisonRows(prisma, { countyRegionId: fx.countyId, start: deathDate, end: chinaDate(clockMs), policy: presets.zhangzi })) rows.push(r);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ event: '死亡', decision: '停发', effectiveMonth: stopMonth, overpaid: overpaidCents / 100, recovered: half, eventDate: deathDate });
      expect(JSON.stringify(rows)).not.toContain(member.idNumber);
    });
  }, 180_000);
});
