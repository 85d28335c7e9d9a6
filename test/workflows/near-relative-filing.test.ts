import { describe, expect, it, inject } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { verifyAuditChain } from '../../infra/audit-chain.js';
import { openNearRelativeFilingFromFinding, submitNearRelativeFiling } from '../../services/cases/near-relative-filing.js';
import type { FilingDecideArgs } from '../../domain/cases/index.js';
import { presets } from '../../domain/policy/load.js';
import {
  filingDecideUpdate,
  filingSupplementUpdate,
  nearRelativeFilingStatusQuery,
  recordHomeVisitUpdate,
  type NearRelativeFilingStatus,
} from '../../domain/steps/updates/near-relative-filing.js';
import type { nearRelativeFiling } from '../../workflows/near-relative-filing.js';
import { connectTimeSkipping, createTestWorker, testDataConverter, uniqueTaskQueue, useTemporalTestContext } from '../support/temporal.js';
import { DAY, HOUR, addDays, chinaDate, chinaInstantMs, eventually } from './fixtures/death-review.js';
import { addWorkdaysByHand, createApplication, createCasesFixture, finished, rejection, testCalendar } from './fixtures/cases-b.js';

type Handle = WorkflowHandle<typeof nearRelativeFiling>;
const MINUTE = 60_000;

async function waitForPhase(handle: Handle, phase: string) {
  return eventually(async () => {
    const s = await handle.query(nearRelativeFilingStatusQuery);
    return s.phase === phase ? s : null;
  });
}

