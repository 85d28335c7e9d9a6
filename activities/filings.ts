/**
 * Near-relative filing activities (近亲属备案): the NearRelativeFiling row and
 * its Case (kind NEAR_RELATIVE_FILING), every transition in one transaction
 * with its audit entry. Safe to retry: rows are found by the workflow id, and
 * each human step is recorded once per update id.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Database } from './deps.js';
import { appendAudit } from '../infra/audit-chain.js';
import type { Db, Prisma } from '../infra/db/client.js';
import { maskIdNumber } from '../domain/identity/index.js';
import type { EscalationLevel } from '../domain/policy/schema.js';
import {
  FILING_APPROVER_ROLES,
  HOME_VISIT_ROLES,
  relationLabel,
  type FilingDecision,
  type FilingStatusCode,
} from '../domain/cases/index.js';
import { asJson, localDateToDb, caseDataOf } from './rows.js';

type Tx = Prisma.TransactionClient;

import { countyOfRegion, townshipOfRegion } from '../readmodels/regions.js';

export { countyOfRegion, townshipOfRegion };



/** The `data` of a near-relative filing Case row. */
export interface FilingCaseData {
  filingId: number;
  staffId: number;
  memberId: number | null;
  applicationId: number | null;
  source: string;
  filedByStaffId: number | null;
  /** Steps taken, keyed by update id (idempotence). */
  steps: Array<{ updateId: string; action: string; byStaffId: number; at: string; [k: string]: unknown }>;
}

export interface OpenFilingInput {
  workflowId: string;
  countyRegionId: number;
  staffId: number;
  memberId: number | null;
  applicationId: number | null;
  relation: string;
  source: string;
  filedByStaffId: number | null;
  note?: string;
  /** Workflow time of the filing, ISO-8601. */
  filedAt: string;
  /** 'YYYY-MM-DD' the approval clock runs from. */
  anchorDate: string;
  dueAt: string;
}

export interface FilingContext {
  filingId: number;
  caseId: number;
  status: FilingStatusCode;
  /** Relative's name and masked ID number, with the staff member, for texts. */
  subjectLabel: string;
  assigneeStaffId: number | null;
  approverStaffIds: number[];
  homeVisitStaffIds: number[];
  conflictedStaffIds: number[];
  filedByStaffId: number | null;
  applicationId: number | null;
  homeVisitDate: string | null;
}

async function filingContext(tx: Db, countyRegionId: number, filingId: number, caseId: number): Promise<FilingContext> {
  const filing = await tx.nearRelativeFiling.findUniqueOrThrow({ where: { id: filingId }, include: { staff: true } });
  const row = await tx.case.findUniqueOrThrow({ where: { id: caseId } });
  const data = caseDataOf<FilingCaseData>('filing', row);
  const countyStaff = await tx.staff.findMany({
    where: { regionId: countyRegionId, active: true, role: { in: [...new Set([...FILING_APPROVER_ROLES, ...HOME_VISIT_ROLES])] } },
    select: { id: true, role: true },
    orderBy: { id: 'asc' },
  });
  const declared = await tx.staffRelative.findMany({ where: { relativeIdNumber: filing.relativeIdNumber }, select: { staffId: true } });
  return {
    filingId,
    caseId,
    status: filing.status,
    subjectLabel: `${filing.staff.name}的${relationLabel(filing.relation)}${filing.relativeName}（${maskIdNumber(filing.relativeIdNumber)}）`,
    assigneeStaffId: row.assigneeStaffId,
    approverStaffIds: countyStaff.filter((s) => FILING_APPROVER_ROLES.includes(s.role)).map((s) => s.id),
    homeVisitStaffIds: countyStaff.filter((s) => HOME_VISIT_ROLES.includes(s.role)).map((s) => s.id),
    conflictedStaffIds: [...new Set([filing.staffId, ...declared.map((d) => d.staffId)])].sort((a, b) => a - b),
    filedByStaffId: data.filedByStaffId,
    applicationId: filing.applicationId,
    homeVisitDate: filing.homeVisitDate ? filing.homeVisitDate.toISOString().slice(0, 10) : null,
  };
}

