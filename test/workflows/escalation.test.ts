import { describe, expect, it } from 'vitest';
import { openDeathReview } from '../../services/cases/death-review.js';
import { presets } from '../../domain/policy/load.js';
import { decideUpdate, deathReviewStatusQuery } from '../../workflows/death-review.js';
import { useTemporalTestContext, connectTimeSkipping, createTestWorker, uniqueTaskQueue, resultWithoutSkipping } from '../support/temporal.js';
import {
  DAY,
  HOUR,
  addDays,
  chinaDate,
  chinaInstantMs,
  createDeathFixture,
  eventually,
  expectedDue,
  isClamped,
  monthOf,
} from './fixtures/death-review.js';

const MINUTE = 60_000;

describe('escalation ladder of the death review (time-skipping server)', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;

  const countByKey = (dedupeKey: string) => prisma.notification.count({ where: { dedupeKey } });

  it('reminds before a clamped deadline and escalates after it, each exactly once and on time', async () => {
    // The next death date whose deadline is clamped to a shorter month's end (e.g. 31 Aug → 30 Nov).
    let now = await ctx.env.currentTimeMs();
    let deathDate = chinaDate(now);
    while (!isClamped(deathDate)) deathDate = addDays(deathDate, 1);
    const tenAm = chinaInstantMs(deathDate, '10:00');
    if (tenAm > now) await ctx.env.sleep(tenAm - now);

    const fx = await createDeathFixture(prisma);
    const taskQueue = uniqueTaskQueue('death-ladder');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const due = expectedDue(deathDate);
    const expiry = Date.parse(`${addDays(due, 1)}T00:00:00+08:00`);
    expect(new Date(expiry).toISOString()).toBe(`${due}T16:00:00.000Z`);

    await worker.runUntil(async () => {
      const handle = await openDeathReview(ctx.env.client, {
        taskQueue,
        countyRegionId: fx.countyId,
        memberId: fx.memberId,
        deathDate,
        source: '殡葬',
        policy: presets.wenshui,
      });
      const wf = handle.workflowId;
      expect(wf).toBe(`death-review:${fx.countyId}:${fx.memberId}`);
      const status = await eventually(async () => {
        const s = await handle.query(deathReviewStatusQuery);
        return s.phase === 'reviewing' ? s : null;
      });
      expect(status.due).toBe(due);
      expect(status.expiresAt).toBe(new Date(expiry).toISOString());
      const row = await prisma.case.findUniqueOrThrow({ where: { workflowId: wf } });
      expect(row.dueAt?.toISOString()).toBe(new Date(expiry).toISOString());

      const planned = [
        ...[7, 3, 1, 0].map((n) => ({ key: `${wf}:reminder:${n}`, at: chinaInstantMs(addDays(due, -n), '09:00'), to: fx.staff.caseworker })),
        { key: `${wf}:escalation:assignee`, at: expiry, to: fx.staff.caseworker },
        { key: `${wf}:escalation:unitHead`, at: expiry + 24 * HOUR, to: fx.staff.head },
        { key: `${wf}:escalation:taskForceLeader`, at: expiry + 72 * HOUR, to: fx.staff.leader },
      ];
      for (const p of planned) {
        now = await ctx.env.currentTimeMs();
        if (p.at - MINUTE > now) await ctx.env.sleep(p.at - MINUTE - now);
        expect(await countByKey(p.key)).toBe(0);
        await ctx.env.sleep(2 * MINUTE);
        const n = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: p.key } }));
        expect(n.sentAt.getTime()).toBeGreaterThanOrEqual(p.at);
        expect(n.sentAt.getTime()).toBeLessThan(p.at + 2 * MINUTE);
        expect(n.recipientStaffId).toBe(p.to);
        expect(n.caseId).toBe(row.id);
        expect(n.text).toContain('死亡核查');
      }
      const first = await prisma.notification.findUniqueOrThrow({ where: { dedupeKey: planned[0]!.key } });
      expect(first.text).toContain('还剩7天');

      // Nothing more, and nothing twice, ten days later.
      await ctx.env.sleep(10 * DAY);
      for (const p of planned) expect(await countByKey(p.key)).toBe(1);
      expect(await prisma.notification.count({ where: { caseId: row.id } })).toBe(planned.length);
      expect((await handle.query(deathReviewStatusQuery)).overdue).toBe(true);

      await handle.executeUpdate(decideUpdate, {
        args: [{ decision: '增发', effectiveMonth: monthOf(deathDate, 1), decidedByStaffId: fx.staff.head }],
        updateId: `${wf}-decide`,
      });
      const result = await resultWithoutSkipping(ctx.env, handle);
      expect(result.phase).toBe('closed');
      expect(result.overpaidCents).toBe(0);
    });
  });

  it('a case found late opens overdue: no reminders, every escalation at once, once', async () => {
    const now = await ctx.env.currentTimeMs();
    const deathDate = chinaDate(now - 125 * DAY); // about four months ago
    const fx = await createDeathFixture(prisma);
    const taskQueue = uniqueTaskQueue('death-late');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });

    await worker.runUntil(async () => {
      const handle = await openDeathReview(ctx.env.client, {
        taskQueue,
        countyRegionId: fx.countyId,
        memberId: fx.memberId,
        deathDate,
        source: '公安',
        policy: presets.wenshui,
      });
      const wf = handle.workflowId;
      const keys = ['assignee', 'unitHead', 'taskForceLeader'].map((l) => `${wf}:escalation:${l}`);
      await eventually(async () => (await prisma.notification.count({ where: { dedupeKey: { in: keys } } })) === 3);
      for (const key of keys) {
        const n = await prisma.notification.findUniqueOrThrow({ where: { dedupeKey: key } });
        expect(n.sentAt.getTime()).toBeGreaterThanOrEqual(now);
        expect(n.sentAt.getTime()).toBeLessThan(now + 2 * MINUTE);
      }
      const status = await handle.query(deathReviewStatusQuery);
      expect(status.overdue).toBe(true);
      expect(status.notified).toEqual(keys);

      await ctx.env.sleep(5 * DAY);
      for (const key of keys) expect(await countByKey(key)).toBe(1);
      expect(await prisma.notification.count({ where: { dedupeKey: { startsWith: `${wf}:reminder:` } } })).toBe(0);

      await handle.executeUpdate(decideUpdate, {
        args: [{ decision: '停发', effectiveMonth: monthOf(deathDate, 1), decidedByStaffId: fx.staff.caseworker }],
        updateId: `${wf}-decide`,
      });
      expect((await resultWithoutSkipping(ctx.env, handle)).phase).toBe('closed');
    });
  });
});
