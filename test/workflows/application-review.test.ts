import { describe, expect, it, inject } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { verifyAuditChain } from '../../infra/audit-chain.js';
import { openApplicationReview } from '../../services/cases/application-review.js';
import { submitNearRelativeFiling } from '../../services/cases/near-relative-filing.js';
import type { ApplicationDecideArgs } from '../../domain/cases/index.js';
import { presets } from '../../domain/policy/load.js';
import { createCalendarFromData } from '../../domain/time/work-calendar.js';
import type { applicationReview } from '../../workflows/application-review.js';
import {
  applicationDecideUpdate,
  applicationReviewStatusQuery,
  applicationExtendUpdate as extendUpdate,
  objectionUpdate,
  postPublicityUpdate,
  recordRefusalNoticeUpdate,
  startInvestigationUpdate,
  type ApplicationReviewStatus,
} from '../../domain/steps/updates/application-review.js';
import { filingDecideUpdate, nearRelativeFilingStatusQuery, recordHomeVisitUpdate } from '../../domain/steps/updates/near-relative-filing.js';
import { connectTimeSkipping, createTestWorker, terminateWhenIdle, testDataConverter, uniqueTaskQueue, useTemporalTestContext } from '../support/temporal.js';
import { DAY, addDays, chinaDate, chinaInstantMs, eventually } from './fixtures/death-review.js';
import { addWorkdaysByHand, createApplication, createCasesFixture, finished, rejection, testCalendar } from './fixtures/cases-b.js';

type Handle = WorkflowHandle<typeof applicationReview>;
const MINUTE = 60_000;

const status = (h: Handle) => h.query(applicationReviewStatusQuery);
const waitFor = (h: Handle, ok: (s: ApplicationReviewStatus) => boolean) =>
  eventually(async () => {
    const s = await status(h);
    return ok(s) ? s : null;
  });
const expiryOf = (due: string) => chinaInstantMs(addDays(due, 1), '00:00');

