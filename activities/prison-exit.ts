/**
 * Prisoner-exit activities (服刑退出): every transition is written to the Case
 * row and the audit log in one transaction, keyed by the workflow id or the
 * update id, so a retried activity writes nothing twice. Recoveries and the
 * closing reuse `recordCaseRecovery` and `closeCase` (activities/cases.ts).
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Database } from './deps.js';
import { appendAudit } from '../infra/audit-chain.js';
import type { Prisma } from '../infra/db/client.js';
import { maskIdNumber } from '../domain/identity/index.js';
import { addCalendarDays } from '../domain/time/local-date.js';
import {
  computeOverpayment,
  prisonExitTrack,
  toCents,
  type AssistanceKindCode,
  type OverpaidMonth,
  type PrisonDecideArgs,
  type PrisonExitTrack,
} from '../domain/cases/index.js';
import { asJson, localDateToDb as dbDate, townshipOf, TOWNSHIP_DECIDERS, COUNTY_DECIDERS, caseDataOf } from './rows.js';

type Tx = Prisma.TransactionClient;

/** The `data` of a PRISON_EXIT Case row. */
export interface PrisonExitCaseData {
  countyRegionId: number;
  memberId: number;
  imprisonmentDate: string;
  source: string;
  track: PrisonExitTrack;
  decision?: PrisonDecideArgs & { updateId: string; decidedAt: string; previousMonthlyAmount: number };
  publicity?: Array<{ updateId: string; postedOn: string; due: string; byStaffId: number; objection?: { updateId: string; receivedOn: string; summary: string; byStaffId: number } }>;
  termination?: { effectiveMonth: string; endDate: string; completedAt: string };
  overpayment?: { totalCents: number; months: OverpaidMonth[] };
  recoveries?: Array<{ updateId: string; amountCents: number; recordedByStaffId: number; recordedAt: string }>;
  release?: { updateId: string; releasedOn: string; byStaffId: number; recordedAt: string; note?: string };
}

export interface PrisonExitCaseContext {
  caseId: number;
  householdId: number;
  townshipId: number;
  track: PrisonExitTrack;
  assigneeStaffId: number | null;
  allowedStaffIds: number[];
  /** Sum of the track's active monthly amounts, yuan. */
  currentMonthlyAmount: number;
  /** Name and masked ID number, for notification texts. */
  subjectLabel: string;
}

function isTrackKind(track: PrisonExitTrack, kind: string): boolean {
  return track === 'tekun' ? kind.startsWith('TEKUN_') : track === 'dibao' ? kind.endsWith('_DIBAO') : false;
}

async function loadCase(tx: Tx, caseId: number) {
  const row = await tx.case.findUniqueOrThrow({ where: { id: caseId } });
  return { row, data: caseDataOf<PrisonExitCaseData>('prisonExit', row) };
}

