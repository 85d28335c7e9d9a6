import { describe, expect, it } from 'vitest';
import { ensureSchedules, TICK_TIMES } from '../../services/schedules.js';
import { cycleScheduleId, progressCycleToOpen, progressCycleWorkflowId, type CycleKind } from '../../domain/cycles/index.js';
import { testCalendar, testCalendarYears } from '../support/clock.js';
import { useTemporalTestContext, connectDevServer, createTestWorker, uniqueTaskQueue } from '../support/temporal.js';
import { eventually } from '../workflows/fixtures/death-review.js';
import { createCycleFixture, testPolicy } from '../workflows/fixtures/cycles.js';

const HOUR = 3_600_000;

/** Local wall-clock time in Asia/Shanghai of an instant, 'HH:mm'. */
function shanghaiTime(d: Date): string {
  return new Date(d.getTime() + 8 * HOUR).toISOString().slice(11, 16);
}

describe('cycle schedules on the Temporal dev server', () => {
  const ctx = useTemporalTestContext(connectDevServer);
  const { prisma } = ctx;

  it('creates one schedule per cycle kind in Asia/Shanghai, leaves them alone on restart, updates on a policy change, deletes a dropped cycle', async () => {
    // The dev server runs on the machine's clock (it cannot be pinned): the campaign is built around its today.
    const today = new Date(Date.now() + 8 * HOUR).toISOString().slice(0, 10);
    const policy = testPolicy(today);
    const fx = await createCycleFixture(prisma, { townships: 2, villagesPerTownship: 0 });
    const taskQueue = uniqueTaskQueue('schedules');
    const calendar = testCalendar(testCalendarYears(Number(today.slice(0, 4))));
    const kinds: CycleKind[] = ['progress', 'phase-summary', 'village-chain', 'payment-watch', 'daily-digest'];
    const ids = kinds.map((k) => cycleScheduleId(policy.county.code, fx.countyId, k));
    try {
      const first = await ensureSchedules(ctx.env.client, policy, fx.countyId, taskQueue, { calendar });
      expect(first.map((r) => [r.kind, r.action])).toEqual(kinds.map((k) => [k, 'created']));
      for (const [i, kind] of kinds.entries()) {
        const d = await ctx.env.client.schedule.getHandle(ids[i]!).describe();
        expect(d.spec.timezone).toBe('Asia/Shanghai');
        expect(d.action.type).toBe('startWorkflow');
        const next = d.info.nextActionTimes;
        expect(next.length).toBeGreaterThanOrEqual(2);
        const { hour, minute } = TICK_TIMES[kind];
        const hhmm = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
        for (const t of next) expect(shanghaiTime(t)).toBe(hhmm);
        // Daily, one day apart, in the future.
        expect(next[1]!.getTime() - next[0]!.getTime()).toBe(24 * HOUR);
        expect(next[0]!.getTime()).toBeGreaterThan(Date.now());
        expect(d.spec.endAt?.toISOString()).toBe(new Date(Date.parse(`${policy.campaign.window.end}T16:00:00Z`)).toISOString());
      }

      // A restart with the same policy changes nothing and adds nothing.
      const again = await ensureSchedules(ctx.env.client, policy, fx.countyId, taskQueue, { calendar });
      expect(again.every((r) => r.action === 'unchanged')).toBe(true);
      const listed: string[] = [];
      for await (const s of ctx.env.client.schedule.list()) if (s.scheduleId.startsWith(`cycles:${policy.county.code}:${fx.countyId}:`)) listed.push(s.scheduleId);
      expect(listed.sort()).toEqual([...ids].sort());

      // A changed policy updates every schedule: the tick gets the new policy.
      const changed = testPolicy(today, { reminders: { daysBefore: [5, 2], sendAt: '10:00', onDueDay: true } });
      const updated = await ensureSchedules(ctx.env.client, changed, fx.countyId, taskQueue, { calendar });
      expect(updated.every((r) => r.action === 'updated')).toBe(true);
      const d = await ctx.env.client.schedule.getHandle(ids[0]!).describe();
      const args = d.action.type === 'startWorkflow' ? (d.action.args as Array<{ policy: typeof policy }>) : [];
      expect(args[0]!.policy.reminders.sendAt).toBe('10:00');

      // Without the village chain its schedule goes away.
      const noChain = testPolicy(today, { villageMonthlyChain: { enabled: false } });
      const dropped = await ensureSchedules(ctx.env.client, noChain, fx.countyId, taskQueue, { calendar });
      expect(dropped.find((r) => r.kind === 'village-chain')?.action).toBe('deleted');

      // Triggering the progress tick twice opens the current cycle once.
      const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
      const due = progressCycleToOpen(noChain, today)!;
      const cycleId = progressCycleWorkflowId(fx.countyId, due.nominal);
      await worker.runUntil(async () => {
        const h = ctx.env.client.schedule.getHandle(ids[0]!);
        await h.trigger();
        await eventually(() => prisma.reportCycle.findUnique({ where: { workflowId: cycleId } }));
        await h.trigger();
        await eventually(async () => ((await h.describe()).info.numActionsTaken >= 2 ? true : null));
        await eventually(async () => {
          const recent = (await h.describe()).info.recentActions;
          if (recent.length < 2) return null;
          const results = await Promise.all(recent.map((a) => ctx.env.client.workflow.getHandle(a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId).result()));
          return results;
        });
        expect(await prisma.reportCycle.count({ where: { workflowId: cycleId } })).toBe(1);
        const cycle = ctx.env.client.workflow.getHandle(cycleId);
        expect((await cycle.describe()).status.name).toBe('RUNNING');
        await cycle.terminate('test done');
      });
    } finally {
      for (const id of ids) await ctx.env.client.schedule.getHandle(id).delete().catch(() => undefined);
    }
  });
});
