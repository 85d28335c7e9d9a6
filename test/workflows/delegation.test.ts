/**
 * 代理审批 through the web console on the time-skipping server: the section
 * head (股室负责人) names a deputy for his leave with `/代理审批`; refused for a
 * village cadre (no standing), a township caseworker naming one, bad dates.
 * The near-relative filing's approval card then goes to the deputy and says
 * 「由 X 代 Y 审批」. A deputy related to the applicant must recuse and is
 * refused; a section caseworker deputy (no approval right of his own) takes
 * the leader's step from /案件, and the filing, the workflow's validator and
 * the audit chain record both people.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { submitNearRelativeFiling } from '../../app/cases/near-relative-filing.js';
import { verifyAuditChain } from '../../app/db/audit.js';
import { presets } from '../../domain/policy/load.js';
import { nearRelativeFilingStatusQuery } from '../../domain/steps/near-relative-filing.js';
import { freshIdNumber } from '../support/ids.js';
import { consoleDriver, startChatFrontsUnderTest, type ChatFrontsUnderTest } from '../support/chat-drivers.js';
import { connectTimeSkipping, createTestWorker, uniqueTaskQueue, useTemporalTestContext } from '../support/temporal.js';
import { TEST_NOW_MS } from '../support/clock.js';
import { createCasesFixture, testCalendar } from './fixtures/cases-b.js';
import { testCalendar as yearCalendar } from './fixtures/complaint.js';
import { addDays, chinaDate, eventually } from './fixtures/death-review.js';

describe('代理审批 through the console (time-skipping server)', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;
  let under: ChatFrontsUnderTest;
  let clockMs = TEST_NOW_MS;
  const taskQueue = uniqueTaskQueue('delegation');

  beforeAll(async () => {
    clockMs = await ctx.env.currentTimeMs();
    const year = Number(chinaDate(clockMs).slice(0, 4));
    under = await startChatFrontsUnderTest('feishu', { prisma, client: ctx.env.client, taskQueue, policy: presets.zhangzi, calendar: yearCalendar(year), now: () => new Date(clockMs), demo: true });
  });
  afterAll(async () => {
    await under?.close();
  });

  it('the section head names a deputy; the approval card goes to the deputy; a recused deputy is refused; the deputy approves for him', async () => {
    const web = consoleDriver(under.baseUrl, prisma, () => under.fronts.idle());
    const fx = await createCasesFixture(prisma);
    const county = fx.countyId;
    // A section caseworker related to the applicant (declared before the filing opens): must recuse.
    const related = (await prisma.staff.create({ data: { name: '陈三', idNumber: freshIdNumber(), role: 'SECTION_CASEWORKER', unit: '社会救助股', regionId: county } })).id;
    await prisma.staffRelative.create({ data: { staffId: related, relativeName: fx.relative.name, relativeIdNumber: fx.relative.idNumber, relation: '兄弟姐妹' } });
    const { sectionHead: head, sectionCaseworker: deputy, cadre, townshipCaseworker } = fx.staff;
    const today = chinaDate(clockMs);
    const until = addDays(today, 10);
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const last = async (staffId: number) => (await web.texts(staffId)).at(-1) ?? '';

    await worker.runUntil(async () => {
      for (const s of [head, deputy, cadre, townshipCaseworker, related]) expect(await web.open(s)).toBe(200);

      // Refused: no standing (a village cadre), not a leader, bad input; nothing stored.
      await web.say(head, `/代理审批 ${cadre} ${today} ${until}`);
      expect(await last(head)).toContain('孙委员不具备代您审批的资格');
      await web.say(townshipCaseworker, `/代理审批 ${deputy} ${today} ${until}`);
      expect(await last(townshipCaseworker)).toContain('只有股室负责人或工作专班组长可以指定代理审批人');
      await web.say(head, `/代理审批 ${deputy} ${today} 下周`);
      expect(await last(head)).toContain('“截止日期”应为 YYYY-MM-DD');
      await web.say(head, `/代理审批 ${deputy} ${until} ${today}`);
      expect(await last(head)).toContain('“止”不能早于“起”');
      await web.say(head, '/代理审批');
      expect(await last(head)).toContain('/代理审批 <代理人编号> <起始日期> <截止日期>');
      expect(await prisma.delegation.count({ where: { leaderStaffId: head } })).toBe(0);

      // The related caseworker is named first (standing is the role's; recusal is per case).
      await web.say(head, `/代理审批 ${related} ${today} ${until}`);
      expect(await last(head)).toContain(`已指定陈三（编号 ${related}）在 ${today} 至 ${until} 期间代您审批`);
      await under.fronts.delivery.kick();
      expect((await web.texts(related)).join('\n')).toContain('周股长指定您在');

      // The filing's approval card, meant for the section head, goes to the deputy and says so.
      const handle = await submitNearRelativeFiling(ctx.env.client, { taskQueue, countyRegionId: county, staffId: fx.staff.filer, relative: { memberId: fx.relative.memberId }, relation: '父母', policy: presets.zhangzi, calendar: testCalendar, now: new Date(await ctx.env.currentTimeMs()) });
      const kase = await eventually(() => prisma.case.findUnique({ where: { workflowId: handle.workflowId } }));
      expect(kase.assigneeStaffId).toBe(head);
      const card = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${handle.workflowId}:decision-request:1` } }));
      expect(card.recipientStaffId).toBe(related);
      await under.fronts.delivery.kick();
      expect((await web.texts(related)).join('\n')).toContain('由陈三代周股长审批');
      expect((await web.texts(head)).join('\n')).not.toContain('近亲属备案待审批');

      // The related deputy must recuse: the card's button is refused, /案件 offers nothing.
      expect(await web.press(related, '批准')).toBe(200);
      expect(await last(related)).toContain('该备案涉及您本人的近亲属，您须回避');
      await web.say(related, `/案件 ${kase.id}`);
      expect(await last(related)).toContain('您当前没有可办理的环节');

      // A section caseworker has no approval right of his own…
      await web.say(deputy, `/案件 ${kase.id}`);
      expect(await last(deputy)).not.toContain('办理：审批近亲属备案');
      // …until the head names him (the newer delegation): then /案件 offers the leader's step.
      await web.say(head, `/代理审批 ${deputy} ${today} ${until}`);
      expect(await last(head)).toContain('已指定郑经办');
      await web.say(head, `/代理审批 ${deputy} ${today} ${until}`);
      expect(await last(head)).toContain('郑经办已是您');
      expect(await prisma.delegation.count({ where: { leaderStaffId: head } })).toBe(2);
      await web.say(deputy, `/案件 ${kase.id}`);
      expect(await web.press(deputy, '办理：审批近亲属备案')).toBe(200);
      expect(await web.submit(deputy, { decision: 'approve', note: '' }, { card: '审批近亲属备案' })).toBe(200);
      expect(await last(deputy)).toContain('“审批意见”');
      expect(await web.submit(deputy, { decision: 'approve', note: '材料齐全，同意备案（代周股长审批）' }, { card: '审批近亲属备案' })).toBe(200);
      expect(await web.submit(deputy, {}, { replay: true })).toBe(200);
      const outcome = (await web.texts(deputy)).join('\n');
      expect(outcome).toContain('已批准');
      expect(outcome).toContain('办理人：由郑经办代周股长审批');

      // Recorded once, by the deputy for the head: the filing, the workflow's state, the audit.
      await eventually(async () => ((await handle.query(nearRelativeFilingStatusQuery)).phase === 'approved' ? true : null));
      const filing = await prisma.nearRelativeFiling.findFirstOrThrow({ where: { workflowId: handle.workflowId } });
      expect(filing).toMatchObject({ status: 'APPROVED', decidedByStaffId: deputy });
      const status = await handle.query(nearRelativeFilingStatusQuery);
      expect(status.decisions).toEqual([expect.objectContaining({ decision: 'approve', byStaffId: deputy, onBehalfOfStaffId: head })]);
      const approved = await prisma.auditEntry.findMany({ where: { action: 'filing.approved', subjectType: 'NearRelativeFiling', subjectId: String(filing.id) } });
      expect(approved).toHaveLength(1);
      expect(approved[0]).toMatchObject({ actor: `staff:${deputy}`, payload: expect.objectContaining({ onBehalfOfStaffId: head }) });
      const created = await prisma.auditEntry.findMany({ where: { action: 'delegation.created', payload: { path: ['leaderStaffId'], equals: head } } });
      expect(created.map((a) => (a.payload as { deputyStaffId: number }).deputyStaffId)).toEqual([related, deputy]);
      const botEntries = await prisma.auditEntry.findMany({ where: { action: { startsWith: 'bot.form' }, payload: { path: ['onBehalfOfStaffId'], equals: head } } });
      expect(botEntries).toHaveLength(1);
    });
    expect((await verifyAuditChain(prisma)).ok).toBe(true);
  });
});