describe('application review workflow (time-skipping server)', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;
  const auditActions = async (subjectType: string, subjectId: number) =>
    (await prisma.auditEntry.findMany({ where: { subjectType, subjectId: String(subjectId) }, orderBy: { id: 'asc' } })).map((a) => a.action);
  const sleepUntil = async (at: number) => {
    const now = await ctx.env.currentTimeMs();
    if (at > now) await ctx.env.sleep(at - now);
  };

  // First in the file on purpose (it used to have to stay last): it leaves nothing behind that locks time
  // skipping (terminated when idle), so the tests after it skip months as usual.
  it('a 低保 clock that runs into a year without holiday data is estimated Monday–Friday instead of failing the workflow task', async () => {
    const fx = await createCasesFixture(prisma);
    // Accepted on a December Monday from the tests' today on, before a 1 January that falls on a weekday: the
    // 30-working-day overall clock then reaches the next year whatever the tests' today (JIUZHU_TEST_TODAY),
    // and the real data's 元旦 would move it. With the default clock: Monday 7 December 2026, today.
    const weekday = (d: string) => new Date(`${d}T00:00:00Z`).getUTCDay();
    let accepted = chinaDate(await ctx.env.currentTimeMs());
    while (!(accepted.slice(5, 7) === '12' && weekday(accepted) === 1 && ![0, 6].includes(weekday(`${Number(accepted.slice(0, 4)) + 1}-01-01`)))) accepted = addDays(accepted, 1);
    await sleepUntil(chinaInstantMs(accepted, '10:00'));
    // Holiday data for the acceptance year only: the 30-working-day overall clock reaches the next year.
    const year = Number(accepted.slice(0, 4));
    const thisYearOnly = createCalendarFromData(testCalendar.sliceData(year, year));
    expect(thisYearOnly.covers(year + 1)).toBe(false);
    const app = await createApplication(prisma, fx, { acceptedAt: accepted, kind: 'RURAL_DIBAO' });
    const taskQueue = uniqueTaskQueue('application-estimate');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    await worker.runUntil(async () => {
      const h = await openApplicationReview(ctx.env.client, { taskQueue, countyRegionId: fx.countyId, applicationId: app.id, policy: presets.zhangzi, calendar: thisYearOnly, now: new Date(await ctx.env.currentTimeMs()) });
      const s = await waitFor(h, (x) => x.phase === 'awaitingInvestigation' && x.overallDue !== null);
      // By hand: this year's holidays as loaded, the next year Monday–Friday (its 元旦 counted as a working day).
      const thisYearHolidays = Object.keys(thisYearOnly.toData().holidays);
      const byHand = addWorkdaysByHand(accepted, 30, thisYearHolidays);
      expect(s.overallDue).toBe(byHand);
      expect(Number(byHand.slice(0, 4))).toBe(year + 1);
      expect(s.overallDue).not.toBe(addWorkdaysByHand(accepted, 30, [...thisYearHolidays, `${year + 1}-01-01`])); // the real data would skip 1 January
      await terminateWhenIdle(h);
    });
  }, 120_000);

  it('低保 for a near relative of staff: working-day clocks, objection, and no confirmation without approved filings and a county home visit', async () => {
    // The next Monday in December, 10:00 Beijing time, so the 30 working days always run over 元旦
    // (with the tests' default clock: Monday 14 December 2026).
    const nextMonday = (from: string) => {
      let d = addDays(from, 1);
      while (new Date(`${d}T00:00:00Z`).getUTCDay() !== 1) d = addDays(d, 1);
      return d;
    };
    let accepted = nextMonday(chinaDate(await ctx.env.currentTimeMs()));
    if (accepted.slice(5, 7) !== '12') accepted = nextMonday(`${accepted.slice(0, 4)}-11-30`);
    await sleepUntil(chinaInstantMs(accepted, '10:00'));
    const fx = await createCasesFixture(prisma);
    // The applicant is the filer's father (declared by two section heads, see the fixture).
    const app = await createApplication(prisma, fx, { acceptedAt: accepted, idNumber: fx.relative.idNumber, name: fx.relative.name });
    const taskQueue = uniqueTaskQueue('application');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const open = { taskQueue, countyRegionId: fx.countyId, applicationId: app.id, policy: presets.zhangzi, calendar: testCalendar, now: new Date(await ctx.env.currentTimeMs()) };

    const handle = await worker.runUntil(async () => {
      const handle = await openApplicationReview(ctx.env.client, open);
      expect(handle.workflowId).toBe(`application-review:${fx.countyId}:${app.id}`);
      const s0 = await waitFor(handle, (s) => s.phase === 'awaitingInvestigation' && s.due !== null && s.overallDue !== null);
      const startDue = addWorkdaysByHand(accepted, 3);
      expect(s0).toMatchObject({ track: 'dibao', step: 'investigationStart', due: startDue, overallDue: addWorkdaysByHand(accepted, 30) });
      expect(s0.overallDue! > `${Number(accepted.slice(0, 4)) + 1}-01-01`).toBe(true); // the 30 working days cross 元旦
      expect(s0.nearRelative?.required).toBe(true);
      const again = await openApplicationReview(ctx.env.client, open);
      expect(again.firstExecutionRunId).toBe(handle.firstExecutionRunId);
      const row = await prisma.case.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
      expect(row).toMatchObject({ kind: 'APPLICATION', status: 'OPEN', regionId: fx.townshipId, assigneeStaffId: fx.staff.townshipCaseworker });
      expect(await eventually(async () => (await prisma.case.findUniqueOrThrow({ where: { id: row.id } })).dueAt?.getTime())).toBe(expiryOf(startDue));

      // Reminder on the day before and on the due day (earlier ones fall before acceptance); escalation at expiry.
      const wf = handle.workflowId;
      for (const [key, at] of [
        [`${wf}:investigation-start:reminder:1`, chinaInstantMs(addDays(startDue, -1), '09:00')],
        [`${wf}:investigation-start:reminder:0`, chinaInstantMs(startDue, '09:00')],
        [`${wf}:investigation-start:escalation:assignee`, expiryOf(startDue)],
      ] as const) {
        await sleepUntil(at - MINUTE);
        expect(await prisma.notification.count({ where: { dedupeKey: key } })).toBe(0);
        await ctx.env.sleep(2 * MINUTE);
        const n = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: key } }));
        expect(n.recipientStaffId).toBe(fx.staff.townshipCaseworker);
        expect(n.sentAt.getTime()).toBeGreaterThanOrEqual(at);
        expect(n.sentAt.getTime()).toBeLessThan(at + 2 * MINUTE);
        expect(n.text).not.toContain(fx.relative.idNumber);
      }
      expect(await prisma.notification.count({ where: { dedupeKey: `${wf}:investigation-start:reminder:3` } })).toBe(0);

      // Start the investigation (late), with recusal and role checks.
      await sleepUntil(chinaInstantMs(addDays(startDue, 1), '10:00'));
      const inv = { investigators: ['李经办', '王乡长'], byStaffId: fx.staff.townshipCaseworker };
      expect(await rejection(handle.executeUpdate(startInvestigationUpdate, { args: [{ ...inv, investigators: ['李经办'] }], updateId: 'i-1' }))).toContain('至少 2 名');
      expect(await rejection(handle.executeUpdate(startInvestigationUpdate, { args: [{ ...inv, byStaffId: fx.staff.cadre }], updateId: 'i-2' }))).toContain('乡镇');
      expect(await rejection(handle.executeUpdate(startInvestigationUpdate, { args: [{ ...inv, byStaffId: fx.staff.filer }], updateId: 'i-3' }))).toContain('回避');
      expect(await rejection(handle.executeUpdate(postPublicityUpdate, { args: [{ opinion: '符合', byStaffId: fx.staff.townshipHead }], updateId: 'p-0' }))).toContain('不能张贴公示');
      await handle.executeUpdate(startInvestigationUpdate, { args: [inv], updateId: 'i-ok' });
      await ctx.env.sleep(2 * DAY);
      expect(await prisma.notification.count({ where: { dedupeKey: `${wf}:investigation-start:escalation:unitHead` } })).toBe(0);

      // 公示, an objection sends it back, 公示 again; the decision step waits for the 7 days.
      await handle.executeUpdate(postPublicityUpdate, { args: [{ opinion: '初审符合条件', byStaffId: fx.staff.townshipHead }], updateId: 'p-1' });
      await ctx.env.sleep(DAY);
      await handle.executeUpdate(objectionUpdate, { args: [{ note: '群众反映有车辆', byStaffId: fx.staff.townshipCaseworker }], updateId: 'o-1' });
      expect((await status(handle)).phase).toBe('investigating');
      const early: ApplicationDecideArgs = { decision: 'approve', monthlyAmount: 420, byStaffId: fx.staff.sectionHead };
      expect(await rejection(handle.executeUpdate(applicationDecideUpdate, { args: [early], updateId: 'd-0' }))).toContain('不能作出审核确认决定');
      await ctx.env.sleep(DAY);
      const posted = await handle.executeUpdate(postPublicityUpdate, { args: [{ opinion: '复查后符合条件', byStaffId: fx.staff.townshipHead }], updateId: 'p-2' });
      const postedOn = chinaDate(await ctx.env.currentTimeMs());
      expect(posted.due).toBe(addDays(postedOn, 7));
      await sleepUntil(expiryOf(posted.due!) - MINUTE);
      expect((await status(handle)).phase).toBe('publicity');
      await ctx.env.sleep(2 * MINUTE);
      const review = await waitFor(handle, (s) => s.phase === 'countyReview' && s.step === 'decision');
      const received = addDays(posted.due!, 1);
      expect(review.due).toBe(addWorkdaysByHand(received, presets.zhangzi.deadlines['dibao-decision']!.amount));
      expect((await prisma.case.findUniqueOrThrow({ where: { id: row.id } })).assigneeStaffId).toBe(fx.staff.sectionHead);

      // No confirmation without approved filings from both related staff and a county home visit.
      const before = await prisma.application.findUniqueOrThrow({ where: { id: app.id } });
      const missing = await rejection(handle.executeUpdate(applicationDecideUpdate, { args: [early], updateId: 'd-1' }));
      expect(missing).toContain('陈股长的近亲属备案');
      expect(missing).toContain('陈二的近亲属备案');
      expect(missing).toContain('县级入户调查记录');
      expect(await rejection(handle.executeUpdate(applicationDecideUpdate, { args: [{ ...early, byStaffId: fx.staff.filer }], updateId: 'd-2' }))).toContain('回避');
      expect(await rejection(handle.executeUpdate(applicationDecideUpdate, { args: [{ ...early, byStaffId: fx.staff.townshipCaseworker }], updateId: 'd-3' }))).toContain('无权');
      expect(await rejection(handle.executeUpdate(applicationDecideUpdate, { args: [{ ...early, monthlyAmount: 0 }], updateId: 'd-4' }))).toContain('月保障金额');
      expect(await prisma.application.findUniqueOrThrow({ where: { id: app.id } })).toEqual(before);

      // Both filings, approved; the filing workflows tell the review (signal).
      const filings = [];
      for (const staffId of [fx.staff.filer, fx.staff.conflictedHead]) {
        const f = await submitNearRelativeFiling(ctx.env.client, { taskQueue, countyRegionId: fx.countyId, staffId, relative: { applicationId: app.id }, relation: '父母', policy: presets.zhangzi, calendar: testCalendar, now: new Date(await ctx.env.currentTimeMs()) });
        await eventually(async () => (await f.query(nearRelativeFilingStatusQuery)).phase === 'awaitingDecision');
        await f.executeUpdate(filingDecideUpdate, { args: [{ decision: 'approve', byStaffId: fx.staff.leader }], updateId: `approve-${staffId}` });
        filings.push(f);
      }
      await waitFor(handle, (s) => s.nearRelative!.filings.filter((f) => f.status === 'APPROVED').length === 2);
      const stillMissing = await rejection(handle.executeUpdate(applicationDecideUpdate, { args: [early], updateId: 'd-5' }));
      expect(stillMissing).not.toContain('近亲属备案');
      expect(stillMissing).toContain('县级入户调查记录');
      const visitDate = addDays(chinaDate(await ctx.env.currentTimeMs()), -1);
      await filings[0]!.executeUpdate(recordHomeVisitUpdate, { args: [{ visitDate, result: '入户核实收入', byStaffId: fx.staff.sectionCaseworker }], updateId: 'hv-1' });
      await waitFor(handle, (s) => s.nearRelative!.filings.some((f) => f.homeVisitDate === visitDate));

      const decided = await handle.executeUpdate(applicationDecideUpdate, { args: [early], updateId: 'feishu-evt-9' });
      expect(decided).toMatchObject({ status: 'APPROVED', decision: 'approve', decidedByStaffId: fx.staff.sectionHead, monthlyAmount: 420 });
      const result = await finished<ApplicationReviewStatus>(handle, applicationReviewStatusQuery);
      expect(result).toMatchObject({ phase: 'closed', status: 'APPROVED', objections: 1, overallOverdue: false });
      // The first filing closes with its home visit; the second still waits for one (its own visit).
      expect(await finished(filings[0]!, nearRelativeFilingStatusQuery)).toMatchObject({ phase: 'closed', status: 'APPROVED' });
      expect((await filings[1]!.query(nearRelativeFilingStatusQuery)).phase).toBe('approved');
      return handle;
    });

    const done = await prisma.application.findUniqueOrThrow({ where: { id: app.id } });
    expect(done.status).toBe('APPROVED');
    expect(Number(done.monthlyAmount)).toBe(420);
    expect(await auditActions('Application', app.id)).toEqual([
      'application.review-opened',
      'application.awaiting-investigation',
      'application.investigation-started',
      'application.publicity-posted',
      'application.objection',
      'application.publicity-posted',
      'application.county-review',
      'application.decided',
    ]);
    const row = await prisma.case.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
    expect(row.status).toBe('CLOSED');
    expect(await auditActions('Case', row.id)).toEqual(['case.opened', 'case.closed']);
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter },
      await handle.fetchHistory(),
      handle.workflowId,
    );
    expect((await verifyAuditChain(prisma)).ok).toBe(true);
  }, 120_000);

  it('低保 extension to 45 working days, overdue once, refusal without a written notice in time, then the late notice; survives a worker restart', async () => {
    const fx = await createCasesFixture(prisma);
    const accepted = chinaDate(await ctx.env.currentTimeMs());
    const app = await createApplication(prisma, fx, { acceptedAt: accepted });
    const taskQueue = uniqueTaskQueue('application-refuse');
    const open = { taskQueue, countyRegionId: fx.countyId, applicationId: app.id, policy: presets.wenshui, calendar: testCalendar, now: new Date(await ctx.env.currentTimeMs()) };
    const workerA = await Worker.create({
      connection: ctx.env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities: createActivities({ prisma }),
      dataConverter: testDataConverter,
      maxCachedWorkflows: 0,
    });
    const handle = await workerA.runUntil(async () => {
      const h = await openApplicationReview(ctx.env.client, open);
      await waitFor(h, (s) => s.phase === 'awaitingInvestigation' && s.overallDue !== null);
      await h.executeUpdate(startInvestigationUpdate, { args: [{ investigators: ['甲', '乙'], byStaffId: fx.staff.townshipHead }], updateId: 'i' });
      return h;
    });
    const wf = handle.workflowId;
    const workerB = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    await workerB.runUntil(async () => {
      await handle.executeUpdate(postPublicityUpdate, { args: [{ opinion: '初审意见', byStaffId: fx.staff.townshipCaseworker }], updateId: 'p' });
      expect(await rejection(handle.executeUpdate(extendUpdate, { args: [{ reason: '调查困难', byStaffId: fx.staff.townshipHead }], updateId: 'e-0' }))).toContain('股室负责人');
      expect(await rejection(handle.executeUpdate(extendUpdate, { args: [{ reason: ' ', byStaffId: fx.staff.leader }], updateId: 'e-1' }))).toContain('延长理由');
      const ext = await handle.executeUpdate(extendUpdate, { args: [{ reason: '跨地区申请，调查困难', byStaffId: fx.staff.leader }], updateId: 'e-2' });
      const overall45 = addWorkdaysByHand(accepted, 45);
      expect(ext.due).toBe(overall45);
      expect(await rejection(handle.executeUpdate(extendUpdate, { args: [{ reason: '再延', byStaffId: fx.staff.sectionHead }], updateId: 'e-3' }))).toContain('不能再次延长');
      await waitFor(handle, (s) => s.overallDue === overall45);

      // Past the 30th working day nothing happens (extended); past the 45th, one overdue escalation to the leader.
      const key30 = `${wf}:overdue:dibao-overall`;
      const key45 = `${wf}:overdue:dibao-overall-extended`;
      await sleepUntil(expiryOf(overall45) - MINUTE);
      expect(await prisma.notification.count({ where: { dedupeKey: { in: [key30, key45] } } })).toBe(0);
      await ctx.env.sleep(2 * MINUTE);
      const n = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: key45 } }));
      expect(n.recipientStaffId).toBe(fx.staff.leader);
      expect(n.sentAt.getTime()).toBeGreaterThanOrEqual(expiryOf(overall45));
      expect(n.text).toContain('超时限');
      expect((await status(handle)).overallOverdue).toBe(true);

      // Refusal: reasons required; then no written notice within 3 working days.
      const refuse: ApplicationDecideArgs = { decision: 'refuse', reason: '家庭人均收入高于当地低保标准', byStaffId: fx.staff.sectionCaseworker };
      expect(await rejection(handle.executeUpdate(applicationDecideUpdate, { args: [{ ...refuse, reason: undefined }], updateId: 'r-0' }))).toContain('理由');
      const r = await handle.executeUpdate(applicationDecideUpdate, { args: [refuse], updateId: 'r-1' });
      const decisionDate = chinaDate(Date.parse(r.decidedAt));
      const noticeDue = addWorkdaysByHand(decisionDate, 3);
      expect(r).toMatchObject({ status: 'REFUSED', phase: 'awaitingRefusalNotice', due: noticeDue });
      const missingKey = `${wf}:refusal-notice-missing`;
      await sleepUntil(expiryOf(noticeDue) - MINUTE);
      expect(await prisma.notification.count({ where: { dedupeKey: missingKey } })).toBe(0);
      await ctx.env.sleep(2 * MINUTE);
      const m = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: missingKey } }));
      expect(m.recipientStaffId).toBe(fx.staff.leader);
      expect(m.text).toContain('未书面告知');
      expect((await status(handle)).refusalNoticeMissing).toBe(true);
      const today = chinaDate(await ctx.env.currentTimeMs());
      expect(await rejection(handle.executeUpdate(recordRefusalNoticeUpdate, { args: [{ noticeDate: addDays(decisionDate, -1), byStaffId: fx.staff.townshipCaseworker }], updateId: 'n-0' }))).toContain('早于决定日期');
      await handle.executeUpdate(recordRefusalNoticeUpdate, { args: [{ noticeDate: addDays(today, -1), byStaffId: fx.staff.townshipCaseworker }], updateId: 'n-1' });
      const result = await finished<ApplicationReviewStatus>(handle, applicationReviewStatusQuery);
      expect(result).toMatchObject({ phase: 'closed', status: 'REFUSED_NOTIFIED', refusalNoticeMissing: true });
      await ctx.env.sleep(5 * DAY);
    });
    expect(await prisma.notification.count({ where: { dedupeKey: `${wf}:overdue:dibao-overall-extended` } })).toBe(1);
    expect(await prisma.notification.count({ where: { dedupeKey: `${wf}:refusal-notice-missing` } })).toBe(1);
    const actions = await auditActions('Application', app.id);
    expect(actions.filter((a) => a === 'application.overdue')).toHaveLength(1);
    // The written notice is generated from the decision (then sent to the township); its delivery is still late.
    expect(actions.slice(-5)).toEqual([
      'application.overdue',
      'application.decided',
      'application.refusal-notice-generated',
      'application.refusal-notice-missing',
      'application.refusal-notice-recorded',
    ]);
    expect((await prisma.application.findUniqueOrThrow({ where: { id: app.id } })).status).toBe('REFUSED_NOTIFIED');
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter },
      await handle.fetchHistory(),
      wf,
    );
  }, 120_000);

  it('特困: investigation within 15 working days of acceptance, decision within 15, no overall clock', async () => {
    const fx = await createCasesFixture(prisma);
    const accepted = chinaDate(await ctx.env.currentTimeMs());
    const app = await createApplication(prisma, fx, { acceptedAt: accepted, kind: 'TEKUN_DISPERSED' });
    const taskQueue = uniqueTaskQueue('application-tekun');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    await worker.runUntil(async () => {
      const h = await openApplicationReview(ctx.env.client, { taskQueue, countyRegionId: fx.countyId, applicationId: app.id, policy: presets.zhangzi, calendar: testCalendar, now: new Date(await ctx.env.currentTimeMs()) });
      const s = await waitFor(h, (x) => x.phase === 'awaitingInvestigation' && x.due !== null);
      expect(s).toMatchObject({ track: 'tekun', due: addWorkdaysByHand(accepted, 15), overallDue: null });
      expect(await rejection(h.executeUpdate(extendUpdate, { args: [{ reason: 'x', byStaffId: fx.staff.leader }], updateId: 'e' }))).toContain('没有总时限');
      await h.executeUpdate(startInvestigationUpdate, { args: [{ investigators: ['甲', '乙'], byStaffId: fx.staff.townshipCaseworker }], updateId: 'i' });
      const p = await h.executeUpdate(postPublicityUpdate, { args: [{ opinion: '符合特困供养条件', byStaffId: fx.staff.townshipCaseworker }], updateId: 'p' });
      await sleepUntil(expiryOf(p.due!) + MINUTE);
      const review = await waitFor(h, (x) => x.phase === 'countyReview' && x.step === 'decision');
      expect(review.due).toBe(addWorkdaysByHand(addDays(p.due!, 1), 15));
      await h.executeUpdate(applicationDecideUpdate, { args: [{ decision: 'approve', monthlyAmount: 780.5, byStaffId: fx.staff.sectionHead }], updateId: 'd' });
      expect(await finished<ApplicationReviewStatus>(h, applicationReviewStatusQuery)).toMatchObject({ phase: 'closed', status: 'APPROVED' });
      // The 特困 investigation clock was met: no reminder or escalation of it was ever sent.
      expect(await prisma.notification.count({ where: { dedupeKey: { startsWith: `${h.workflowId}:investigation-1:escalation` } } })).toBe(0);
    });
    expect(Number((await prisma.application.findUniqueOrThrow({ where: { id: app.id } })).monthlyAmount)).toBe(780.5);
  }, 120_000);
});


