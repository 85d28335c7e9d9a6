import { describe, expect, it, inject } from 'vitest';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { verifyAuditChain } from '../../infra/audit-chain.js';
import { progressCycleToOpen, progressCycleWorkflowId, type CycleSummary } from '../../domain/cycles/index.js';
import { progressReportDueDates } from '../../domain/policy/compute.js';
import {
  progressCycleStatusQuery,
  progressReportCycle,
  submitProgressUpdate,
} from '../../workflows/progress-report-cycle.js';
import { useTemporalTestContext, connectTimeSkipping, createTestWorker, testDataConverter, uniqueTaskQueue, resultWithoutSkipping } from '../support/temporal.js';
import { DAY, HOUR, addDays, chinaDate, chinaInstantMs, eventually } from './fixtures/death-review.js';
import { createCycleFixture, policyCovering, progressItems } from './fixtures/cycles.js';

const MINUTE = 60_000;

/** Sent at `expected` (workflow time: the task that sends runs a few milliseconds after the timer). */
function expectAt(actual: Date | undefined, expected: number) {
  expect(actual).toBeDefined();
  expect(actual!.getTime()).toBeGreaterThanOrEqual(expected);
  expect(actual!.getTime()).toBeLessThan(expected + MINUTE);
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    return (error as WorkflowUpdateFailedError).cause?.message ?? '';
  }
  throw new Error('the update was accepted');
}

