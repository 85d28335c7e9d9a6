/**
 * End to end through the chat fronts, on both platforms, with the real
 * Temporal time-skipping server, the real database and the loopback fakes of
 * Feishu and Telegram: staff bind their accounts, a village cadre reports a
 * death in a group chat, the death-review case opens, the assignee's reminders
 * and the township head's escalation arrive in their private chats once each,
 * and forged, replayed and unbound requests change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { verifyAuditChain } from '../../infra/audit-chain.js';
import { issueBindingCode } from '../../bot/core/index.js';
import { deathReviewWorkflowId } from '../../domain/cases/ids.js';
import { presets } from '../../domain/policy/load.js';
import { computeDeadline, escalationSchedule, reminderSchedule } from '../../domain/policy/compute.js';
import { startChatFrontsUnderTest, type ChatFrontsUnderTest } from '../support/chat-drivers.js';
import { connectTimeSkipping, createTestWorker, terminateWhenIdle, uniqueTaskQueue, useTemporalTestContext } from '../support/temporal.js';
import { TEST_NOW_MS } from '../support/clock.js';
import { testCalendar } from './fixtures/complaint.js';
import { DAY, chinaDate, createDeathFixture, eventually, monthOf, type DeathFixture } from './fixtures/death-review.js';

describe.each(['feishu', 'telegram'] as const)('chat bot end to end on %s (time-skipping server)', (platform) => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;
  let under: ChatFrontsUnderTest;
  /** The bot's clock follows the workflow clock (set before each step). */
  let clockMs = TEST_NOW_MS;
  const taskQueue = uniqueTaskQueue(`bot-e2e-${platform}`);

  beforeAll(async () => {
    const year = Number(chinaDate(await ctx.env.currentTimeMs()).slice(0, 4));
    under = await startChatFrontsUnderTest(platform, { prisma, client: ctx.env.client, taskQueue, policy: presets.zhangzi, calendar: testCalendar(year), now: () => new Date(clockMs) });
  });
  afterAll(async () => {
    await under?.close();
  });

  it('binds, reports a death in a group, reminds the assignee and escalates to the township head once each', async () => {
    const envNow = await ctx.env.currentTimeMs();
    clockMs = envNow;
    const fx: DeathFixture = await createDeathFixture(prisma, [monthOf(chinaDate(envNow))]);
    const member = await prisma.member.findUniqueOrThrow({ where: { id: fx.memberId } });
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });

    const { driver, fronts } = under;
    await worker.runUntil(async () => {
      const villager = await driver.user('孙委员');
      const caseworker = await driver.user('李经办');
      const head = await driver.user('王乡长');
      const stranger = await driver.user('陌生人');
      const step = (label: string) => process.env.E2E_DEBUG && console.log(`[e2e ${platform}] ${label}`);
      for (const [u, staffId] of [[villager, fx.staff.villager], [caseworker, fx.staff.caseworker], [head, fx.staff.head]] as const) {
        const { code } = await issueBindingCode(prisma, staffId, new Date(clockMs));
        expect(await driver.say(u, 'private', `/绑定 ${code}`)).toBe(200);
        expect(driver.botTexts(u, 'private').at(-1)).toContain('绑定成功');
      }
      step('bound');
      const group = driver.group();

      // An unbound person is told how to bind and can start nothing.
      expect(await driver.say(stranger, group, '/报告死亡')).toBe(200);
      expect(driver.botTexts(stranger, group).at(-1)).toContain('尚未绑定');

      // The death form asks for ID numbers: refused in the group, filled in private chat, step by step.
      expect(await driver.say(villager, group, '/报告死亡')).toBe(200);
      await driver.settle();
      expect(driver.botTexts(villager, group).at(-1)).toContain('不能在群里填写');
      const deathDate = chinaDate(envNow - 5 * DAY);
      for (const text of ['/报告死亡', member.name, member.idNumber, deathDate, '村报']) {
        expect(await driver.say(villager, 'private', text)).toBe(200);
      }
      expect(JSON.stringify(driver.botTexts(villager, group))).not.toContain(member.idNumber);
      step('form filled');
      await driver.settle();
      expect(await driver.press(villager, 'private', '确认提交')).toBe(200);
      step('pressed');
      // The same press delivered again decides nothing twice.
      expect(await driver.press(villager, 'private', '确认提交', true)).toBe(200);
      await driver.settle();
      const workflowId = deathReviewWorkflowId(fx.countyId, fx.memberId);
      const row = await eventually(() => prisma.case.findUnique({ where: { workflowId } }));
      step('case open');
      expect(row).toMatchObject({ kind: 'DEATH_REVIEW', status: 'OPEN', assigneeStaffId: fx.staff.caseworker });
      expect(await prisma.case.count({ where: { workflowId } })).toBe(1);
      expect(driver.botTexts(villager, 'private').join('\n')).toContain('已受理');

      // A forged request changes nothing.
      const notesBefore = await prisma.notification.count({ where: { caseId: row.id } });
      expect(await driver.forge(villager, group, '/报告死亡')).toBe(401);

      // Run the case past its deadline and the unit-head escalation.
      const deadline = computeDeadline(presets.zhangzi, 'death-review', deathDate);
      const reminders = reminderSchedule(presets.zhangzi, deadline.due).filter((r) => r.at.getTime() >= envNow);
      const steps = escalationSchedule(presets.zhangzi, deadline.expiresAt);
      const unitHeadAt = steps.find((s) => s.level === 'unitHead')!.at.getTime();
      await ctx.env.sleep(unitHeadAt + 3_600_000 - (await ctx.env.currentTimeMs()));
      clockMs = await ctx.env.currentTimeMs();
      const expectedToAssignee = reminders.length + 1; // the reminders, then the assignee-level escalation
      await eventually(async () => (await prisma.notification.count({ where: { caseId: row.id } })) >= notesBefore + expectedToAssignee + 1);

      step('escalated');
      const first = await fronts.delivery.kick();
      const second = await fronts.delivery.kick();
      step(`delivered ${JSON.stringify(first)}`);
      expect(first.failed).toBe(0);
      expect(second).toEqual({ delivered: 0, failed: 0 });

      const toCaseworker = driver.botTexts(caseworker, 'private').filter((t) => t.includes(member.name) || t.includes('死亡核查'));
      const toHead = driver.botTexts(head, 'private').filter((t) => t.includes('逾期升级'));
      expect(toCaseworker.filter((t) => t.includes('催办提醒'))).toHaveLength(reminders.length);
      expect(toCaseworker.filter((t) => t.includes('逾期升级'))).toHaveLength(1);
      expect(toHead).toHaveLength(1);
      const [y, m, d] = deadline.due.split('-').map(Number);
      expect(toHead[0]).toContain(`${y}年${m}月${d}日`);
      // ID numbers never reach a chat unmasked.
      for (const t of [...toCaseworker, ...toHead]) expect(t).not.toContain(member.idNumber);
      // Nothing was sent twice: one notification row per dedupe key, each delivered once.
      const rows = await prisma.notification.findMany({ where: { caseId: row.id } });
      expect(rows.every((n) => n.deliveredAt !== null)).toBe(true);
      expect(new Set(rows.map((n) => n.dedupeKey)).size).toBe(rows.length);
      // Pending timers of a case left open would hold the shared test clock for the next file.
      await terminateWhenIdle(ctx.env.client.workflow.getHandle(workflowId));
    });
    expect((await verifyAuditChain(prisma)).ok).toBe(true);
  });


  it('a leader approves a near-relative filing from the card with a comment, and the card shows the outcome and who decided', async () => {
    clockMs = await ctx.env.currentTimeMs();
    const fx = await createDeathFixture(prisma);
    const relative = await prisma.member.findUniqueOrThrow({ where: { id: fx.memberId } });
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const { driver, fronts } = under;
    await worker.runUntil(async () => {
      const villager = await driver.user('孙委员');
      const leader = await driver.user('赵组长');
      for (const [u, staffId] of [[villager, fx.staff.villager], [leader, fx.staff.leader]] as const) {
        const { code } = await issueBindingCode(prisma, staffId, new Date(clockMs));
        expect(await driver.say(u, 'private', `/绑定 ${code}`)).toBe(200);
      }
      for (const text of ['/近亲属备案', relative.name, relative.idNumber, '父母']) expect(await driver.say(villager, 'private', text)).toBe(200);
      expect(await driver.press(villager, 'private', '确认提交')).toBe(200);
      await driver.settle();
      const filing = await eventually(() => prisma.nearRelativeFiling.findFirst({ where: { staffId: fx.staff.villager } }));
      expect(filing.status).toBe('SUBMITTED');
      const request = await eventually(() => prisma.notification.findFirst({ where: { workflowId: filing.workflowId!, recipientStaffId: fx.staff.leader } }));
      expect(request.actions).not.toBeNull();
      await fronts.delivery.kick();
      const card = driver.botTexts(leader, 'private').find((t) => t.includes('近亲属备案待审批'));
      expect(card).toBeDefined();
      expect(card).not.toContain(relative.idNumber);

      // 「批准」 opens the approval form with the choice made: a comment is required (审批意见).
      expect(await driver.press(leader, 'private', '批准')).toBe(200);
      await driver.settle();
      if (platform === 'feishu') {
        expect(await driver.submit(leader, 'private', { decision: 'approve', note: '' }, { card: '审批近亲属备案' })).toBe(0);
        expect(await driver.submit(leader, 'private', { decision: 'approve', note: '同意备案' }, { card: '审批近亲属备案' })).toBe(200);
      } else {
        // Telegram asks the fields one by one, then confirms; the button answered 审批结果 already.
        const asked = driver.botTexts(leader, 'private').at(-1)!;
        expect(asked).not.toContain('请选择审批结果');
        expect(asked).toContain('审批结果：批准');
        expect(asked).toContain('审批意见');
        expect(await driver.say(leader, 'private', '同意备案')).toBe(200);
        expect(driver.botTexts(leader, 'private').at(-1)).toContain('请确认');
        expect(await driver.press(leader, 'private', '确认提交')).toBe(200);
      }
      await driver.settle();
      const decided = await eventually(async () => {
        const f = await prisma.nearRelativeFiling.findUniqueOrThrow({ where: { id: filing.id } });
        return f.status === 'APPROVED' ? f : null;
      });
      expect(decided.decidedByStaffId).toBe(fx.staff.leader);
      // The card now shows the outcome, the comment and who decided.
      const shown = driver.botTexts(leader, 'private').join('\n');
      expect(shown).toContain('已批准');
      expect(shown).toContain('办理人：赵组长');
      // A redelivered submission decides nothing twice.
      expect(await (platform === 'feishu' ? driver.submit(leader, 'private', {}, { replay: true }) : driver.press(leader, 'private', '确认提交', true))).toBe(200);
      await driver.settle();
      expect(await prisma.auditEntry.count({ where: { action: 'filing.approved', subjectType: 'NearRelativeFiling', subjectId: String(filing.id) } })).toBe(1);
      await terminateWhenIdle(ctx.env.client.workflow.getHandle(filing.workflowId!));
    });
  });
});

