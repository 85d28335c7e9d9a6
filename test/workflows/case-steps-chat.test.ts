/**
 * An application review, a near-relative filing and a complaint, each driven
 * from its opening to its closure ONLY through the chat: the Feishu fake (card
 * JSON 2.0 form containers coming back in one card.action.trigger) and the web
 * console, on the time-skipping server (the 公示's 7 days pass on its timer).
 * Bad input answers in Chinese naming the field and writes nothing; a
 * redelivered submission decides once; staff who must recuse get no button
 * and are refused. Then the rows and the audit chain.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openApplicationReview } from '../../services/cases/application-review.js';
import { openComplaint } from '../../services/cases/complaint.js';
import { submitNearRelativeFiling } from '../../services/cases/near-relative-filing.js';
import { verifyAuditChain } from '../../infra/audit-chain.js';
import { issueBindingCode } from '../../bot/core/index.js';
import { presets } from '../../domain/policy/load.js';
import { applicationReviewStatusQuery } from '../../domain/steps/application-review.js';
import { complaintStatusQuery } from '../../domain/steps/complaint.js';
import { nearRelativeFilingStatusQuery } from '../../domain/steps/near-relative-filing.js';
import { consoleDriver, startChatFrontsUnderTest, type ChatFrontsUnderTest } from '../support/chat-drivers.js';
import { connectTimeSkipping, createTestWorker, uniqueTaskQueue, useTemporalTestContext } from '../support/temporal.js';
import { TEST_NOW_MS } from '../support/clock.js';
import { createApplication, createCasesFixture, testCalendar } from './fixtures/cases-b.js';
import { createComplaintFixture, testCalendar as yearCalendar } from './fixtures/complaint.js';
import { addDays, chinaDate, chinaInstantMs, eventually } from './fixtures/death-review.js';

describe('application review, near-relative filing and complaint through the chat (Feishu + console, time-skipping server)', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;
  let under: ChatFrontsUnderTest;
  let clockMs = TEST_NOW_MS;
  const taskQueue = uniqueTaskQueue('case-steps-chat');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-chat-steps-'));

  beforeAll(async () => {
    clockMs = await ctx.env.currentTimeMs();
    const year = Number(chinaDate(clockMs).slice(0, 4));
    under = await startChatFrontsUnderTest('feishu', { prisma, client: ctx.env.client, taskQueue, policy: presets.zhangzi, calendar: yearCalendar(year), now: () => new Date(clockMs), demo: true });
  });
  afterAll(async () => {
    await under?.close();
  });
  const closedCase = (id: number) =>
    eventually(async () => {
      const c = await prisma.case.findUniqueOrThrow({ where: { id } });
      return c.status === 'CLOSED' ? c : null;
    });

  it('application review: investigation, 公示, refusal, the 不予批准告知书 on the card, its delivery', async () => {
    const { driver, fronts } = under;
    const web = consoleDriver(under.baseUrl, prisma, () => under.fronts.idle());
    const fx = await createCasesFixture(prisma);
    const accepted = chinaDate(await ctx.env.currentTimeMs());
    // The applicant is the father of two section heads (陈股长, 陈二): they must recuse.
    const app = await createApplication(prisma, fx, { acceptedAt: accepted, idNumber: fx.relative.idNumber, name: '陈老汉' });
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma, dataDir } });
    await worker.runUntil(async () => {
      const caseworker = await driver.user('李经办');
      const head = await driver.user('王乡长');
      for (const [u, staffId] of [[caseworker, fx.staff.townshipCaseworker], [head, fx.staff.townshipHead]] as const) {
        const { code } = await issueBindingCode(prisma, staffId, new Date(clockMs));
        expect(await driver.say(u, 'private', `/绑定 ${code}`)).toBe(200);
      }
      for (const s of [fx.staff.sectionCaseworker, fx.staff.filer]) expect(await web.open(s)).toBe(200);
      const handle = await openApplicationReview(ctx.env.client, { taskQueue, countyRegionId: fx.countyId, applicationId: app.id, policy: presets.zhangzi, calendar: testCalendar, now: new Date(await ctx.env.currentTimeMs()) });
      const kase = await eventually(() => prisma.case.findUnique({ where: { workflowId: handle.workflowId } }));
      await eventually(async () => (await handle.query(applicationReviewStatusQuery)).phase === 'awaitingInvestigation');
      const said = (u: typeof caseworker) => driver.botTexts(u, 'private');
      const step = async (u: typeof caseworker, title: string, values: Record<string, string>) => {
        expect(await driver.say(u, 'private', `/案件 ${kase.id}`)).toBe(200);
        expect(await driver.press(u, 'private', `办理：${title}`)).toBe(200);
        await driver.settle();
        expect(await driver.submit(u, 'private', values, { card: title })).toBe(200);
        await driver.settle();
        return said(u).at(-1)!;
      };

      // Start: one investigator is not enough (the field named, nothing written).
      expect(await step(caseworker, '启动入户调查', { investigators: '李经办' })).toContain('“调查人员”');
      expect((await prisma.application.findUniqueOrThrow({ where: { id: app.id } })).status).toBe(app.status);
      expect(await driver.submit(caseworker, 'private', { investigators: '李经办、王乡长' }, { card: '启动入户调查' })).toBe(200);
      await driver.settle();
      expect(said(caseworker).join('\n')).toContain('已启动入户调查（李经办、王乡长）');

      // The investigation result, then the 公示 by the township head.
      const today = () => chinaDate(clockMs);
      clockMs = await ctx.env.currentTimeMs();
      expect(await step(caseworker, '登记入户调查结果', { visitedOn: today(), investigators: '李经办、王乡长', findings: '家庭人均月收入 820 元，有门面房出租', conclusion: '不符合条件' })).toContain('已登记入户调查');
      expect(await step(head, '张贴公示', { opinion: '经调查，家庭收入超过标准，初审不符合条件' })).toContain('公示期至');

      // Seven days of 公示 pass on the server's timer; the county review begins.
      const posted = await handle.query(applicationReviewStatusQuery);
      await ctx.env.sleep(chinaInstantMs(addDays(posted.due!, 1), '00:00') + 60_000 - (await ctx.env.currentTimeMs()));
      clockMs = await ctx.env.currentTimeMs();
      await eventually(async () => (await handle.query(applicationReviewStatusQuery)).phase === 'countyReview');

      // The related section head has no button to decide, and a direct submission is refused.
      expect(await web.say(fx.staff.filer, `/案件 ${kase.id}`)).toBe(200);
      expect((await web.texts(fx.staff.filer)).at(-1)).toContain('您当前没有可办理的环节');
      // The section caseworker decides in the console: a refusal without its reason first.
      expect(await web.say(fx.staff.sectionCaseworker, `/案件 ${kase.id}`)).toBe(200);
      expect(await web.press(fx.staff.sectionCaseworker, '办理：审核确认')).toBe(200);
      const refuse = { decision: 'refuse', reason: '家庭人均月收入高于本县农村低保标准', note: '经审核，不符合条件' };
      expect(await web.submit(fx.staff.sectionCaseworker, { ...refuse, reason: '' }, { card: '审核确认' })).toBe(200);
      expect((await web.texts(fx.staff.sectionCaseworker)).at(-1)).toContain('不予批准理由');
      expect(await prisma.auditEntry.count({ where: { action: 'application.decided', subjectId: String(app.id) } })).toBe(0);
      expect(await web.submit(fx.staff.sectionCaseworker, refuse, { card: '审核确认' })).toBe(200);
      expect(await web.submit(fx.staff.sectionCaseworker, {}, { replay: true })).toBe(200);
      expect((await web.texts(fx.staff.sectionCaseworker)).join('\n')).toContain('不予批准：家庭人均月收入高于本县农村低保标准');
      expect(await prisma.auditEntry.count({ where: { action: 'application.decided', subjectId: String(app.id) } })).toBe(1);

      // The township gets the generated notice as a file, with the button to record its delivery.
      const notice = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${handle.workflowId}:refusal-notice-document` } }));
      expect(notice.recipientStaffId).toBe(fx.staff.townshipCaseworker);
      await fronts.delivery.kick();
      await driver.settle();
      expect(said(caseworker).join('\n')).toContain('不予批准告知书');
      expect(await driver.press(caseworker, 'private', '登记送达')).toBe(200);
      await driver.settle();
      clockMs = await ctx.env.currentTimeMs();
      expect(await driver.submit(caseworker, 'private', { noticeDate: today(), method: '直接送达', receivedBy: '陈老汉' }, { card: '登记告知书送达' })).toBe(200);
      await driver.settle();
      expect(said(caseworker).join('\n')).toContain('本申请办结');

      const closed = await closedCase(kase.id);
      expect(closed.closedAt).not.toBeNull();
      // /案件 shows the history: each step with its comment.
      expect(await web.say(fx.staff.sectionCaseworker, `/案件 ${kase.id}`)).toBe(200);
      const shown = (await web.texts(fx.staff.sectionCaseworker)).at(-1)!;
      expect(shown).toContain('已办结');
      expect(shown).toMatch(/入户调查：\S+ 不符合条件，家庭人均月收入 820 元/);
      expect(shown).toMatch(/审核确认：\S+ 不予批准，家庭人均月收入高于本县农村低保标准/);
      expect(shown).toMatch(/告知书送达：\S+ 直接送达/);
      const row = await prisma.application.findUniqueOrThrow({ where: { id: app.id } });
      expect(row.status).toBe('REFUSED_NOTIFIED');
      const steps = (row.data as { steps: Array<{ action: string; byStaffId: number; method?: string; document?: string }> }).steps;
      expect(steps.find((s) => s.action === 'decided')).toMatchObject({ byStaffId: fx.staff.sectionCaseworker });
      expect(steps.find((s) => s.action === 'refusal-notice-recorded')).toMatchObject({ byStaffId: fx.staff.townshipCaseworker, method: '直接送达', document: `notices/${fx.countyId}/application-${app.id}/不予批准告知书-${app.id}.docx` });
      expect(fs.existsSync(path.join(dataDir, 'notices', String(fx.countyId), `application-${app.id}`, `不予批准告知书-${app.id}.docx`))).toBe(true);
    });
    expect((await verifyAuditChain(prisma)).ok).toBe(true);
  });

  it('near-relative filing: the approval card asks for a comment, 补充材料 answered in the console, approval, the county home visit', async () => {
    const { driver, fronts } = under;
    const web = consoleDriver(under.baseUrl, prisma, () => under.fronts.idle());
    const fx = await createCasesFixture(prisma);
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    await worker.runUntil(async () => {
      const approver = await driver.user('周股长');
      const { code } = await issueBindingCode(prisma, fx.staff.sectionHead, new Date(clockMs));
      expect(await driver.say(approver, 'private', `/绑定 ${code}`)).toBe(200);
      for (const s of [fx.staff.filer, fx.staff.conflictedHead, fx.staff.sectionCaseworker]) expect(await web.open(s)).toBe(200);
      const handle = await submitNearRelativeFiling(ctx.env.client, { taskQueue, countyRegionId: fx.countyId, staffId: fx.staff.filer, relative: { memberId: fx.relative.memberId }, relation: '父母', policy: presets.zhangzi, calendar: testCalendar, now: new Date(await ctx.env.currentTimeMs()) });
      const kase = await eventually(() => prisma.case.findUnique({ where: { workflowId: handle.workflowId } }));
      await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${handle.workflowId}:decision-request:1` } }));
      await fronts.delivery.kick();
      await driver.settle();

      // 补充材料 from the approval card: a comment is required.
      expect(await driver.press(approver, 'private', '补充材料')).toBe(200);
      await driver.settle();
      expect(await driver.submit(approver, 'private', { decision: 'moreInfo', note: '' }, { card: '审批近亲属备案' })).toBe(0);
      expect(await driver.submit(approver, 'private', { decision: 'moreInfo', note: '请补充户口簿和收入证明' }, { card: '审批近亲属备案' })).toBe(200);
      await driver.settle();
      expect(driver.botTexts(approver, 'private').join('\n')).toContain('已要求补充材料');

      // The other related section head gets no step; the filer answers in the console.
      expect(await web.say(fx.staff.conflictedHead, `/案件 ${kase.id}`)).toBe(200);
      expect((await web.texts(fx.staff.conflictedHead)).at(-1)).toContain('您当前没有可办理的环节');
      await eventually(async () => (await handle.query(nearRelativeFilingStatusQuery)).phase === 'awaitingSupplement');
      expect(await web.say(fx.staff.filer, `/案件 ${kase.id}`)).toBe(200);
      expect(await web.press(fx.staff.filer, '办理：补充材料')).toBe(200);
      expect(await web.submit(fx.staff.filer, { note: '已补充户口簿、收入证明' }, { card: '补充材料' })).toBe(200);
      expect((await web.texts(fx.staff.filer)).join('\n')).toContain('重新提交审批');

      // Round 2: approved once, though the submission arrives twice.
      await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${handle.workflowId}:decision-request:2` } }));
      await fronts.delivery.kick();
      await driver.settle();
      expect(await driver.press(approver, 'private', '批准')).toBe(200);
      await driver.settle();
      expect(await driver.submit(approver, 'private', { decision: 'approve', note: '材料齐全，同意备案' }, { card: '审批近亲属备案' })).toBe(200);
      expect(await driver.submit(approver, 'private', {}, { replay: true })).toBe(200);
      await driver.settle();

      // The county home visit by the section caseworker: a bad date first.
      clockMs = await ctx.env.currentTimeMs();
      expect(await web.say(fx.staff.sectionCaseworker, `/案件 ${kase.id}`)).toBe(200);
      expect(await web.press(fx.staff.sectionCaseworker, '办理：登记县级入户调查')).toBe(200);
      expect(await web.submit(fx.staff.sectionCaseworker, { visitDate: '下周', visitors: '郑经办、周股长', result: '情况属实' }, { card: '登记县级入户调查' })).toBe(200);
      expect((await web.texts(fx.staff.sectionCaseworker)).at(-1)).toContain('“入户调查日期”');
      expect(await web.submit(fx.staff.sectionCaseworker, { visitDate: chinaDate(clockMs), visitors: '郑经办、周股长', result: '家庭情况与备案一致' }, { card: '登记县级入户调查' })).toBe(200);
      await closedCase(kase.id);
      const filing = await prisma.nearRelativeFiling.findFirstOrThrow({ where: { workflowId: handle.workflowId } });
      expect(filing).toMatchObject({ status: 'APPROVED' });
      expect(filing.homeVisitResult).toContain('郑经办、周股长');
      const actions = (await prisma.auditEntry.findMany({ where: { subjectType: 'NearRelativeFiling', subjectId: String(filing.id) }, orderBy: { id: 'asc' } })).map((a) => [a.action, a.actor]);
      expect(actions).toEqual([
        ['filing.submitted', `staff:${fx.staff.filer}`],
        ['filing.more-info-requested', `staff:${fx.staff.sectionHead}`],
        ['filing.supplemented', `staff:${fx.staff.filer}`],
        ['filing.approved', `staff:${fx.staff.sectionHead}`],
        ['filing.home-visit-recorded', `staff:${fx.staff.sectionCaseworker}`],
      ]);
    });
    expect((await verifyAuditChain(prisma)).ok).toBe(true);
  });

  it('complaint: acceptance (not from the township assignee card), extension by the 专班组长, verification, feedback, 办结', async () => {
    const web = consoleDriver(under.baseUrl, prisma, () => under.fronts.idle());
    const fx = await createComplaintFixture(prisma);
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    clockMs = await ctx.env.currentTimeMs();
    const receipt = chinaDate(clockMs);
    await worker.runUntil(async () => {
      for (const s of [fx.staff.office, fx.staff.leader]) expect(await web.open(s)).toBe(200);
      const handle = await openComplaint(ctx.env.client, {
        taskQueue,
        intakeKey: `chat-steps-${clockMs}`,
        calendar: yearCalendar(Number(receipt.slice(0, 4))),
        countyRegionId: fx.countyId,
        channel: '电话',
        receivedAt: new Date(clockMs).toISOString(),
        complainant: { name: '周建国', phone: '13800001111' },
        summary: '反映第1村低保评议不公开',
        subjectRegionId: fx.village1,
        policy: presets.wenshui,
      });
      const kase = await eventually(() => prisma.case.findUnique({ where: { workflowId: handle.workflowId } }));
      const act = async (staffId: number, title: string, values: Record<string, string>) => {
        expect(await web.say(staffId, `/案件 ${kase.id}`)).toBe(200);
        expect(await web.press(staffId, `办理：${title}`)).toBe(200);
        expect(await web.submit(staffId, values, { card: title })).toBe(200);
        return (await web.texts(staffId)).at(-1)!;
      };
      const office = fx.staff.office;
      // The township caseworker it is assigned to may not contact the complainant: no acceptance button on that card.
      const registered = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${handle.workflowId}:registered` } }));
      expect(registered.recipientStaffId).toBe(fx.staff.caseworker1);
      expect(registered.actions).toBeNull();
      await eventually(async () => (await handle.query(complaintStatusQuery)).phase === 'acceptance');
      const accept = { decision: '受理', reason: '属于民政部门职责，予以受理', noticeOn: receipt, method: '电话' };
      expect(await act(office, '受理告知', { ...accept, noticeOn: '2026-02-30' })).toContain('“告知日期”');
      expect(await prisma.auditEntry.count({ where: { subjectType: 'Complaint', action: 'complaint.acceptance-noticed', subjectId: String(registered.caseId) } })).toBe(0);
      expect(await web.submit(office, accept, { card: '受理告知' })).toBe(200);
      expect((await web.texts(office)).join('\n')).toContain('已受理');

      // Only the 专班组长 has the extension step.
      await eventually(async () => (await handle.query(complaintStatusQuery)).phase === 'handling');
      expect(await web.say(office, `/案件 ${kase.id}`)).toBe(200);
      await expect(web.press(office, '办理：批准延期')).rejects.toThrow('no console card');
      expect(await act(fx.staff.leader, '批准延期', { reason: '涉及多户家庭，需逐户核查' })).toContain('已批准延期');
      expect(await act(office, '延期告知', { noticeOn: receipt, method: '书面' })).toContain('办理期限延至');
      expect(await act(office, '登记核实结果', { finding: '部分属实', result: '评议会议记录未公开，已责令整改' })).toContain('部分属实');
      expect(await act(office, '反馈信访人', { feedbackOn: receipt, method: '电话', content: '已核实并整改' })).toContain('反馈办理结果');
      // Fed back, not closed by itself: the 办结 step, a bad value first (the field named).
      await eventually(async () => (await handle.query(complaintStatusQuery)).phase === 'awaitingClose');
      expect((await prisma.case.findUniqueOrThrow({ where: { id: kase.id } })).status).toBe('OPEN');
      expect(await act(office, '办结', { note: '' })).toContain('“办结意见”');
      expect(await act(office, '办结', { note: '评议会议记录已公开，整改到位' })).toContain('本信访事项已办结');
      await closedCase(kase.id);
      const row = await prisma.complaint.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
      expect(row.feedbackAt).not.toBeNull();
      expect(row.verificationResult).toContain('部分属实');
      const actions = (await prisma.auditEntry.findMany({ where: { subjectType: 'Complaint', subjectId: String(row.id) }, orderBy: { id: 'asc' } })).map((a) => a.action);
      expect(actions).toEqual(['complaint.registered', 'complaint.acceptance-noticed', 'complaint.extension-approved', 'complaint.extension-noticed', 'complaint.verified', 'complaint.fed-back', 'complaint.closed']);
    });
    expect((await verifyAuditChain(prisma)).ok).toBe(true);
  });
});