describe('progress report cycle (time-skipping server)', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;

  it('prompts, validates, reminds and escalates the missing unit once each, aggregates at the cut-off, marks the late unit late', async () => {
    // A campaign around the server's today (the tests' clock, test/support/clock.ts), and a report due in 4 days or more.
    const now = await ctx.env.currentTimeMs();
    const policy = policyCovering(chinaDate(now));
    const due = progressReportDueDates(policy).find((d) => d.expiresAt.getTime() > now + 4 * DAY)!;
    expect(due).toBeDefined();
    const fx = await createCycleFixture(prisma, { townships: 2, villagesPerTownship: 0 });
    const [a, b] = fx.townships as [CycleFixture, CycleFixture];
    type CycleFixture = (typeof fx.townships)[number];
    const taskQueue = uniqueTaskQueue('progress');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const expiry = chinaInstantMs(addDays(due.due, 1), '00:00');
    expect(due.expiresAt.getTime()).toBe(expiry);
    const workflowId = progressCycleWorkflowId(fx.countyId, due.nominal);

    const handle = await worker.runUntil(async () => {
      const handle = await ctx.env.client.workflow.start(progressReportCycle, {
        taskQueue,
        workflowId,
        args: [{ countyRegionId: fx.countyId, kind: 'progress', period: due.nominal, title: `进展情况报告（第${due.seq}期）`, due: due.due, expiresAt: due.expiresAt.toISOString(), periodStart: due.periodStart, periodEnd: due.periodEnd, policy }],
      });
      const status = await eventually(async () => {
        const s = await handle.query(progressCycleStatusQuery);
        return s.phase === 'collecting' ? s : null;
      });
      expect(status.units.map((u) => u.id)).toEqual([a.unitId, b.unitId]);
      const cycle = await prisma.reportCycle.findUniqueOrThrow({ where: { workflowId } });
      expect(cycle).toMatchObject({ countyRegionId: fx.countyId, kind: 'progress', period: due.nominal, closedAt: null });
      expect(cycle.dueAt.getTime()).toBe(expiry);

      // Prompts: each reporter once, with the deadline and the time left, in Chinese.
      for (const t of [a, b]) {
        const n = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${workflowId}:prompt:unit:${t.unitId}` } }));
        expect(n.recipientStaffId).toBe(t.reporter);
        expect(n.text).toContain(`${t.name}`);
        expect(n.text).toMatch(/年\d+月\d+日 24:00前/);
        expect(n.text).toMatch(/还剩\d+天/);
        expect(n.workflowId).toBe(workflowId);
      }

      // Refused submissions: Chinese reason, nothing written.
      const ok = { unitId: a.unitId, byStaffId: a.reporter, items: progressItems(policy, 2) };
      const bad: Array<[unknown, string]> = [
        [{ ...ok, items: { ...ok.items, X9: ok.items.Z1 } }, '未知的整治重点“X9”'],
        [{ ...ok, items: { ...ok.items, Z1: { ...ok.items.Z1!, amount: -1 } } }, '不能为负数'],
        [{ ...ok, items: { ...ok.items, Z1: { ...ok.items.Z1!, households: 1.5 } } }, '必须是整数'],
        [{ ...ok, byStaffId: b.reporter }, '无权代为报送'],
        [{ ...ok, byStaffId: fx.outsider }, '无权代为报送'],
        [{ ...ok, unitId: 999_999_999 }, '不在本期报送范围内'],
      ];
      for (const [args, message] of bad) {
        expect(await rejection(handle.executeUpdate(submitProgressUpdate, { args: [args as typeof ok], updateId: `bad-${message}` }))).toContain(message);
      }
      expect(await prisma.reportSubmission.count({ where: { cycleId: cycle.id } })).toBe(0);

      // A submits on time (the same event id twice writes once); a second submission is refused.
      const r1 = await handle.executeUpdate(submitProgressUpdate, { args: [ok], updateId: 'feishu-a-1' });
      const r2 = await handle.executeUpdate(submitProgressUpdate, { args: [ok], updateId: 'feishu-a-1' });
      expect(r1).toEqual(r2);
      expect(r1.late).toBe(false);
      expect(await rejection(handle.executeUpdate(submitProgressUpdate, { args: [{ ...ok, byStaffId: a.head }], updateId: 'feishu-a-2' }))).toContain('不能重复报送');

      // Skip past the cut-off and the unit-head escalation (24 h later), then B submits late.
      await ctx.env.sleep(expiry + 24 * HOUR + 30 * MINUTE - (await ctx.env.currentTimeMs()));
      const agg = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${workflowId}:aggregate` } }));
      expect(agg.recipientStaffId).toBe(fx.office);
      expectAt(agg.sentAt, expiry);
      expect(agg.text).toContain('未报单位：' + b.name);
      expect(agg.text).toContain('应报2个单位，已报1个，未报1个');
      expect(agg.text).toContain('发现问题2个，涉及2户、201.00元');
      const aggregated = await prisma.reportCycle.findUniqueOrThrow({ where: { workflowId } });
      expect((aggregated.summary as unknown as CycleSummary).missing).toEqual([{ unitId: b.unitId, name: b.name }]);
      expect((aggregated.summary as unknown as CycleSummary).totals.Z1).toMatchObject({ found: 2, amount: 201, recovered: 100 });

      const late = await handle.executeUpdate(submitProgressUpdate, { args: [{ unitId: b.unitId, byStaffId: b.head, items: progressItems(policy, 1) }], updateId: 'tg-b-1' });
      expect(late.late).toBe(true);
      // Everyone has reported: the cycle closes.
      expect((await resultWithoutSkipping(ctx.env, handle)).phase).toBe('closed');
      return handle;
    });

    // Notifications: every key once, to the right person, at the right Asia/Shanghai instant.
    const rows = await prisma.notification.findMany({ where: { workflowId }, orderBy: { id: 'asc' } });
    const keys = rows.map((r) => r.dedupeKey);
    expect(new Set(keys).size).toBe(keys.length);
    const at = (key: string) => rows.find((r) => r.dedupeKey === key);
    const openedAt = (await prisma.reportCycle.findUniqueOrThrow({ where: { workflowId } })).openedAt.getTime();
    const expectedReminders = [7, 3, 1, 0].filter((d) => chinaInstantMs(addDays(due.due, -d), '09:00') >= openedAt);
    for (const d of [7, 3, 1, 0]) {
      const key = `${workflowId}:reminder:${d}:unit:${b.unitId}`;
      if (expectedReminders.includes(d)) {
        expect(at(key)?.recipientStaffId).toBe(b.reporter);
        expectAt(at(key)?.sentAt, chinaInstantMs(addDays(due.due, -d), '09:00'));
        expect(at(key)?.text).toContain('尚未报送');
      } else {
        expect(at(key)).toBeUndefined();
      }
      // A reported on time: no reminder for A.
      expect(at(`${workflowId}:reminder:${d}:unit:${a.unitId}`)).toBeUndefined();
    }
    expect(at(`${workflowId}:escalation:assignee:unit:${b.unitId}`)?.recipientStaffId).toBe(b.reporter);
    expectAt(at(`${workflowId}:escalation:assignee:unit:${b.unitId}`)?.sentAt, expiry);
    expect(at(`${workflowId}:escalation:unitHead:unit:${b.unitId}`)?.recipientStaffId).toBe(b.head);
    expectAt(at(`${workflowId}:escalation:unitHead:unit:${b.unitId}`)?.sentAt, expiry + DAY);
    expect(at(`${workflowId}:escalation:unitHead:unit:${b.unitId}`)?.text).toContain('逾期未报');
    // B reported before the 专班 levels fell due: they never went out, and nothing for A.
    expect(keys.filter((k) => k.includes(':escalation:taskForce'))).toEqual([]);
    expect(keys.filter((k) => k.endsWith(`:unit:${a.unitId}`) && !k.includes(':prompt:'))).toEqual([]);

    const subs = await prisma.reportSubmission.findMany({ where: { cycle: { workflowId } }, orderBy: { id: 'asc' } });
    expect(subs.map((s) => [s.unitId, s.late, s.submittedByStaffId])).toEqual([
      [a.unitId, false, a.reporter],
      [b.unitId, true, b.head],
    ]);
    const closed = await prisma.reportCycle.findUniqueOrThrow({ where: { workflowId } });
    expect(closed.closedAt).not.toBeNull();
    expect((closed.summary as unknown as CycleSummary).submitted).toEqual([
      { unitId: a.unitId, name: a.name, late: false },
      { unitId: b.unitId, name: b.name, late: true },
    ]);
    const audit = await prisma.auditEntry.findMany({ where: { subjectType: 'ReportCycle', subjectId: String(closed.id) }, orderBy: { id: 'asc' } });
    expect(audit.map((e) => e.action)).toEqual(['cycle.opened', 'cycle.submitted', 'cycle.aggregated', 'cycle.submitted-late', 'cycle.closed']);
    expect((await verifyAuditChain(prisma)).ok).toBe(true);

    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter },
      await handle.fetchHistory(),
      workflowId,
    );
  });

  it('survives a worker restart: the next reminder arrives once, from the new worker', async () => {
    const now = await ctx.env.currentTimeMs();
    const policy = policyCovering(chinaDate(now));
    const due = progressCycleToOpen(policy, chinaDate(now));
    if (!due) throw new Error(`no progress cycle open on ${chinaDate(now)}`);
    const fx = await createCycleFixture(prisma, { townships: 1, villagesPerTownship: 0 });
    const [t] = fx.townships as [(typeof fx.townships)[0]];
    const taskQueue = uniqueTaskQueue('progress-restart');
    const workflowId = progressCycleWorkflowId(fx.countyId, due.nominal);
    const args = [{ countyRegionId: fx.countyId, kind: 'progress' as const, period: due.nominal, title: `进展情况报告（第${due.seq}期）`, due: due.due, expiresAt: due.expiresAt.toISOString(), policy }] as const;

    // Worker A keeps no cache: once it is gone, any worker on the queue picks the run up.
    const workerA = await Worker.create({
      connection: ctx.env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities: createActivities({ prisma }),
      dataConverter: testDataConverter,
      maxCachedWorkflows: 0,
    });
    const handle = await workerA.runUntil(async () => {
      const h = await ctx.env.client.workflow.start(progressReportCycle, { taskQueue, workflowId, args: [...args] });
      await eventually(async () => ((await h.query(progressCycleStatusQuery)).phase === 'collecting' ? true : null));
      await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${workflowId}:prompt:unit:${t.unitId}` } }));
      return h;
    });
    const opened = (await prisma.reportCycle.findUniqueOrThrow({ where: { workflowId } })).openedAt.getTime();
    const next = [3, 1, 0].map((d) => ({ d, at: chinaInstantMs(addDays(due.due, -d), '09:00') })).find((r) => r.at > opened + HOUR)!;
    const key = `${workflowId}:reminder:${next.d}:unit:${t.unitId}`;
    expect(await prisma.notification.count({ where: { dedupeKey: key } })).toBe(0);

    const workerB = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    await workerB.runUntil(async () => {
      await ctx.env.sleep(next.at + MINUTE - (await ctx.env.currentTimeMs()));
      const n = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: key } }));
      expect(n.recipientStaffId).toBe(t.reporter);
      expectAt(n.sentAt, next.at);
      await handle.executeUpdate(submitProgressUpdate, { args: [{ unitId: t.unitId, byStaffId: t.reporter, items: progressItems(policy, 0) }], updateId: 'restart-1' });
      // Everyone is in before the cut-off: the cycle still waits for it (it used to be `handle.result()` here,
      // which let the server skip there unnoticed), aggregates then and closes at once.
      await eventually(async () => ((await handle.query(progressCycleStatusQuery)).submitted.length === 1 ? true : null));
      expect((await handle.query(progressCycleStatusQuery)).phase).toBe('collecting');
      await ctx.env.sleep(due.expiresAt.getTime() + MINUTE - (await ctx.env.currentTimeMs()));
      const closed = await resultWithoutSkipping(ctx.env, handle);
      expect(closed.phase).toBe('closed');
      expectAt(new Date(closed.summary!.at), due.expiresAt.getTime());
      expectAt((await prisma.notification.findUniqueOrThrow({ where: { dedupeKey: `${workflowId}:aggregate` } })).sentAt, due.expiresAt.getTime());
    });
    expect(await prisma.notification.count({ where: { dedupeKey: key } })).toBe(1);
    expect(await prisma.notification.count({ where: { dedupeKey: `${workflowId}:prompt:unit:${t.unitId}` } })).toBe(1);
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter },
      await handle.fetchHistory(),
      workflowId,
    );
  });
});