describe('near-relative filing workflow (time-skipping server)', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;
  const auditActions = async (subjectType: string, subjectId: number) =>
    (await prisma.auditEntry.findMany({ where: { subjectType, subjectId: String(subjectId) }, orderBy: { id: 'asc' } })).map((a) => a.action);

  it('joins duplicates, refuses unauthorised and self approvals, asks for more, approves, records the home visit, closes, replays', async () => {
    const fx = await createCasesFixture(prisma);
    const taskQueue = uniqueTaskQueue('filing');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const input = {
      taskQueue,
      countyRegionId: fx.countyId,
      staffId: fx.staff.filer,
      relative: { memberId: fx.relative.memberId },
      relation: '父母',
      note: '本人父亲为农村低保对象',
      policy: presets.zhangzi,
      calendar: testCalendar,
      now: new Date(await ctx.env.currentTimeMs()),
    };

    const { handle, result } = await worker.runUntil(async () => {
      const handle = await submitNearRelativeFiling(ctx.env.client, input);
      expect(handle.workflowId).toBe(`near-relative-filing:${fx.countyId}:${fx.staff.filer}:member-${fx.relative.memberId}`);
      expect(handle.workflowId).not.toContain(fx.relative.idNumber);
      const status = await waitForPhase(handle, 'awaitingDecision');
      const filing = await prisma.nearRelativeFiling.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
      expect(filing).toMatchObject({ staffId: fx.staff.filer, relativeIdNumber: fx.relative.idNumber, relation: '父母', status: 'SUBMITTED', source: 'staff' });
      const row = await prisma.case.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
      expect(row).toMatchObject({ kind: 'NEAR_RELATIVE_FILING', status: 'OPEN', regionId: fx.townshipId, assigneeStaffId: fx.staff.sectionHead });
      expect(row.dueAt?.toISOString()).toBe(status.expiresAt);

      // The approver is asked with buttons the bot turns into a card.
      const request = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${handle.workflowId}:decision-request:1` } }));
      expect(request).toMatchObject({ recipientStaffId: fx.staff.sectionHead, workflowId: handle.workflowId, caseId: row.id });
      expect(request.actions).toEqual([
        { label: '批准', step: 'nr.decide', values: { decision: 'approve' }, style: 'primary' },
        { label: '驳回', step: 'nr.decide', values: { decision: 'reject' }, style: 'danger' },
        { label: '补充材料', step: 'nr.decide', values: { decision: 'moreInfo' } },
      ]);
      expect(request.text).not.toContain(fx.relative.idNumber);

      // A duplicate submission joins the same workflow and the same rows.
      const again = await submitNearRelativeFiling(ctx.env.client, { ...input, note: '重复提交' });
      expect(again.firstExecutionRunId).toBe(handle.firstExecutionRunId);
      expect(await prisma.nearRelativeFiling.count({ where: { workflowId: handle.workflowId } })).toBe(1);
      expect(await prisma.case.count({ where: { workflowId: handle.workflowId } })).toBe(1);

      // Invalid, unauthorised and self approvals: refused in Chinese, nothing written.
      const ok: FilingDecideArgs = { decision: 'moreInfo', note: '请补充户籍证明', byStaffId: fx.staff.sectionHead };
      const bad: Array<[unknown, string]> = [
        [{ ...ok, decision: 'maybe' }, '未知的审批结果'],
        [{ ...ok, byStaffId: fx.staff.filer }, '不能审批自己提交'],
        [{ ...ok, byStaffId: fx.staff.conflictedHead }, '回避'],
        [{ ...ok, byStaffId: fx.staff.office }, '无权'],
        [{ ...ok, byStaffId: fx.staff.townshipHead }, '无权'],
        [{ ...ok, byStaffId: fx.staff.cadre }, '无权'],
        [{ ...ok, byStaffId: fx.staff.foreignHead }, '无权'],
      ];
      for (const [args, message] of bad) {
        expect(await rejection(handle.executeUpdate(filingDecideUpdate, { args: [args as FilingDecideArgs], updateId: `bad-${message}-${String((args as FilingDecideArgs).byStaffId)}` }))).toContain(message);
      }
      expect(await rejection(handle.executeUpdate(filingSupplementUpdate, { args: [{ note: '补充', byStaffId: fx.staff.filer }], updateId: 'sup-early' }))).toContain('不需要补充材料');
      expect(await prisma.nearRelativeFiling.findUniqueOrThrow({ where: { id: filing.id } })).toEqual(filing);
      expect((await prisma.case.findUniqueOrThrow({ where: { id: row.id } })).data).toEqual(row.data);
      expect(await auditActions('NearRelativeFiling', filing.id)).toEqual(['filing.submitted']);

      // More information: the same platform event id twice is one decision.
      const more = await handle.executeUpdate(filingDecideUpdate, { args: [ok], updateId: 'feishu-evt-1' });
      expect(more).toMatchObject({ filingId: filing.id, status: 'MORE_INFO_REQUESTED', decision: 'moreInfo', decidedByStaffId: fx.staff.sectionHead });
      expect(await handle.executeUpdate(filingDecideUpdate, { args: [ok], updateId: 'feishu-evt-1' })).toEqual(more);
      expect(await rejection(handle.executeUpdate(filingDecideUpdate, { args: [{ ...ok, decision: 'approve' }], updateId: 'feishu-evt-2' }))).toContain('补充');
      const askFiler = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${handle.workflowId}:more-info:1` } }));
      expect(askFiler).toMatchObject({ recipientStaffId: fx.staff.filer });
      expect(askFiler.text).toContain('请补充户籍证明');
      expect(await rejection(handle.executeUpdate(filingSupplementUpdate, { args: [{ note: '补充', byStaffId: fx.staff.sectionHead }], updateId: 'sup-x' }))).toContain('只有备案人');
      expect(await rejection(handle.executeUpdate(filingSupplementUpdate, { args: [{ note: ' ', byStaffId: fx.staff.filer }], updateId: 'sup-y' }))).toContain('补充说明');

      // The filer supplements: round 2, a new request to the approver.
      const sup = await handle.executeUpdate(filingSupplementUpdate, { args: [{ note: '已上传户籍证明', byStaffId: fx.staff.filer }], updateId: 'sup-1' });
      expect(sup).toMatchObject({ status: 'SUBMITTED', byStaffId: fx.staff.filer });
      await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${handle.workflowId}:decision-request:2` } }));
      expect((await handle.query(nearRelativeFilingStatusQuery)).round).toBe(2);

      const approved = await handle.executeUpdate(filingDecideUpdate, { args: [{ decision: 'approve', byStaffId: fx.staff.leader }], updateId: 'tg-cb-3' });
      expect(approved).toMatchObject({ status: 'APPROVED', decision: 'approve', decidedByStaffId: fx.staff.leader });
      expect(await rejection(handle.executeUpdate(filingDecideUpdate, { args: [{ decision: 'reject', byStaffId: fx.staff.sectionHead }], updateId: 'tg-cb-4' }))).toContain('不能重复审批');
      const row2 = await prisma.nearRelativeFiling.findUniqueOrThrow({ where: { id: filing.id } });
      expect(row2).toMatchObject({ status: 'APPROVED', decidedByStaffId: fx.staff.leader });
      expect(row2.decidedAt?.toISOString()).toBe(approved.decidedAt);

      // The county home visit closes the filing.
      // Yesterday and the day after tomorrow: clear of the workflow clock's midnight.
      const today = addDays(chinaDate(await ctx.env.currentTimeMs()), -1);
      const visit = { visitDate: today, result: '入户核实，家庭收入符合低保条件', byStaffId: fx.staff.sectionCaseworker };
      expect(await rejection(handle.executeUpdate(recordHomeVisitUpdate, { args: [{ ...visit, byStaffId: fx.staff.townshipHead }], updateId: 'hv-x' }))).toContain('县民政局');
      expect(await rejection(handle.executeUpdate(recordHomeVisitUpdate, { args: [{ ...visit, byStaffId: fx.staff.conflictedHead }], updateId: 'hv-y' }))).toContain('回避');
      expect(await rejection(handle.executeUpdate(recordHomeVisitUpdate, { args: [{ ...visit, visitDate: addDays(today, 3) }], updateId: 'hv-z' }))).toContain('晚于今天');
      const hv = await handle.executeUpdate(recordHomeVisitUpdate, { args: [visit], updateId: 'hv-1' });
      expect(hv).toMatchObject({ homeVisitDate: today, status: 'APPROVED' });

      const result = await finished<NearRelativeFilingStatus>(handle, nearRelativeFilingStatusQuery);
      expect(result).toMatchObject({ phase: 'closed', status: 'APPROVED', homeVisitDate: today, round: 2 });
      return { handle, result };
    });

    const filing = await prisma.nearRelativeFiling.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
    expect(filing.homeVisitDate?.toISOString().slice(0, 10)).toBe(result.homeVisitDate);
    expect(filing.homeVisitResult).toContain('入户核实');
    expect(await auditActions('NearRelativeFiling', filing.id)).toEqual([
      'filing.submitted',
      'filing.more-info-requested',
      'filing.supplemented',
      'filing.approved',
      'filing.home-visit-recorded',
    ]);
    const closed = await prisma.case.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
    expect(closed.status).toBe('CLOSED');
    expect(await auditActions('Case', closed.id)).toEqual(['case.opened', 'case.closed']);
    expect(await prisma.notification.findUnique({ where: { dedupeKey: `${handle.workflowId}:outcome` } })).toMatchObject({ recipientStaffId: fx.staff.filer });

    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter },
      await handle.fetchHistory(),
      handle.workflowId,
    );
    expect((await verifyAuditChain(prisma)).ok).toBe(true);
  }, 120_000);

  it('a finding opens the filing; the staff member’s own submission joins it; rejection closes it', async () => {
    const fx = await createCasesFixture(prisma);
    const now = await ctx.env.currentTimeMs();
    const app = await createApplication(prisma, fx, { acceptedAt: chinaDate(now), idNumber: fx.relative.idNumber, name: fx.relative.name });
    const finding = await prisma.finding.create({
      data: {
        kind: 'undeclared_near_relative',
        key: `undeclared_near_relative|test|${app.id}`,
        idNumber: fx.relative.idNumber,
        regionId: fx.villageId,
        evidence: {
          name: fx.relative.name,
          relation: '父母',
          staff: { id: fx.staff.filer, name: '陈股长', role: 'SECTION_HEAD', unit: '测试单位' },
          sources: ['application'],
          applicationIds: [app.id],
          rejectedFilingIds: [],
        },
      },
    });
    const taskQueue = uniqueTaskQueue('filing-finding');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    await worker.runUntil(async () => {
      const handle = await openNearRelativeFilingFromFinding(ctx.env.client, prisma, {
        taskQueue,
        countyRegionId: fx.countyId,
        findingId: finding.id,
        policy: presets.wenshui,
        calendar: testCalendar,
        now: new Date(await ctx.env.currentTimeMs()),
      });
      expect(handle.workflowId).toBe(`near-relative-filing:${fx.countyId}:${fx.staff.filer}:application-${app.id}`);
      await waitForPhase(handle, 'awaitingDecision');
      const filing = await prisma.nearRelativeFiling.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
      expect(filing).toMatchObject({ source: `finding:${finding.id}`, applicationId: app.id, staffId: fx.staff.filer });
      const joined = await submitNearRelativeFiling(ctx.env.client, {
        taskQueue,
        countyRegionId: fx.countyId,
        staffId: fx.staff.filer,
        relative: { applicationId: app.id },
        relation: '父母',
        policy: presets.wenshui,
        calendar: testCalendar,
        now: new Date(await ctx.env.currentTimeMs()),
      });
      expect(joined.firstExecutionRunId).toBe(handle.firstExecutionRunId);
      // Opened by a finding: the staff member is still not allowed to approve it.
      expect(await rejection(handle.executeUpdate(filingDecideUpdate, { args: [{ decision: 'approve', byStaffId: fx.staff.filer }], updateId: 'self' }))).toContain('回避');
      await handle.executeUpdate(filingDecideUpdate, { args: [{ decision: 'reject', note: '关系不实', byStaffId: fx.staff.sectionHead }], updateId: 'rej-1' });
      const result = await finished(handle, nearRelativeFilingStatusQuery);
      expect(result).toMatchObject({ phase: 'closed', status: 'REJECTED', homeVisitDate: null });
    });
    expect(await prisma.nearRelativeFiling.count({ where: { applicationId: app.id } })).toBe(1);
    expect((await prisma.nearRelativeFiling.findFirstOrThrow({ where: { applicationId: app.id } })).status).toBe('REJECTED');
  }, 120_000);

  it('the approval clock runs in working days over 元旦, reminds and escalates once each, restarts after a supplement, and survives a worker restart', async () => {
    // The last Monday of December (25–31 December), 10:00 Beijing time: its 5 working days always run over
    // 元旦. With the tests' default clock that is Monday 28 December 2026 → Tuesday 5 January 2027; when this
    // year's is no longer ahead of the server's clock, next year's.
    const now = await ctx.env.currentTimeMs();
    const lastDecemberMonday = (year: number) => {
      let d = `${year}-12-25`;
      while (new Date(`${d}T00:00:00Z`).getUTCDay() !== 1) d = addDays(d, 1);
      return d;
    };
    let filedOn = lastDecemberMonday(Number(chinaDate(now).slice(0, 4)));
    if (chinaInstantMs(filedOn, '10:00') <= now) filedOn = lastDecemberMonday(Number(filedOn.slice(0, 4)) + 1);
    const filedAt = chinaInstantMs(filedOn, '10:00');
    await ctx.env.sleep(filedAt - now);
    const newYear = `${Number(filedOn.slice(0, 4)) + 1}-01-01`;
    const due = addWorkdaysByHand(filedOn, 5, [newYear]);
    expect(due > newYear).toBe(true);
    const expiry = chinaInstantMs(addDays(due, 1), '00:00');

    const fx = await createCasesFixture(prisma);
    const taskQueue = uniqueTaskQueue('filing-ladder');
    const input = {
      taskQueue,
      countyRegionId: fx.countyId,
      staffId: fx.staff.cadre,
      relative: { memberId: fx.relative.memberId },
      relation: 'parent',
      policy: presets.wenshui,
      calendar: testCalendar,
      now: new Date(filedAt),
    };
    // Worker A keeps no cache and stops after the filing is open; worker B carries on from history.
    const workerA = await Worker.create({
      connection: ctx.env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities: createActivities({ prisma }),
      dataConverter: testDataConverter,
      maxCachedWorkflows: 0,
    });
    const handle = await workerA.runUntil(async () => {
      const h = await submitNearRelativeFiling(ctx.env.client, input);
      const s = await waitForPhase(h, 'awaitingDecision');
      expect(s.due).toBe(due);
      expect(s.expiresAt).toBe(new Date(expiry).toISOString());
      return h;
    });
    const wf = handle.workflowId;
    const row = await prisma.case.findUniqueOrThrow({ where: { workflowId: wf } });
    expect(row.anchorDate?.toISOString().slice(0, 10)).toBe(filedOn);
    expect(row.dueAt?.getTime()).toBe(expiry);

    const workerB = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    await workerB.runUntil(async () => {
      // Reminders 7/3/1/0 days before the due day at 09:00, those after the filing only.
      const reminders = [7, 3, 1, 0]
        .map((n) => ({ key: `${wf}:reminder:${n}`, at: chinaInstantMs(addDays(due, -n), '09:00'), to: fx.staff.sectionHead }))
        .filter((r) => r.at >= filedAt);
      // 3, 1 and 0 days before always lie after the filing (7 days before does when the due day is 2 January or later in the week).
      expect(reminders.length).toBeGreaterThanOrEqual(3);
      const planned = [
        ...reminders,
        { key: `${wf}:escalation:assignee`, at: expiry, to: fx.staff.sectionHead },
        // The county chain: the other section heads declared the same relative or filed, so the
        // unit-head level has nobody and is skipped; the township head is never told.
        { key: `${wf}:escalation:taskForceLeader`, at: expiry + 72 * HOUR, to: fx.staff.leader },
      ];
      for (const p of planned) {
        const t = await ctx.env.currentTimeMs();
        if (p.at - MINUTE > t) await ctx.env.sleep(p.at - MINUTE - t);
        expect(await prisma.notification.count({ where: { dedupeKey: p.key } })).toBe(0);
        await ctx.env.sleep(2 * MINUTE);
        const n = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: p.key } }));
        expect(n.sentAt.getTime()).toBeGreaterThanOrEqual(p.at);
        expect(n.sentAt.getTime()).toBeLessThan(p.at + 2 * MINUTE);
        expect(n.recipientStaffId).toBe(p.to);
        expect(n.text).toContain('近亲属备案');
        expect(n.text).not.toContain(fx.relative.idNumber);
      }

      // More information two weeks after the filing (a Monday); the supplement on the Wednesday restarts the clock.
      const askedOn = addDays(filedOn, 14);
      const supplementedOn = addDays(filedOn, 16);
      await ctx.env.sleep(chinaInstantMs(askedOn, '10:00') - (await ctx.env.currentTimeMs()));
      await handle.executeUpdate(filingDecideUpdate, { args: [{ decision: 'moreInfo', byStaffId: fx.staff.leader }], updateId: 'more-1' });
      await ctx.env.sleep(chinaInstantMs(supplementedOn, '10:00') - (await ctx.env.currentTimeMs()));
      const sup = await handle.executeUpdate(filingSupplementUpdate, { args: [{ note: '补充了关系证明', byStaffId: fx.staff.cadre }], updateId: 'sup-1' });
      const due2 = addWorkdaysByHand(supplementedOn, 5);
      expect(sup.due).toBe(due2);
      const s2 = await waitForPhase(handle, 'awaitingDecision');
      expect(s2.round).toBe(2);
      expect(s2.expiresAt).toBe(new Date(chinaInstantMs(addDays(due2, 1), '00:00')).toISOString());
      expect((await prisma.case.findUniqueOrThrow({ where: { id: row.id } })).dueAt?.toISOString()).toBe(s2.expiresAt);
      const r2 = `${wf}:round-2:reminder:3`;
      await ctx.env.sleep(chinaInstantMs(addDays(due2, -3), '09:00') + MINUTE - (await ctx.env.currentTimeMs()));
      const n2 = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: r2 } }));
      expect(n2.recipientStaffId).toBe(fx.staff.sectionHead);

      await handle.executeUpdate(filingDecideUpdate, { args: [{ decision: 'approve', byStaffId: fx.staff.sectionHead }], updateId: 'ok-1' });
      await handle.executeUpdate(recordHomeVisitUpdate, {
        args: [{ visitDate: chinaDate(await ctx.env.currentTimeMs()), result: '已入户', byStaffId: fx.staff.office }],
        updateId: 'hv-1',
      });
      await finished(handle, nearRelativeFilingStatusQuery);
      // Nothing was sent twice, nothing more after the decision.
      await ctx.env.sleep(10 * DAY);
      for (const p of planned) expect(await prisma.notification.count({ where: { dedupeKey: p.key } })).toBe(1);
      const dropped = [...[7, 3, 1, 0].map((n) => `${wf}:reminder:${n}`), `${wf}:escalation:unitHead`].filter((k) => !planned.some((p) => p.key === k));
      expect(await prisma.notification.count({ where: { caseId: row.id, recipientStaffId: fx.staff.townshipHead } })).toBe(0);
      expect(await prisma.notification.count({ where: { dedupeKey: { in: dropped } } })).toBe(0);
      const keys = (await prisma.notification.findMany({ where: { caseId: row.id }, select: { dedupeKey: true } })).map((n) => n.dedupeKey);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.filter((k) => k.startsWith(`${wf}:round-2:`))).toEqual([`${wf}:round-2:reminder:3`]);
    });
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter },
      await handle.fetchHistory(),
      wf,
    );
  }, 120_000);
});
