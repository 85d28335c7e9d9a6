import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, inject } from 'vitest';
import proto from '@temporalio/proto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { complaintsVisibleTo } from '../../readmodels/complaints.js';
import { createActivities } from '../../activities/index.js';
import { verifyAuditChain } from '../../infra/audit-chain.js';
import { openComplaint } from '../../services/cases/complaint.js';
import { presets } from '../../domain/policy/load.js';
import {
  closeComplaintUpdate,
  complaintStatusQuery,
  complaintExtendUpdate as extendUpdate,
  recordAcceptanceNoticeUpdate,
  recordExtensionNoticeUpdate,
  recordFeedbackUpdate,
  recordVerificationUpdate,
  transferClueUpdate,
} from '../../domain/steps/updates/complaint.js';
import type { complaint } from '../../workflows/complaint.js';
import { useTemporalTestContext, connectTimeSkipping, createTestWorker, testDataConverter, uniqueTaskQueue, resultWithoutSkipping } from '../support/temporal.js';
import { freshIdNumber } from '../support/ids.js';
import { HOUR, addDays, chinaDate, chinaInstantMs, eventually } from './fixtures/death-review.js';
import { createComplaintFixture, testCalendar } from './fixtures/complaint.js';

type Handle = WorkflowHandle<typeof complaint>;
const MINUTE = 60_000;
const PHONE = '13812345678';

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    return (error as WorkflowUpdateFailedError).cause?.message ?? '';
  }
  throw new Error('the update was accepted');
}

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

