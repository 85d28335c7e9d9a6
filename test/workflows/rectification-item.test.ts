import { describe, expect, it, inject } from 'vitest';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { verifyAuditChain } from '../../infra/audit-chain.js';
import { openRectificationItem } from '../../services/cases/rectification-item.js';
import { presets } from '../../domain/policy/load.js';
import type { PrismaClient } from '../../prisma/generated/client.js';
import type { StaffRole } from '../../prisma/generated/enums.js';
import {
  confirmUpdate,
  rectificationStatusQuery,
  reportCompletedUpdate,
  reportProgressUpdate,
  type rectificationItem,
} from '../../workflows/rectification-item.js';
import { createTestCounty } from '../support/county.js';
import { freshIdNumber } from '../support/ids.js';
import { useTemporalTestContext, connectTimeSkipping, createTestWorker, testDataConverter, uniqueTaskQueue, resultWithoutSkipping } from '../support/temporal.js';
import { DAY, HOUR, addDays, chinaDate, chinaInstantMs, eventually } from './fixtures/death-review.js';

type Handle = WorkflowHandle<typeof rectificationItem>;

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    return (error as WorkflowUpdateFailedError).cause?.message ?? '';
  }
  throw new Error('the update was accepted');
}

async function fixture(prisma: PrismaClient) {
  const county = await createTestCounty(prisma, { townships: 2, villagesPerTownship: 1 });
  const [t1, t2] = county.townships as [(typeof county.townships)[0], (typeof county.townships)[0]];
  const staff = async (name: string, role: StaffRole, regionId: number) =>
    (await prisma.staff.create({ data: { name, idNumber: freshIdNumber(), role, unit: '测试单位', regionId } })).id;
  return {
    countyId: county.countyId,
    townshipId: t1.id,
    staff: {
      responsible: await staff('李经办', 'TOWNSHIP_CASEWORKER', t1.id),
      head: await staff('王乡长', 'TOWNSHIP_HEAD', t1.id),
      office: await staff('周办公室', 'TASKFORCE_OFFICE', county.countyId),
      leader: await staff('赵组长', 'TASKFORCE_LEADER', county.countyId),
      outsider: await staff('钱经办', 'TOWNSHIP_CASEWORKER', t2.id),
      villager: await staff('孙委员', 'VILLAGE_COMMITTEE', t1.villages[0]!.id),
    },
  };
}

async function waitForStatus(handle: Handle, status: string) {
  return eventually(async () => {
    const s = await handle.query(rectificationStatusQuery);
    return s.status === status ? s : null;
  });
}

