/**
 * Rectification-item activities (整改清单): the RectificationItem row, its
 * Case (kind RECTIFICATION), progress rows and status changes, each written
 * with its audit entry in one transaction. Safe to retry: the item is looked
 * up by its workflow id, progress by the update id, transitions by status.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Database } from './deps.js';
import { appendAudit } from '../infra/audit-chain.js';
import type { Prisma } from '../infra/db/client.js';
import type { RectificationItemInput, RectificationStatusCode } from '../domain/cases/rectification.js';
import { toCents } from '../domain/cases/overpayment.js';
import { localDateToDb } from './rows.js';

type Tx = Prisma.TransactionClient;

/** Serialises the allocation of 序号 within a county (key space of its own). */
const SEQ_LOCK_BASE = 0x52454354; // 'RECT'

export interface OpenRectificationInput extends Omit<RectificationItemInput, 'deadline' | 'discoveryDate'> {
  workflowId: string;
  discoveryDate: string;
  /** Last on-time day, 'YYYY-MM-DD'. */
  deadline: string;
  /** First late instant, ISO-8601. */
  dueAt: string;
  openedAt: string;
}

export interface RectificationContextData {
  itemId: number;
  caseId: number;
  seq: number;
  status: RectificationStatusCode;
  townshipId: number;
  unitHeadStaffIds: number[];
  confirmerStaffIds: number[];
}

async function townshipAndCounty(tx: Tx, regionId: number): Promise<{ townshipId: number; countyId: number | null }> {
  const region = await tx.region.findUnique({ where: { id: regionId } });
  if (!region) throw ApplicationFailure.nonRetryable(`找不到责任单位所在地区（编号 ${regionId}）`, 'BadRegion');
  if (region.level === 'TOWNSHIP') return { townshipId: region.id, countyId: region.parentId };
  if (region.level === 'VILLAGE' && region.parentId !== null) {
    const township = await tx.region.findUniqueOrThrow({ where: { id: region.parentId } });
    return { townshipId: township.id, countyId: township.parentId };
  }
  throw ApplicationFailure.nonRetryable(`责任单位所在地区（${region.name}）须为乡镇或村`, 'BadRegion');
}

async function staffIds(tx: Tx, regionId: number, roles: Array<'TOWNSHIP_HEAD' | 'TASKFORCE_OFFICE' | 'TASKFORCE_LEADER'>): Promise<number[]> {
  const rows = await tx.staff.findMany({ where: { regionId, role: { in: roles }, active: true }, select: { id: true }, orderBy: { id: 'asc' } });
  return rows.map((r) => r.id);
}

async function contextOf(tx: Tx, item: { id: number; caseId: number | null; seq: number; status: RectificationStatusCode; responsibleRegionId: number; countyRegionId: number }): Promise<RectificationContextData> {
  const { townshipId } = await townshipAndCounty(tx, item.responsibleRegionId);
  return {
    itemId: item.id,
    caseId: item.caseId!,
    seq: item.seq,
    status: item.status,
    townshipId,
    unitHeadStaffIds: await staffIds(tx, townshipId, ['TOWNSHIP_HEAD']),
    confirmerStaffIds: await staffIds(tx, item.countyRegionId, ['TASKFORCE_OFFICE', 'TASKFORCE_LEADER']),
  };
}

