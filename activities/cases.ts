/**
 * Case activities: every transition of a case is written to the Case row and
 * the audit log here, in one transaction. Each activity is safe to retry: it
 * looks the case up by its natural key (workflow id, update id) before writing.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Database } from './deps.js';
import { appendAudit } from '../infra/audit-chain.js';
import type { Db, Prisma } from '../infra/db/client.js';
import { maskIdNumber } from '../domain/identity/index.js';
import type { EscalationLevel } from '../domain/policy/schema.js';
import { addCalendarDays } from '../domain/time/local-date.js';
import {
  computeOverpayment,
  toCents,
  type AssistanceKindCode,
  type DecideArgs,
  type OverpaidMonth,
} from '../domain/cases/index.js';
import { asJson, localDateToDb, townshipOf, TOWNSHIP_DECIDERS, COUNTY_DECIDERS, caseDataOf } from './rows.js';

type Tx = Prisma.TransactionClient;

/** The `data` of a death-review Case row. */
export interface DeathReviewCaseData {
  countyRegionId: number;
  memberId: number;
  deathDate: string;
  source: string;
  decision?: DecideArgs & { updateId: string; decidedAt: string };
  overpayment?: { totalCents: number; months: OverpaidMonth[] };
  recoveries?: Array<{ updateId: string; amountCents: number; recordedByStaffId: number; recordedAt: string; recoveredOn?: string; receiptNo?: string }>;
}

export interface OpenDeathReviewCaseInput {
  workflowId: string;
  countyRegionId: number;
  memberId: number;
  /** 'YYYY-MM-DD' */
  deathDate: string;
  source: string;
  /** ISO-8601 instant the case is late from. */
  dueAt: string;
  /** Workflow time of the opening, ISO-8601. */
  openedAt: string;
}

export interface DeathReviewCaseContext {
  caseId: number;
  householdId: number;
  townshipId: number;
  assigneeStaffId: number | null;
  /** Staff allowed to decide and to record recoveries. */
  allowedStaffIds: number[];
  /** The county's 专班组长 (write-offs); absent on cases opened before write-offs existed. */
  leaderStaffIds?: number[];
  /** Sum of the household's active monthly amounts, yuan. */
  currentMonthlyAmount: number;
  /** Name and masked ID number, for notification texts. */
  subjectLabel: string;
  heldEnrolmentIds: number[];
}

function caseData(row: { id: number; data: unknown }): DeathReviewCaseData {
  return caseDataOf<DeathReviewCaseData>('deathReview', row);
}

async function firstStaff(tx: Db, regionId: number, role: 'TOWNSHIP_CASEWORKER' | 'TOWNSHIP_HEAD' | 'TASKFORCE_OFFICE' | 'TASKFORCE_LEADER') {
  const s = await tx.staff.findFirst({ where: { regionId, role, active: true }, orderBy: { id: 'asc' }, select: { id: true } });
  return s?.id ?? null;
}

async function context(tx: Tx, caseId: number, householdId: number, townshipId: number, countyId: number, assigneeStaffId: number | null, memberId: number): Promise<DeathReviewCaseContext> {
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
  const leaders = await tx.staff.findMany({ where: { active: true, regionId: countyId, role: 'TASKFORCE_LEADER' }, select: { id: true }, orderBy: { id: 'asc' } });
  const enrolments = await tx.enrolment.findMany({ where: { householdId, status: 'ACTIVE' } });
  const currentCents = enrolments.reduce((s, e) => s + toCents(Number(e.monthlyAmount.toString())), 0);
  return {
    caseId,
    householdId,
    townshipId,
    assigneeStaffId,
    allowedStaffIds: deciders.map((d) => d.id),
    leaderStaffIds: leaders.map((l) => l.id),
    currentMonthlyAmount: currentCents / 100,
    subjectLabel: `${member.name}（${maskIdNumber(member.idNumber)}）`,
    heldEnrolmentIds: enrolments.filter((e) => e.onHold && e.holdCaseId === caseId).map((e) => e.id),
  };
}

