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

import { openComplaint } from '../../services/cases/complaint.js';
import { openDeathReview } from '../../services/cases/death-review.js';
import { submitNearRelativeFiling } from '../../services/cases/near-relative-filing.js';
import { verifyAuditChain } from '../../infra/audit-chain.js';
import { createActivities } from '../../activities/index.js';
import { presets } from '../../domain/policy/load.js';
import { complaintStatusQuery } from '../../domain/steps/complaint.js';
import { deathReviewStatusQuery } from '../../domain/steps/updates/death-review.js';
import { nearRelativeFilingStatusQuery } from '../../domain/steps/near-relative-filing.js';
import { freshIdNumber } from '../support/ids.js';
import { consoleDriver, startChatFrontsUnderTest, type ChatFrontsUnderTest } from '../support/chat-drivers.js';
import { connectTimeSkipping, createTestWorker, uniqueTaskQueue, useTemporalTestContext } from '../support/temporal.js';
import { TEST_NOW_MS } from '../support/clock.js';
import { createCasesFixture, testCalendar } from './fixtures/cases-b.js';
import { createComplaintFixture, testCalendar as yearCalendar } from './fixtures/complaint.js';
import { DAY, addDays, chinaDate, createDeathFixture, eventually, monthOf } from './fixtures/death-review.js';

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

  it('a deputy takes every leader step (write-off, complaint extension) recorded 「由 X 代 Y」; the leader ends it early; the deputy is refused and cards go to the leader', async () => {
    const web = consoleDriver(under.baseUrl, prisma, () => under.fronts.idle());
    clockMs = await ctx.env.currentTimeMs();
    const today = chinaDate(clockMs);
    const until = addDays(today, 10);
    const deathDate = chinaDate(clockMs - 40 * DAY);
    const fx = await createDeathFixture(prisma, [monthOf(deathDate), monthOf(deathDate, 1), monthOf(deathDate, 2)]);
    const { leader, caseworker } = fx.staff;
    // A 专班 office member: no write-off right of his own.
    const deputy = (await prisma.staff.create({ data: { name: '钱专班', idNumber: freshIdNumber(), role: 'TASKFORCE_OFFICE', unit: '工作专班', regionId: fx.countyId } })).id;
    const cx = await createComplaintFixture(prisma);
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const last = async (staffId: number) => (await web.texts(staffId)).at(-1) ?? '';
    const act = async (staffId: number, caseId: number, title: string, values: Record<string, string>) => {
      expect(await web.say(staffId, `/案件 ${caseId}`)).toBe(200);
      expect(await web.press(staffId, `办理：${title}`)).toBe(200);
      expect(await web.submit(staffId, values, { card: title })).toBe(200);
      return last(staffId);
    };

    await worker.runUntil(async () => {
      for (const s of [leader, caseworker, fx.staff.head, deputy, cx.staff.leader, cx.staff.office]) expect(await web.open(s)).toBe(200);

      // A death review decided 停发 with an over-payment, through the console.
      const handle = await openDeathReview(ctx.env.client, { taskQueue, countyRegionId: fx.countyId, memberId: fx.memberId, deathDate, source: '村报', policy: presets.zhangzi });
      await eventually(async () => ((await handle.query(deathReviewStatusQuery)).phase === 'reviewing' ? true : null));
      const kase = await prisma.case.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
      expect(await act(caseworker, kase.id, '登记入户核查', { visitedOn: today, visitors: '李经办', findings: '已火化' })).toContain('已入户核查');
      expect(await act(caseworker, kase.id, '作出核查决定', { decision: '停发', effectiveMonth: monthOf(deathDate, 1), note: '停发' })).toContain('须追回');
      expect(await act(fx.staff.head, kase.id, '确认超发金额', { amount: '1000.00' })).toContain('已确认超发 1000.00 元');
      await eventually(async () => ((await handle.query(deathReviewStatusQuery)).phase === 'recovering' ? true : null));

      // Without a delegation the office member has no write-off.
      await web.say(deputy, `/案件 ${kase.id}`);
      expect(await last(deputy)).not.toContain('办理：批准核销');

      // The leader names him, then ends it early with the confirmation's 「结束代理」.
      await web.say(leader, `/代理审批 ${deputy} ${today} ${until}`);
      const first = await prisma.delegation.findFirstOrThrow({ where: { leaderStaffId: leader, deputyStaffId: deputy }, orderBy: { id: 'desc' } });
      expect(await last(leader)).toContain(`代理编号 ${first.id}`);
      await web.say(deputy, `/案件 ${kase.id}`);
      expect(await web.press(deputy, '办理：批准核销')).toBe(200);
      // Someone else cannot end it; the leader can, once.
      await web.say(caseworker, `/代理审批 结束 ${first.id}`);
      expect(await last(caseworker)).toContain('“代理编号”不是您指定的代理审批');
      expect(await web.press(leader, '结束代理')).toBe(200);
      expect(await last(leader)).toContain(`已提前结束钱专班的代理审批（代理编号 ${first.id}`);
      expect(await web.press(leader, '结束代理')).toBe(200);
      expect(await last(leader)).toContain('该代理审批已结束');
      await under.fronts.delivery.kick();
      expect((await web.texts(deputy)).join('\n')).toContain('赵组长已于');
      // The card he opened before is refused now, saying why; nothing written.
      expect(await web.submit(deputy, { reason: '家庭无财产可供追回' }, { card: '批准核销' })).toBe(200);
      expect(await last(deputy)).toContain(`赵组长已于 ${today} 结束您的代理审批，您不能再代赵组长办理“批准核销”`);
      expect((await handle.query(deathReviewStatusQuery)).writeOff).toBeNull();
      // A leader's card goes to the leader again (the notify activity reads the delegations in force).
      const acts = createActivities({ prisma });
      await acts.notify({ recipientStaffId: leader, kind: 'escalation', text: '死亡核查待核销', dedupeKey: `deleg-test:${kase.id}:after-end`, caseId: kase.id, workflowId: handle.workflowId, actions: [{ label: '办理', step: 'next' }], sentAt: new Date(clockMs).toISOString() });
      expect(await prisma.notification.findUniqueOrThrow({ where: { dedupeKey: `deleg-test:${kase.id}:after-end` } })).toMatchObject({ recipientStaffId: leader });
      expect(await prisma.auditEntry.count({ where: { action: 'delegation.ended', subjectId: String(first.id) } })).toBe(1);

      // Named again: the same card now goes to the deputy, and he writes off for the leader.
      await web.say(leader, `/代理审批 ${deputy} ${today} ${until}`);
      await acts.notify({ recipientStaffId: leader, kind: 'escalation', text: '死亡核查待核销', dedupeKey: `deleg-test:${kase.id}:again`, caseId: kase.id, workflowId: handle.workflowId, actions: [{ label: '办理', step: 'next' }], sentAt: new Date(clockMs).toISOString() });
      expect(await prisma.notification.findUniqueOrThrow({ where: { dedupeKey: `deleg-test:${kase.id}:again` } })).toMatchObject({ recipientStaffId: deputy });
      const written = await act(deputy, kase.id, '批准核销', { reason: '家庭无财产可供追回，经专班研究同意核销' });
      expect(written).toContain('已批准核销');
      expect(written).toContain('办理人：由钱专班代赵组长审批');
      const closed = await eventually(async () => {
        const c = await prisma.case.findUniqueOrThrow({ where: { id: kase.id } });
        return c.status === 'CLOSED' ? c : null;
      });
      const steps = (closed.data as { steps: Array<Record<string, unknown>> }).steps;
      expect(steps.find((x) => x.action === 'case.written-off')).toMatchObject({ byStaffId: deputy, onBehalfOfStaffId: leader });
      const wo = await prisma.auditEntry.findMany({ where: { action: 'case.written-off', subjectType: 'Case', subjectId: String(kase.id) } });
      expect(wo).toHaveLength(1);
      expect(wo[0]).toMatchObject({ actor: `staff:${deputy}`, payload: expect.objectContaining({ onBehalfOfStaffId: leader }) });

      // The complaint extension: the 专班组长 names his office member, who approves it for him.
      const complaint = await openComplaint(ctx.env.client, {
        taskQueue,
        intakeKey: `delegation-${clockMs}`,
        calendar: yearCalendar(Number(today.slice(0, 4))),
        countyRegionId: cx.countyId,
        channel: '电话',
        receivedAt: new Date(clockMs).toISOString(),
        complainant: { name: '周建国', phone: '13800001111' },
        summary: '反映第1村低保评议不公开',
        subjectRegionId: cx.village1,
        policy: presets.wenshui,
      });
      const ckase = await eventually(() => prisma.case.findUnique({ where: { workflowId: complaint.workflowId } }));
      await eventually(async () => ((await complaint.query(complaintStatusQuery)).phase === 'acceptance' ? true : null));
      expect(await act(cx.staff.office, ckase.id, '受理告知', { decision: '受理', reason: '予以受理', noticeOn: today, method: '电话' })).toContain('已受理');
      await eventually(async () => ((await complaint.query(complaintStatusQuery)).phase === 'handling' ? true : null));
      await web.say(cx.staff.office, `/案件 ${ckase.id}`);
      expect(await last(cx.staff.office)).not.toContain('办理：批准延期');
      await web.say(cx.staff.leader, `/代理审批 ${cx.staff.office} ${today} ${until}`);
      const extended = await act(cx.staff.office, ckase.id, '批准延期', { reason: '涉及多户家庭，需逐户核查' });
      expect(extended).toContain('已批准延期');
      expect(extended).toContain('办理人：由吴专班代郑组长审批');
      expect((await complaint.query(complaintStatusQuery)).extension.approved).toBe(true);
      const row = await prisma.complaint.findUniqueOrThrow({ where: { workflowId: complaint.workflowId } });
      const ext = await prisma.auditEntry.findMany({ where: { action: 'complaint.extension-approved', subjectType: 'Complaint', subjectId: String(row.id) } });
      expect(ext).toHaveLength(1);
      expect(ext[0]).toMatchObject({ actor: `staff:${cx.staff.office}`, payload: expect.objectContaining({ onBehalfOfStaffId: cx.staff.leader }) });
    });
    expect((await verifyAuditChain(prisma)).ok).toBe(true);
  });
});