const STATUS_OF: Record<FilingDecision, FilingStatusCode> = {
  approve: 'APPROVED',
  reject: 'REJECTED',
  moreInfo: 'MORE_INFO_REQUESTED',
};
const ACTION_OF: Record<FilingDecision, string> = {
  approve: 'filing.approved',
  reject: 'filing.rejected',
  moreInfo: 'filing.more-info-requested',
};

export function createFilingActivities(db: Database) {
  /** Runs `write` unless the update id was recorded already; returns the filing row either way. */
  async function step(
    caseId: number,
    updateId: string,
    write: (tx: Tx, data: FilingCaseData) => Promise<Record<string, unknown>>,
  ) {
    return db.prisma.$transaction(async (tx) => {
      const row = await tx.case.findUniqueOrThrow({ where: { id: caseId } });
      const data = caseDataOf<FilingCaseData>('filing', row);
      if (!data.steps.some((s) => s.updateId === updateId)) {
        const recorded = await write(tx, data);
        const next: FilingCaseData = { ...data, steps: [...data.steps, recorded as FilingCaseData['steps'][number]] };
        await tx.case.update({ where: { id: caseId }, data: { data: asJson(next) } });
      }
      return tx.nearRelativeFiling.findUniqueOrThrow({ where: { id: data.filingId } });
    });
  }

  return {
    /**
     * Records the filing (status SUBMITTED) and its Case. The relative is named
     * by a member id or an application id; the ID number is read here, never
     * passed through the workflow. A second call finds both rows and writes nothing.
     */
    async openNearRelativeFiling(input: OpenFilingInput): Promise<FilingContext> {
      return db.prisma.$transaction(async (tx) => {
        const existing = await tx.case.findUnique({ where: { workflowId: input.workflowId } });
        if (existing) {
          const data = caseDataOf<FilingCaseData>('filing', existing);
          return filingContext(tx, input.countyRegionId, data.filingId, existing.id);
        }
        const staff = await tx.staff.findUnique({ where: { id: input.staffId } });
        if (!staff) throw ApplicationFailure.nonRetryable(`找不到工作人员（编号 ${input.staffId}）`, 'StaffNotFound');
        if ((await countyOfRegion(tx, staff.regionId)) !== input.countyRegionId) {
          throw ApplicationFailure.nonRetryable('该工作人员不属于本县', 'WrongCounty');
        }
        let relativeName: string;
        let relativeIdNumber: string;
        let regionId: number;
        let householdId: number | null = null;
        if (input.memberId !== null) {
          const member = await tx.member.findUnique({ where: { id: input.memberId }, include: { household: true } });
          if (!member) throw ApplicationFailure.nonRetryable(`找不到成员（编号 ${input.memberId}）`, 'MemberNotFound');
          relativeName = member.name;
          relativeIdNumber = member.idNumber;
          regionId = member.household.regionId;
          householdId = member.householdId;
        } else if (input.applicationId !== null) {
          const app = await tx.application.findUnique({ where: { id: input.applicationId } });
          if (!app) throw ApplicationFailure.nonRetryable(`找不到申请（编号 ${input.applicationId}）`, 'ApplicationNotFound');
          relativeName = app.applicantName;
          relativeIdNumber = app.applicantIdNumber;
          regionId = app.regionId;
        } else {
          throw ApplicationFailure.nonRetryable('须指明亲属（成员或申请）', 'NoRelative');
        }
        if ((await countyOfRegion(tx, regionId)) !== input.countyRegionId) {
          throw ApplicationFailure.nonRetryable('该亲属不属于本县', 'WrongCounty');
        }
        // The assignee: the first approver who need not recuse (not the staff member,
        // not the filer, not another staff member who declared the same relative).
        const declared = await tx.staffRelative.findMany({ where: { relativeIdNumber }, select: { staffId: true } });
        const recused = [staff.id, ...(input.filedByStaffId !== null ? [input.filedByStaffId] : []), ...declared.map((d) => d.staffId)];
        const pick = (role: 'SECTION_HEAD' | 'TASKFORCE_LEADER') =>
          tx.staff.findFirst({ where: { regionId: input.countyRegionId, role, active: true, id: { notIn: recused } }, orderBy: { id: 'asc' } });
        const approver = (await pick('SECTION_HEAD')) ?? (await pick('TASKFORCE_LEADER'));
        const assigneeStaffId = approver?.id ?? null;
        const filing = await tx.nearRelativeFiling.create({
          data: {
            staffId: staff.id,
            relativeIdNumber,
            relativeName,
            relation: input.relation,
            status: 'SUBMITTED',
            filedAt: new Date(input.filedAt),
            workflowId: input.workflowId,
            source: input.source,
            applicationId: input.applicationId,
            decisionNote: null,
          },
        });
        const data: FilingCaseData = {
          filingId: filing.id,
          staffId: staff.id,
          memberId: input.memberId,
          applicationId: input.applicationId,
          source: input.source,
          filedByStaffId: input.filedByStaffId,
          steps: [],
        };
        const row = await tx.case.create({
          data: {
            kind: 'NEAR_RELATIVE_FILING',
            workflowId: input.workflowId,
            subjectIdNumber: relativeIdNumber,
            householdId,
            regionId: (await townshipOfRegion(tx, regionId)) ?? regionId,
            assigneeStaffId,
            status: 'OPEN',
            anchorDate: localDateToDb(input.anchorDate),
            dueAt: new Date(input.dueAt),
            openedAt: new Date(input.filedAt),
            data: asJson(data),
          },
        });
        const actor = input.filedByStaffId !== null ? `staff:${input.filedByStaffId}` : 'system';
        await appendAudit(tx, {
          actor,
          action: 'filing.submitted',
          subjectType: 'NearRelativeFiling',
          subjectId: String(filing.id),
          payload: { workflowId: input.workflowId, staffId: staff.id, memberId: input.memberId, applicationId: input.applicationId, relation: input.relation, source: input.source, note: input.note ?? null },
        });
        await appendAudit(tx, {
          actor,
          action: 'case.opened',
          subjectType: 'Case',
          subjectId: String(row.id),
          payload: { kind: 'NEAR_RELATIVE_FILING', workflowId: input.workflowId, filingId: filing.id, dueAt: input.dueAt, assigneeStaffId, source: input.source },
        });
        return filingContext(tx, input.countyRegionId, filing.id, row.id);
      });
    },

    /**
     * Who receives each level of a filing's ladder: the chain is the county's
     * (the approver, another section head, the 专班 office, the 专班 leader),
     * never the relative's township, and never someone who must recuse.
     */
    async resolveFilingEscalationRecipients(input: { caseId: number; countyRegionId: number }): Promise<Record<EscalationLevel, number | null>> {
      const row = await db.prisma.case.findUniqueOrThrow({ where: { id: input.caseId } });
      const data = caseDataOf<FilingCaseData>('filing', row);
      const ctx = await filingContext(db.prisma, input.countyRegionId, data.filingId, row.id);
      const recused = [...ctx.conflictedStaffIds, ...(ctx.filedByStaffId !== null ? [ctx.filedByStaffId] : []), ...(row.assigneeStaffId !== null ? [row.assigneeStaffId] : [])];
      const pick = async (role: 'SECTION_HEAD' | 'TASKFORCE_OFFICE' | 'TASKFORCE_LEADER') =>
        (await db.prisma.staff.findFirst({ where: { regionId: input.countyRegionId, role, active: true, id: { notIn: recused } }, orderBy: { id: 'asc' } }))?.id ?? null;
      const leader = await pick('TASKFORCE_LEADER');
      return {
        assignee: row.assigneeStaffId,
        unitHead: await pick('SECTION_HEAD'),
        taskForceOffice: await pick('TASKFORCE_OFFICE'),
        taskForceDeputy: leader,
        taskForceLeader: leader,
      };
    },

    /** Approve, reject or ask for more information; keyed by the update id. */
    async recordFilingDecision(input: {
      caseId: number;
      updateId: string;
      decision: FilingDecision;
      note?: string;
      byStaffId: number;
      /** 代理审批: the approver byStaffId stood in for. */
      onBehalfOfStaffId?: number;
      decidedAt: string;
      round: number;
    }): Promise<{ status: FilingStatusCode; decidedAt: string }> {
      const filing = await step(input.caseId, input.updateId, async (tx, data) => {
        const status = STATUS_OF[input.decision];
        await tx.nearRelativeFiling.update({
          where: { id: data.filingId },
          data: {
            status,
            decisionNote: input.note ?? null,
            decidedByStaffId: input.byStaffId,
            ...(input.decision === 'moreInfo' ? {} : { decidedAt: new Date(input.decidedAt) }),
          },
        });
        if (input.decision !== 'moreInfo') {
          await tx.case.update({ where: { id: input.caseId }, data: { dueAt: null } });
        }
        await appendAudit(tx, {
          actor: `staff:${input.byStaffId}`,
          action: ACTION_OF[input.decision],
          subjectType: 'NearRelativeFiling',
          subjectId: String(data.filingId),
          payload: {
            caseId: input.caseId,
            updateId: input.updateId,
            note: input.note ?? null,
            round: input.round,
            decidedAt: input.decidedAt,
            ...(input.onBehalfOfStaffId !== undefined ? { onBehalfOfStaffId: input.onBehalfOfStaffId } : {}),
          },
        });
        return {
          updateId: input.updateId,
          action: input.decision,
          byStaffId: input.byStaffId,
          ...(input.onBehalfOfStaffId !== undefined ? { onBehalfOfStaffId: input.onBehalfOfStaffId } : {}),
          at: input.decidedAt,
          note: input.note ?? null,
          round: input.round,
        };
      });
      return { status: filing.status, decidedAt: input.decidedAt };
    },

    /** The filer's supplement after a request for more information: back to SUBMITTED, the clock restarts. */
    async recordFilingSupplement(input: {
      caseId: number;
      updateId: string;
      note: string;
      byStaffId: number;
      at: string;
      anchorDate: string;
      dueAt: string;
      round: number;
    }): Promise<{ status: FilingStatusCode }> {
      const filing = await step(input.caseId, input.updateId, async (tx, data) => {
        await tx.nearRelativeFiling.update({ where: { id: data.filingId }, data: { status: 'SUBMITTED' } });
        await tx.case.update({ where: { id: input.caseId }, data: { anchorDate: localDateToDb(input.anchorDate), dueAt: new Date(input.dueAt) } });
        await appendAudit(tx, {
          actor: `staff:${input.byStaffId}`,
          action: 'filing.supplemented',
          subjectType: 'NearRelativeFiling',
          subjectId: String(data.filingId),
          payload: { caseId: input.caseId, updateId: input.updateId, note: input.note, round: input.round, dueAt: input.dueAt },
        });
        return { updateId: input.updateId, action: 'supplement', byStaffId: input.byStaffId, at: input.at, note: input.note, round: input.round };
      });
      return { status: filing.status };
    },

    /** The county home visit (县级入户调查, 57号 Art. 20); keyed by the update id. */
    async recordFilingHomeVisit(input: {
      caseId: number;
      updateId: string;
      visitDate: string;
      result: string;
      /** Who visited (names), when given. */
      visitors?: string;
      byStaffId: number;
      at: string;
    }): Promise<{ homeVisitDate: string }> {
      await step(input.caseId, input.updateId, async (tx, data) => {
        await tx.nearRelativeFiling.update({
          where: { id: data.filingId },
          data: { homeVisitDate: localDateToDb(input.visitDate), homeVisitResult: input.visitors ? `${input.result}（入户人员：${input.visitors}）` : input.result },
        });
        await appendAudit(tx, {
          actor: `staff:${input.byStaffId}`,
          action: 'filing.home-visit-recorded',
          subjectType: 'NearRelativeFiling',
          subjectId: String(data.filingId),
          payload: { caseId: input.caseId, updateId: input.updateId, visitDate: input.visitDate, result: input.result, ...(input.visitors ? { visitors: input.visitors } : {}) },
        });
        return { updateId: input.updateId, action: 'homeVisit', byStaffId: input.byStaffId, at: input.at, visitDate: input.visitDate, ...(input.visitors ? { visitors: input.visitors } : {}) };
      });
      return { homeVisitDate: input.visitDate };
    },
  };
}

export type FilingActivities = ReturnType<typeof createFilingActivities>;