describe('rectification item workflow (time-skipping server)', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;

  const notifications = (workflowId: string) =>
    prisma.notification.findMany({ where: { dedupeKey: { startsWith: `${workflowId}:` } }, orderBy: { id: 'asc' } });

  it('opens the item and its case, refuses unauthorised updates, runs the ladder, rejects, confirms and replays', async () => {
    const now = await ctx.env.currentTimeMs();
    const discoveryDate = chinaDate(now);
    const fx = await fixture(prisma);
    const taskQueue = uniqueTaskQueue('rectification');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const input = {
      taskQueue,
      countyRegionId: fx.countyId,
      problem: '某村低保户张某家庭人均收入超标仍享受低保',
      focusItem: 'Z1',
      source: '举报' as const,
      sourceRef: `complaint:${fx.countyId}-1`,
      responsibleRegionId: fx.townshipId,
      responsibleUnit: '第1镇人民政府',
      responsibleStaffId: fx.staff.responsible,
      measures: '入户核查，按程序退出低保并追回资金',
      discoveryDate,
      policy: presets.zhangzi,
    };
    // Default deadline: discovery + 30 calendar days (policy 'rectification-default').
    const due = addDays(discoveryDate, 30);
    const expiresAtMs = Date.parse(`${addDays(due, 1)}T00:00:00+08:00`);

    const handle = await worker.runUntil(async () => {
      const handle = await openRectificationItem(ctx.env.client, input);
      const s = await waitForStatus(handle, 'IN_PROGRESS');
      expect(s).toMatchObject({ seq: 1, due });
      expect(s.expiresAt).toBe(new Date(expiresAtMs).toISOString());

      const item = await prisma.rectificationItem.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
      expect(item).toMatchObject({ countyRegionId: fx.countyId, seq: 1, focusItem: 'Z1', source: '举报', status: 'IN_PROGRESS', responsibleStaffId: fx.staff.responsible });
      expect(item.deadline.toISOString().slice(0, 10)).toBe(due);
      const kase = await prisma.case.findUniqueOrThrow({ where: { id: item.caseId! } });
      expect(kase).toMatchObject({ kind: 'RECTIFICATION', status: 'OPEN', regionId: fx.townshipId, assigneeStaffId: fx.staff.responsible, workflowId: handle.workflowId });
      expect(kase.dueAt?.getTime()).toBe(expiresAtMs);

      // The same source ref joins the same item.
      const again = await openRectificationItem(ctx.env.client, input);
      expect(again.firstExecutionRunId).toBe(handle.firstExecutionRunId);
      expect(await prisma.rectificationItem.count({ where: { countyRegionId: fx.countyId } })).toBe(1);

      // Refused updates: Chinese message, nothing written.
      const progressBefore = await prisma.rectificationProgress.count({ where: { itemId: item.id } });
      const refused: Array<[() => Promise<unknown>, string]> = [
        [() => handle.executeUpdate(reportProgressUpdate, { args: [{ note: '已入户', byStaffId: fx.staff.outsider }], updateId: 'x1' }), '只有该事项的责任人或责任单位负责人'],
        [() => handle.executeUpdate(reportProgressUpdate, { args: [{ note: '已入户', byStaffId: fx.staff.villager }], updateId: 'x2' }), '只有该事项的责任人或责任单位负责人'],
        [() => handle.executeUpdate(reportProgressUpdate, { args: [{ note: '', byStaffId: fx.staff.responsible }], updateId: 'x3' }), '进展情况不能为空'],
        [() => handle.executeUpdate(reportProgressUpdate, { args: [{ note: '追回', recoveredAmount: 1.005, byStaffId: fx.staff.responsible }], updateId: 'x4' }), '最多两位小数'],
        [() => handle.executeUpdate(reportCompletedUpdate, { args: [{ byStaffId: fx.staff.office }], updateId: 'x5' }), '只有该事项的责任人或责任单位负责人'],
        [() => handle.executeUpdate(confirmUpdate, { args: [{ accepted: true, byStaffId: fx.staff.office }], updateId: 'x6' }), '尚未报告整改完成'],
      ];
      for (const [p, message] of refused) expect(await rejection(p())).toContain(message);
      expect(await prisma.rectificationProgress.count({ where: { itemId: item.id } })).toBe(progressBefore);

      // Progress by the responsible person and by the unit head; a repeated update id counts once.
      const p1 = { note: '已入户核查，确认收入超标', recoveredAmount: 1200.5, byStaffId: fx.staff.responsible };
      expect(await handle.executeUpdate(reportProgressUpdate, { args: [p1], updateId: 'feishu-p1' })).toEqual({ recoveredCents: 120_050 });
      expect(await handle.executeUpdate(reportProgressUpdate, { args: [p1], updateId: 'feishu-p1' })).toEqual({ recoveredCents: 120_050 });
      await handle.executeUpdate(reportProgressUpdate, { args: [{ note: '已召开村民代表会议评议', byStaffId: fx.staff.head }], updateId: 'feishu-p2' });
      const progress = await prisma.rectificationProgress.findMany({ where: { itemId: item.id }, orderBy: { id: 'asc' } });
      expect(progress.map((p) => [p.updateId, p.staffId])).toEqual([['feishu-p1', fx.staff.responsible], ['feishu-p2', fx.staff.head]]);
      expect(Number((await prisma.rectificationItem.findUniqueOrThrow({ where: { id: item.id } })).recoveredAmount)).toBe(1200.5);

      // Reminders: 7 days before the due day at 09:00 Beijing time, to the responsible person, once.
      const r7 = chinaInstantMs(addDays(due, -7), '09:00');
      await ctx.env.sleep(r7 + 60_000 - (await ctx.env.currentTimeMs()));
      const n7 = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${handle.workflowId}:reminder:7` } }));
      expect(n7).toMatchObject({ recipientStaffId: fx.staff.responsible, kind: 'reminder', caseId: item.caseId });
      expect(n7.sentAt.getTime()).toBeGreaterThanOrEqual(r7);
      expect(n7.sentAt.getTime()).toBeLessThan(r7 + 60_000);
      expect(n7.text).toContain('整改清单第1项');

      // Completion report → 待专班确认; the responsible person cannot confirm; a rejection needs a reason.
      expect(await handle.executeUpdate(reportCompletedUpdate, { args: [{ byStaffId: fx.staff.responsible, note: '已退出低保' }], updateId: 'feishu-c1' })).toEqual({ status: 'AWAITING_CONFIRMATION' });
      expect(await rejection(handle.executeUpdate(reportCompletedUpdate, { args: [{ byStaffId: fx.staff.responsible }], updateId: 'feishu-c1b' }))).toContain('正在等待专班确认');
      expect(await rejection(handle.executeUpdate(confirmUpdate, { args: [{ accepted: true, byStaffId: fx.staff.head }], updateId: 'x7' }))).toContain('只有本县专班办公室或专班组长');
      expect(await rejection(handle.executeUpdate(confirmUpdate, { args: [{ accepted: false, byStaffId: fx.staff.office }], updateId: 'x8' }))).toContain('须写明理由');
      expect((await prisma.rectificationItem.findUniqueOrThrow({ where: { id: item.id } })).status).toBe('AWAITING_CONFIRMATION');

      // While awaiting confirmation no reminder is sent (the 3-day one falls in this window).
      await ctx.env.sleep(chinaInstantMs(addDays(due, -3), '09:00') + HOUR - (await ctx.env.currentTimeMs()));
      expect(await prisma.notification.count({ where: { dedupeKey: `${handle.workflowId}:reminder:3` } })).toBe(0);

      // Rejected → back to 整改中, the responsible person is told.
      expect(await handle.executeUpdate(confirmUpdate, { args: [{ accepted: false, note: '追回资金凭证不全', byStaffId: fx.staff.office }], updateId: 'feishu-r1' })).toEqual({ status: 'IN_PROGRESS' });
      const rejected = await prisma.notification.findUniqueOrThrow({ where: { dedupeKey: `${handle.workflowId}:rejected:feishu-r1` } });
      expect(rejected).toMatchObject({ recipientStaffId: fx.staff.responsible, kind: 'rectificationRejected' });
      expect(rejected.text).toContain('追回资金凭证不全');
      expect((await prisma.rectificationItem.findUniqueOrThrow({ where: { id: item.id } })).status).toBe('IN_PROGRESS');

      // Past the deadline: escalation to the responsible person at expiry, the unit head 24 h later.
      await ctx.env.sleep(expiresAtMs + 25 * HOUR - (await ctx.env.currentTimeMs()));
      const esc = await eventually(async () => {
        const rows = await notifications(handle.workflowId);
        return rows.some((r) => r.dedupeKey.endsWith(':escalation:unitHead')) ? rows : null;
      });
      const byKey = new Map(esc.map((r) => [r.dedupeKey.slice(handle.workflowId.length + 1), r]));
      expect([...byKey.keys()].sort()).toEqual(['confirm-request:feishu-c1', 'escalation:assignee', 'escalation:unitHead', 'rejected:feishu-r1', 'reminder:0', 'reminder:1', 'reminder:7'].sort());
      // The completion report asked the 专班 office to confirm, with a button (patched in; see rectification-patch.test.ts).
      const confirmRequest = byKey.get('confirm-request:feishu-c1')!;
      expect(confirmRequest).toMatchObject({ recipientStaffId: fx.staff.office, kind: 'approval', workflowId: handle.workflowId });
      // Its buttons name the step (rc.confirm) and the values they fill in, never an Update name.
      expect(confirmRequest.actions).toEqual([
        { label: '确认完成', step: 'rc.confirm', values: { verdict: '同意销号' }, style: 'primary' },
        { label: '退回整改', step: 'rc.confirm', values: { verdict: '退回整改' }, style: 'danger' },
      ]);
      const within = (ms: number | undefined, at: number) => expect(ms! - at).toSatisfy((d: number) => d >= 0 && d < 60_000);
      expect(byKey.get('escalation:assignee')?.recipientStaffId).toBe(fx.staff.responsible);
      within(byKey.get('escalation:assignee')?.sentAt.getTime(), expiresAtMs);
      expect(byKey.get('escalation:unitHead')?.recipientStaffId).toBe(fx.staff.head);
      within(byKey.get('escalation:unitHead')?.sentAt.getTime(), expiresAtMs + 24 * HOUR);
      expect((await handle.query(rectificationStatusQuery)).overdue).toBe(true);

      // Completed again and accepted by the leader → 已完成, Case closed; nothing further is sent.
      await handle.executeUpdate(reportCompletedUpdate, { args: [{ byStaffId: fx.staff.head }], updateId: 'feishu-c2' });
      expect(await handle.executeUpdate(confirmUpdate, { args: [{ accepted: true, byStaffId: fx.staff.leader }], updateId: 'feishu-a1' })).toEqual({ status: 'COMPLETED' });
      const result = await resultWithoutSkipping(ctx.env, handle);
      expect(result).toMatchObject({ status: 'COMPLETED', rejections: 1, recoveredCents: 120_050, progressReports: 2 });
      return handle;
    });

    await ctx.env.sleep(5 * DAY);
    const rows = await notifications(handle.workflowId);
    // The 6 ladder and rejection notices, plus one confirmation request per completion report (c1, c2).
    expect(rows).toHaveLength(8);
    expect(rows.filter((r) => r.dedupeKey.includes(':confirm-request:')).map((r) => r.dedupeKey.split(':').pop())).toEqual(['feishu-c1', 'feishu-c2']);
    expect(new Set(rows.map((r) => r.dedupeKey)).size).toBe(8);
    const item = await prisma.rectificationItem.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
    expect(item).toMatchObject({ status: 'COMPLETED', confirmedByStaffId: fx.staff.leader });
    const kase = await prisma.case.findUniqueOrThrow({ where: { id: item.caseId! } });
    expect(kase.status).toBe('CLOSED');
    const audit = await prisma.auditEntry.findMany({ where: { subjectType: 'RectificationItem', subjectId: String(item.id) }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual([
      'rectification.opened',
      'rectification.progress',
      'rectification.progress',
      'rectification.completed-reported',
      'rectification.rejected',
      'rectification.completed-reported',
      'rectification.confirmed',
    ]);

    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter },
      await handle.fetchHistory(),
      handle.workflowId,
    );
    expect((await verifyAuditChain(prisma)).ok).toBe(true);
  });

  it('takes a given deadline, numbers items per county and survives a worker restart', async () => {
    const now = await ctx.env.currentTimeMs();
    const fx = await fixture(prisma);
    const taskQueue = uniqueTaskQueue('rectification-restart');
    const deadline = addDays(chinaDate(now), 10);
    const base = {
      taskQueue,
      countyRegionId: fx.countyId,
      problem: '分散特困供养金未按季度初10日前发放',
      focusItem: 'Z2',
      source: '大数据比对' as const,
      responsibleRegionId: fx.townshipId,
      responsibleUnit: '第1镇人民政府',
      responsibleStaffId: fx.staff.responsible,
      measures: '补发并说明原因',
      discoveryDate: chinaDate(now),
      deadline,
      policy: presets.zhangzi,
    };
    const workerA = await Worker.create({
      connection: ctx.env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities: createActivities({ prisma }),
      dataConverter: testDataConverter,
      maxCachedWorkflows: 0,
    });
    // Worker A keeps no workflow cache (see death-review.test.ts): once it is gone,
    // the items' tasks go to whichever worker polls the task queue.
    const [h1, h2] = await workerA.runUntil(async () => {
      const h1 = await openRectificationItem(ctx.env.client, { ...base, sourceRef: 'finding:1' });
      const h2 = await openRectificationItem(ctx.env.client, { ...base, sourceRef: 'finding:2' });
      // Both wait on their first ladder timer (no workflow task is left for the next worker).
      for (const h of [h1, h2]) {
        await eventually(async () => ((await h.fetchHistory()).events ?? []).some((e) => e.timerStartedEventAttributes));
      }
      return [h1, h2];
    });
    const items = await prisma.rectificationItem.findMany({ where: { countyRegionId: fx.countyId }, orderBy: { seq: 'asc' } });
    // 序号 1 and 2, in whichever order the two openings ran.
    expect(items.map((i) => i.seq)).toEqual([1, 2]);
    expect(items.map((i) => i.sourceRef).sort()).toEqual(['finding:1', 'finding:2']);
    expect(items.every((i) => i.deadline.toISOString().slice(0, 10) === deadline)).toBe(true);

    await ctx.env.sleep(DAY);
    const reminderAt = chinaInstantMs(addDays(deadline, -7), '09:00');
    const key = `${h1.workflowId}:reminder:7`;
    expect(await prisma.notification.count({ where: { dedupeKey: key } })).toBe(0);

    const workerB = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    await workerB.runUntil(async () => {
      await ctx.env.sleep(reminderAt + 60_000 - (await ctx.env.currentTimeMs()));
      const n = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: key } }));
      expect(n.recipientStaffId).toBe(fx.staff.responsible);
      expect(n.sentAt.getTime()).toBeGreaterThanOrEqual(reminderAt);
      expect(n.sentAt.getTime()).toBeLessThan(reminderAt + 60_000);
      for (const h of [h1, h2]) {
        await h.executeUpdate(reportCompletedUpdate, { args: [{ byStaffId: fx.staff.responsible }], updateId: `${h.workflowId}-c` });
        await h.executeUpdate(confirmUpdate, { args: [{ accepted: true, byStaffId: fx.staff.office }], updateId: `${h.workflowId}-a` });
        expect((await resultWithoutSkipping(ctx.env, h)).status).toBe('COMPLETED');
      }
    });
    expect(await prisma.notification.count({ where: { dedupeKey: key } })).toBe(1);
    for (const h of [h1, h2]) {
      await Worker.runReplayHistory(
        { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter },
        await h.fetchHistory(),
        h.workflowId,
      );
    }
  });
});
