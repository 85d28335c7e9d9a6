import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, inject } from 'vitest';
import proto from '@temporalio/proto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { verifyAuditChain } from '../../infra/audit-chain.js';
import { openDeathReview } from '../../services/cases/death-review.js';
import type { DecideArgs } from '../../domain/cases/index.js';
import { presets } from '../../domain/policy/load.js';
import {
  confirmOverpaymentUpdate,
  decideUpdate,
  deathReviewStatusQuery,
  recordRecoveryUpdate,
  type deathReview,
} from '../../workflows/death-review.js';
import { useTemporalTestContext, connectTimeSkipping, createTestWorker, testDataConverter, uniqueTaskQueue, resultWithoutSkipping } from '../support/temporal.js';
import { DAY, addDays, chinaDate, chinaInstantMs, createDeathFixture, eventually, expectedDue, monthOf } from './fixtures/death-review.js';

type Handle = WorkflowHandle<typeof deathReview>;

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
    const s = await handle.query(deathReviewStatusQuery);
    return s.phase === phase ? s : null;
  });
}

describe('death review workflow (time-skipping server)', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;

  const auditActions = async (subjectType: string, subjectId: number) =>
    (await prisma.auditEntry.findMany({ where: { subjectType, subjectId: String(subjectId) }, orderBy: { id: 'asc' } })).map((a) => a.action);

  it('opens once per death, validates decisions, decides once, recovers, closes, and replays', async () => {
    const now = await ctx.env.currentTimeMs();
    const deathDate = chinaDate(now - 40 * DAY);
    const deathMonth = monthOf(deathDate);
    // Paid for the death month and the two months after it: 2 × 500 yuan over-paid.
    const fx = await createDeathFixture(prisma, [deathMonth, monthOf(deathDate, 1), monthOf(deathDate, 2)]);
    const taskQueue = uniqueTaskQueue('death-review');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const input = { taskQueue, countyRegionId: fx.countyId, memberId: fx.memberId, deathDate, source: '村报', policy: presets.zhangzi };

    const handle = await worker.runUntil(async () => {
      const handle = await openDeathReview(ctx.env.client, input);
      await waitForPhase(handle, 'reviewing');

      const row = await prisma.case.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
      expect(row).toMatchObject({ kind: 'DEATH_REVIEW', status: 'OPEN', householdId: fx.householdId, regionId: fx.townshipId, assigneeStaffId: fx.staff.caseworker });
      expect(row.anchorDate?.toISOString().slice(0, 10)).toBe(deathDate);
      expect(row.dueAt?.getTime()).toBe(Date.parse(`${addDays(expectedDue(deathDate), 1)}T00:00:00+08:00`));
      expect(row.workflowId).not.toContain(row.subjectIdNumber!);
      const held = await prisma.enrolment.findUniqueOrThrow({ where: { id: fx.enrolmentId } });
      expect(held).toMatchObject({ onHold: true, holdCaseId: row.id });

      // A second report of the same death joins the same workflow and the same Case.
      const again = await openDeathReview(ctx.env.client, { ...input, source: '公安' });
      expect(again.firstExecutionRunId).toBe(handle.firstExecutionRunId);
      expect(await prisma.case.count({ where: { workflowId: handle.workflowId } })).toBe(1);
      expect(await auditActions('Case', row.id)).toEqual(['case.opened']);

      // Invalid or unauthorised decisions: rejected in Chinese, nothing written, no history event.
      const eventsBefore = (await handle.fetchHistory()).events?.length ?? 0;
      const ok: DecideArgs = { decision: '停发', effectiveMonth: monthOf(deathDate, 1), decidedByStaffId: fx.staff.caseworker, note: '户内无其他成员' };
      const bad: Array<[unknown, string]> = [
        [{ ...ok, decision: '暂停' }, '未知的决定'],
        [{ ...ok, effectiveMonth: '2026/12' }, '格式不正确'],
        [{ ...ok, effectiveMonth: monthOf(deathDate, -1) }, '早于死亡月份'],
        [{ ...ok, decision: '减发' }, '须填写减发后的月保障金额'],
        [{ ...ok, decision: '减发', newMonthlyAmount: 600 }, '必须低于现金额'],
        [{ ...ok, decidedByStaffId: fx.staff.outsider }, '无权'],
        [{ ...ok, decidedByStaffId: fx.staff.villager }, '无权'],
      ];
      for (const [args, message] of bad) {
        const reason = await rejection(
          handle.executeUpdate(decideUpdate, { args: [args as DecideArgs], updateId: `bad-${message}` }),
        );
        expect(reason).toContain(message);
      }
      // No update was accepted or rejected into history. (The Java time-skipping server has no
      // speculative workflow tasks, so each rejection still leaves a scheduled/started/completed
      // workflow task behind; a real server writes nothing.)
      const added = ((await handle.fetchHistory()).events ?? []).slice(eventsBefore);
      expect(added.every((e) => e.workflowTaskScheduledEventAttributes ?? e.workflowTaskStartedEventAttributes ?? e.workflowTaskCompletedEventAttributes)).toBe(true);
      const unchanged = await prisma.case.findUniqueOrThrow({ where: { id: row.id } });
      expect(unchanged.data).toEqual(row.data);
      expect((await handle.query(deathReviewStatusQuery)).decision).toBeNull();

      // The same platform event id twice decides once.
      const first = await handle.executeUpdate(decideUpdate, { args: [ok], updateId: 'feishu-evt-1' });
      const second = await handle.executeUpdate(decideUpdate, { args: [ok], updateId: 'feishu-evt-1' });
      expect(first.overpaidCents).toBe(100_000);
      expect(second).toEqual(first);
      expect(first.months.map((m) => m.month)).toEqual([monthOf(deathDate, 1), monthOf(deathDate, 2)]);
      expect(await rejection(handle.executeUpdate(decideUpdate, { args: [ok], updateId: 'feishu-evt-2' }))).toContain('不能重复决定');
      expect((await auditActions('Case', row.id)).filter((a) => a === 'case.decided')).toHaveLength(1);
      const ended = await prisma.enrolment.findUniqueOrThrow({ where: { id: fx.enrolmentId } });
      expect(ended).toMatchObject({ status: 'ENDED', onHold: false, holdCaseId: null });
      expect(ended.endDate?.toISOString().slice(0, 10)).toBe(addDays(`${monthOf(deathDate, 1)}-01`, -1));

      // The over-payment is confirmed first, by someone other than the decider, at the amount computed.
      expect((await handle.query(deathReviewStatusQuery)).phase).toBe('confirming');
      expect(await rejection(handle.executeUpdate(recordRecoveryUpdate, { args: [{ amount: 100, recordedByStaffId: fx.staff.head }], updateId: 'rec-early' }))).toContain('超发金额尚未确认');
      expect(await rejection(handle.executeUpdate(confirmOverpaymentUpdate, { args: [{ amount: 1000, byStaffId: ok.decidedByStaffId }] }))).toContain('作出决定以外');
      expect(await rejection(handle.executeUpdate(confirmOverpaymentUpdate, { args: [{ amount: 900, byStaffId: fx.staff.head }] }))).toContain('与计算的超发金额 1000.00 元不一致');
      expect(await rejection(handle.executeUpdate(confirmOverpaymentUpdate, { args: [{ amount: 1000, byStaffId: fx.staff.outsider }] }))).toContain('无权');
      expect(await handle.executeUpdate(confirmOverpaymentUpdate, { args: [{ amount: 1000, byStaffId: fx.staff.head, note: '核对发放记录无误' }], updateId: 'conf-1' })).toEqual({ overpaidCents: 100_000 });
      expect(await handle.executeUpdate(confirmOverpaymentUpdate, { args: [{ amount: 1000, byStaffId: fx.staff.head, note: '核对发放记录无误' }], updateId: 'conf-1' })).toEqual({ overpaidCents: 100_000 });
      expect(await rejection(handle.executeUpdate(confirmOverpaymentUpdate, { args: [{ amount: 1000, byStaffId: fx.staff.leader }], updateId: 'conf-2' }))).toContain('已确认');
      expect((await handle.query(deathReviewStatusQuery)).phase).toBe('recovering');

      // Recoveries until the over-payment is back; the same update id counts once.
      const r1 = await handle.executeUpdate(recordRecoveryUpdate, { args: [{ amount: 600, recordedByStaffId: fx.staff.head }], updateId: 'rec-1' });
      expect(r1).toEqual({ recoveredCents: 60_000, remainingCents: 40_000 });
      expect(await handle.executeUpdate(recordRecoveryUpdate, { args: [{ amount: 600, recordedByStaffId: fx.staff.head }], updateId: 'rec-1' })).toEqual(r1);
      expect(await rejection(handle.executeUpdate(recordRecoveryUpdate, { args: [{ amount: 400.01, recordedByStaffId: fx.staff.head }], updateId: 'rec-x' }))).toContain('超过尚未追回的金额');
      expect(await rejection(handle.executeUpdate(recordRecoveryUpdate, { args: [{ amount: 10, recordedByStaffId: fx.staff.outsider }], updateId: 'rec-y' }))).toContain('无权');
      await handle.executeUpdate(recordRecoveryUpdate, { args: [{ amount: 400, recordedByStaffId: fx.staff.leader }], updateId: 'rec-2' });

      const result = await resultWithoutSkipping(ctx.env, handle);
      expect(result).toMatchObject({ phase: 'closed', overpaidCents: 100_000, recoveredCents: 100_000 });
      return handle;
    });

    const closed = await prisma.case.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
    expect(closed.status).toBe('CLOSED');
    expect(closed.closedAt).not.toBeNull();
    expect(closed.data).toMatchObject({ decision: { decision: '停发', updateId: 'feishu-evt-1' }, overpayment: { totalCents: 100_000 } });
    expect(await auditActions('Case', closed.id)).toEqual([
      'case.opened',
      'case.decided',
      'case.overpayment-confirmed',
      'case.recovery-recorded',
      'case.recovery-recorded',
      'case.closed',
    ]);
    expect(await auditActions('Enrolment', fx.enrolmentId)).toEqual(['enrolment.held', 'enrolment.ended']);

    // The finished history replays with the current workflow code.
    const history = await handle.fetchHistory();
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter },
      history,
      handle.workflowId,
    );

    const chain = await verifyAuditChain(prisma);
    expect(chain.ok).toBe(true);
  });

  it('survives a worker restart while it waits on a timer', async () => {
    const now = await ctx.env.currentTimeMs();
    const deathDate = chinaDate(now - 20 * DAY);
    const fx = await createDeathFixture(prisma);
    const taskQueue = uniqueTaskQueue('death-restart');
    const input = { taskQueue, countyRegionId: fx.countyId, memberId: fx.memberId, deathDate, source: '卫健', policy: presets.wenshui };

    // Worker A keeps no workflow cache, so the server binds the case to no sticky
    // queue: once A is gone its tasks go to whichever worker polls the task queue.
    const workerA = await Worker.create({
      connection: ctx.env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities: createActivities({ prisma }),
      dataConverter: testDataConverter,
      maxCachedWorkflows: 0,
    });
    const handle = await workerA.runUntil(async () => {
      const h = await openDeathReview(ctx.env.client, input);
      await waitForPhase(h, 'reviewing');
      return h;
    });

    // No worker for a day of workflow time (no timer falls due meanwhile: the
    // time-skipping server stops skipping while a workflow task waits for a worker).
    await ctx.env.sleep(DAY);
    const reminderAt = chinaInstantMs(addDays(expectedDue(deathDate), -7), '09:00');
    const key = `${handle.workflowId}:reminder:7`;
    expect(await prisma.notification.count({ where: { dedupeKey: key } })).toBe(0);

    // A new worker (empty cache) picks the case up: it rebuilds the state from
    // the history and sends the reminder when its timer fires.
    const workerB = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    await workerB.runUntil(async () => {
      await ctx.env.sleep(reminderAt + 60_000 - (await ctx.env.currentTimeMs()));
      const n = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: key } }));
      expect(n.sentAt.getTime()).toBeGreaterThanOrEqual(reminderAt);
      expect(n.sentAt.getTime()).toBeLessThan(reminderAt + 60_000);
      await handle.executeUpdate(decideUpdate, {
        args: [{ decision: '停发', effectiveMonth: monthOf(deathDate, 1), decidedByStaffId: fx.staff.head }],
        updateId: 'tg-callback-1',
      });
      const result = await resultWithoutSkipping(ctx.env, handle);
      expect(result).toMatchObject({ phase: 'closed', overpaidCents: 0 });
      expect(result.notified).toEqual([key]);
    });
    expect(await prisma.notification.count({ where: { dedupeKey: key } })).toBe(1);
    expect((await prisma.case.findUniqueOrThrow({ where: { workflowId: handle.workflowId } })).status).toBe('CLOSED');

    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter },
      await handle.fetchHistory(),
      handle.workflowId,
    );
  });

  it('replays a review decided and recovered before the over-payment confirmation (patched: death-review-overpayment-confirm)', async () => {
    // Recorded with the workflow as of the commit before 'death-review-overpayment-confirm': check, 停发
    // with 1000 yuan over-paid, recovered at once, closed (no marker, no confirmOverpayment). Test key.
    const file = path.join(import.meta.dirname, 'fixtures/histories/death-review-recovered-before-overpayment-confirm.binpb');
    const history = proto.temporal.api.history.v1.History.decode(fs.readFileSync(file));
    const EventType = proto.temporal.api.enums.v1.EventType;
    const events = history.events ?? [];
    expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED)).toBe(false);
    expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)).toBe(true);
    const activityTypes = events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
    expect(activityTypes).toContain('recordCaseRecovery');
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter }, history, 'death-review-before-confirm'),
    ).resolves.toBeUndefined();
  });
});
