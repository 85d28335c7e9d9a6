/**
 * Complaint activities (实名举报, 信访): the ledger entry (Complaint row with a
 * per-county ledger number) and its Case, the discipline clue of an
 * accusation, each step of the handling, and who may read what.
 *
 * Every write goes to the rows and the audit log in one transaction and is
 * safe to retry (looked up by workflow id; each step is recorded once).
 * Personal data of the complainant stays in the Complaint row: audit payloads
 * and Case data carry masked values only, notification texts none at all.
 */
import type { Database } from './deps.js';
import { appendAudit } from '../infra/audit-chain.js';
import type { Prisma } from '../infra/db/client.js';
import {
  complaintAccess,
  type ComplaintAccess,
  type ComplaintAccessSubject,
  type ComplaintReader,
  type ComplaintStage,
  type StaffRoleCode,
  type VerificationFinding,
} from '../domain/cases/complaint.js';
import { maskMobile } from '../domain/identity/contact.js';
import { maskIdNumber } from '../domain/identity/id-number.js';
import type { EscalationLevel } from '../domain/policy/schema.js';
import { chinaInstant, toChinaDate } from '../domain/time/instants.js';
import { ApplicationFailure } from '@temporalio/common';
import { asJson } from './rows.js';
import { caseDataSchemas, columnValue, parseColumn, type ComplaintCaseData } from '../domain/columns.js';
import { accessSubject, complaintsVisibleTo, countyReaders, type ComplaintView } from '../readmodels/complaints.js';
import { placeOf } from '../readmodels/regions.js';

type Tx = Prisma.TransactionClient;

/** The `data` of a COMPLAINT Case row (no personal data): its schema is caseDataSchemas.complaint (domain/columns.ts). */
export type { ComplaintCaseData } from '../domain/columns.js';

export interface ComplaintContext {
  complaintId: number;
  caseId: number;
  clueId: number | null;
  ledgerNo: string;
  accusation: boolean;
  assigneeStaffId: number | null;
  fullReaderIds: number[];
  verifierIds: number[];
  leaderIds: number[];
  clueHandlerIds: number[];
}

export interface RegisterComplaintInput {
  workflowId: string;
  countyRegionId: number;
  channel: string;
  /** ISO-8601 instant of receipt. */
  receivedAt: string;
  complainant: { name: string; phone?: string | null; idNumber?: string | null };
  summary: string;
  subjectRegionId?: number | null;
  accusedStaffId?: number | null;
  /** First late instant of the acceptance notice. */
  acceptanceDueAt: string;
  openedAt: string;
}

// ---------------------------------------------------------------- readers and access

function firstWith(readers: ComplaintReader[], subject: ComplaintAccessSubject, roles: readonly StaffRoleCode[], access: ComplaintAccess = 'full'): number | null {
  return readers.find((r) => roles.includes(r.role) && complaintAccess(r, subject) === access)?.id ?? null;
}

function staffLists(readers: ComplaintReader[], subject: ComplaintAccessSubject) {
  const full = readers.filter((r) => complaintAccess(r, subject) === 'full');
  const redacted = readers.filter((r) => complaintAccess(r, subject) === 'redacted');
  return {
    fullReaderIds: full.map((r) => r.id),
    verifierIds: [...full, ...redacted].map((r) => r.id),
    leaderIds: full.filter((r) => r.role === 'TASKFORCE_LEADER').map((r) => r.id),
    clueHandlerIds: full.filter((r) => r.role === 'TASKFORCE_LEADER' || r.role === 'DISCIPLINE_LIAISON').map((r) => r.id),
  };
}

// ---------------------------------------------------------------- activities

async function nextLedgerNo(tx: Tx, countyRegionId: number, year: string): Promise<string> {
  const last = await tx.complaint.findFirst({ where: { countyRegionId, ledgerNo: { startsWith: `${year}-` } }, orderBy: { ledgerNo: 'desc' }, select: { ledgerNo: true } });
  const n = last ? Number(last.ledgerNo.slice(5)) + 1 : 1;
  return `${year}-${String(n).padStart(4, '0')}`;
}

