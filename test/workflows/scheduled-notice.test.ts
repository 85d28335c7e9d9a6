import { describe, expect, it } from 'vitest';
import { scheduledNotice } from '../../workflows/index.js';
import { useTemporalTestContext, connectTimeSkipping, createTestWorker, uniqueTaskQueue } from '../support/temporal.js';

const DAY = 24 * 60 * 60 * 1000;

describe('scheduledNotice on the time-skipping server', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;

  it('waits three months of workflow time on a durable timer, then writes the row once', async () => {
    const taskQueue = uniqueTaskQueue('notice-ts');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const start = await ctx.env.currentTimeMs();
    const dueAt = new Date(start + 92 * DAY);
    const workflowId = `notice-${taskQueue}`;

    await worker.runUntil(async () => {
      const handle = await ctx.env.client.workflow.start(scheduledNotice, {
        taskQueue,
        workflowId,
        args: [{ note: '死亡核查到期提醒', dueAt: dueAt.toISOString() }],
      });

      // 91 days in: the timer has not fired, nothing is written.
      await ctx.env.sleep(91 * DAY);
      expect(await prisma.notice.findUnique({ where: { workflowId } })).toBeNull();

      // The one place `handle.result()` on the time-skipping client is wanted: it lets the server skip to the
      // timer. The assertions are on the recorded instant (within a minute of dueAt), not on where the skip
      // stopped, and this file's server serves no later test.
      const result = await handle.result();
      expect(Date.parse(result.recordedAt)).toBeGreaterThanOrEqual(dueAt.getTime());
      expect(Date.parse(result.recordedAt)).toBeLessThan(dueAt.getTime() + 60_000);
    });

    // Three months passed on the server clock (the test's own timeout bounds the real time).
    expect((await ctx.env.currentTimeMs()) - start).toBeGreaterThanOrEqual(92 * DAY);

    const rows = await prisma.notice.findMany({ where: { workflowId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.note).toBe('死亡核查到期提醒');
    expect(rows[0]!.createdAt.getTime()).toBeGreaterThanOrEqual(dueAt.getTime());

    const audit = await prisma.auditEntry.findMany({ where: { subjectType: 'Notice', subjectId: rows[0]!.id } });
    expect(audit.map((a) => a.action)).toEqual(['notice.recorded']);
  });
});
