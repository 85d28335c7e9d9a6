// The human steps of the application review, the near-relative filing and the
// complaint, driven from opening to closure only through their step contracts
// (domain/steps/*.ts) as every front drives them: is the step open, may this
// person take it, validate the raw form values, build the Update's argument,
// send the typed Update with the platform's event id, show the `done` line.
// Real Temporal (time-skipping server), real database, real activities.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';

import { openApplicationReview } from '../../services/cases/application-review.js';
import { openComplaint } from '../../services/cases/complaint.js';
import { submitNearRelativeFiling } from '../../services/cases/near-relative-filing.js';
import { verifyAuditChain } from '../../infra/audit-chain.js';
import type { StaffRole } from '../../domain/import/vocabulary.js';
import { presets } from '../../domain/policy/load.js';
import {
  applicationReviewSteps,
  decideApplicationStep,
  extendApplicationStep,
  objectionStep,
  postPublicityStep,
  recordInvestigationStep,
  refusalNoticeStep,
  startInvestigationStep,
  type ApplicationReviewStatus,
} from '../../domain/steps/application-review.js';
import {
  acceptanceStep,
  complaintExtendStep,
  complaintSteps,
  extensionNoticeStep,
  closeComplaintStep,
  feedbackStep,
  transferClueStep,
  verificationStep,
  type ComplaintStatus,
} from '../../domain/steps/complaint.js';
import type { AnyStepContract, CaseSteps, StepActor, StepFormValues } from '../../domain/steps/contract.js';
import { decideFilingStep, homeVisitStep, nearRelativeFilingSteps, supplementFilingStep, type NearRelativeFilingStatus } from '../../domain/steps/near-relative-filing.js';
import { zhParseOptions } from '../../domain/zod-zh.js';
import { createTestWorker, connectTimeSkipping, uniqueTaskQueue, useTemporalTestContext } from '../support/temporal.js';
import { freshIdNumber } from '../support/ids.js';
import { createApplication, createCasesFixture, finished, testCalendar } from './fixtures/cases-b.js';
import { createComplaintFixture, testCalendar as complaintCalendar } from './fixtures/complaint.js';
import { addDays, chinaDate, chinaInstantMs, eventually } from './fixtures/death-review.js';

type Six = [StepActor, StepActor, StepActor, StepActor, StepActor, StepActor];
type Outcome = { ok: true; text: string; result: unknown } | { ok: false; message: string };

/**
 * What a front does with one step: the same order of checks the bot core
 * applies. Returns the `done` line, or the Chinese message the person sees.
 */
async function take<V>(
  kind: CaseSteps<V>,
  step: AnyStepContract<V>,
  handle: WorkflowHandle,
  actor: StepActor,
  form: StepFormValues,
  eventId: string,
): Promise<Outcome> {
  expect(kind.steps).toContain(step);
  const view = await handle.query(kind.status);
  if (!step.roles.includes(actor.role)) return { ok: false, message: `您的角色不能办理“${step.title}”` };
  if (!step.open(view)) return { ok: false, message: `“${step.title}”当前不可办理` };
  const refused = step.refuse?.(actor, view);
  if (refused) return { ok: false, message: refused };
  const parsed = step.schema.safeParse(form, zhParseOptions);
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((i) => i.message).join('；') };
  try {
    const result = await handle.executeUpdate(step.update, { args: [step.toArgs(parsed.data, actor)], updateId: eventId });
    return { ok: true, text: step.done(result, parsed.data), result };
  } catch (error) {
    return { ok: false, message: (error as { cause?: { message?: string } }).cause?.message ?? String(error) };
  }
}

const ok = (o: Outcome) => {
  if (!o.ok) throw new Error(`refused: ${o.message}`);
  return o;
};
const refusedWith = (o: Outcome) => {
  if (o.ok) throw new Error(`accepted: ${o.text}`);
  return o.message;
};