export function createCaseActivities(db: Database) {
  return {
    /**
     * Records the death-review Case (OPEN, anchor = death date, due, assignee =
     * the township caseworker) and holds further payments of a single-member
     * household. A second call for the same workflow finds the row and writes nothing.
     */
    async openDeathReviewCase(input: OpenDeathReviewCaseInput): Promise<DeathReviewCaseContext> {
      return db.prisma.$transaction(async (tx) => {
        const member = await tx.member.findUnique({ where: { id: input.memberId }, include: { household: true } });
        if (!member) throw ApplicationFailure.nonRetryable(`找不到成员（编号 ${input.memberId}）`, 'MemberNotFound');
        const { townshipId, countyId } = await townshipOf(tx, member.household.regionId);
        if (countyId !== input.countyRegionId) {
          throw ApplicationFailure.nonRetryable('该成员的家庭不属于本县', 'WrongCounty');
        }
        const existing = await tx.case.findUnique({ where: { workflowId: input.workflowId } });
        if (existing) {
          return context(tx, existing.id, member.householdId, townshipId, countyId, existing.assigneeStaffId, member.id);
        }
        const assigneeStaffId = await firstStaff(tx, townshipId, 'TOWNSHIP_CASEWORKER');
        const data: DeathReviewCaseData = {
          countyRegionId: input.countyRegionId,
          memberId: member.id,
          deathDate: input.deathDate,
          source: input.source,
        };
        const row = await tx.case.create({
          data: {
            kind: 'DEATH_REVIEW',
            workflowId: input.workflowId,
            subjectIdNumber: member.idNumber,
            householdId: member.householdId,
            regionId: townshipId,
            assigneeStaffId,
            status: 'OPEN',
            anchorDate: localDateToDb(input.deathDate),
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
          payload: { kind: 'DEATH_REVIEW', workflowId: input.workflowId, householdId: member.householdId, memberId: member.id, deathDate: input.deathDate, dueAt: input.dueAt, assigneeStaffId, source: input.source },
        });
        const memberCount = await tx.member.count({ where: { householdId: member.householdId } });
        if (memberCount === 1) {
          const active = await tx.enrolment.findMany({ where: { householdId: member.householdId, status: 'ACTIVE', onHold: false } });
          for (const e of active) {
            await tx.enrolment.update({ where: { id: e.id }, data: { onHold: true, holdCaseId: row.id } });
            await appendAudit(tx, {
              actor: 'system',
              action: 'enrolment.held',
              subjectType: 'Enrolment',
              subjectId: String(e.id),
              payload: { caseId: row.id, reason: '唯一成员死亡，暂停发放待核查' },
            });
          }
        }
        return context(tx, row.id, member.householdId, townshipId, countyId, assigneeStaffId, member.id);
      });
    },

    /** Who receives each level of the ladder now (null: nobody holds that role). */
    async resolveEscalationRecipients(caseId: number): Promise<Record<EscalationLevel, number | null>> {
      const row = await db.prisma.case.findUniqueOrThrow({ where: { id: caseId } });
      const townshipId = row.regionId;
      const township = townshipId === null ? null : await db.prisma.region.findUnique({ where: { id: townshipId } });
      const countyId = township?.parentId ?? null;
      const leader = countyId === null ? null : await firstStaff(db.prisma, countyId, 'TASKFORCE_LEADER');
      return {
        assignee: row.assigneeStaffId,
        unitHead: townshipId === null ? null : await firstStaff(db.prisma, townshipId, 'TOWNSHIP_HEAD'),
        taskForceOffice: countyId === null ? null : await firstStaff(db.prisma, countyId, 'TASKFORCE_OFFICE'),
        // StaffRole has one role for 专班组长/副组长.
        taskForceDeputy: leader,
        taskForceLeader: leader,
      };
    },

    /**
     * Records the decision and the over-payment it implies; 停发 ends the
     * household's enrolments, 增发/减发 release the hold. Keyed by the update id.
     */
    async recordDeathReviewDecision(input: {
      caseId: number;
      updateId: string;
      args: DecideArgs;
      decidedAt: string;
      deathMonth: string;
      /** Months one payment covers, per assistance kind (from the county policy). */
      monthsCoveredByKind: Record<AssistanceKindCode, number>;
    }): Promise<{ overpaidCents: number; months: OverpaidMonth[] }> {
      return db.prisma.$transaction(async (tx) => {
        const row = await tx.case.findUniqueOrThrow({ where: { id: input.caseId } });
        const data = caseData(row);
        if (data.decision && data.overpayment) {
          return { overpaidCents: data.overpayment.totalCents, months: data.overpayment.months };
        }
        if (row.householdId === null) throw ApplicationFailure.nonRetryable('案件没有关联家庭', 'NoHousehold');
        const payments = await tx.payment.findMany({
          where: { householdId: row.householdId },
          include: { enrolment: { select: { kind: true } } },
        });
        const over = computeOverpayment({
          deathMonth: input.deathMonth,
          decision: input.args.decision,
          newMonthlyAmount: input.args.newMonthlyAmount,
          payments: payments.map((p) => ({
            period: p.period,
            monthsCovered: input.monthsCoveredByKind[p.enrolment.kind] ?? 1,
            amountPaid: Number(p.amountPaid.toString()),
          })),
        });
        const next: DeathReviewCaseData = {
          ...data,
          decision: { ...input.args, updateId: input.updateId, decidedAt: input.decidedAt },
          overpayment: over,
        };
        await tx.case.update({ where: { id: row.id }, data: { data: asJson(next) } });
        await appendAudit(tx, {
          actor: `staff:${input.args.decidedByStaffId}`,
          action: 'case.decided',
          subjectType: 'Case',
          subjectId: String(row.id),
          payload: { ...input.args, updateId: input.updateId, decidedAt: input.decidedAt, overpaidCents: over.totalCents },
        });
        if (input.args.decision === '停发') {
          const endDate = addCalendarDays(`${input.args.effectiveMonth}-01`, -1);
          const active = await tx.enrolment.findMany({ where: { householdId: row.householdId, status: 'ACTIVE' } });
          for (const e of active) {
            await tx.enrolment.update({
              where: { id: e.id },
              data: { status: 'ENDED', endDate: localDateToDb(endDate), onHold: false, holdCaseId: null },
            });
            await appendAudit(tx, {
              actor: `staff:${input.args.decidedByStaffId}`,
              action: 'enrolment.ended',
              subjectType: 'Enrolment',
              subjectId: String(e.id),
              payload: { caseId: row.id, endDate, reason: '死亡核查决定停发' },
            });
          }
        } else {
          const held = await tx.enrolment.findMany({ where: { holdCaseId: row.id, onHold: true } });
          for (const e of held) {
            await tx.enrolment.update({ where: { id: e.id }, data: { onHold: false, holdCaseId: null } });
            await appendAudit(tx, {
              actor: `staff:${input.args.decidedByStaffId}`,
              action: 'enrolment.released',
              subjectType: 'Enrolment',
              subjectId: String(e.id),
              payload: { caseId: row.id, reason: `死亡核查决定${input.args.decision}` },
            });
          }
        }
        return { overpaidCents: over.totalCents, months: over.months };
      });
    },

    /** Adds one recovery (追回) to the case; keyed by the update id. Returns the recovered total. */
    async recordCaseRecovery(input: {
      caseId: number;
      updateId: string;
      amountCents: number;
      recordedByStaffId: number;
      recordedAt: string;
      /** The day the money came back and the receipt number, when the front asked for them. */
      recoveredOn?: string;
      receiptNo?: string;
    }): Promise<{ recoveredCents: number }> {
      return db.prisma.$transaction(async (tx) => {
        const row = await tx.case.findUniqueOrThrow({ where: { id: input.caseId } });
        // Shared by the death review and the prison exit: only the recoveries are read.
        const data = caseDataOf<Pick<DeathReviewCaseData, 'recoveries'>>('recoverable', row);
        const recoveries = data.recoveries ?? [];
        if (!recoveries.some((r) => r.updateId === input.updateId)) {
          const details = { ...(input.recoveredOn ? { recoveredOn: input.recoveredOn } : {}), ...(input.receiptNo ? { receiptNo: input.receiptNo } : {}) };
          recoveries.push({ updateId: input.updateId, amountCents: input.amountCents, recordedByStaffId: input.recordedByStaffId, recordedAt: input.recordedAt, ...details });
          await tx.case.update({ where: { id: row.id }, data: { data: asJson({ ...data, recoveries }) } });
          await appendAudit(tx, {
            actor: `staff:${input.recordedByStaffId}`,
            action: 'case.recovery-recorded',
            subjectType: 'Case',
            subjectId: String(row.id),
            payload: { updateId: input.updateId, amountCents: input.amountCents, recordedAt: input.recordedAt, ...details },
          });
        }
        return { recoveredCents: recoveries.reduce((s, r) => s + r.amountCents, 0) };
      });
    },

    /**
     * Records one human step of a case (入户核查, 核销 …) in `Case.data.steps`
     * and the audit chain, keyed by the update id (a retry writes once).
     */
    async recordCaseStep(input: {
      caseId: number;
      updateId: string;
      /** Audit action, e.g. 'case.household-checked'. */
      action: string;
      byStaffId: number;
      at: string;
      /** What was recorded (no personal data). */
      entry: Record<string, string | number | boolean>;
    }): Promise<void> {
      await db.prisma.$transaction(async (tx) => {
        const row = await tx.case.findUniqueOrThrow({ where: { id: input.caseId } });
        const data = (row.data ?? {}) as { steps?: Array<Record<string, unknown>> };
        const steps = data.steps ?? [];
        if (steps.some((s) => s.updateId === input.updateId)) return;
        steps.push({ action: input.action, updateId: input.updateId, byStaffId: input.byStaffId, at: input.at, ...input.entry });
        await tx.case.update({ where: { id: row.id }, data: { data: asJson({ ...data, steps }) } });
        await appendAudit(tx, {
          actor: `staff:${input.byStaffId}`,
          action: input.action,
          subjectType: 'Case',
          subjectId: String(row.id),
          payload: { updateId: input.updateId, at: input.at, ...input.entry },
        });
      });
    },

    /** Closes the case (CLOSED, closedAt = workflow time). A closed case stays as it is. */
    async closeCase(input: { caseId: number; closedAt: string; reason: string }): Promise<void> {
      await db.prisma.$transaction(async (tx) => {
        const row = await tx.case.findUniqueOrThrow({ where: { id: input.caseId } });
        if (row.status === 'CLOSED') return;
        await tx.case.update({ where: { id: row.id }, data: { status: 'CLOSED', closedAt: new Date(input.closedAt) } });
        await appendAudit(tx, {
          actor: 'system',
          action: 'case.closed',
          subjectType: 'Case',
          subjectId: String(row.id),
          payload: { closedAt: input.closedAt, reason: input.reason },
        });
      });
    },
  };
}

export type CaseActivities = ReturnType<typeof createCaseActivities>;
