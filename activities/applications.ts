/**
 * Application review activities (申请审核确认): the Application row and its
 * Case (kind APPLICATION), updated at every step in one transaction with its
 * audit entry. Safe to retry: rows are found by the workflow id and each step
 * is recorded once per key (the update id, or a deterministic key for steps
 * the workflow takes itself).
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Database } from './deps.js';
import { appendAudit } from '../infra/audit-chain.js';
import type { Db } from '../infra/db/client.js';
import { maskIdNumber } from '../domain/identity/index.js';
import {
  FILING_STAFF_ROLES,
  isNearRelation,
  refusalNoticeContent,
  type ApplicationStatusCode,
  type ApplicationTrack,
  type AssistanceKindCode,
  type NearRelativeFacts,
} from '../domain/cases/index.js';
import type { NotificationAttachment } from '../domain/tables/attachments.js';
import type { LocalDate } from '../domain/time/local-date.js';
import { dataDirOf } from './cycle-tables.js';
import { writeRefusalNoticeFile } from './refusal-notice.js';
import type { Relation } from '../domain/policy/schema.js';
import { countyOfRegion, townshipOfRegion } from './filings.js';
import { asJson, localDateToDb, caseDataOf } from './rows.js';

/** The `data` of an Application row and of its Case (the same record of steps). */
export interface ApplicationData {
  /** Set by hand: the applicant is a near relative of staff (申请人声明或乡镇登记). */
  nearRelativeFlag?: boolean;
  steps?: Array<{ key: string; action: string; at: string; actor: string; [k: string]: unknown }>;
  [k: string]: unknown;
}

export interface ApplicationContext {
  caseId: number;
  applicationId: number;
  kind: AssistanceKindCode;
  /** 'YYYY-MM-DD' of acceptance (the clock's anchor). */
  acceptedDate: string;
  townshipId: number;
  /** Applicant's name and masked ID number. */
  subjectLabel: string;
  assigneeStaffId: number | null;
  townshipStaffIds: number[];
  countyDeciderIds: number[];
  extensionApproverIds: number[];
  /** County staff who receive the 'decision' step's notifications (first section head). */
  countyAssigneeStaffId: number | null;
  nearRelative: NearRelativeFacts;
}

async function nearRelativeFacts(
  tx: Db,
  countyRegionId: number,
  app: { id: number; applicantIdNumber: string; data: unknown },
  relations: readonly Relation[],
): Promise<NearRelativeFacts> {
  const flagged = caseDataOf<ApplicationData>('application', app, 'Application').nearRelativeFlag === true;
  const declared = await tx.staffRelative.findMany({
    where: { relativeIdNumber: app.applicantIdNumber, staff: { active: true, role: { in: [...FILING_STAFF_ROLES] } } },
    include: { staff: true },
    orderBy: { staffId: 'asc' },
  });
  const relatedStaff: NearRelativeFacts['relatedStaff'] = [];
  for (const d of declared) {
    if (!isNearRelation(d.relation, relations)) continue;
    if ((await countyOfRegion(tx, d.staff.regionId)) !== countyRegionId) continue;
    relatedStaff.push({ id: d.staffId, name: d.staff.name });
  }
  const filings = await tx.nearRelativeFiling.findMany({
    where: { OR: [{ relativeIdNumber: app.applicantIdNumber }, { applicationId: app.id }] },
    include: { staff: true },
    orderBy: { id: 'asc' },
  });
  // A filing not rejected says the same as a declaration: the applicant is a near relative of that staff member.
  for (const f of filings) {
    if (f.status !== 'REJECTED' && !relatedStaff.some((s) => s.id === f.staffId)) relatedStaff.push({ id: f.staffId, name: f.staff.name });
  }
  return {
    required: flagged || relatedStaff.length > 0,
    flagged,
    relatedStaff,
    filings: filings.map((f) => ({
      filingId: f.id,
      staffId: f.staffId,
      status: f.status,
      homeVisitDate: f.homeVisitDate ? f.homeVisitDate.toISOString().slice(0, 10) : null,
    })),
  };
}

const COUNTY_DECIDER_ROLES = ['SECTION_CASEWORKER', 'SECTION_HEAD', 'TASKFORCE_LEADER'] as const;
const EXTENSION_ROLES = ['SECTION_HEAD', 'TASKFORCE_LEADER'] as const;