async function context(tx: Tx, caseId: number, householdId: number, townshipId: number, countyId: number, assigneeStaffId: number | null, memberId: number, track: PrisonExitTrack): Promise<PrisonExitCaseContext> {
  const member = await tx.member.findUniqueOrThrow({ where: { id: memberId } });
  const deciders = await tx.staff.findMany({
    where: {
      active: true,
      OR: [
        { regionId: townshipId, role: { in: [...TOWNSHIP_DECIDERS] } },
        { regionId: countyId, role: { in: [...COUNTY_DECIDERS] } },
      ],
    },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  const enrolments = await tx.enrolment.findMany({ where: { householdId, status: 'ACTIVE' } });
  const cents = enrolments.filter((e) => isTrackKind(track, e.kind)).reduce((s, e) => s + toCents(Number(e.monthlyAmount.toString())), 0);
  return {
    caseId,
    householdId,
    townshipId,
    track,
    assigneeStaffId,
    allowedStaffIds: deciders.map((d) => d.id),
    currentMonthlyAmount: cents / 100,
    subjectLabel: `${member.name}（${maskIdNumber(member.idNumber)}）`,
  };
}

async function overpaymentOf(tx: Tx, householdId: number, track: PrisonExitTrack, imprisonmentMonth: string, newMonthlyAmount: number, monthsCoveredByKind: Record<AssistanceKindCode, number>) {
  const payments = await tx.payment.findMany({ where: { householdId }, include: { enrolment: { select: { kind: true } } } });
  return computeOverpayment({
    deathMonth: imprisonmentMonth,
    decision: newMonthlyAmount === 0 ? '停发' : '减发',
    newMonthlyAmount,
    payments: payments
      .filter((p) => isTrackKind(track, p.enrolment.kind))
      .map((p) => ({ period: p.period, monthsCovered: monthsCoveredByKind[p.enrolment.kind] ?? 1, amountPaid: Number(p.amountPaid.toString()) })),
  });
}

export function createPrisonExitActivities(db: Database) {
  return {
    /**
     * Records the PRISON_EXIT Case (anchor = imprisonment date, assignee = the
     * township caseworker), marks the member IN_PRISON and holds the
     * household's payments when no other member is left (as a death review
     * does). A second call for the same workflow writes nothing.
     */
    async openPrisonExitCase(input: {
      workflowId: string;
      countyRegionId: number;
      memberId: number;
      imprisonmentDate: string;
      source: string;
      dueAt: string;
      openedAt: string;
    }): Promise<PrisonExitCaseContext> {
      return db.prisma.$transaction(async (tx) => {
        const member = await tx.member.findUnique({ where: { id: input.memberId }, include: { household: true } });
        if (!member) throw ApplicationFailure.nonRetryable(`找不到成员（编号 ${input.memberId}）`, 'MemberNotFound');
        const { townshipId, countyId } = await townshipOf(tx, member.household.regionId);
        if (countyId !== input.countyRegionId) throw ApplicationFailure.nonRetryable('该成员的家庭不属于本县', 'WrongCounty');
        const existing = await tx.case.findUnique({ where: { workflowId: input.workflowId } });
        if (existing) {
          const data = caseDataOf<PrisonExitCaseData>('prisonExit', existing);
          return context(tx, existing.id, member.householdId, townshipId, countyId, existing.assigneeStaffId, member.id, data.track);
        }
        const active = await tx.enrolment.findMany({ where: { householdId: member.householdId, status: 'ACTIVE' } });
        const track = prisonExitTrack(active.map((e) => e.kind));
        const caseworker = await tx.staff.findFirst({ where: { regionId: townshipId, role: 'TOWNSHIP_CASEWORKER', active: true }, orderBy: { id: 'asc' }, select: { id: true } });
        const assigneeStaffId = caseworker?.id ?? null;
        const data: PrisonExitCaseData = { countyRegionId: input.countyRegionId, memberId: member.id, imprisonmentDate: input.imprisonmentDate, source: input.source, track };
        const row = await tx.case.create({
          data: {
            kind: 'PRISON_EXIT',
            workflowId: input.workflowId,
            subjectIdNumber: member.idNumber,
            householdId: member.householdId,
            regionId: townshipId,
            assigneeStaffId,
            status: 'OPEN',
            anchorDate: dbDate(input.imprisonmentDate),
            dueAt: new Date(input.dueAt),
            openedAt: new Date(input.openedAt),
            data: asJson(data),
          },
        });
        await appendAudit(tx, {
          actor: 'system',
          action: 'case.opened',
          subjectType: 'Case',
          subjectId: String(row.id),
          payload: { kind: 'PRISON_EXIT', workflowId: input.workflowId, householdId: member.householdId, memberId: member.id, imprisonmentDate: input.imprisonmentDate, dueAt: input.dueAt, assigneeStaffId, source: input.source, track },
        });
        if (member.status !== 'IN_PRISON') {
          await tx.member.update({ where: { id: member.id }, data: { status: 'IN_PRISON' } });
          await appendAudit(tx, { actor: 'system', action: 'member.imprisoned', subjectType: 'Member', subjectId: String(member.id), payload: { caseId: row.id, imprisonmentDate: input.imprisonmentDate, previous: member.status } });
        }
        const othersAlive = await tx.member.count({ where: { householdId: member.householdId, id: { not: member.id }, status: 'ALIVE' } });
        if (othersAlive === 0) {
          for (const e of active.filter((x) => !x.onHold)) {
            await tx.enrolment.update({ where: { id: e.id }, data: { onHold: true, holdCaseId: row.id } });
            await appendAudit(tx, { actor: 'system', action: 'enrolment.held', subjectType: 'Enrolment', subjectId: String(e.id), payload: { caseId: row.id, reason: '唯一成员服刑，暂停发放待核查' } });
          }
        }
        return context(tx, row.id, member.householdId, townshipId, countyId, assigneeStaffId, member.id, track);
      });
    },

    /** 低保: records the household's new amount and the over-payment since the month after imprisonment. */
    async recordPrisonExitDecision(input: {
      caseId: number;
      updateId: string;
      args: PrisonDecideArgs;
      decidedAt: string;
      imprisonmentMonth: string;
      monthsCoveredByKind: Record<AssistanceKindCode, number>;
    }): Promise<{ overpaidCents: number; months: OverpaidMonth[] }> {
      return db.prisma.$transaction(async (tx) => {
        const { row, data } = await loadCase(tx, input.caseId);
        if (data.decision && data.overpayment) return { overpaidCents: data.overpayment.totalCents, months: data.overpayment.months };
        if (row.householdId === null) throw ApplicationFailure.nonRetryable('案件没有关联家庭', 'NoHousehold');
        const actor = `staff:${input.args.byStaffId}`;
        const enrolments = (await tx.enrolment.findMany({ where: { householdId: row.householdId, status: 'ACTIVE' } })).filter((e) => isTrackKind('dibao', e.kind));
        const previous = enrolments.reduce((s, e) => s + toCents(Number(e.monthlyAmount.toString())), 0) / 100;
        const over = await overpaymentOf(tx, row.householdId, 'dibao', input.imprisonmentMonth, input.args.newMonthlyAmount, input.monthsCoveredByKind);
        const next: PrisonExitCaseData = { ...data, decision: { ...input.args, updateId: input.updateId, decidedAt: input.decidedAt, previousMonthlyAmount: previous }, overpayment: over };
        await tx.case.update({ where: { id: row.id }, data: { data: asJson(next) } });
        await appendAudit(tx, {
          actor,
          action: 'case.decided',
          subjectType: 'Case',
          subjectId: String(row.id),
          payload: { ...input.args, previousMonthlyAmount: previous, updateId: input.updateId, decidedAt: input.decidedAt, overpaidCents: over.totalCents },
        });
        // One 低保 enrolment per household: the new household amount goes to it.
        for (const [i, e] of enrolments.entries()) {
          if (input.args.newMonthlyAmount === 0) {
            const endDate = addCalendarDays(`${input.args.effectiveMonth}-01`, -1);
            await tx.enrolment.update({ where: { id: e.id }, data: { status: 'ENDED', endDate: dbDate(endDate), onHold: false, holdCaseId: null } });
            await appendAudit(tx, { actor, action: 'enrolment.ended', subjectType: 'Enrolment', subjectId: String(e.id), payload: { caseId: row.id, endDate, reason: '服刑人员退出后家庭无保障金额' } });
          } else {
            const amount = i === 0 ? input.args.newMonthlyAmount : 0;
            await tx.enrolment.update({ where: { id: e.id }, data: { monthlyAmount: amount, onHold: false, holdCaseId: null } });
            await appendAudit(tx, {
              actor,
              action: 'enrolment.amount-changed',
              subjectType: 'Enrolment',
              subjectId: String(e.id),
              payload: { caseId: row.id, from: Number(e.monthlyAmount.toString()), to: amount, effectiveMonth: input.args.effectiveMonth, reason: '服刑人员不计入家庭成员，重新核定保障金额' },
            });
          }
        }
        return { overpaidCents: over.totalCents, months: over.months };
      });
    },

    /** 特困: the termination notice was posted; the 公示 runs until `due`. */
    async recordTerminationPosted(input: { caseId: number; updateId: string; postedOn: string; due: string; byStaffId: number; note?: string }): Promise<void> {
      await db.prisma.$transaction(async (tx) => {
        const { row, data } = await loadCase(tx, input.caseId);
        const publicity = data.publicity ?? [];
        if (publicity.some((p) => p.updateId === input.updateId)) return;
        publicity.push({ updateId: input.updateId, postedOn: input.postedOn, due: input.due, byStaffId: input.byStaffId });
        await tx.case.update({ where: { id: row.id }, data: { data: asJson({ ...data, publicity }) } });
        await appendAudit(tx, {
          actor: `staff:${input.byStaffId}`,
          action: 'case.publicity-posted',
          subjectType: 'Case',
          subjectId: String(row.id),
          payload: { updateId: input.updateId, postedOn: input.postedOn, due: input.due, note: input.note ?? null },
        });
      });
    },

    /** 特困: an objection during the 公示 voids it; the case goes back to review. */
    async recordTerminationObjection(input: { caseId: number; updateId: string; receivedOn: string; summary: string; byStaffId: number }): Promise<void> {
      await db.prisma.$transaction(async (tx) => {
        const { row, data } = await loadCase(tx, input.caseId);
        const publicity = data.publicity ?? [];
        const current = publicity.at(-1);
        if (!current) throw ApplicationFailure.nonRetryable('没有进行中的公示', 'NoPublicity');
        if (current.objection) return;
        current.objection = { updateId: input.updateId, receivedOn: input.receivedOn, summary: input.summary, byStaffId: input.byStaffId };
        await tx.case.update({ where: { id: row.id }, data: { data: asJson({ ...data, publicity }) } });
        await appendAudit(tx, {
          actor: `staff:${input.byStaffId}`,
          action: 'case.publicity-objection',
          subjectType: 'Case',
          subjectId: String(row.id),
          payload: { updateId: input.updateId, receivedOn: input.receivedOn, summary: input.summary, postedOn: current.postedOn },
        });
      });
    },

    /**
     * 特困: the 公示 ended without objection. The enrolment ends with the month
     * of the 公示 (support stops from `effectiveMonth`); over-payment = every
     * payment for a month after the imprisonment month.
     */
    async completeTekunTermination(input: {
      caseId: number;
      effectiveMonth: string;
      completedAt: string;
      imprisonmentMonth: string;
      monthsCoveredByKind: Record<AssistanceKindCode, number>;
    }): Promise<{ overpaidCents: number; months: OverpaidMonth[] }> {
      return db.prisma.$transaction(async (tx) => {
        const { row, data } = await loadCase(tx, input.caseId);
        if (data.termination && data.overpayment) return { overpaidCents: data.overpayment.totalCents, months: data.overpayment.months };
        if (row.householdId === null) throw ApplicationFailure.nonRetryable('案件没有关联家庭', 'NoHousehold');
        const endDate = addCalendarDays(`${input.effectiveMonth}-01`, -1);
        const over = await overpaymentOf(tx, row.householdId, 'tekun', input.imprisonmentMonth, 0, input.monthsCoveredByKind);
        const next: PrisonExitCaseData = { ...data, termination: { effectiveMonth: input.effectiveMonth, endDate, completedAt: input.completedAt }, overpayment: over };
        await tx.case.update({ where: { id: row.id }, data: { data: asJson(next) } });
        await appendAudit(tx, {
          actor: 'system',
          action: 'case.terminated',
          subjectType: 'Case',
          subjectId: String(row.id),
          payload: { effectiveMonth: input.effectiveMonth, endDate, completedAt: input.completedAt, overpaidCents: over.totalCents },
        });
        const enrolments = (await tx.enrolment.findMany({ where: { householdId: row.householdId, status: 'ACTIVE' } })).filter((e) => isTrackKind('tekun', e.kind));
        for (const e of enrolments) {
          await tx.enrolment.update({ where: { id: e.id }, data: { status: 'ENDED', endDate: dbDate(endDate), onHold: false, holdCaseId: null } });
          await appendAudit(tx, { actor: 'system', action: 'enrolment.ended', subjectType: 'Enrolment', subjectId: String(e.id), payload: { caseId: row.id, endDate, reason: '特困人员服刑，公示期满无异议，终止供养' } });
        }
        return { overpaidCents: over.totalCents, months: over.months };
      });
    },

    /**
     * A release (刑满释放): recorded once, the member is no longer IN_PRISON;
     * returns who must reopen the eligibility review (the township caseworker).
     */
    async recordPrisonRelease(input: { caseId: number; updateId: string; releasedOn: string; byStaffId: number; recordedAt: string; note?: string }): Promise<{ caseworkerStaffId: number | null }> {
      return db.prisma.$transaction(async (tx) => {
        const { row, data } = await loadCase(tx, input.caseId);
        if (!data.release) {
          const release = { updateId: input.updateId, releasedOn: input.releasedOn, byStaffId: input.byStaffId, recordedAt: input.recordedAt, ...(input.note ? { note: input.note } : {}) };
          await tx.case.update({ where: { id: row.id }, data: { data: asJson({ ...data, release }) } });
          await appendAudit(tx, { actor: `staff:${input.byStaffId}`, action: 'case.release-recorded', subjectType: 'Case', subjectId: String(row.id), payload: { updateId: input.updateId, releasedOn: input.releasedOn, eligibilityReviewReopened: true } });
          const member = await tx.member.findUniqueOrThrow({ where: { id: data.memberId } });
          if (member.status === 'IN_PRISON') {
            await tx.member.update({ where: { id: member.id }, data: { status: 'ALIVE' } });
            await appendAudit(tx, { actor: `staff:${input.byStaffId}`, action: 'member.released', subjectType: 'Member', subjectId: String(member.id), payload: { caseId: row.id, releasedOn: input.releasedOn } });
          }
        }
        const caseworker = row.regionId === null ? null : await tx.staff.findFirst({ where: { regionId: row.regionId, role: 'TOWNSHIP_CASEWORKER', active: true }, orderBy: { id: 'asc' }, select: { id: true } });
        return { caseworkerStaffId: caseworker?.id ?? row.assigneeStaffId };
      });
    },
  };
}

export type PrisonExitActivities = ReturnType<typeof createPrisonExitActivities>;
