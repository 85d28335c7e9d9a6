import { describe, expect, it, inject } from 'vitest';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { verifyAuditChain } from '../../infra/audit-chain.js';
import { openPrisonExit } from '../../services/cases/prison-exit.js';
import { presets } from '../../domain/policy/load.js';
import {
  postTerminationUpdate,
  prisonDecideUpdate,
  prisonExitStatusQuery,
  prisonRecoveryUpdate,
  releasedUpdate,
  terminationObjectionUpdate,
  type prisonExit,
} from '../../workflows/prison-exit.js';
import { useTemporalTestContext, connectTimeSkipping, createTestWorker, testDataConverter, uniqueTaskQueue, resultWithoutSkipping } from '../support/temporal.js';
import { DAY, addDays, chinaDate, chinaInstantMs, eventually, expectedDue, monthOf } from './fixtures/death-review.js';
import { createPrisonFixture } from './fixtures/prison-exit.js';

type Handle = WorkflowHandle<typeof prisonExit>;
const MINUTE = 60_000;

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    return (error as WorkflowUpdateFailedError).cause?.message ?? '';
  }
  throw new Error('the update was accepted');
}

async function waitForPhase(handle: Handle, phase: string) {
  return eventually(async () => {
    const s = await handle.query(prisonExitStatusQuery);
    return s.phase === phase ? s : null;
  });
}

/** Only workflow-task events were added to the history since `before` (rejected updates leave nothing else). */
async function onlyWorkflowTasksSince(handle: Handle, before: number): Promise<boolean> {
  const added = ((await handle.fetchHistory()).events ?? []).slice(before);
  return added.every((e) => e.workflowTaskScheduledEventAttributes ?? e.workflowTaskStartedEventAttributes ?? e.workflowTaskCompletedEventAttributes);
}

async function replay(handle: Handle) {
  await Worker.runReplayHistory(
    { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter },
    await handle.fetchHistory(),
    handle.workflowId,
  );
}