describe('real-name complaint workflow (time-skipping server)', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;

  const auditActions = async (subjectType: string, subjectId: number) =>
    (await prisma.auditEntry.findMany({ where: { subjectType, subjectId: String(subjectId) }, orderBy: { id: 'asc' } })).map((a) => a.action);

  /** Sleeps to just before `atMs`, checks nothing was sent, then that `key` went to `to` once, within two minutes. */
  async function expectSentAt(key: string, atMs: number, to: number) {
    const now = await ctx.env.currentTimeMs();
    if (atMs - MINUTE > now) await ctx.env.sleep(atMs - MINUTE - now);
    expect(await prisma.notification.count({ where: { dedupeKey: key } })).toBe(0);
    await ctx.env.sleep(2 * MINUTE);
    const n = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: key } }));
    expect(n.recipientStaffId).toBe(to);
    expect(n.sentAt.getTime()).toBeGreaterThanOrEqual(atMs);
    expect(n.sentAt.getTime()).toBeLessThan(atMs + 2 * MINUTE);
    return n;
  }

  it('ordinary complaint: ledger at once, duplicate joins, stage deadlines and ladders, extension only with approval and notice, verification, feedback', async () => {
    const now = await ctx.env.currentTimeMs();
    const receiptDate = chinaDate(now);
    const calendar = testCalendar(Number(receiptDate.slice(0, 4)));
    const fx = await createComplaintFixture(prisma);
    const idNumber = freshIdNumber();
    const taskQueue = uniqueTaskQueue('complaint');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const input = {
      taskQueue,
      intakeKey: `hotline-${now}-0001`,
      calendar,
      countyRegionId: fx.countyId,
      channel: '电话',
      receivedAt: new Date(now).toISOString(),
      complainant: { name: '周建国', phone: PHONE, idNumber },
      summary: '反映第1村低保评议不公开',
      subjectRegionId: fx.village1,
      policy: presets.wenshui,
    };
    const acceptanceDue = addDays(receiptDate, 15);

    const handle = await worker.runUntil(async () => {
      const handle = await openComplaint(ctx.env.client, input);
      const wf = handle.workflowId;
      expect(wf).toMatch(new RegExp(`^complaint:${fx.countyId}:[0-9a-f]{24}$`));
      const status = await eventually(async () => {
        const s = await handle.query(complaintStatusQuery);
        return s.phase === 'acceptance' ? s : null;
      });
      expect(status.acceptance).toMatchObject({ ruleId: 'complaint-acceptance-notice', due: acceptanceDue, expiresAt: new Date(Date.parse(`${addDays(acceptanceDue, 1)}T00:00:00+08:00`)).toISOString() });
      const ledgerNo = `${receiptDate.slice(0, 4)}-0001`;
      expect(status.ledgerNo).toBe(ledgerNo);

      // The ledger entry and its Case exist at once.
      const row = await prisma.complaint.findUniqueOrThrow({ where: { workflowId: wf } });
      expect(row).toMatchObject({ ledgerNo, countyRegionId: fx.countyId, complainantName: '周建国', subjectRegionId: fx.village1, accusedStaffId: null, caseId: status.caseId });
      const caseRow = await prisma.case.findUniqueOrThrow({ where: { id: status.caseId! } });
      expect(caseRow).toMatchObject({ kind: 'COMPLAINT', status: 'OPEN', regionId: fx.t1, assigneeStaffId: fx.staff.caseworker1, subjectIdNumber: null });
      expect(JSON.stringify(caseRow.data)).not.toContain(PHONE);
      const registered = await prisma.notification.findUniqueOrThrow({ where: { dedupeKey: `${wf}:registered` } });
      expect(registered.recipientStaffId).toBe(fx.staff.caseworker1);

      // The same intake again joins; another intake gets the next ledger number.
      const again = await openComplaint(ctx.env.client, { ...input, channel: '网络' });
      expect(again.firstExecutionRunId).toBe(handle.firstExecutionRunId);
      expect(await prisma.complaint.count({ where: { countyRegionId: fx.countyId } })).toBe(1);
      const other = await openComplaint(ctx.env.client, { ...input, intakeKey: `letter-${now}-7` });
      const otherRow = await eventually(() => prisma.complaint.findUnique({ where: { workflowId: other.workflowId } }));
      expect(otherRow.ledgerNo).toBe(`${receiptDate.slice(0, 4)}-0002`);
      // Terminate it only once it sits idle on its timers (a workflow task cut off in flight
      // keeps the time-skipping server from skipping).
      await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${other.workflowId}:registered` } }));
      await eventually(async () => (await other.query(complaintStatusQuery)).phase === 'acceptance');
      await other.terminate('test: only the ledger number was needed');

      // Refused in Chinese, nothing written.
      const before = (await handle.fetchHistory()).events?.length ?? 0;
      const notice = { byStaffId: fx.staff.office, noticeOn: receiptDate, method: '书面' };
      const bad: Array<[() => Promise<unknown>, string]> = [
        [() => handle.executeUpdate(recordAcceptanceNoticeUpdate, { args: [{ ...notice, byStaffId: fx.staff.caseworker2 }] }), '无权'],
        // Township staff never see the complainant, so they cannot contact them either.
        [() => handle.executeUpdate(recordAcceptanceNoticeUpdate, { args: [{ ...notice, byStaffId: fx.staff.caseworker1 }] }), '无权'],
        [() => handle.executeUpdate(recordAcceptanceNoticeUpdate, { args: [{ ...notice, noticeOn: addDays(receiptDate, 1) }] }), '不能晚于今天'],
        [() => handle.executeUpdate(recordAcceptanceNoticeUpdate, { args: [{ ...notice, method: '' }] }), '告知方式不能为空'],
        [() => handle.executeUpdate(recordVerificationUpdate, { args: [{ byStaffId: fx.staff.office, finding: '属实', result: '经核实属实' }] }), '尚未登记受理告知'],
        [() => handle.executeUpdate(extendUpdate, { args: [{ byStaffId: fx.staff.office, reason: '需要入户调查' }] }), '须为工作专班组长'],
        [() => handle.executeUpdate(transferClueUpdate, { args: [{ byStaffId: fx.staff.liaison, transferredTo: '县纪委监委', transferredOn: receiptDate }] }), '没有问题线索'],
      ];
      for (const [p, message] of bad) expect(await rejection(p())).toContain(message);
      expect(await onlyWorkflowTasksSince(handle, before)).toBe(true);
      expect(await prisma.complaint.findUniqueOrThrow({ where: { id: row.id } })).toEqual(row);

      // Acceptance stage: the 7-day reminder goes to the 专班办公室 (ledger keeper), once, at 09:00.
      await expectSentAt(`${wf}:acceptance:reminder:7`, chinaInstantMs(addDays(acceptanceDue, -7), '09:00'), fx.staff.office);
      const noticeOn = chinaDate(await ctx.env.currentTimeMs());
      const handling = await handle.executeUpdate(recordAcceptanceNoticeUpdate, { args: [{ ...notice, noticeOn }], updateId: 'acc-1' });
      const handlingDue = addDays(noticeOn, 60);
      expect(handling).toMatchObject({ ruleId: 'complaint-handling', due: handlingDue });
      expect(await rejection(handle.executeUpdate(recordAcceptanceNoticeUpdate, { args: [{ ...notice, noticeOn }] }))).toContain('不能重复登记');

      // Extension approved by the leader, but not yet told to the complainant: the 60-day deadline still runs.
      expect(await rejection(handle.executeUpdate(extendUpdate, { args: [{ byStaffId: fx.staff.leader, reason: ' ' }] }))).toContain('延期理由不能为空');
      expect(await rejection(handle.executeUpdate(recordExtensionNoticeUpdate, { args: [{ byStaffId: fx.staff.office, noticeOn, method: '书面' }] }))).toContain('尚未经工作专班组长批准');
      await handle.executeUpdate(extendUpdate, { args: [{ byStaffId: fx.staff.leader, reason: '涉及多户家庭，需入户调查' }], updateId: 'ext-1' });
      expect(await rejection(handle.executeUpdate(extendUpdate, { args: [{ byStaffId: fx.staff.leader, reason: '再延' }] }))).toContain('只能延长一次');
      await expectSentAt(`${wf}:handling:reminder:7`, chinaInstantMs(addDays(handlingDue, -7), '09:00'), fx.staff.caseworker1);

      // The notice makes the extension effective: 90 days from acceptance, no escalation of the 60-day deadline.
      const extNoticeOn = chinaDate(await ctx.env.currentTimeMs());
      const extended = await handle.executeUpdate(recordExtensionNoticeUpdate, { args: [{ byStaffId: fx.staff.office, noticeOn: extNoticeOn, method: '电话' }], updateId: 'extn-1' });
      const extendedDue = addDays(noticeOn, 90);
      expect(extended).toMatchObject({ ruleId: 'complaint-handling-extended', due: extendedDue });
      await expectSentAt(`${wf}:handling-extended:reminder:7`, chinaInstantMs(addDays(extendedDue, -7), '09:00'), fx.staff.caseworker1);
      expect(await prisma.notification.count({ where: { dedupeKey: { startsWith: `${wf}:handling:escalation:` } } })).toBe(0);
      expect(await prisma.notification.count({ where: { dedupeKey: { in: [`${wf}:handling:reminder:3`, `${wf}:acceptance:reminder:3`] } } })).toBe(0);

      // Verification by the township (redacted reader), feedback by the county (full reader).
      const today = chinaDate(await ctx.env.currentTimeMs());
      await handle.executeUpdate(recordVerificationUpdate, { args: [{ byStaffId: fx.staff.caseworker1, finding: '部分属实', result: '评议未张榜公示，已责令整改' }], updateId: 'ver-1' });
      expect(await rejection(handle.executeUpdate(recordVerificationUpdate, { args: [{ byStaffId: fx.staff.caseworker1, finding: '属实', result: 'x' }] }))).toContain('不能重复登记');
      expect(await rejection(handle.executeUpdate(recordFeedbackUpdate, { args: [{ byStaffId: fx.staff.caseworker1, feedbackOn: today, method: '书面' }] }))).toContain('无权');
      await handle.executeUpdate(recordFeedbackUpdate, { args: [{ byStaffId: fx.staff.office, feedbackOn: today, method: '书面' }], updateId: 'fb-1' });
      // Fed back: not closed by itself; the handling township gets a card with 「办结」.
      await eventually(async () => ((await handle.query(complaintStatusQuery)).phase === 'awaitingClose' ? true : null));
      const closeCard = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${wf}:close-request` } }));
      expect(closeCard).toMatchObject({ recipientStaffId: fx.staff.caseworker1, actions: [expect.objectContaining({ label: '办结', step: 'cp.close' })] });
      expect(await rejection(handle.executeUpdate(closeComplaintUpdate, { args: [{ byStaffId: fx.staff.caseworker2, note: '已整改' }] }))).toContain('无权');
      expect(await rejection(handle.executeUpdate(closeComplaintUpdate, { args: [{ byStaffId: fx.staff.caseworker1, note: ' ' }] }))).toContain('办结意见不能为空');
      expect((await prisma.complaint.findUniqueOrThrow({ where: { workflowId: wf } })).closedAt).toBeNull();
      const closed = await handle.executeUpdate(closeComplaintUpdate, { args: [{ byStaffId: fx.staff.caseworker1, note: '已张榜公示评议结果，整改到位' }], updateId: 'close-1' });
      expect(await handle.executeUpdate(closeComplaintUpdate, { args: [{ byStaffId: fx.staff.caseworker1, note: '已张榜公示评议结果，整改到位' }], updateId: 'close-1' })).toEqual(closed);
      const result = await resultWithoutSkipping(ctx.env, handle);
      expect(result.closedAt).toBe(closed.closedAt);
      expect(result.closure).toMatchObject({ byStaffId: fx.staff.caseworker1, note: '已张榜公示评议结果，整改到位' });
      expect(result).toMatchObject({ phase: 'closed', verification: { finding: '部分属实' }, extension: { approved: true, noticed: true } });
      return handle;
    });

    const wf = handle.workflowId;
    const row = await prisma.complaint.findUniqueOrThrow({ where: { workflowId: wf } });
    expect(row.acceptanceNoticeAt).not.toBeNull();
    expect(row.extendedAt).not.toBeNull();
    expect(row.extensionNoticeAt).not.toBeNull();
    expect(row.verificationResult).toBe('部分属实：评议未张榜公示，已责令整改');
    expect(row.feedbackAt).not.toBeNull();
    expect(row.closedAt).not.toBeNull();
    expect((await prisma.case.findUniqueOrThrow({ where: { id: row.caseId! } })).status).toBe('CLOSED');
    expect(await auditActions('Complaint', row.id)).toEqual([
      'complaint.registered',
      'complaint.acceptance-noticed',
      'complaint.extension-approved',
      'complaint.extension-noticed',
      'complaint.verified',
      'complaint.fed-back',
      'complaint.closed',
    ]);
    const registeredAudit = await prisma.auditEntry.findFirstOrThrow({ where: { subjectType: 'Complaint', subjectId: String(row.id), action: 'complaint.registered' } });
    expect(JSON.stringify(registeredAudit.payload)).not.toContain(PHONE);
    expect(JSON.stringify(registeredAudit.payload)).not.toContain(idNumber);

    // No notification names the complainant, masked or not.
    const notes = await prisma.notification.findMany({ where: { caseId: row.caseId! } });
    expect(notes.length).toBe(5);
    const closedAudit = await prisma.auditEntry.findFirstOrThrow({ where: { subjectType: 'Complaint', subjectId: String(row.id), action: 'complaint.closed' } });
    expect(closedAudit).toMatchObject({ actor: `staff:${fx.staff.caseworker1}`, payload: expect.objectContaining({ reason: '已办结：已张榜公示评议结果，整改到位' }) });
    for (const n of notes) {
      expect(n.text).not.toContain('周建国');
      expect(n.text).not.toContain(PHONE.slice(-4));
      expect(n.text).not.toContain(idNumber.slice(-4));
    }

    // Who reads it: county in full (masked), the subject township without the complainant, nobody else.
    const office = await complaintsVisibleTo(prisma, fx.staff.office);
    expect(office.map((v) => v.ledgerNo)).toContain(row.ledgerNo);
    const full = office.find((v) => v.id === row.id)!;
    expect(full.access).toBe('full');
    expect(full.complainant).toContain('周建国');
    expect(full.complainant).toContain('138****5678');
    expect(full.complainant).not.toContain(PHONE);
    expect(full.complainant).not.toContain(idNumber);
    const township = (await complaintsVisibleTo(prisma, fx.staff.caseworker1)).find((v) => v.id === row.id)!;
    expect(township).toMatchObject({ access: 'redacted', complainant: null });
    expect(await complaintsVisibleTo(prisma, fx.staff.caseworker2)).toEqual([]);
    expect(await complaintsVisibleTo(prisma, fx.staff.villager1)).toEqual([]);

    await replay(handle);
    expect((await verifyAuditChain(prisma)).ok).toBe(true);
  });

  it('accusation: clue at once, invisible to the accused unit, notices only to 纪检联络 and 专班组长, clue ladder, worker restart', async () => {
    const now = await ctx.env.currentTimeMs();
    const receiptDate = chinaDate(now);
    const calendar = testCalendar(Number(receiptDate.slice(0, 4)));
    const fx = await createComplaintFixture(prisma);
    const taskQueue = uniqueTaskQueue('accusation');
    const input = {
      taskQueue,
      intakeKey: `feishu-evt-${now}`,
      calendar,
      countyRegionId: fx.countyId,
      channel: '平台',
      receivedAt: new Date(now).toISOString(),
      complainant: { name: '黄秀英', phone: '13900001111', idNumber: freshIdNumber({ female: true }) },
      summary: '反映第1镇经办人为亲属违规办理低保',
      subjectRegionId: fx.t1,
      accusedStaffId: fx.staff.caseworker1,
      policy: presets.wenshui,
    };
    const acceptanceDue = calendar.addWorkingDays(receiptDate, 15);
    const clueDue = calendar.addWorkingDays(receiptDate, 5);
    const clueExpiry = Date.parse(`${addDays(clueDue, 1)}T00:00:00+08:00`);

    const workerA = await Worker.create({
      connection: ctx.env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities: createActivities({ prisma }),
      dataConverter: testDataConverter,
      maxCachedWorkflows: 0,
    });
    const handle = await workerA.runUntil(async () => {
      const handle = await openComplaint(ctx.env.client, input);
      const wf = handle.workflowId;
      const status = await eventually(async () => {
        const s = await handle.query(complaintStatusQuery);
        return s.phase === 'acceptance' ? s : null;
      });
      expect(status).toMatchObject({ accusation: true, acceptance: { ruleId: 'accusation-acceptance-notice', due: acceptanceDue }, clue: { ruleId: 'clue-transfer', due: clueDue } });

      // The clue exists at once; the Case is a county matter assigned to 纪检联络.
      const row = await prisma.complaint.findUniqueOrThrow({ where: { workflowId: wf } });
      const clue = await prisma.disciplineClue.findUniqueOrThrow({ where: { complaintId: row.id } });
      expect(clue).toMatchObject({ id: status.clueId, accusedStaffId: fx.staff.caseworker1, accusedRegionId: fx.t1, countyRegionId: fx.countyId, transferredAt: null });
      expect(await prisma.case.findUniqueOrThrow({ where: { id: row.caseId! } })).toMatchObject({ regionId: null, assigneeStaffId: fx.staff.liaison });
      expect((await prisma.notification.findUniqueOrThrow({ where: { dedupeKey: `${wf}:registered` } })).recipientStaffId).toBe(fx.staff.liaison);

      // Nobody in the accused unit (nor the 专班办公室) reads it; 纪检联络 and 专班组长 do.
      for (const s of [fx.staff.caseworker1, fx.staff.head1, fx.staff.villager1, fx.staff.office, fx.staff.sectionHead, fx.staff.caseworker2]) {
        expect((await complaintsVisibleTo(prisma, s)).some((v) => v.id === row.id)).toBe(false);
      }
      for (const s of [fx.staff.liaison, fx.staff.leader]) {
        const v = (await complaintsVisibleTo(prisma, s)).find((x) => x.id === row.id);
        expect(v).toMatchObject({ access: 'full', accusation: true, accusedStaffId: fx.staff.caseworker1, clue: { id: clue.id, transferredAt: null } });
        expect(v!.complainant).not.toContain('13900001111');
      }

      const before = (await handle.fetchHistory()).events?.length ?? 0;
      const transfer = { byStaffId: fx.staff.liaison, transferredTo: '县纪委监委第二派驻纪检组', transferredOn: receiptDate };
      const bad: Array<[() => Promise<unknown>, string]> = [
        [() => handle.executeUpdate(transferClueUpdate, { args: [{ ...transfer, byStaffId: fx.staff.office }] }), '无权移交问题线索'],
        [() => handle.executeUpdate(transferClueUpdate, { args: [{ ...transfer, byStaffId: fx.staff.head1 }] }), '无权'],
        [() => handle.executeUpdate(transferClueUpdate, { args: [{ ...transfer, transferredTo: '' }] }), '接收单位不能为空'],
        [() => handle.executeUpdate(recordAcceptanceNoticeUpdate, { args: [{ byStaffId: fx.staff.office, noticeOn: receiptDate, method: '书面' }] }), '无权'],
        // The accused is told he must recuse, even standing in (代理审批) for the 专班组长.
        [() => handle.executeUpdate(recordVerificationUpdate, { args: [{ byStaffId: fx.staff.caseworker1, finding: '不属实', result: '无此事' }] }), '被举报人须回避'],
        [() => handle.executeUpdate(transferClueUpdate, { args: [{ ...transfer, byStaffId: fx.staff.caseworker1, onBehalfOfStaffId: fx.staff.leader }] }), '被举报人须回避'],
        // A deputy's claim must name a staff id.
        [() => handle.executeUpdate(transferClueUpdate, { args: [{ ...transfer, byStaffId: fx.staff.office, onBehalfOfStaffId: -1 }] }), '被代理的审批人编号无效'],
      ];
      for (const [p, message] of bad) expect(await rejection(p())).toContain(message);
      expect(await onlyWorkflowTasksSince(handle, before)).toBe(true);

      // Clue ladder: escalation to 纪检联络 at expiry, none to a 乡镇负责人, 专班组长 72 h later; each once.
      await expectSentAt(`${wf}:clue:escalation:assignee`, clueExpiry, fx.staff.liaison);
      await ctx.env.sleep(30 * HOUR);
      expect(await prisma.notification.count({ where: { dedupeKey: `${wf}:clue:escalation:unitHead` } })).toBe(0);
      await expectSentAt(`${wf}:clue:escalation:taskForceLeader`, clueExpiry + 72 * HOUR, fx.staff.leader);
      expect((await handle.query(complaintStatusQuery)).clue?.doneOn).toBeNull();
      return handle;
    });

    // Worker A is gone; worker B (empty cache) carries on from the history.
    const wf = handle.workflowId;
    const workerB = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    await workerB.runUntil(async () => {
      const today = chinaDate(await ctx.env.currentTimeMs());
      await handle.executeUpdate(transferClueUpdate, { args: [{ byStaffId: fx.staff.liaison, transferredTo: '县纪委监委第二派驻纪检组', transferredOn: today, receipt: '纪移〔2026〕7号' }], updateId: 'clue-1' });
      expect(await rejection(handle.executeUpdate(transferClueUpdate, { args: [{ byStaffId: fx.staff.leader, transferredTo: 'x', transferredOn: today }] }))).toContain('不能重复移交');
      await handle.executeUpdate(recordAcceptanceNoticeUpdate, { args: [{ byStaffId: fx.staff.liaison, noticeOn: today, method: '书面' }], updateId: 'acc-1' });
      await handle.executeUpdate(recordVerificationUpdate, { args: [{ byStaffId: fx.staff.leader, finding: '属实', result: '已由纪检监察机关立案' }], updateId: 'ver-1' });
      await handle.executeUpdate(recordFeedbackUpdate, { args: [{ byStaffId: fx.staff.liaison, feedbackOn: today, method: '当面' }], updateId: 'fb-1' });
      await eventually(async () => ((await handle.query(complaintStatusQuery)).phase === 'awaitingClose' ? true : null));
      await handle.executeUpdate(closeComplaintUpdate, { args: [{ byStaffId: fx.staff.liaison, note: '纪检监察机关已立案处理' }], updateId: 'close-1' });
      expect((await resultWithoutSkipping(ctx.env, handle)).phase).toBe('closed');
    });

    const row = await prisma.complaint.findUniqueOrThrow({ where: { workflowId: wf } });
    const clue = await prisma.disciplineClue.findUniqueOrThrow({ where: { complaintId: row.id } });
    expect(clue.transferredTo).toBe('县纪委监委第二派驻纪检组');
    expect(clue.transferredAt).not.toBeNull();
    expect(await auditActions('DisciplineClue', clue.id)).toEqual(['clue.created', 'clue.transferred']);
    // Every notification of the accusation went to 纪检联络 or 专班组长 only, each key once.
    const notes = await prisma.notification.findMany({ where: { caseId: row.caseId! } });
    expect(notes.length).toBeGreaterThanOrEqual(3);
    for (const n of notes) {
      expect([fx.staff.liaison, fx.staff.leader]).toContain(n.recipientStaffId);
      expect(n.text).not.toContain('黄秀英');
    }
    expect(new Set(notes.map((n) => n.dedupeKey)).size).toBe(notes.length);
    expect((await prisma.case.findUniqueOrThrow({ where: { id: row.caseId! } })).status).toBe('CLOSED');
    await replay(handle);
    expect((await verifyAuditChain(prisma)).ok).toBe(true);
  });
  it('a complaint registered late opens overdue: every acceptance escalation at once, once, no reminders', async () => {
    const now = await ctx.env.currentTimeMs();
    const receivedAt = now - 20 * 24 * HOUR;
    const receiptDate = chinaDate(receivedAt);
    const fx = await createComplaintFixture(prisma);
    const taskQueue = uniqueTaskQueue('complaint-late');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    await worker.runUntil(async () => {
      const handle = await openComplaint(ctx.env.client, {
        taskQueue,
        intakeKey: `letter-late-${now}`,
        calendar: testCalendar(Number(receiptDate.slice(0, 4))),
        countyRegionId: fx.countyId,
        channel: '来信',
        receivedAt: new Date(receivedAt).toISOString(),
        complainant: { name: '何春生', phone: PHONE },
        summary: '反映低保金被截留',
        subjectRegionId: fx.t2,
        policy: presets.wenshui,
      });
      const wf = handle.workflowId;
      const levels: Array<[string, number]> = [
        ['assignee', fx.staff.office],
        ['unitHead', fx.staff.sectionHead],
        ['taskForceLeader', fx.staff.leader],
      ];
      const keys = levels.map(([l]) => `${wf}:acceptance:escalation:${l}`);
      await eventually(async () => (await prisma.notification.count({ where: { dedupeKey: { in: keys } } })) === 3);
      for (const [level, to] of levels) {
        const n = await prisma.notification.findUniqueOrThrow({ where: { dedupeKey: `${wf}:acceptance:escalation:${level}` } });
        expect(n.recipientStaffId).toBe(to);
        expect(n.sentAt.getTime()).toBeGreaterThanOrEqual(now);
        expect(n.sentAt.getTime()).toBeLessThan(now + 2 * MINUTE);
        expect(n.text).toContain('逾期');
        expect(n.text).not.toContain('何春生');
      }
      const status = await handle.query(complaintStatusQuery);
      expect(status.acceptance.due).toBe(addDays(receiptDate, 15));
      expect(Date.parse(status.acceptance.expiresAt)).toBeLessThan(now);
      expect(status.notified).toEqual(keys);
      expect(await prisma.notification.count({ where: { dedupeKey: { startsWith: `${wf}:acceptance:reminder:` } } })).toBe(0);

      // Days later nothing is sent twice; accepted on the receipt day, the 60 days run from it.
      await ctx.env.sleep(3 * 24 * HOUR);
      for (const key of keys) expect(await prisma.notification.count({ where: { dedupeKey: key } })).toBe(1);
      const today = chinaDate(await ctx.env.currentTimeMs());
      const handling = await handle.executeUpdate(recordAcceptanceNoticeUpdate, { args: [{ byStaffId: fx.staff.office, noticeOn: today, acceptedOn: receiptDate, method: '书面' }] });
      expect(handling.due).toBe(addDays(receiptDate, 60));
      // Township 2 verifies (subject township), the county feeds back.
      await handle.executeUpdate(recordVerificationUpdate, { args: [{ byStaffId: fx.staff.caseworker2, finding: '不属实', result: '经查发放记录完整' }] });
      await handle.executeUpdate(recordFeedbackUpdate, { args: [{ byStaffId: fx.staff.leader, feedbackOn: today, method: '书面' }] });
      await eventually(async () => ((await handle.query(complaintStatusQuery)).phase === 'awaitingClose' ? true : null));
      await handle.executeUpdate(closeComplaintUpdate, { args: [{ byStaffId: fx.staff.caseworker2, note: '经查不属实，已答复' }] });
      expect((await resultWithoutSkipping(ctx.env, handle)).phase).toBe('closed');
      for (const key of keys) expect(await prisma.notification.count({ where: { dedupeKey: key } })).toBe(1);
    });
  });

  it('replays a complaint closed by itself before the explicit 办结 (patched: complaint-close-step)', async () => {
    // Recorded with the workflow as of the commit before 'complaint-close-step': acceptance, verification,
    // feedback, closed at once (no marker, no closeComplaint update). Payloads encrypted with the test key.
    const file = path.join(import.meta.dirname, 'fixtures/histories/complaint-closed-before-close-step.binpb');
    const history = proto.temporal.api.history.v1.History.decode(fs.readFileSync(file));
    const EventType = proto.temporal.api.enums.v1.EventType;
    const events = history.events ?? [];
    expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED)).toBe(false);
    expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)).toBe(true);
    const activityTypes = events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
    expect(activityTypes.at(-1)).toBe('closeComplaint');
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter }, history, 'complaint-before-close-step'),
    ).resolves.toBeUndefined();
  });
});