export function createApplicationActivities(db: Database) {
  return {
    /**
     * Links the application to its workflow and opens the Case (anchor =
     * acceptance date). Returns who may act at each step and what is known
     * about near relatives. A second call finds both and writes nothing.
     */
    async openApplicationReview(input: {
      workflowId: string;
      countyRegionId: number;
      applicationId: number;
      nearRelativeFlag: boolean;
      relations: Relation[];
      openedAt: string;
    }): Promise<ApplicationContext> {
      return db.prisma.$transaction(async (tx) => {
        const app = await tx.application.findUnique({ where: { id: input.applicationId } });
        if (!app) throw ApplicationFailure.nonRetryable(`找不到申请（编号 ${input.applicationId}）`, 'ApplicationNotFound');
        if ((await countyOfRegion(tx, app.regionId)) !== input.countyRegionId) {
          throw ApplicationFailure.nonRetryable('该申请不属于本县', 'WrongCounty');
        }
        const townshipId = await townshipOfRegion(tx, app.regionId);
        if (townshipId === null) throw ApplicationFailure.nonRetryable('申请的所在地须为乡镇或村', 'BadRegion');
        const acceptedDate = app.acceptedAt.toISOString().slice(0, 10);
        let row = await tx.case.findUnique({ where: { workflowId: input.workflowId } });
        let current = app;
        if (!row) {
          const data: ApplicationData = { ...caseDataOf<ApplicationData>('application', app, 'Application'), ...(input.nearRelativeFlag ? { nearRelativeFlag: true } : {}), steps: [] };
          current = await tx.application.update({ where: { id: app.id }, data: { workflowId: input.workflowId, data: asJson(data) } });
          const assignee = await tx.staff.findFirst({ where: { regionId: townshipId, role: 'TOWNSHIP_CASEWORKER', active: true }, orderBy: { id: 'asc' } });
          row = await tx.case.create({
            data: {
              kind: 'APPLICATION',
              workflowId: input.workflowId,
              subjectIdNumber: app.applicantIdNumber,
              regionId: townshipId,
              assigneeStaffId: assignee?.id ?? null,
              status: 'OPEN',
              anchorDate: localDateToDb(acceptedDate),
              openedAt: new Date(input.openedAt),
              data: asJson({ applicationId: app.id, kind: app.kind, steps: [] }),
            },
          });
          await appendAudit(tx, {
            actor: 'system',
            action: 'case.opened',
            subjectType: 'Case',
            subjectId: String(row.id),
            payload: { kind: 'APPLICATION', workflowId: input.workflowId, applicationId: app.id, acceptedDate, assigneeStaffId: row.assigneeStaffId },
          });
          await appendAudit(tx, {
            actor: 'system',
            action: 'application.review-opened',
            subjectType: 'Application',
            subjectId: String(app.id),
            payload: { workflowId: input.workflowId, caseId: row.id, nearRelativeFlag: input.nearRelativeFlag },
          });
        }
        const staff = await tx.staff.findMany({
          where: {
            active: true,
            OR: [
              { regionId: townshipId, role: { in: ['TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD'] } },
              { regionId: input.countyRegionId, role: { in: [...COUNTY_DECIDER_ROLES] } },
            ],
          },
          orderBy: { id: 'asc' },
        });
        const county = staff.filter((s) => s.regionId === input.countyRegionId);
        return {
          caseId: row.id,
          applicationId: app.id,
          kind: app.kind,
          acceptedDate,
          townshipId,
          subjectLabel: `${app.applicantName}（${maskIdNumber(app.applicantIdNumber)}）`,
          assigneeStaffId: row.assigneeStaffId,
          townshipStaffIds: staff.filter((s) => s.regionId === townshipId).map((s) => s.id),
          countyDeciderIds: county.map((s) => s.id),
          extensionApproverIds: county.filter((s) => (EXTENSION_ROLES as readonly string[]).includes(s.role)).map((s) => s.id),
          countyAssigneeStaffId: county.find((s) => s.role === 'SECTION_HEAD')?.id ?? county[0]?.id ?? null,
          nearRelative: await nearRelativeFacts(tx, input.countyRegionId, current, input.relations),
        };
      });
    },

    /** The near-relative facts now (filings and home visits change while the application runs). */
    async readNearRelativeFacts(input: { countyRegionId: number; applicationId: number; relations: Relation[] }): Promise<NearRelativeFacts> {
      const app = await db.prisma.application.findUniqueOrThrow({ where: { id: input.applicationId } });
      return nearRelativeFacts(db.prisma, input.countyRegionId, app, input.relations);
    },

    /**
     * One step of the review: the Application's status and step record, the
     * Case's due instant (and assignee for the county step), and an audit entry
     * `application.<action>`. Keyed by `key` (update id or a workflow key).
     */
    async recordApplicationStep(input: {
      caseId: number;
      applicationId: number;
      key: string;
      action: string;
      actor: string;
      at: string;
      /** The Application's new status (undefined: unchanged, e.g. an extension). */
      status?: ApplicationStatusCode;
      details: Record<string, unknown>;
      /** The instant the next step is late from (null: no running clock). */
      dueAt?: string | null;
      assigneeStaffId?: number | null;
      monthlyAmount?: number;
      close?: boolean;
    }): Promise<{ recorded: boolean }> {
      return db.prisma.$transaction(async (tx) => {
        const app = await tx.application.findUniqueOrThrow({ where: { id: input.applicationId } });
        const data = caseDataOf<ApplicationData>('application', app, 'Application');
        const steps = data.steps ?? [];
        if (steps.some((s) => s.key === input.key)) return { recorded: false };
        const step = { key: input.key, action: input.action, at: input.at, actor: input.actor, ...input.details };
        const next: ApplicationData = { ...data, steps: [...steps, step] };
        await tx.application.update({
          where: { id: app.id },
          data: {
            ...(input.status !== undefined ? { status: input.status } : {}),
            data: asJson(next),
            ...(input.monthlyAmount !== undefined ? { monthlyAmount: input.monthlyAmount } : {}),
          },
        });
        const row = await tx.case.findUniqueOrThrow({ where: { id: input.caseId } });
        const caseData = caseDataOf<{ steps?: unknown[] }>('application', row);
        await tx.case.update({
          where: { id: row.id },
          data: {
            data: asJson({ ...caseData, ...(input.status !== undefined ? { status: input.status } : {}), steps: [...(caseData.steps ?? []), step] }),
            ...(input.dueAt !== undefined ? { dueAt: input.dueAt === null ? null : new Date(input.dueAt) } : {}),
            ...(input.assigneeStaffId !== undefined ? { assigneeStaffId: input.assigneeStaffId } : {}),
            ...(input.close ? { status: 'CLOSED', closedAt: new Date(input.at) } : {}),
          },
        });
        await appendAudit(tx, {
          actor: input.actor,
          action: `application.${input.action}`,
          subjectType: 'Application',
          subjectId: String(app.id),
          payload: { caseId: row.id, key: input.key, at: input.at, status: input.status ?? app.status, ...input.details },
        });
        if (input.close) {
          await appendAudit(tx, {
            actor: 'system',
            action: 'case.closed',
            subjectType: 'Case',
            subjectId: String(row.id),
            payload: { closedAt: input.at, reason: input.status },
          });
        }
        return { recorded: true };
      });
    },

    /**
     * The written refusal notice (不予批准告知书) as a .docx from the decision,
     * in `<dataDir>/notices/<county>/application-<id>/`, with an audit entry
     * 'application.refusal-notice-generated' (once per key). Retries rewrite
     * the same file.
     */
    async writeRefusalNotice(input: {
      countyRegionId: number;
      applicationId: number;
      caseId: number;
      track: ApplicationTrack;
      decisionDate: LocalDate;
      reason: string;
      decidedByStaffId: number;
      /** Deterministic key of this document (workflow id + name). */
      key: string;
    }): Promise<NotificationAttachment> {
      const app = await db.prisma.application.findUniqueOrThrow({ where: { id: input.applicationId } });
      const county = await db.prisma.region.findUniqueOrThrow({ where: { id: input.countyRegionId } });
      const content = refusalNoticeContent({
        applicantName: app.applicantName,
        track: input.track,
        acceptedDate: app.acceptedAt.toISOString().slice(0, 10),
        decisionDate: input.decisionDate,
        reason: input.reason,
        authority: `${county.name}民政局`,
      });
      const folder = ['notices', String(input.countyRegionId), `application-${app.id}`].join('/');
      const file = await writeRefusalNoticeFile(dataDirOf(db), folder, `不予批准告知书-${app.id}.docx`, content);
      await db.prisma.$transaction(async (tx) => {
        const done = await tx.auditEntry.findFirst({ where: { action: 'application.refusal-notice-generated', subjectType: 'Application', subjectId: String(app.id) } });
        if (done) return;
        await appendAudit(tx, {
          actor: 'system',
          action: 'application.refusal-notice-generated',
          subjectType: 'Application',
          subjectId: String(app.id),
          payload: { caseId: input.caseId, key: input.key, document: file.path, decisionDate: input.decisionDate, decidedByStaffId: input.decidedByStaffId },
        });
      });
      return file;
    },
  };
}

export type ApplicationActivities = ReturnType<typeof createApplicationActivities>;
