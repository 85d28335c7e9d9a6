// What a step acts on, named shortly enough for Telegram's 64-byte callback
// data: 'c<caseId>' (a Case row) or 'y<cycleId>' (a ReportCycle row). The
// workflow id is looked up in the database, never carried in a button.
import type { PrismaClient } from '../../../prisma/generated/client.js';
import type { ReportCycleKind } from '../../../domain/cycles/ids.js';
import { reportCycleKindOf } from '../../../infra/db/kinds.js';
import { CASE_KIND_ZH } from '../my-items.js';

export interface StepTarget {
  /** The short reference: 'c12', 'y3'. */
  ref: string;
  workflowId: string;
  /** Chinese name shown on the card: 「死亡核查 #12」. */
  label: string;
  /** The region the case is in (null for cycles: the unit check is the workflow's). */
  regionId: number | null;
  caseId: number | null;
}

export const caseRef = (caseId: number) => `c${caseId}`;
export const cycleRef = (cycleId: number) => `y${cycleId}`;

const CYCLE_KIND_ZH: Readonly<Record<ReportCycleKind, string>> = { progress: '工作进展报送', 'phase-summary': '阶段总结报送', 'village-chain': '村级月报' };

/** 'n<id>': the case or cycle a notification is about (its card's 「办理」 button). */
export const notificationRef = (notificationId: number) => `n${notificationId}`;

export async function resolveTarget(prisma: PrismaClient, ref: string): Promise<StepTarget | null> {
  const m = /^([cyn])(\d{1,9})$/.exec(ref);
  if (!m) return null;
  const id = Number(m[2]);
  if (m[1] === 'n') {
    const n = await prisma.notification.findUnique({ where: { id }, select: { caseId: true, workflowId: true } });
    const inner = n?.caseId ? caseRef(n.caseId) : n?.workflowId ? await targetOfWorkflow(prisma, n.workflowId) : null;
    return inner ? resolveTarget(prisma, inner) : null;
  }
  if (m[1] === 'c') {
    const row = await prisma.case.findUnique({ where: { id }, select: { id: true, kind: true, workflowId: true, regionId: true } });
    return row ? { ref, workflowId: row.workflowId, label: `${CASE_KIND_ZH[row.kind]} #${row.id}`, regionId: row.regionId, caseId: row.id } : null;
  }
  const cycle = await prisma.reportCycle.findUnique({ where: { id }, select: { id: true, kind: true, period: true, workflowId: true } });
  return cycle ? { ref, workflowId: cycle.workflowId, label: `${CYCLE_KIND_ZH[reportCycleKindOf(cycle.kind)]}（${cycle.period}）`, regionId: null, caseId: null } : null;
}

/** The reference of the case or cycle behind a workflow id (for cards that know only the workflow). */
export async function targetOfWorkflow(prisma: PrismaClient, workflowId: string): Promise<string | null> {
  const c = await prisma.case.findUnique({ where: { workflowId }, select: { id: true } });
  if (c) return caseRef(c.id);
  const y = await prisma.reportCycle.findUnique({ where: { workflowId }, select: { id: true } });
  return y ? cycleRef(y.id) : null;
}

/**
 * Values a step needs that the person does not type: the reporting unit of a
 * cycle step, found from the actor (the unit they report for in that cycle's county).
 * A Chinese sentence when there is none.
 */
export async function carriedValues(prisma: PrismaClient, carried: readonly string[] | undefined, stepId: string, workflowId: string, staffId: number): Promise<Record<string, string> | string> {
  if (!carried?.includes('unitId')) return {};
  const cycle = await prisma.reportCycle.findUnique({ where: { workflowId }, include: { submissions: { select: { unitId: true } } } });
  if (!cycle) return '找不到该报送周期。';
  const kind = stepId === 'cy.village' ? 'VILLAGE' : stepId === 'cy.township' ? 'TOWNSHIP' : undefined;
  const units = await prisma.reportingUnit.findMany({
    where: { active: true, countyRegionId: cycle.countyRegionId, ...(kind ? { kind } : { kind: { not: 'VILLAGE' } }), OR: [{ reporterStaffId: staffId }, { headStaffId: staffId }] },
    orderBy: { id: 'asc' },
  });
  if (units.length === 0) return '您不是本次报送单位的报告人或负责人。';
  const unit = units.find((u) => !cycle.submissions.some((s) => s.unitId === u.id)) ?? units[0]!;
  return { unitId: String(unit.id) };
}