describe('case steps through their contracts (time-skipping server)', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;
  const actorOf = async (staffId: number): Promise<StepActor> => {
    const s = await prisma.staff.findUniqueOrThrow({ where: { id: staffId } });
    return { staffId: s.id, role: s.role as StaffRole, name: s.name, regionId: s.regionId };
  };
  const auditActions = async (subjectType: string, subjectId: number) =>
    (await prisma.auditEntry.findMany({ where: { subjectType, subjectId: String(subjectId) }, orderBy: { id: 'asc' } })).map((a) => a.action);
  const sleepUntil = async (at: number) => {
    const now = await ctx.env.currentTimeMs();
    if (at > now) await ctx.env.sleep(at - now);
  };

  it('application review: investigation, 公示, objection, extension, refusal with a generated 不予批准告知书, its delivery, closed', async () => {
    let accepted = addDays(chinaDate(await ctx.env.currentTimeMs()), 1);
    while (new Date(`${accepted}T00:00:00Z`).getUTCDay() !== 1) accepted = addDays(accepted, 1);
    await sleepUntil(chinaInstantMs(accepted, '10:00'));
    const fx = await createCasesFixture(prisma);
    // The applicant is the father of two section heads: they must recuse.
    const app = await createApplication(prisma, fx, { acceptedAt: accepted, idNumber: fx.relative.idNumber, name: '陈老汉' });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-steps-'));
    const taskQueue = uniqueTaskQueue('app-steps');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma, dataDir } });
    const [caseworker, head, sectionCw, leader, filer, cadre] = (await Promise.all([fx.staff.townshipCaseworker, fx.staff.townshipHead, fx.staff.sectionCaseworker, fx.staff.leader, fx.staff.filer, fx.staff.cadre].map(actorOf))) as Six;
    const K = applicationReviewSteps;

    await worker.runUntil(async () => {
      const handle = await openApplicationReview(ctx.env.client, { taskQueue, countyRegionId: fx.countyId, applicationId: app.id, policy: presets.zhangzi, calendar: testCalendar, now: new Date(await ctx.env.currentTimeMs()) });
      const view = () => handle.query(K.status);
      await eventually(async () => (await view()).phase === 'awaitingInvestigation');
      const openIds = async () => {
        const v = await view();
        return K.steps.filter((s) => s.open(v)).map((s) => s.id);
      };
      expect(await openIds()).toEqual(['ap.start', 'ap.extend']);

      // Start: at least two investigators, named in the message; a village cadre has no such step.
      expect(refusedWith(await take(K, startInvestigationStep, handle, caseworker, { investigators: '李经办' }, 'e-1'))).toContain('调查人员');
      expect(refusedWith(await take(K, startInvestigationStep, handle, cadre, { investigators: '甲、乙' }, 'e-2'))).toContain('角色');
      expect(ok(await take(K, startInvestigationStep, handle, caseworker, { investigators: '李经办、王乡长' }, 'e-4')).text).toContain('李经办、王乡长');

      // The investigation result comes before the 公示.
      await eventually(async () => (await view()).phase === 'investigating');
      expect(await openIds()).toEqual(['ap.inv', 'ap.extend']);
      const today = () => ctx.env.currentTimeMs().then(chinaDate);
      const inv = { visitedOn: await today(), investigators: '李经办、王乡长', findings: '家庭人均月收入 820 元，有一辆农用车', conclusion: '不符合条件' };
      expect(refusedWith(await take(K, recordInvestigationStep, handle, caseworker, { ...inv, visitedOn: '2026-13-40' }, 'e-5'))).toContain('入户调查日期');
      expect(refusedWith(await take(K, recordInvestigationStep, handle, caseworker, { ...inv, conclusion: '大概' }, 'e-6'))).toContain('调查结论');
      expect(refusedWith(await take(K, postPublicityStep, handle, head, { opinion: '初审符合' }, 'e-7'))).toContain('当前不可办理');
      ok(await take(K, recordInvestigationStep, handle, caseworker, inv, 'e-8'));
      expect(refusedWith(await take(K, recordInvestigationStep, handle, caseworker, inv, 'e-9'))).toContain('当前不可办理');
      expect(ok(await take(K, postPublicityStep, handle, head, { opinion: '经调查，家庭收入超过标准，初审不符合条件' }, 'e-10')).text).toContain('公示期至');

      // An objection during the 公示 sends it back: a new investigation record, then a new 公示.
      expect(refusedWith(await take(K, objectionStep, handle, head, { note: '  ' }, 'e-11'))).toContain('异议内容');
      ok(await take(K, objectionStep, handle, head, { note: '群众反映该户另有门面房出租' }, 'e-12'));
      expect(await openIds()).toEqual(['ap.inv', 'ap.extend']);
      ok(await take(K, recordInvestigationStep, handle, caseworker, { ...inv, visitedOn: await today(), findings: '核实有门面房出租，月租 1500 元' }, 'e-13'));
      const posted = ok(await take(K, postPublicityStep, handle, head, { opinion: '复查后不符合条件' }, 'e-14'));
      const publicityEnds = (posted.result as { due: string }).due;

      // The 低保 overall limit extended once, by the leader only.
      expect(refusedWith(await take(K, extendApplicationStep, handle, caseworker, { reason: '调查困难' }, 'e-15'))).toContain('角色');
      expect(refusedWith(await take(K, extendApplicationStep, handle, leader, { reason: '' }, 'e-16'))).toContain('延长理由');
      expect(ok(await take(K, extendApplicationStep, handle, leader, { reason: '群众异议，需复查' }, 'e-17')).text).toContain('45 个工作日');
      expect(refusedWith(await take(K, extendApplicationStep, handle, leader, { reason: '再延' }, 'e-18'))).toContain('当前不可办理');

      // After the 公示 the county decides; the related section head recuses, and the workflow refuses him too.
      await sleepUntil(chinaInstantMs(addDays(publicityEnds, 1), '00:00') + 60_000);
      await eventually(async () => (await view()).phase === 'countyReview');
      expect(await openIds()).toEqual(['ap.decide']);
      const refuse = { decision: 'refuse', reason: '家庭人均月收入高于本县农村低保标准', note: '经审核，不符合条件' };
      expect(refusedWith(await take(K, decideApplicationStep, handle, filer, refuse, 'e-19'))).toContain('回避');
      const direct = await handle
        .executeUpdate(decideApplicationStep.update, { args: [{ decision: 'refuse', reason: 'x', byStaffId: filer.staffId }], updateId: 'e-20' })
        .catch((e: { cause?: { message?: string } }) => e.cause?.message);
      expect(direct).toContain('回避');
      const before = await prisma.application.findUniqueOrThrow({ where: { id: app.id } });
      const noReason = refusedWith(await take(K, decideApplicationStep, handle, sectionCw, { ...refuse, reason: '' }, 'e-21'));
      expect(noReason).toContain('不予批准理由');
      expect(refusedWith(await take(K, decideApplicationStep, handle, sectionCw, { ...refuse, decision: 'approve', monthlyAmount: '-5' }, 'e-22'))).toContain('月保障金额');
      expect(await prisma.application.findUniqueOrThrow({ where: { id: app.id } })).toEqual(before);

      // Decided once, though the press arrives twice (the same event id) and a second decider tries again.
      const decided = ok(await take(K, decideApplicationStep, handle, sectionCw, refuse, 'feishu-evt-decide'));
      expect(decided.text).toContain('不予批准：家庭人均月收入高于本县农村低保标准');
      const replay = await handle.executeUpdate(decideApplicationStep.update, { args: [{ decision: 'refuse', reason: refuse.reason, note: refuse.note, byStaffId: sectionCw.staffId }], updateId: 'feishu-evt-decide' });
      expect(replay).toEqual(decided.result);
      expect(refusedWith(await take(K, decideApplicationStep, handle, leader, refuse, 'e-23'))).toContain('当前不可办理');

      // The notice is generated as a .docx in the data folder and sent to the township with it attached.
      const withFile = await eventually(async () => {
        const v = await view();
        return v.refusalNoticeFile ? v : null;
      });
      const file = withFile.refusalNoticeFile!;
      expect(file.fileName).toBe(`不予批准告知书-${app.id}.docx`);
      expect(fs.readFileSync(path.join(dataDir, file.path)).subarray(0, 2).toString()).toBe('PK');
      const sent = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${handle.workflowId}:refusal-notice-document` } }));
      expect(sent).toMatchObject({ recipientStaffId: caseworker.staffId, workflowId: handle.workflowId, attachments: [file] });
      expect(sent.text).not.toContain(fx.relative.idNumber);

      // Its delivery: the method must be one of the list; then the review closes.
      expect(await openIds()).toEqual(['ap.notice']);
      const delivery = { noticeDate: await today(), method: '直接送达', receivedBy: '陈老汉' };
      expect(refusedWith(await take(K, refusalNoticeStep, handle, caseworker, { ...delivery, method: '快递' }, 'e-24'))).toContain('送达方式');
      expect(refusedWith(await take(K, refusalNoticeStep, handle, filer, delivery, 'e-25'))).toContain('回避');
      expect(ok(await take(K, refusalNoticeStep, handle, caseworker, delivery, 'e-26')).text).toContain('本申请办结');
      const final = await finished<ApplicationReviewStatus>(handle, K.status);
      expect(final).toMatchObject({ phase: 'closed', status: 'REFUSED_NOTIFIED', extended: true, objections: 1 });
      expect(final.investigations).toHaveLength(2);
      expect(final.decision).toMatchObject({ decision: 'refuse', byStaffId: sectionCw.staffId, note: refuse.note, updateId: 'feishu-evt-decide' });
      expect(final.refusalNoticeDelivery).toMatchObject({ method: '直接送达', receivedBy: '陈老汉', byStaffId: caseworker.staffId });
      expect(K.steps.filter((s) => s.open(final))).toEqual([]);
    });

    const row = await prisma.application.findUniqueOrThrow({ where: { id: app.id } });
    expect(row.status).toBe('REFUSED_NOTIFIED');
    const steps = (row.data as { steps: Array<{ action: string; byStaffId?: number; note?: string }> }).steps;
    expect(steps.filter((s) => s.action === 'decided')).toEqual([expect.objectContaining({ byStaffId: sectionCw.staffId, note: '经审核，不符合条件' })]);
    const caseRow = await prisma.case.findFirstOrThrow({ where: { kind: 'APPLICATION', workflowId: row.workflowId! } });
    expect(caseRow).toMatchObject({ status: 'CLOSED' });
    expect(caseRow.closedAt).not.toBeNull();
    expect(await auditActions('Application', app.id)).toEqual([
      'application.review-opened',
      'application.awaiting-investigation',
      'application.investigation-started',
      'application.investigation-recorded',
      'application.publicity-posted',
      'application.objection',
      'application.investigation-recorded',
      'application.publicity-posted',
      'application.extended',
      'application.county-review',
      'application.decided',
      'application.refusal-notice-generated',
      'application.refusal-notice-recorded',
    ]);
    expect((await verifyAuditChain(prisma)).ok).toBe(true);
  }, 180_000);

  it('near-relative filing: recusal, 补充材料 and its answer, approval with a comment, the county home visit, closed', async () => {
    const fx = await createCasesFixture(prisma);
    const taskQueue = uniqueTaskQueue('filing-steps');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const [filer, conflicted, sectionHead, leader, sectionCw, townshipHead] = (await Promise.all([fx.staff.filer, fx.staff.conflictedHead, fx.staff.sectionHead, fx.staff.leader, fx.staff.sectionCaseworker, fx.staff.townshipHead].map(actorOf))) as Six;
    const K = nearRelativeFilingSteps;
    await worker.runUntil(async () => {
      const handle = await submitNearRelativeFiling(ctx.env.client, {
        taskQueue,
        countyRegionId: fx.countyId,
        staffId: fx.staff.filer,
        relative: { memberId: fx.relative.memberId },
        relation: '父母',
        policy: presets.zhangzi,
        calendar: testCalendar,
        now: new Date(await ctx.env.currentTimeMs()),
      });
      const view = () => handle.query(K.status);
      await eventually(async () => (await view()).phase === 'awaitingDecision');
      const form = { decision: 'moreInfo', note: '请补充户口簿和收入证明' };
      expect(refusedWith(await take(K, decideFilingStep, handle, filer, form, 'f-1'))).toContain('自己提交');
      expect(refusedWith(await take(K, decideFilingStep, handle, conflicted, form, 'f-2'))).toContain('回避');
      expect(refusedWith(await take(K, decideFilingStep, handle, townshipHead, form, 'f-3'))).toContain('角色');
      expect(refusedWith(await take(K, decideFilingStep, handle, sectionHead, { ...form, note: '' }, 'f-4'))).toContain('审批意见');
      expect(refusedWith(await take(K, decideFilingStep, handle, sectionHead, { ...form, decision: '同意' }, 'f-5'))).toContain('审批结果');
      expect(await auditActions('NearRelativeFiling', (await view()).filingId!)).toEqual(['filing.submitted']);

      expect(ok(await take(K, decideFilingStep, handle, sectionHead, form, 'f-6')).text).toContain('已要求补充材料');
      await eventually(async () => (await view()).phase === 'awaitingSupplement');
      expect(refusedWith(await take(K, supplementFilingStep, handle, sectionHead, { note: '代补' }, 'f-7'))).toContain('只有备案人');
      expect(refusedWith(await take(K, supplementFilingStep, handle, filer, { note: '' }, 'f-8'))).toContain('补充说明');
      expect(ok(await take(K, supplementFilingStep, handle, filer, { note: '已补充户口簿、收入证明' }, 'f-9')).text).toContain('重新提交审批');
      await eventually(async () => (await view()).phase === 'awaitingDecision' && (await view()).round === 2);

      // Approved once, though pressed twice.
      const approve = { decision: 'approve', note: '材料齐全，同意备案；请县级入户核查' };
      const first = ok(await take(K, decideFilingStep, handle, leader, approve, 'feishu-evt-approve'));
      expect(await handle.executeUpdate(decideFilingStep.update, { args: [{ decision: 'approve', note: approve.note, byStaffId: leader.staffId }], updateId: 'feishu-evt-approve' })).toEqual(first.result);
      expect(refusedWith(await take(K, decideFilingStep, handle, sectionHead, approve, 'f-10'))).toContain('当前不可办理');

      // The county home visit.
      const visit = { visitDate: chinaDate(await ctx.env.currentTimeMs()), visitors: '郑经办、周股长', result: '家庭情况与备案一致' };
      expect(refusedWith(await take(K, homeVisitStep, handle, conflicted, visit, 'f-11'))).toContain('回避');
      expect(refusedWith(await take(K, homeVisitStep, handle, sectionCw, { ...visit, visitDate: '明天' }, 'f-12'))).toContain('入户调查日期');
      expect(ok(await take(K, homeVisitStep, handle, sectionCw, visit, 'f-13')).text).toContain('郑经办、周股长');
      const final = await finished<NearRelativeFilingStatus>(handle, K.status);
      expect(final).toMatchObject({ phase: 'closed', status: 'APPROVED', round: 2, homeVisit: { visitors: '郑经办、周股长' } });
      expect(final.decisions.map((d) => [d.decision, d.byStaffId, d.note])).toEqual([
        ['moreInfo', sectionHead.staffId, form.note],
        ['approve', leader.staffId, approve.note],
      ]);
      expect(K.steps.filter((s) => s.open(final))).toEqual([]);

      const filing = await prisma.nearRelativeFiling.findUniqueOrThrow({ where: { id: final.filingId! } });
      expect(filing.status).toBe('APPROVED');
      expect(filing.homeVisitDate?.toISOString().slice(0, 10)).toBe(visit.visitDate);
      expect(filing.homeVisitResult).toContain('郑经办、周股长');
      expect(await prisma.case.findUniqueOrThrow({ where: { id: final.caseId! } })).toMatchObject({ status: 'CLOSED' });
      const actions = await auditActions('NearRelativeFiling', filing.id);
      expect(actions.filter((a) => a === 'filing.decided' || a.startsWith('filing.'))).toContain('filing.home-visit-recorded');
      expect(actions.filter((a) => a === 'filing.home-visit-recorded')).toHaveLength(1);
    });
    expect((await verifyAuditChain(prisma)).ok).toBe(true);
  }, 120_000);

  it('complaint: acceptance, extension by the 专班组长 and its notice, verification, feedback; 不予受理 closes at once; an accusation`s clue transferred, the accused refused', async () => {
    const now = await ctx.env.currentTimeMs();
    const receipt = chinaDate(now);
    const calendar = complaintCalendar(Number(receipt.slice(0, 4)));
    const fx = await createComplaintFixture(prisma);
    const taskQueue = uniqueTaskQueue('complaint-steps');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const [office, leader, liaison, caseworker1, caseworker2, head1] = (await Promise.all([fx.staff.office, fx.staff.leader, fx.staff.liaison, fx.staff.caseworker1, fx.staff.caseworker2, fx.staff.head1].map(actorOf))) as Six;
    const K = complaintSteps;
    const base = { taskQueue, calendar, countyRegionId: fx.countyId, channel: '电话', receivedAt: new Date(now).toISOString(), policy: presets.wenshui };
    await worker.runUntil(async () => {
      // An ordinary complaint, to its end.
      const h = await openComplaint(ctx.env.client, { ...base, intakeKey: `steps-${now}-1`, complainant: { name: '周建国', phone: '13800001111', idNumber: freshIdNumber() }, summary: '反映第1村低保评议不公开', subjectRegionId: fx.village1 });
      const view = () => h.query(K.status);
      await eventually(async () => (await view()).phase === 'acceptance');
      const accept = { decision: '受理', reason: '属于民政部门职责，予以受理', noticeOn: receipt, method: '电话' };
      expect(refusedWith(await take(K, acceptanceStep, h, caseworker1, accept, 'c-1'))).toContain('角色');
      expect(refusedWith(await take(K, acceptanceStep, h, office, { ...accept, noticeOn: '2026-02-30' }, 'c-2'))).toContain('告知日期');
      expect(refusedWith(await take(K, acceptanceStep, h, office, { ...accept, method: '托人带话' }, 'c-3'))).toContain('告知方式');
      const accepted = ok(await take(K, acceptanceStep, h, office, accept, 'c-4'));
      expect(accepted.text).toContain('已受理');
      await eventually(async () => (await view()).phase === 'handling');

      expect(refusedWith(await take(K, complaintExtendStep, h, office, { reason: '需入户核查多户' }, 'c-5'))).toContain('角色');
      ok(await take(K, complaintExtendStep, h, leader, { reason: '涉及多户家庭，需逐户核查' }, 'c-6'));
      expect(ok(await take(K, extensionNoticeStep, h, office, { noticeOn: receipt, method: '书面' }, 'c-7')).text).toContain('办理期限延至');
      expect(refusedWith(await take(K, feedbackStep, h, office, { feedbackOn: receipt, method: '电话' }, 'c-8'))).toContain('当前不可办理');
      expect(refusedWith(await take(K, verificationStep, h, caseworker2, { finding: '属实', result: 'x' }, 'c-9'))).toContain('无权');
      expect(refusedWith(await take(K, verificationStep, h, caseworker1, { finding: '基本属实', result: 'x' }, 'c-10'))).toContain('核实结论');
      ok(await take(K, verificationStep, h, caseworker1, { finding: '部分属实', result: '评议会议记录未公开，已责令整改' }, 'c-11'));
      ok(await take(K, feedbackStep, h, office, { feedbackOn: receipt, method: '电话', content: '已核实并整改，评议结果已张榜公布' }, 'c-12'));
      // Fed back: the complaint waits for its explicit 办结.
      await eventually(async () => (await h.query(K.status)).phase === 'awaitingClose');
      ok(await take(K, closeComplaintStep, h, office, { note: '已张榜公示评议结果，整改到位' }, 'c-12b'));
      const done = await finished<ComplaintStatus>(h, K.status);
      expect(done).toMatchObject({ phase: 'closed', verification: { finding: '部分属实', byStaffId: caseworker1.staffId }, extension: { approved: true, noticed: true }, acceptanceDecision: { decision: '受理', byStaffId: office.staffId } });
      expect(K.steps.filter((s) => s.open(done))).toEqual([]);
      expect(await auditActions('Complaint', done.complaintId!)).toEqual([
        'complaint.registered',
        'complaint.acceptance-noticed',
        'complaint.extension-approved',
        'complaint.extension-noticed',
        'complaint.verified',
        'complaint.fed-back',
        'complaint.closed',
      ]);
      const row = await prisma.complaint.findUniqueOrThrow({ where: { id: done.complaintId! } });
      expect(row.feedbackAt).not.toBeNull();
      expect(row.verificationResult).toContain('部分属实');

      // 不予受理: a reason is required, then the complaint closes.
      const h2 = await openComplaint(ctx.env.client, { ...base, intakeKey: `steps-${now}-2`, complainant: { name: '吴某' }, summary: '反映邻县事项', subjectRegionId: null });
      await eventually(async () => (await h2.query(K.status)).phase === 'acceptance');
      expect(refusedWith(await take(K, acceptanceStep, h2, office, { ...accept, decision: '不予受理', reason: '' }, 'c-13'))).toContain('受理意见');
      expect(ok(await take(K, acceptanceStep, h2, office, { ...accept, decision: '不予受理', reason: '不属于本县管辖，已告知向邻县反映' }, 'c-14')).text).toContain('不予受理');
      const closed = await finished<ComplaintStatus>(h2, K.status);
      expect(closed).toMatchObject({ phase: 'closed', handling: null, acceptanceDecision: { decision: '不予受理' } });
      const caseRow = await prisma.case.findUniqueOrThrow({ where: { id: closed.caseId! } });
      expect(caseRow.status).toBe('CLOSED');
      expect(caseRow.dueAt).toBeNull();
      expect(await auditActions('Complaint', closed.complaintId!)).toEqual(['complaint.registered', 'complaint.not-accepted', 'complaint.closed']);

      // An accusation against township 1's caseworker: the accused and the accused unit recuse; the clue goes to 纪检监察.
      const h3 = await openComplaint(ctx.env.client, { ...base, intakeKey: `steps-${now}-3`, complainant: { name: '郑某' }, summary: '反映经办人优亲厚友', subjectRegionId: fx.village1, accusedStaffId: fx.staff.caseworker1 });
      await eventually(async () => (await h3.query(K.status)).phase === 'acceptance');
      expect(refusedWith(await take(K, verificationStep, h3, caseworker1, { finding: '属实', result: 'x' }, 'c-15'))).toContain('当前不可办理');
      expect(refusedWith(await take(K, acceptanceStep, h3, office, { ...accept, decision: '不予受理', reason: '不受理' }, 'c-16'))).toContain('无权');
      ok(await take(K, acceptanceStep, h3, liaison, accept, 'c-17'));
      await eventually(async () => (await h3.query(K.status)).phase === 'handling');
      expect(refusedWith(await take(K, verificationStep, h3, caseworker1, { finding: '不属实', result: '本人否认' }, 'c-18'))).toContain('回避');
      expect(refusedWith(await take(K, verificationStep, h3, head1, { finding: '不属实', result: '无此事' }, 'c-19'))).toContain('无权');
      const clue = { transferredTo: '县纪委监委第三派驻纪检监察组', transferredOn: receipt, receipt: 'JJ-2026-031' };
      expect(refusedWith(await take(K, transferClueStep, h3, liaison, { ...clue, transferredTo: '' }, 'c-20'))).toContain('接收单位');
      ok(await take(K, transferClueStep, h3, liaison, clue, 'c-21'));
      ok(await take(K, verificationStep, h3, leader, { finding: '属实', result: '经核查，该经办人为其亲属违规办理低保' }, 'c-22'));
      ok(await take(K, feedbackStep, h3, liaison, { feedbackOn: receipt, method: '书面' }, 'c-23'));
      await eventually(async () => (await h3.query(K.status)).phase === 'awaitingClose');
      ok(await take(K, closeComplaintStep, h3, liaison, { note: '线索已移交，核查属实，已整改' }, 'c-23b'));
      const acc = await finished<ComplaintStatus>(h3, K.status);
      expect(acc).toMatchObject({ phase: 'closed', clueTransfer: { transferredTo: clue.transferredTo, byStaffId: liaison.staffId } });
      const clueRow = await prisma.disciplineClue.findUniqueOrThrow({ where: { id: acc.clueId! } });
      expect(clueRow.transferredTo).toBe(clue.transferredTo);
    });
    expect((await verifyAuditChain(prisma)).ok).toBe(true);
  }, 180_000);
});