async function loadComplaint(tx: Tx, complaintId: number) {
  const c = await tx.complaint.findUniqueOrThrow({ where: { id: complaintId } });
  if (c.caseId === null) throw ApplicationFailure.nonRetryable('信访台账没有关联案件', 'NoCase');
  const row = await tx.case.findUniqueOrThrow({ where: { id: c.caseId } });
  return { c, row, data: parseColumn(caseDataSchemas.complaint, 'Case.data', row.data, `#${row.id}`) };
}

/** A COMPLAINT case's data for the column, checked by the schema it is read with. */
const complaintData = (data: ComplaintCaseData) => asJson(columnValue(caseDataSchemas.complaint, 'Case.data', data));

export function createComplaintActivities(db: Database) {
  const prisma = db.prisma;
  return {
    /**
     * The ledger entry (台账): Complaint row with the county's next ledger
     * number, its Case, and for an accusation the DisciplineClue, at once.
     */
    async registerComplaint(input: RegisterComplaintInput): Promise<ComplaintContext> {
      return prisma.$transaction(async (tx) => {
        const county = await tx.region.findUnique({ where: { id: input.countyRegionId } });
        if (!county || county.level !== 'COUNTY') throw ApplicationFailure.nonRetryable('县级地区无效', 'BadCounty');
        const readers = await countyReaders(tx, input.countyRegionId);
        const accusedStaffId = input.accusedStaffId ?? null;
        const subjectRegionId = input.subjectRegionId ?? null;
        if (subjectRegionId !== null && (await placeOf(tx, subjectRegionId)).countyId !== input.countyRegionId) {
          throw ApplicationFailure.nonRetryable('被反映的地区不属于本县', 'WrongCounty');
        }
        if (accusedStaffId !== null && !readers.some((r) => r.id === accusedStaffId)) {
          throw ApplicationFailure.nonRetryable('被举报的工作人员不属于本县', 'WrongCounty');
        }
        const subject = await accessSubject(tx, { countyRegionId: input.countyRegionId, subjectRegionId, accusedStaffId });
        const lists = staffLists(readers, subject);
        const accusation = accusedStaffId !== null;
        const existing = await tx.complaint.findUnique({ where: { workflowId: input.workflowId } });
        if (existing) {
          const clue = await tx.disciplineClue.findUnique({ where: { complaintId: existing.id } });
          const row = await tx.case.findUniqueOrThrow({ where: { id: existing.caseId! } });
          return { complaintId: existing.id, caseId: row.id, clueId: clue?.id ?? null, ledgerNo: existing.ledgerNo, accusation, assigneeStaffId: row.assigneeStaffId, ...lists };
        }
        const assigneeStaffId = accusation
          ? (firstWith(readers, subject, ['DISCIPLINE_LIAISON']) ?? firstWith(readers, subject, ['TASKFORCE_LEADER']))
          : (firstWith(readers, subject, ['TOWNSHIP_CASEWORKER'], 'redacted') ?? firstWith(readers, subject, ['TASKFORCE_OFFICE']) ?? firstWith(readers, subject, ['TASKFORCE_LEADER']));
        const receiptDate = toChinaDate(new Date(input.receivedAt));
        const ledgerNo = await nextLedgerNo(tx, input.countyRegionId, receiptDate.slice(0, 4));
        const data: ComplaintCaseData = { countyRegionId: input.countyRegionId, ledgerNo, accusation, stage: 'acceptance' };
        const row = await tx.case.create({
          data: {
            kind: 'COMPLAINT',
            workflowId: input.workflowId,
            // An accusation is a county matter: no township sees it through its region.
            regionId: accusation ? null : subject.subjectTownshipId,
            assigneeStaffId,
            status: 'OPEN',
            anchorDate: new Date(`${receiptDate}T00:00:00.000Z`),
            dueAt: new Date(input.acceptanceDueAt),
            openedAt: new Date(input.openedAt),
            data: complaintData(data),
          },
        });
        const c = await tx.complaint.create({
          data: {
            countyRegionId: input.countyRegionId,
            workflowId: input.workflowId,
            caseId: row.id,
            ledgerNo,
            channel: input.channel,
            receivedAt: new Date(input.receivedAt),
            complainantName: input.complainant.name,
            complainantPhone: input.complainant.phone ?? null,
            complainantIdNumber: input.complainant.idNumber ?? null,
            summary: input.summary,
            subjectRegionId,
            accusedStaffId,
          },
        });
        await tx.case.update({ where: { id: row.id }, data: { data: complaintData({ ...data, complaintId: c.id }) } });
        await appendAudit(tx, {
          actor: 'system',
          action: 'complaint.registered',
          subjectType: 'Complaint',
          subjectId: String(c.id),
          payload: {
            ledgerNo,
            caseId: row.id,
            workflowId: input.workflowId,
            channel: input.channel,
            receivedAt: input.receivedAt,
            accusation,
            subjectRegionId,
            assigneeStaffId,
            complainantPhone: input.complainant.phone ? maskMobile(input.complainant.phone) : null,
            complainantIdNumber: input.complainant.idNumber ? maskIdNumber(input.complainant.idNumber) : null,
          },
        });
        let clueId: number | null = null;
        if (accusation) {
          const accused = await tx.staff.findUniqueOrThrow({ where: { id: accusedStaffId } });
          const clue = await tx.disciplineClue.create({
            data: { complaintId: c.id, countyRegionId: input.countyRegionId, accusedStaffId, accusedRegionId: accused.regionId, summary: input.summary },
          });
          clueId = clue.id;
          await appendAudit(tx, { actor: 'system', action: 'clue.created', subjectType: 'DisciplineClue', subjectId: String(clue.id), payload: { complaintId: c.id, ledgerNo, accusedStaffId } });
        }
        return { complaintId: c.id, caseId: row.id, clueId, ledgerNo, accusation, assigneeStaffId, ...lists };
      });
    },

    /** Who receives each level of a stage's ladder now; only staff who may read the complaint. */
    async resolveComplaintRecipients(input: { complaintId: number; stage: ComplaintStage }): Promise<Record<EscalationLevel, number | null>> {
      const c = await prisma.complaint.findUniqueOrThrow({ where: { id: input.complaintId } });
      const readers = await countyReaders(prisma, c.countyRegionId);
      const subject = await accessSubject(prisma, c);
      const leader = firstWith(readers, subject, ['TASKFORCE_LEADER']);
      if (c.accusedStaffId !== null) {
        // Accusations: 纪检联络 and 专班组长 only.
        return { assignee: firstWith(readers, subject, ['DISCIPLINE_LIAISON']) ?? leader, unitHead: null, taskForceOffice: null, taskForceDeputy: leader, taskForceLeader: leader };
      }
      const office = firstWith(readers, subject, ['TASKFORCE_OFFICE']);
      const sectionHead = firstWith(readers, subject, ['SECTION_HEAD']);
      if (input.stage === 'acceptance') {
        return { assignee: office ?? leader, unitHead: sectionHead, taskForceOffice: office, taskForceDeputy: leader, taskForceLeader: leader };
      }
      const row = c.caseId === null ? null : await prisma.case.findUnique({ where: { id: c.caseId } });
      const assignee = row?.assigneeStaffId ?? null;
      const stillReads = assignee !== null && readers.some((r) => r.id === assignee && complaintAccess(r, subject) !== 'none');
      return {
        assignee: stillReads ? assignee : (office ?? leader),
        unitHead: firstWith(readers, subject, ['TOWNSHIP_HEAD'], 'redacted') ?? sectionHead,
        taskForceOffice: office,
        taskForceDeputy: leader,
        taskForceLeader: leader,
      };
    },

    /** The acceptance decision told to the complainant: 受理 (handling clock starts) or 不予受理 (handlingDueAt null; the workflow then closes). */
    async recordComplaintAcceptanceNotice(input: {
      complaintId: number;
      updateId: string;
      byStaffId: number;
      noticeOn: string;
      acceptedOn: string;
      method: string;
      handlingDueAt: string | null;
      decision?: '受理' | '不予受理';
      reason?: string;
    }): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const { c, row, data } = await loadComplaint(tx, input.complaintId);
        if (data.acceptance) return;
        const decision = input.decision ?? '受理';
        const acceptance = {
          updateId: input.updateId,
          decision,
          ...(input.reason !== undefined ? { reason: input.reason } : {}),
          noticeOn: input.noticeOn,
          ...(decision === '受理' ? { acceptedOn: input.acceptedOn } : {}),
          method: input.method,
          byStaffId: input.byStaffId,
          handlingDueAt: input.handlingDueAt,
        };
        await tx.complaint.update({ where: { id: c.id }, data: { acceptanceNoticeAt: chinaInstant(input.noticeOn) } });
        await tx.case.update({
          where: { id: row.id },
          data: { dueAt: input.handlingDueAt === null ? null : new Date(input.handlingDueAt), data: complaintData({ ...data, stage: decision === '受理' ? 'handling' : 'closing', acceptance }) },
        });
        await appendAudit(tx, {
          actor: `staff:${input.byStaffId}`,
          action: decision === '受理' ? 'complaint.acceptance-noticed' : 'complaint.not-accepted',
          subjectType: 'Complaint',
          subjectId: String(c.id),
          payload: acceptance,
        });
      });
    },

    async recordComplaintExtension(input: { complaintId: number; updateId: string; byStaffId: number; onBehalfOfStaffId?: number; reason: string; approvedAt: string }): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const { c, row, data } = await loadComplaint(tx, input.complaintId);
        if (data.extension) return;
        const extension = { updateId: input.updateId, reason: input.reason, byStaffId: input.byStaffId, ...(input.onBehalfOfStaffId !== undefined ? { onBehalfOfStaffId: input.onBehalfOfStaffId } : {}), approvedAt: input.approvedAt };
        await tx.complaint.update({ where: { id: c.id }, data: { extendedAt: new Date(input.approvedAt) } });
        await tx.case.update({ where: { id: row.id }, data: { data: complaintData({ ...data, extension }) } });
        await appendAudit(tx, { actor: `staff:${input.byStaffId}`, action: 'complaint.extension-approved', subjectType: 'Complaint', subjectId: String(c.id), payload: extension });
      });
    },

    /** The complainant was told of the extension: only now the longer deadline applies. */
    async recordComplaintExtensionNotice(input: { complaintId: number; updateId: string; byStaffId: number; noticeOn: string; method: string; dueAt: string }): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const { c, row, data } = await loadComplaint(tx, input.complaintId);
        if (!data.extension) throw ApplicationFailure.nonRetryable('延期尚未批准', 'NotExtended');
        if (data.extension.notice) return;
        const notice = { updateId: input.updateId, noticeOn: input.noticeOn, method: input.method, byStaffId: input.byStaffId, dueAt: input.dueAt };
        await tx.complaint.update({ where: { id: c.id }, data: { extensionNoticeAt: chinaInstant(input.noticeOn) } });
        await tx.case.update({ where: { id: row.id }, data: { dueAt: new Date(input.dueAt), data: complaintData({ ...data, extension: { ...data.extension, notice } }) } });
        await appendAudit(tx, { actor: `staff:${input.byStaffId}`, action: 'complaint.extension-noticed', subjectType: 'Complaint', subjectId: String(c.id), payload: notice });
      });
    },

    async recordComplaintVerification(input: { complaintId: number; updateId: string; byStaffId: number; finding: VerificationFinding; result: string; recordedAt: string }): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const { c, row, data } = await loadComplaint(tx, input.complaintId);
        if (data.verification) return;
        const verification = { updateId: input.updateId, finding: input.finding, byStaffId: input.byStaffId, recordedAt: input.recordedAt };
        await tx.complaint.update({ where: { id: c.id }, data: { verificationResult: `${input.finding}：${input.result}` } });
        await tx.case.update({ where: { id: row.id }, data: { data: complaintData({ ...data, verification }) } });
        await appendAudit(tx, { actor: `staff:${input.byStaffId}`, action: 'complaint.verified', subjectType: 'Complaint', subjectId: String(c.id), payload: { ...verification, result: input.result } });
      });
    },

    async recordComplaintFeedback(input: { complaintId: number; updateId: string; byStaffId: number; feedbackOn: string; method: string; content?: string }): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const { c, row, data } = await loadComplaint(tx, input.complaintId);
        if (data.feedback) return;
        const feedback = { updateId: input.updateId, feedbackOn: input.feedbackOn, method: input.method, byStaffId: input.byStaffId, ...(input.content !== undefined ? { content: input.content } : {}) };
        await tx.complaint.update({ where: { id: c.id }, data: { feedbackAt: chinaInstant(input.feedbackOn) } });
        await tx.case.update({ where: { id: row.id }, data: { data: complaintData({ ...data, feedback }) } });
        await appendAudit(tx, { actor: `staff:${input.byStaffId}`, action: 'complaint.fed-back', subjectType: 'Complaint', subjectId: String(c.id), payload: feedback });
      });
    },

    async transferDisciplineClue(input: { clueId: number; updateId: string; byStaffId: number; onBehalfOfStaffId?: number; transferredTo: string; transferredOn: string; receipt?: string }): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const clue = await tx.disciplineClue.findUniqueOrThrow({ where: { id: input.clueId } });
        if (clue.transferredAt) return;
        await tx.disciplineClue.update({ where: { id: clue.id }, data: { transferredAt: chinaInstant(input.transferredOn), transferredTo: input.transferredTo } });
        await appendAudit(tx, {
          actor: `staff:${input.byStaffId}`,
          action: 'clue.transferred',
          subjectType: 'DisciplineClue',
          subjectId: String(clue.id),
          payload: { updateId: input.updateId, transferredTo: input.transferredTo, transferredOn: input.transferredOn, receipt: input.receipt ?? null, ...(input.onBehalfOfStaffId !== undefined ? { onBehalfOfStaffId: input.onBehalfOfStaffId } : {}) },
        });
      });
    },

    /** Closes the ledger entry and its Case (feedback given, clue transferred). */
    /** `byStaffId`: the explicit 办结 (runs since 'complaint-close-step'); absent, the workflow closed it itself. */
    async closeComplaint(input: { complaintId: number; closedAt: string; reason: string; byStaffId?: number; onBehalfOfStaffId?: number; updateId?: string }): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const { c, row, data } = await loadComplaint(tx, input.complaintId);
        if (row.status === 'CLOSED') return;
        await tx.complaint.update({ where: { id: c.id }, data: { closedAt: new Date(input.closedAt) } });
        await tx.case.update({ where: { id: row.id }, data: { status: 'CLOSED', closedAt: new Date(input.closedAt), data: complaintData({ ...data, stage: 'closed' }) } });
        await appendAudit(tx, {
          actor: input.byStaffId !== undefined ? `staff:${input.byStaffId}` : 'system',
          action: 'complaint.closed',
          subjectType: 'Complaint',
          subjectId: String(c.id),
          payload: {
            caseId: row.id,
            closedAt: input.closedAt,
            reason: input.reason,
            ...(input.updateId !== undefined ? { updateId: input.updateId } : {}),
            ...(input.onBehalfOfStaffId !== undefined ? { onBehalfOfStaffId: input.onBehalfOfStaffId } : {}),
          },
        });
      });
    },

    /** Activity form of `complaintsVisibleTo` (ids and masked data only). */
    async complaintsVisibleTo(staffId: number): Promise<ComplaintView[]> {
      return complaintsVisibleTo(prisma, staffId);
    },
  };
}

export type ComplaintActivities = ReturnType<typeof createComplaintActivities>;
