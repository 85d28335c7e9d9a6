import { describe, expect, it } from 'vitest';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { scheduledNotice } from '../../workflows/index.js';
import { createNoticeActivities } from '../../activities/notices.js';
import { useTemporalTestContext, connectDevServer, createTestWorker, uniqueTaskQueue } from '../support/temporal.js';

describe('scheduledNotice on the Temporal dev server', () => {
  const ctx = useTemporalTestContext(connectDevServer);
  const { prisma } = ctx;

  it('records a due notice through the worker into the real database', async () => {
    const taskQueue = uniqueTaskQueue('notice-dev');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const workflowId = `notice-${taskQueue}`;
    const dueAt = new Date(Date.now() + 1500);

    const result = await worker.runUntil(async () => {
      const handle = await ctx.env.client.workflow.start(scheduledNotice, {
        taskQueue,
        workflowId,
        args: [{ note: '村级月报截止提醒', dueAt: dueAt.toISOString() }],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
      // The same natural key cannot open a second run.
      await expect(
        ctx.env.client.workflow.start(scheduledNotice, {
          taskQueue,
          workflowId,
          args: [{ note: '重复', dueAt: dueAt.toISOString() }],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        }),
      ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
      return handle.result();
    });

    expect(Date.parse(result.recordedAt)).toBeGreaterThanOrEqual(dueAt.getTime() - 5);
    const rows = await prisma.notice.findMany({ where: { workflowId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(result.recordId);
    expect(rows[0]!.note).toBe('村级月报截止提醒');
  });

  it('the activity is safe to retry: a second attempt writes nothing new', async () => {
    const { recordNotice } = createNoticeActivities({ prisma });
    const workflowId = `retry-${uniqueTaskQueue('x')}`;
    const input = { workflowId, note: '重试', recordedAt: new Date().toISOString() };
    const first = await recordNotice(input);
    const second = await recordNotice(input);
    expect(first.created).toBe(true);
    expect(second).toEqual({ recordId: first.recordId, created: false });
    expect(await prisma.notice.count({ where: { workflowId } })).toBe(1);
    expect(await prisma.auditEntry.count({ where: { subjectId: first.recordId } })).toBe(1);
  });
});