export function createRectificationActivities(db: Database) {
  return {
    /**
     * Writes the RectificationItem (序号 = the given one or the next free one
     * in the county) and its Case (RECTIFICATION, assignee = responsible
     * person). A second call for the same workflow writes nothing.
     */
    async openRectificationItem(input: OpenRectificationInput): Promise<RectificationContextData> {
      return db.prisma.$transaction(async (tx) => {
        const existing = await tx.rectificationItem.findUnique({ where: { workflowId: input.workflowId } });
        if (existing) return contextOf(tx, existing);
        const { townshipId, countyId } = await townshipAndCounty(tx, input.responsibleRegionId);
        if (countyId !== input.countyRegionId) throw ApplicationFailure.nonRetryable('责任单位不属于本县', 'WrongCounty');
        const person = await tx.staff.findUnique({ where: { id: input.responsibleStaffId } });
        if (!person || !person.active) throw ApplicationFailure.nonRetryable(`找不到责任人（编号 ${input.responsibleStaffId}）`, 'StaffNotFound');
        await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${SEQ_LOCK_BASE}, ${input.countyRegionId})`);
        let seq = input.seq;
        if (seq === undefined) {
          const max = await tx.rectificationItem.aggregate({ where: { countyRegionId: input.countyRegionId }, _max: { seq: true } });
          seq = (max._max.seq ?? 0) + 1;
        } else if (await tx.rectificationItem.findUnique({ where: { countyRegionId_seq: { countyRegionId: input.countyRegionId, seq } } })) {
          throw ApplicationFailure.nonRetryable(`本县整改清单第${seq}项已存在`, 'DuplicateSeq');
        }
        const kase = await tx.case.create({
          data: {
            kind: 'RECTIFICATION',
            workflowId: input.workflowId,
            regionId: townshipId,
            assigneeStaffId: input.responsibleStaffId,
            status: 'OPEN',
            anchorDate: localDateToDb(input.discoveryDate),
            dueAt: new Date(input.dueAt),
            openedAt: new Date(input.openedAt),
            data: { countyRegionId: input.countyRegionId, seq, focusItem: input.focusItem ?? null, source: input.source, sourceRef: input.sourceRef ?? null, deadline: input.deadline },
          },
        });
        const item = await tx.rectificationItem.create({
          data: {
            countyRegionId: input.countyRegionId,
            workflowId: input.workflowId,
            caseId: kase.id,
            seq,
            problem: input.problem,
            focusItem: input.focusItem ?? null,
            source: input.source,
            sourceRef: input.sourceRef ?? null,
            responsibleRegionId: input.responsibleRegionId,
            responsibleUnit: input.responsibleUnit,
            responsibleStaffId: input.responsibleStaffId,
            measures: input.measures,
            deadline: localDateToDb(input.deadline),
            createdAt: new Date(input.openedAt),
          },
        });
        await appendAudit(tx, {
          actor: 'system',
          action: 'rectification.opened',
          subjectType: 'RectificationItem',
          subjectId: String(item.id),
          payload: { workflowId: input.workflowId, caseId: kase.id, seq, source: input.source, sourceRef: input.sourceRef ?? null, focusItem: input.focusItem ?? null, responsibleStaffId: input.responsibleStaffId, deadline: input.deadline, dueAt: input.dueAt },
        });
        return contextOf(tx, item);
      });
    },

    /** One progress report (keyed by the update id); adds the recovered amount once. */
    async recordRectificationProgress(input: { itemId: number; updateId: string; note: string; recoveredCents: number; byStaffId: number; at: string }): Promise<{ recoveredCents: number }> {
      return db.prisma.$transaction(async (tx) => {
        const seen = await tx.rectificationProgress.findUnique({ where: { updateId: input.updateId } });
        if (!seen) {
          await tx.rectificationProgress.create({
            data: { itemId: input.itemId, updateId: input.updateId, note: input.note, staffId: input.byStaffId, at: new Date(input.at) },
          });
          if (input.recoveredCents > 0) {
            await tx.rectificationItem.update({ where: { id: input.itemId }, data: { recoveredAmount: { increment: input.recoveredCents / 100 } } });
          }
          await appendAudit(tx, {
            actor: `staff:${input.byStaffId}`,
            action: 'rectification.progress',
            subjectType: 'RectificationItem',
            subjectId: String(input.itemId),
            payload: { updateId: input.updateId, note: input.note, recoveredCents: input.recoveredCents, at: input.at },
          });
        }
        const item = await tx.rectificationItem.findUniqueOrThrow({ where: { id: input.itemId } });
        return { recoveredCents: toCents(Number(item.recoveredAmount.toString())) };
      });
    },

    /** Who confirms completions in the county: the 专班 office, else a 专班 leader (null: nobody). */
    async rectificationConfirmer(countyRegionId: number): Promise<number | null> {
      for (const role of ['TASKFORCE_OFFICE', 'TASKFORCE_LEADER'] as const) {
        const s = await db.prisma.staff.findFirst({ where: { regionId: countyRegionId, role, active: true }, orderBy: { id: 'asc' }, select: { id: true } });
        if (s) return s.id;
      }
      return null;
    },

    /**
     * Moves the item to `to` (AWAITING_CONFIRMATION on a completion report,
     * IN_PROGRESS on a rejection, COMPLETED on acceptance, which also closes
     * the Case). Keyed by the update id in the audit payload: a retry finds
     * the item already in `to` and writes nothing.
     */
    async recordRectificationTransition(input: {
      itemId: number;
      updateId: string;
      to: RectificationStatusCode;
      action: 'rectification.completed-reported' | 'rectification.confirmed' | 'rectification.rejected';
      byStaffId: number;
      note?: string;
      at: string;
    }): Promise<void> {
      await db.prisma.$transaction(async (tx) => {
        const item = await tx.rectificationItem.findUniqueOrThrow({ where: { id: input.itemId } });
        const done = await tx.auditEntry.findFirst({
          where: { subjectType: 'RectificationItem', subjectId: String(item.id), action: input.action, payload: { path: ['updateId'], equals: input.updateId } },
          select: { id: true },
        });
        if (done) return;
        await tx.rectificationItem.update({
          where: { id: item.id },
          data: {
            status: input.to,
            ...(input.to === 'AWAITING_CONFIRMATION' ? { completedAt: new Date(input.at) } : {}),
            ...(input.to === 'IN_PROGRESS' ? { completedAt: null } : {}),
            ...(input.to === 'COMPLETED' ? { confirmedByStaffId: input.byStaffId } : {}),
          },
        });
        await appendAudit(tx, {
          actor: `staff:${input.byStaffId}`,
          action: input.action,
          subjectType: 'RectificationItem',
          subjectId: String(item.id),
          payload: { updateId: input.updateId, from: item.status, to: input.to, note: input.note ?? null, at: input.at },
        });
        if (input.to === 'COMPLETED' && item.caseId !== null) {
          await tx.case.update({ where: { id: item.caseId }, data: { status: 'CLOSED', closedAt: new Date(input.at) } });
          await appendAudit(tx, {
            actor: `staff:${input.byStaffId}`,
            action: 'case.closed',
            subjectType: 'Case',
            subjectId: String(item.caseId),
            payload: { closedAt: input.at, reason: '整改完成，专班确认销号' },
          });
        }
      });
    },
  };
}

export type RectificationActivities = ReturnType<typeof createRectificationActivities>;