describe('prisoner exit workflow (time-skipping server)', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;

  const auditActions = async (subjectType: string, subjectId: number) =>
    (await prisma.auditEntry.findMany({ where: { subjectType, subjectId: String(subjectId) }, orderBy: { id: 'asc' } })).map((a) => a.action);

  it('低保: joins duplicate reports, refuses bad decisions, reminds once on time, recomputes the amount, recovers and closes', async () => {
    const now = await ctx.env.currentTimeMs();
    const imprisonmentDate = chinaDate(now - 50 * DAY);
    const impMonth = monthOf(imprisonmentDate);
    // 1200 a month for the imprisonment month and the next: the next one is over-paid by 1200 − 800.
    const fx = await createPrisonFixture(prisma, 'RURAL_DIBAO', 1200, [
      [impMonth, 1200],
      [monthOf(imprisonmentDate, 1), 1200],
    ]);
    const taskQueue = uniqueTaskQueue('prison-dibao');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const input = { taskQueue, countyRegionId: fx.countyId, memberId: fx.memberId, imprisonmentDate, source: '司法', policy: presets.zhangzi };
    const due = expectedDue(imprisonmentDate);

    const handle = await worker.runUntil(async () => {
      const handle = await openPrisonExit(ctx.env.client, input);
      const wf = handle.workflowId;
      expect(wf).toBe(`prison-exit:${fx.countyId}:${fx.memberId}`);
      const status = await waitForPhase(handle, 'reviewing');
      // The presets define 'prison-exit' (origin county, 3 months from the imprisonment date: the same due).
      expect(status).toMatchObject({ track: 'dibao', ruleId: 'prison-exit', due, overdue: false, assigneeStaffId: fx.staff.caseworker });

      const row = await prisma.case.findUniqueOrThrow({ where: { workflowId: wf } });
      expect(row).toMatchObject({ kind: 'PRISON_EXIT', status: 'OPEN', householdId: fx.householdId, regionId: fx.townshipId, assigneeStaffId: fx.staff.caseworker });
      expect(row.anchorDate?.toISOString().slice(0, 10)).toBe(imprisonmentDate);
      expect(row.dueAt?.getTime()).toBe(Date.parse(`${addDays(due, 1)}T00:00:00+08:00`));
      expect(wf).not.toContain(fx.memberIdNumber);
      // Two other members remain: the payments are not held; the prisoner is marked.
      expect(await prisma.enrolment.findUniqueOrThrow({ where: { id: fx.enrolmentId } })).toMatchObject({ onHold: false, status: 'ACTIVE' });
      expect((await prisma.member.findUniqueOrThrow({ where: { id: fx.memberId } })).status).toBe('IN_PRISON');

      // A second report (another source) joins the same workflow and Case.
      const again = await openPrisonExit(ctx.env.client, { ...input, source: '公安' });
      expect(again.firstExecutionRunId).toBe(handle.firstExecutionRunId);
      expect(await prisma.case.count({ where: { workflowId: wf } })).toBe(1);
      expect(await auditActions('Case', row.id)).toEqual(['case.opened']);

      // Refused in Chinese, nothing written.
      const before = (await handle.fetchHistory()).events?.length ?? 0;
      const nextMonth = monthOf(chinaDate(now), 1);
      const ok = { newMonthlyAmount: 800, effectiveMonth: nextMonth, byStaffId: fx.staff.caseworker };
      const tomorrow = addDays(chinaDate(now), 1);
      const bad: Array<[() => Promise<unknown>, string]> = [
        [() => handle.executeUpdate(prisonDecideUpdate, { args: [{ ...ok, newMonthlyAmount: 1200 }] }), '必须低于现金额'],
        [() => handle.executeUpdate(prisonDecideUpdate, { args: [{ ...ok, newMonthlyAmount: 99.999 }] }), '最多两位小数'],
        [() => handle.executeUpdate(prisonDecideUpdate, { args: [{ ...ok, effectiveMonth: impMonth }] }), '不能早于服刑次月'],
        [() => handle.executeUpdate(prisonDecideUpdate, { args: [{ ...ok, effectiveMonth: '2026/12' }] }), '格式不正确'],
        [() => handle.executeUpdate(prisonDecideUpdate, { args: [{ ...ok, byStaffId: fx.staff.outsider }] }), '无权'],
        [() => handle.executeUpdate(prisonDecideUpdate, { args: [{ ...ok, byStaffId: fx.staff.villager }] }), '无权'],
        [() => handle.executeUpdate(postTerminationUpdate, { args: [{ postedOn: chinaDate(now), byStaffId: fx.staff.caseworker }] }), '不是特困'],
        [() => handle.executeUpdate(prisonRecoveryUpdate, { args: [{ amount: 10, byStaffId: fx.staff.caseworker }] }), '尚未作出决定'],
        [() => handle.executeUpdate(releasedUpdate, { args: [{ releasedOn: tomorrow, byStaffId: fx.staff.caseworker }] }), '不能晚于今天'],
        [() => handle.executeUpdate(releasedUpdate, { args: [{ releasedOn: chinaDate(now), byStaffId: fx.staff.outsider }] }), '无权'],
      ];
      for (const [p, message] of bad) expect(await rejection(p())).toContain(message);
      expect(await onlyWorkflowTasksSince(handle, before)).toBe(true);
      expect((await prisma.case.findUniqueOrThrow({ where: { id: row.id } })).data).toEqual(row.data);
      expect(await prisma.notification.count({ where: { caseId: row.id } })).toBe(0);

      // The 7-day reminder: to the township caseworker, at 09:00 Beijing time, once.
      const reminderAt = chinaInstantMs(addDays(due, -7), '09:00');
      const key = `${wf}:reminder:7`;
      await ctx.env.sleep(reminderAt - MINUTE - (await ctx.env.currentTimeMs()));
      expect(await prisma.notification.count({ where: { dedupeKey: key } })).toBe(0);
      await ctx.env.sleep(2 * MINUTE);
      const n = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: key } }));
      expect(n.recipientStaffId).toBe(fx.staff.caseworker);
      expect(n.sentAt.getTime()).toBeGreaterThanOrEqual(reminderAt);
      expect(n.sentAt.getTime()).toBeLessThan(reminderAt + 2 * MINUTE);
      expect(n.text).toContain('服刑退出');
      expect(n.text).not.toContain(fx.memberIdNumber);
      expect(n.text).toContain(fx.memberIdNumber.slice(-4));

      // The same update id twice decides once.
      const effective = monthOf(chinaDate(await ctx.env.currentTimeMs()), 1);
      const decision = { ...ok, effectiveMonth: effective, note: '刘小虎服刑，不计入家庭成员' };
      const first = await handle.executeUpdate(prisonDecideUpdate, { args: [decision], updateId: 'feishu-evt-p1' });
      const second = await handle.executeUpdate(prisonDecideUpdate, { args: [decision], updateId: 'feishu-evt-p1' });
      expect(first).toEqual(second);
      expect(first.overpaidCents).toBe(40_000);
      expect(first.months.map((m) => m.month)).toEqual([monthOf(imprisonmentDate, 1)]);
      expect(await rejection(handle.executeUpdate(prisonDecideUpdate, { args: [decision], updateId: 'feishu-evt-p2' }))).toContain('不能重复决定');
      const enrolment = await prisma.enrolment.findUniqueOrThrow({ where: { id: fx.enrolmentId } });
      expect(Number(enrolment.monthlyAmount)).toBe(800);
      expect(enrolment.status).toBe('ACTIVE');

      // No reminder after the decision.
      await ctx.env.sleep(10 * DAY);
      expect(await prisma.notification.count({ where: { caseId: row.id } })).toBe(1);

      expect(await rejection(handle.executeUpdate(prisonRecoveryUpdate, { args: [{ amount: 400.01, byStaffId: fx.staff.head }] }))).toContain('超过尚未追回的金额');
      expect(await handle.executeUpdate(prisonRecoveryUpdate, { args: [{ amount: 400, byStaffId: fx.staff.head }], updateId: 'rec-1' })).toEqual({ recoveredCents: 40_000, remainingCents: 0 });
      const result = await resultWithoutSkipping(ctx.env, handle);
      expect(result).toMatchObject({ phase: 'closed', overpaidCents: 40_000, recoveredCents: 40_000, notified: [key] });
      return handle;
    });

    const closed = await prisma.case.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
    expect(closed.status).toBe('CLOSED');
    expect(closed.data).toMatchObject({ track: 'dibao', decision: { newMonthlyAmount: 800, previousMonthlyAmount: 1200, updateId: 'feishu-evt-p1' }, overpayment: { totalCents: 40_000 } });
    expect(await auditActions('Case', closed.id)).toEqual(['case.opened', 'case.decided', 'case.recovery-recorded', 'case.closed']);
    expect(await auditActions('Enrolment', fx.enrolmentId)).toEqual(['enrolment.amount-changed']);
    expect(await auditActions('Member', fx.memberId)).toEqual(['member.imprisoned']);
    await replay(handle);
    expect((await verifyAuditChain(prisma)).ok).toBe(true);
  });

  it('特困 found late: opens overdue, 公示 with an objection, survives a worker restart, ends support next month, release, recovery', async () => {
    const now = await ctx.env.currentTimeMs();
    const today = chinaDate(now);
    const imprisonmentDate = chinaDate(now - 100 * DAY);
    const impMonth = monthOf(imprisonmentDate);
    const quarterStart = monthOf(imprisonmentDate, -((Number(impMonth.slice(5)) - 1) % 3));
    const nextQuarter = monthOf(`${quarterStart}-01`, 3);
    // Quarterly 1800 (600 a month) for the imprisonment quarter and the next one.
    const fx = await createPrisonFixture(prisma, 'TEKUN_DISPERSED', 600, [
      [quarterStart, 1800],
      [nextQuarter, 1800],
    ]);
    const monthsAfterInQuarter = (Number(quarterStart.slice(5)) + 2) - Number(impMonth.slice(5));
    const expectedOverCents = (monthsAfterInQuarter + 3) * 60_000;
    const taskQueue = uniqueTaskQueue('prison-tekun');
    const input = { taskQueue, countyRegionId: fx.countyId, memberId: fx.memberId, imprisonmentDate, source: '公安', policy: presets.wenshui };

    // Worker A keeps no cache, so worker B can take over from the history.
    const workerA = await Worker.create({
      connection: ctx.env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities: createActivities({ prisma }),
      dataConverter: testDataConverter,
      maxCachedWorkflows: 0,
    });
    const handle = await workerA.runUntil(async () => {
      const handle = await openPrisonExit(ctx.env.client, input);
      const wf = handle.workflowId;
      const levels: Array<[string, number]> = [
        ['assignee', fx.staff.caseworker],
        ['unitHead', fx.staff.head],
        ['taskForceLeader', fx.staff.leader],
      ];
      const keys = levels.map(([l]) => `${wf}:escalation:${l}`);
      await eventually(async () => (await prisma.notification.count({ where: { dedupeKey: { in: keys } } })) === 3);
      for (const [level, to] of levels) {
        const n = await prisma.notification.findUniqueOrThrow({ where: { dedupeKey: `${wf}:escalation:${level}` } });
        expect(n.recipientStaffId).toBe(to);
        expect(n.sentAt.getTime()).toBeGreaterThanOrEqual(now);
        expect(n.sentAt.getTime()).toBeLessThan(now + 2 * MINUTE);
        expect(n.text).not.toContain(fx.memberIdNumber);
      }
      const status = await handle.query(prisonExitStatusQuery);
      expect(status).toMatchObject({ track: 'tekun', phase: 'reviewing', overdue: true });
      expect(await prisma.notification.count({ where: { dedupeKey: { startsWith: `${wf}:reminder:` } } })).toBe(0);
      // The prisoner was the only member: payments are held.
      const caseId = status.caseId!;
      expect(await prisma.enrolment.findUniqueOrThrow({ where: { id: fx.enrolmentId } })).toMatchObject({ onHold: true, holdCaseId: caseId });

      const before = (await handle.fetchHistory()).events?.length ?? 0;
      const post = { postedOn: today, byStaffId: fx.staff.caseworker };
      const bad: Array<[() => Promise<unknown>, string]> = [
        [() => handle.executeUpdate(prisonDecideUpdate, { args: [{ newMonthlyAmount: 0, effectiveMonth: monthOf(today, 1), byStaffId: fx.staff.caseworker }] }), '不适用低保金额调整'],
        [() => handle.executeUpdate(terminationObjectionUpdate, { args: [{ receivedOn: today, summary: '本人未服刑', byStaffId: fx.staff.caseworker }] }), '没有进行中的终止供养公示'],
        [() => handle.executeUpdate(postTerminationUpdate, { args: [{ ...post, byStaffId: fx.staff.villager }] }), '无权'],
        [() => handle.executeUpdate(postTerminationUpdate, { args: [{ ...post, postedOn: addDays(today, 1) }] }), '不能晚于今天'],
        [() => handle.executeUpdate(postTerminationUpdate, { args: [{ ...post, postedOn: addDays(imprisonmentDate, -1) }] }), '不能早于服刑日期'],
      ];
      for (const [p, message] of bad) expect(await rejection(p())).toContain(message);
      expect(await onlyWorkflowTasksSince(handle, before)).toBe(true);

      // First 公示, then an objection on day 3: back to review, the 公示 is void.
      const pub1 = await handle.executeUpdate(postTerminationUpdate, { args: [post], updateId: 'post-1' });
      expect(pub1).toEqual({ due: addDays(today, 7), expiresAt: new Date(Date.parse(`${addDays(today, 8)}T00:00:00+08:00`)).toISOString() });
      expect((await handle.query(prisonExitStatusQuery)).phase).toBe('publicity');
      expect(await rejection(handle.executeUpdate(postTerminationUpdate, { args: [post] }))).toContain('正在进行中');
      await ctx.env.sleep(3 * DAY);
      await handle.executeUpdate(terminationObjectionUpdate, {
        args: [{ receivedOn: chinaDate(await ctx.env.currentTimeMs()), summary: '家属称其为取保候审，未判刑', byStaffId: fx.staff.head }],
        updateId: 'objection-1',
      });
      const back = await handle.query(prisonExitStatusQuery);
      expect(back).toMatchObject({ phase: 'reviewing', publicity: null, objections: 1 });
      return handle;
    });

    // Worker A is gone; nothing is lost while no worker runs.
    await ctx.env.sleep(DAY);
    const wf = handle.workflowId;
    const workerB = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    await workerB.runUntil(async () => {
      const postedOn = chinaDate(await ctx.env.currentTimeMs());
      const pub2 = await handle.executeUpdate(postTerminationUpdate, { args: [{ postedOn, byStaffId: fx.staff.caseworker, note: '重新调查后再次公示' }], updateId: 'post-2' });
      const pubDue = addDays(postedOn, 7);
      const expiry = Date.parse(`${addDays(postedOn, 8)}T00:00:00+08:00`);
      expect(pub2.due).toBe(pubDue);

      await ctx.env.sleep(expiry - MINUTE - (await ctx.env.currentTimeMs()));
      expect((await prisma.enrolment.findUniqueOrThrow({ where: { id: fx.enrolmentId } })).status).toBe('ACTIVE');
      await ctx.env.sleep(2 * MINUTE);
      const ended = await eventually(async () => {
        const e = await prisma.enrolment.findUniqueOrThrow({ where: { id: fx.enrolmentId } });
        return e.status === 'ENDED' ? e : null;
      });
      expect(ended.endDate?.toISOString().slice(0, 10)).toBe(addDays(`${monthOf(pubDue, 1)}-01`, -1));
      expect(ended.onHold).toBe(false);
      const s = await waitForPhase(handle, 'recovering');
      expect(s.termination).toEqual({ effectiveMonth: monthOf(pubDue, 1) });
      expect(s.overpaidCents).toBe(expectedOverCents);

      // Release: recorded once, the caseworker is told to reopen the eligibility review.
      const releasedOn = chinaDate(await ctx.env.currentTimeMs());
      await handle.executeUpdate(releasedUpdate, { args: [{ releasedOn, byStaffId: fx.staff.caseworker }], updateId: 'release-1' });
      expect(await rejection(handle.executeUpdate(releasedUpdate, { args: [{ releasedOn, byStaffId: fx.staff.caseworker }] }))).toContain('不能重复登记');
      const note = await prisma.notification.findUniqueOrThrow({ where: { dedupeKey: `${wf}:released` } });
      expect(note.recipientStaffId).toBe(fx.staff.caseworker);
      expect(note.text).toContain('刑满释放');
      expect(note.text).not.toContain(fx.memberIdNumber);
      expect((await prisma.member.findUniqueOrThrow({ where: { id: fx.memberId } })).status).toBe('ALIVE');

      await handle.executeUpdate(prisonRecoveryUpdate, { args: [{ amount: expectedOverCents / 100, byStaffId: fx.staff.leader }], updateId: 'rec-1' });
      const result = await resultWithoutSkipping(ctx.env, handle);
      expect(result).toMatchObject({ phase: 'closed', recoveredCents: expectedOverCents, release: { releasedOn } });
    });

    // Each escalation exactly once, although the ladder ran twice.
    for (const l of ['assignee', 'unitHead', 'taskForceLeader']) {
      expect(await prisma.notification.count({ where: { dedupeKey: `${wf}:escalation:${l}` } })).toBe(1);
    }
    const row = await prisma.case.findUniqueOrThrow({ where: { workflowId: wf } });
    expect(row.status).toBe('CLOSED');
    expect(await auditActions('Case', row.id)).toEqual([
      'case.opened',
      'case.publicity-posted',
      'case.publicity-objection',
      'case.publicity-posted',
      'case.terminated',
      'case.release-recorded',
      'case.recovery-recorded',
      'case.closed',
    ]);
    expect(await auditActions('Enrolment', fx.enrolmentId)).toEqual(['enrolment.held', 'enrolment.ended']);
    await replay(handle);
    expect((await verifyAuditChain(prisma)).ok).toBe(true);
  });
});
