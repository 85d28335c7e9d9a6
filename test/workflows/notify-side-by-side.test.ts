/**
 * Patch `notify-side-by-side`: a batch of notifications at one instant (a
 * cycle's prompts, a reminder round, the morning digests) is scheduled in one
 * workflow task. Histories recorded before the patch (campaign-month runs of
 * the earlier code, payloads encrypted with the test key) replay unchanged:
 * their activities were scheduled one workflow task at a time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { progressCycleWorkflowId } from '../../domain/cycles/index.js';
import { progressReportDueDates } from '../../domain/policy/compute.js';
import { NOTIFY_SIDE_BY_SIDE_PATCH } from '../../workflows/notify-side-by-side.js';
import { progressCycleStatusQuery, progressReportCycle } from '../../workflows/progress-report-cycle.js';
import { useTemporalTestContext, connectTimeSkipping, createTestWorker, terminateWhenIdle, testDataConverter, uniqueTaskQueue } from '../support/temporal.js';
import { DAY, chinaDate, eventually } from './fixtures/death-review.js';
import { createCycleFixture, policyCovering } from './fixtures/cycles.js';

type History = proto.temporal.api.history.v1.IHistory;
const EventType = proto.temporal.api.enums.v1.EventType;

/** For each `notify` scheduled: the id of the workflow task completion that scheduled it. */
function notifyBatches(history: History): number[][] {
  const batches = new Map<number, number[]>();
  for (const e of history.events ?? []) {
    const a = e.activityTaskScheduledEventAttributes;
    if (e.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED || a?.activityType?.name !== 'notify') continue;
    const task = Number(a.workflowTaskCompletedEventId);
    batches.set(task, [...(batches.get(task) ?? []), Number(e.eventId)]);
  }
  return [...batches.values()];
}

/** Whether the history records the patch marker of `notify-side-by-side` (core's marker details carry the patch id). */
const hasPatchMarker = (history: History) =>
  (history.events ?? []).some(
    (e) =>
      e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED &&
      Object.values(e.markerRecordedEventAttributes?.details ?? {}).some((p) => (p.payloads ?? []).some((x) => Buffer.from(x.data ?? []).toString().includes(NOTIFY_SIDE_BY_SIDE_PATCH))),
  );

describe('notify-side-by-side: histories recorded before the patch', () => {
  for (const [name, workflowType] of [['progress-cycle', 'progressReportCycle'], ['village-chain', 'villageMonthlyChain'], ['daily-digest', 'dailyDigest']] as const) {
    it(`${name}: replays with today's code (its notifications went out one workflow task each)`, async () => {
      const file = path.join(import.meta.dirname, `fixtures/histories/${name}-before-notify-side-by-side.binpb`);
      const history = proto.temporal.api.history.v1.History.decode(fs.readFileSync(file));
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      expect(started?.workflowType?.name).toBe(workflowType);
      const batches = notifyBatches(history);
      expect(batches.flat().length).toBeGreaterThan(1);
      // Recorded before the patch: never two notifications from one workflow task.
      expect(batches.every((b) => b.length === 1)).toBe(true);
      expect(hasPatchMarker(history)).toBe(false);
      await expect(
        Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter }, history, `${name}-before-side-by-side`),
      ).resolves.toBeUndefined();
    });
  }
});

describe('notify-side-by-side: new runs (time-skipping server)', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;

  it('prompts every unit of a cycle from one workflow task, each once, and the run replays', async () => {
    const now = await ctx.env.currentTimeMs();
    const policy = policyCovering(chinaDate(now));
    const due = progressReportDueDates(policy).find((d) => d.expiresAt.getTime() > now + 2 * DAY)!;
    const fx = await createCycleFixture(prisma, { townships: 4, villagesPerTownship: 0 });
    const taskQueue = uniqueTaskQueue('side-by-side');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const workflowId = progressCycleWorkflowId(fx.countyId, due.nominal);
    const history = await worker.runUntil(async () => {
      const h = await ctx.env.client.workflow.start(progressReportCycle, {
        taskQueue,
        workflowId,
        args: [{ countyRegionId: fx.countyId, kind: 'progress', period: due.nominal, title: '进展情况报告（测试）', due: due.due, expiresAt: due.expiresAt.toISOString(), periodStart: due.periodStart, periodEnd: due.periodEnd, policy }],
      });
      await eventually(async () => ((await h.query(progressCycleStatusQuery)).notified.length === 4 ? true : null));
      const hist = await h.fetchHistory();
      await terminateWhenIdle(h);
      return hist;
    });
    const prompts = await prisma.notification.findMany({ where: { workflowId, kind: 'reportPrompt' } });
    expect(prompts.map((p) => p.recipientStaffId).sort()).toEqual(fx.townships.map((t) => t.reporter).sort());
    expect(new Set(prompts.map((p) => p.dedupeKey)).size).toBe(4);
    const batches = notifyBatches(history);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(4);
    expect(hasPatchMarker(history)).toBe(true);
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter }, history, workflowId);
  });
});
