/**
 * Activities of the reporting cycles (progress reports, phase summaries, the
 * village monthly chain, payment-deadline watches, daily digests). Each is
 * safe to retry: rows are found by their natural key (workflow id, update id,
 * cycle + unit) before anything is written, and every write goes to the
 * audit log in the same transaction.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Database } from './deps.js';
import { appendAudit } from '../infra/audit-chain.js';
import type { Db, Prisma } from '../infra/db/client.js';
import type { CaseKind } from '../prisma/generated/enums.js';
import { runMatching } from './matching/run.js';
import { startFindingsToWorkFromActivity } from './findings-work.js';
import { aggregateProgress, type CycleSummary, type CycleUnit } from '../domain/cycles/progress.js';
import { REPORT_CYCLE_TITLES, REPORT_CYCLE_UNIT_KINDS, type ReportCycleKind } from '../domain/cycles/ids.js';
import { dbReportCycleKind, reportCycleKindOf } from '../infra/db/kinds.js';
import { cycleSummarySchema, parseColumn, submissionItems } from '../domain/columns.js';
import type { DigestItem } from '../domain/cycles/digest.js';
import type { VillageEvent } from '../domain/cycles/village.js';
import type { PaymentWatchTownship } from '../domain/cycles/payments.js';
import { maskIdNumber } from '../domain/identity/index.js';
import type { EscalationLevel, CountyPolicy, PaymentKind } from '../domain/policy/schema.js';
import { asJson, localDateToDb as dateToDb, isUniqueViolation } from './rows.js';

type Tx = Prisma.TransactionClient;

export type UnitKind = 'SECTION' | 'TOWNSHIP' | 'VILLAGE';

async function firstStaff(db: Db, regionId: number, role: 'TASKFORCE_OFFICE' | 'TASKFORCE_LEADER' | 'TOWNSHIP_CASEWORKER' | 'TOWNSHIP_HEAD') {
  const s = await db.staff.findFirst({ where: { regionId, role, active: true }, orderBy: { id: 'asc' }, select: { id: true } });
  return s?.id ?? null;
}

export interface OpenCycleInput {
  workflowId: string;
  countyRegionId: number;
  /** progress | phase-summary | village-chain */
  kind: ReportCycleKind;
  period: string;
  periodStart?: string | null;
  periodEnd?: string | null;
  /** First late instant, ISO-8601. */
  dueAt: string;
  /** Workflow time, ISO-8601. */
  openedAt: string;
  unitKind: UnitKind;
}

export interface OpenedCycle {
  cycleId: number;
  units: CycleUnit[];
  /** Units whose submission is already stored (a retried or restarted run). */
  submittedUnitIds: number[];
}

export interface CycleRecipients {
  /** Per unit id: who receives each level of the ladder now. */
  units: Record<number, Record<EscalationLevel, number | null>>;
  office: number | null;
  leader: number | null;
}

export interface RecordSubmissionInput {
  cycleId: number;
  unitId: number;
  byStaffId: number;
  data: unknown;
  updateId: string;
  submittedAt: string;
  late: boolean;
}

type UnitRow = CycleUnit & { regionId: number | null };

async function unitsOf(db: Tx, countyRegionId: number, kind: UnitKind): Promise<UnitRow[]> {
  const rows = await db.reportingUnit.findMany({ where: { countyRegionId, kind, active: true }, orderBy: { id: 'asc' } });
  return rows.map((r) => ({ id: r.id, name: r.name, reporterStaffId: r.reporterStaffId, headStaffId: r.headStaffId, regionId: r.regionId }));
}

export function createCycleActivities(db: Database) {
  const prisma = db.prisma;
  return {
    /**
     * Starts a cycle run under its natural-key id on the worker's task queue
     * (the tick's decision). A run that exists or existed (REJECT_DUPLICATE)
     * is left alone: `started` is false. Started from an activity, not as a
     * child, so the run's life is independent of the short-lived tick.
     */
    async startCycleRun(input: { workflowType: string; workflowId: string; args: unknown[] }): Promise<{ started: boolean }> {
      const ctx = Context.current();
      try {
        await ctx.client.workflow.start(input.workflowType, {
          workflowId: input.workflowId,
          taskQueue: ctx.info.taskQueue,
          args: input.args,
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          workflowIdConflictPolicy: 'FAIL',
        });
        return { started: true };
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return { started: false };
        throw error;
      }
    },

    /** Opens (or finds) the ReportCycle row of a run and lists the units that must report. */
    async openReportCycle(input: OpenCycleInput): Promise<OpenedCycle> {
      return prisma.$transaction(async (tx) => {
        let cycle = await tx.reportCycle.findUnique({ where: { workflowId: input.workflowId } });
        if (!cycle) {
          cycle = await tx.reportCycle.create({
            data: {
              countyRegionId: input.countyRegionId,
              kind: dbReportCycleKind(input.kind),
              period: input.period,
              workflowId: input.workflowId,
              periodStart: input.periodStart ? dateToDb(input.periodStart) : null,
              periodEnd: input.periodEnd ? dateToDb(input.periodEnd) : null,
              dueAt: new Date(input.dueAt),
              openedAt: new Date(input.openedAt),
            },
          });
          await appendAudit(tx, {
            actor: 'system',
            action: 'cycle.opened',
            subjectType: 'ReportCycle',
            subjectId: String(cycle.id),
            payload: { workflowId: input.workflowId, kind: input.kind, period: input.period, dueAt: input.dueAt },
          });
        }
        const units = (await unitsOf(tx, input.countyRegionId, input.unitKind)).map(({ regionId: _r, ...u }) => u);
        const submitted = await tx.reportSubmission.findMany({ where: { cycleId: cycle.id }, select: { unitId: true } });
        return { cycleId: cycle.id, units, submittedUnitIds: submitted.map((s) => s.unitId) };
      });
    },

    /** Who receives reminders and escalations of each unit now (staff may change during a cycle). */
    async resolveCycleRecipients(input: { countyRegionId: number; unitIds: number[] }): Promise<CycleRecipients> {
      const office = await firstStaff(prisma, input.countyRegionId, 'TASKFORCE_OFFICE');
      const leader = await firstStaff(prisma, input.countyRegionId, 'TASKFORCE_LEADER');
      const rows = await prisma.reportingUnit.findMany({ where: { id: { in: input.unitIds } } });
      const units: CycleRecipients['units'] = {};
      for (const r of rows) {
        units[r.id] = {
          assignee: r.reporterStaffId,
          unitHead: r.headStaffId,
          taskForceOffice: office,
          // StaffRole has one role for 专班组长/副组长.
          taskForceDeputy: leader,
          taskForceLeader: leader,
        };
      }
      return { units, office, leader };
    },

    /** Stores one submission (keyed by the update id, one per cycle and unit). */
    async recordSubmission(input: RecordSubmissionInput): Promise<{ submissionId: number; late: boolean }> {
      const existing = await prisma.reportSubmission.findUnique({ where: { updateId: input.updateId } });
      if (existing) return { submissionId: existing.id, late: existing.late };
      try {
        return await prisma.$transaction(async (tx) => {
          const row = await tx.reportSubmission.create({
            data: {
              cycleId: input.cycleId,
              unitId: input.unitId,
              submittedByStaffId: input.byStaffId,
              submittedAt: new Date(input.submittedAt),
              late: input.late,
              data: asJson(input.data),
              updateId: input.updateId,
            },
          });
          await appendAudit(tx, {
            actor: `staff:${input.byStaffId}`,
            action: input.late ? 'cycle.submitted-late' : 'cycle.submitted',
            subjectType: 'ReportCycle',
            subjectId: String(input.cycleId),
            payload: { unitId: input.unitId, submissionId: row.id, updateId: input.updateId, submittedAt: input.submittedAt, late: input.late },
          });
          return { submissionId: row.id, late: row.late };
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const row = await prisma.reportSubmission.findFirst({ where: { OR: [{ updateId: input.updateId }, { cycleId: input.cycleId, unitId: input.unitId }] } });
        if (!row) throw error;
        if (row.updateId !== input.updateId) {
          throw ApplicationFailure.nonRetryable('该单位本期已报送，不能重复报送', 'DuplicateSubmission');
        }
        return { submissionId: row.id, late: row.late };
      }
    },

    /**
     * The aggregate of a progress cycle (totals per focus item, missing
     * units), written to ReportCycle.summary; `close` also sets closedAt.
     */
    async summarizeProgressCycle(input: { cycleId: number; units: CycleUnit[]; focusCodes: string[]; at: string; close: boolean }): Promise<CycleSummary> {
      return prisma.$transaction(async (tx) => {
        const subs = await tx.reportSubmission.findMany({ where: { cycleId: input.cycleId }, orderBy: { id: 'asc' } });
        const byUnit = new Map(subs.map((s) => [s.unitId, s]));
        const summary: CycleSummary = {
          at: input.at,
          expected: input.units.length,
          submitted: input.units.filter((u) => byUnit.has(u.id)).map((u) => ({ unitId: u.id, name: u.name, late: byUnit.get(u.id)!.late })),
          missing: input.units.filter((u) => !byUnit.has(u.id)).map((u) => ({ unitId: u.id, name: u.name })),
          totals: aggregateProgress(
            input.focusCodes,
            // A phase summary's text submission carries no figures.
            subs.map((s) => ({ items: submissionItems(s.data, `#${s.id}`) })),
          ),
        };
        const cycle = await tx.reportCycle.findUniqueOrThrow({ where: { id: input.cycleId } });
        if (cycle.closedAt) return cycle.summary === null ? summary : parseColumn(cycleSummarySchema, 'ReportCycle.summary', cycle.summary, `#${cycle.id}`);
        await tx.reportCycle.update({
          where: { id: input.cycleId },
          data: { summary: asJson(summary), ...(input.close ? { closedAt: new Date(input.at) } : {}) },
        });
        await appendAudit(tx, {
          actor: 'system',
          action: input.close ? 'cycle.closed' : 'cycle.aggregated',
          subjectType: 'ReportCycle',
          subjectId: String(input.cycleId),
          payload: { at: input.at, expected: summary.expected, submitted: summary.submitted.length, missing: summary.missing.map((m) => m.unitId) },
        });
        return summary;
      });
    },

    // ------------------------------------------------------------ village chain

    /** Village units of each township of the county, and the township units (for the monthly chain). */
    async openVillageChain(input: OpenCycleInput & { townshipDueAt: string }): Promise<{
      cycleId: number;
      villages: Array<CycleUnit & { townshipUnitId: number | null }>;
      townships: CycleUnit[];
      submittedUnitIds: number[];
    }> {
      return prisma.$transaction(async (tx) => {
        let cycle = await tx.reportCycle.findUnique({ where: { workflowId: input.workflowId } });
        if (!cycle) {
          cycle = await tx.reportCycle.create({
            data: {
              countyRegionId: input.countyRegionId,
              kind: dbReportCycleKind(input.kind),
              period: input.period,
              workflowId: input.workflowId,
              dueAt: new Date(input.townshipDueAt),
              openedAt: new Date(input.openedAt),
            },
          });
          await appendAudit(tx, {
            actor: 'system',
            action: 'cycle.opened',
            subjectType: 'ReportCycle',
            subjectId: String(cycle.id),
            payload: { workflowId: input.workflowId, kind: input.kind, period: input.period, villageDueAt: input.dueAt, townshipDueAt: input.townshipDueAt },
          });
        }
        const townships = (await unitsOf(tx, input.countyRegionId, 'TOWNSHIP')).map(({ regionId: _r, ...u }) => u);
        const villageRows = await unitsOf(tx, input.countyRegionId, 'VILLAGE');
        const regionIds = villageRows.map((v) => v.regionId).filter((x): x is number => x !== null);
        const regions = await tx.region.findMany({ where: { id: { in: regionIds } }, select: { id: true, parentId: true } });
        const parentOf = new Map(regions.map((r) => [r.id, r.parentId]));
        const townshipRows = await tx.reportingUnit.findMany({ where: { countyRegionId: input.countyRegionId, kind: 'TOWNSHIP', active: true } });
        const unitOfTownship = new Map(townshipRows.filter((t) => t.regionId !== null).map((t) => [t.regionId!, t.id]));
        const villages = villageRows.map(({ regionId, ...v }) => {
          const parent = regionId === null ? null : (parentOf.get(regionId) ?? null);
          return { ...v, townshipUnitId: parent === null ? null : (unitOfTownship.get(parent) ?? null) };
        });
        const submitted = await tx.reportSubmission.findMany({ where: { cycleId: cycle.id }, select: { unitId: true } });
        return { cycleId: cycle.id, villages, townships, submittedUnitIds: submitted.map((s) => s.unitId) };
      });
    },

    /** The member with this ID number in the county (for a funeral event), or null. Never returns the ID number. */
    async findMemberByIdNumber(input: { countyRegionId: number; idNumber: string }): Promise<{ memberId: number; label: string } | null> {
      const members = await prisma.member.findMany({ where: { idNumber: input.idNumber }, include: { household: { include: { region: true } } } });
      for (const m of members) {
        let region = m.household.region;
        while (region.level !== 'COUNTY' && region.parentId !== null) {
          region = await prisma.region.findUniqueOrThrow({ where: { id: region.parentId } });
        }
        if (region.id === input.countyRegionId) return { memberId: m.id, label: `${m.name}（${maskIdNumber(m.idNumber)}）` };
      }
      return null;
    },

    /**
     * An income change reported by a village: a review item for the
     * township caseworker (Notification) and an audit entry, once per key.
     */
    async recordIncomeChangeReview(input: {
      dedupeKey: string;
      workflowId: string;
      villageUnitId: number;
      event: VillageEvent;
      sentAt: string;
    }): Promise<{ notificationId: number | null }> {
      const existing = await prisma.notification.findUnique({ where: { dedupeKey: input.dedupeKey } });
      if (existing) return { notificationId: existing.id };
      const unit = await prisma.reportingUnit.findUniqueOrThrow({ where: { id: input.villageUnitId } });
      const village = unit.regionId === null ? null : await prisma.region.findUnique({ where: { id: unit.regionId } });
      const townshipId = village?.parentId ?? null;
      const caseworker = townshipId === null ? null : await firstStaff(prisma, townshipId, 'TOWNSHIP_CASEWORKER');
      const who = `${input.event.name ?? ''}${input.event.idNumber ? `（${maskIdNumber(input.event.idNumber)}）` : ''}` || '（未填写姓名）';
      const text = `【收入变化待核查】${unit.name}报告${who}家庭收入发生变化${input.event.note ? `：${input.event.note}` : ''}。请核查是否需要调整保障金额（增发、减发或停发）。`;
      return prisma.$transaction(async (tx) => {
        let notificationId: number | null = null;
        if (caseworker !== null) {
          const row = await tx.notification.create({
            data: { dedupeKey: input.dedupeKey, recipientStaffId: caseworker, kind: 'reviewItem', text, workflowId: input.workflowId, sentAt: new Date(input.sentAt) },
          });
          notificationId = row.id;
        }
        await appendAudit(tx, {
          actor: 'system',
          action: 'village.income-change-review',
          subjectType: 'ReportingUnit',
          subjectId: String(input.villageUnitId),
          payload: { dedupeKey: input.dedupeKey, workflowId: input.workflowId, caseworkerStaffId: caseworker, idNumberMasked: input.event.idNumber ? maskIdNumber(input.event.idNumber) : null },
        });
        return { notificationId };
      });
    },

    // ------------------------------------------------------------ payment watch

    /**
     * Due vs paid for one payment kind and schedule period: runs the
     * cross-matching of the county as of the day after the deadline (it
     * stores payment_missing / late / short / wrong_payee findings) and
     * groups the findings of this kind and period by township.
     */
    async comparePaymentsForPeriod(input: {
      countyRegionId: number;
      policy: CountyPolicy;
      kind: PaymentKind;
      periodMonth: string;
      /** The day after the last on-time day (judged at its start). */
      asOf: string;
    }): Promise<{ townships: PaymentWatchTownship[]; findings: number }> {
      const county = await prisma.region.findUniqueOrThrow({ where: { id: input.countyRegionId } });
      const wanted = new Set(['payment_missing', 'payment_late', 'payment_short', 'payment_wrong_payee']);
      const enrolmentKinds = { dibao: ['URBAN_DIBAO', 'RURAL_DIBAO'], tekunDispersed: ['TEKUN_DISPERSED'], tekunCentralized: ['TEKUN_CENTRALIZED'] }[input.kind];
      const lines: Array<{ kind: string; householdId: number | null; amount: number | null; key: string }> = [];
      await runMatching(prisma, {
        counties: [{ id: county.id, name: county.name, policy: input.policy }],
        asOf: input.asOf,
        actor: 'workflow:payment-watch',
        onLine: (line) => {
          if (!wanted.has(line.kind) || line.period !== input.periodMonth) return;
          // Payment finding keys end with the assistance kind (…|2026-11|RURAL_DIBAO).
          if (!enrolmentKinds.some((k) => line.key.endsWith(`|${k}`))) return;
          lines.push({ kind: line.kind, householdId: line.householdId, amount: line.amount, key: line.key });
        },
      });
      const householdIds = [...new Set(lines.map((l) => l.householdId).filter((x): x is number => x !== null))];
      const households = await prisma.household.findMany({ where: { id: { in: householdIds } }, include: { region: true } });
      const townshipOf = new Map<number, { id: number; name: string }>();
      for (const h of households) {
        if (h.region.level === 'TOWNSHIP') townshipOf.set(h.id, { id: h.region.id, name: h.region.name });
        else if (h.region.parentId !== null) {
          const t = await prisma.region.findUniqueOrThrow({ where: { id: h.region.parentId } });
          townshipOf.set(h.id, { id: t.id, name: t.name });
        }
      }
      const byTownship = new Map<number, PaymentWatchTownship>();
      for (const l of lines) {
        const t = l.householdId === null ? undefined : townshipOf.get(l.householdId);
        if (!t) continue;
        const entry =
          byTownship.get(t.id) ??
          ({ townshipId: t.id, name: t.name, caseworkerStaffId: null, headStaffId: null, counts: {}, amountsFen: {} } as PaymentWatchTownship);
        entry.counts[l.kind] = (entry.counts[l.kind] ?? 0) + 1;
        entry.amountsFen[l.kind] = (entry.amountsFen[l.kind] ?? 0) + Math.round((l.amount ?? 0) * 100);
        byTownship.set(t.id, entry);
      }
      for (const e of byTownship.values()) {
        e.caseworkerStaffId = await firstStaff(prisma, e.townshipId, 'TOWNSHIP_CASEWORKER');
        e.headStaffId = await firstStaff(prisma, e.townshipId, 'TOWNSHIP_HEAD');
      }
      // Findings become work (issue 13): this period's payment findings open their rectification items
      // in a findings-to-work run of their own (natural id: a retry of this activity joins it).
      await startFindingsToWorkFromActivity({
        countyRegionId: input.countyRegionId,
        trigger: `payment-watch-${input.kind}-${input.periodMonth}`,
        policy: input.policy,
        only: { kinds: [...wanted], period: input.periodMonth },
      });
      return { townships: [...byTownship.values()].sort((a, b) => a.townshipId - b.townshipId), findings: lines.length };
    },

    /** The 专班 office and leader of a county. */
    async taskForceStaff(input: { countyRegionId: number }): Promise<{ office: number | null; leader: number | null }> {
      return { office: await firstStaff(prisma, input.countyRegionId, 'TASKFORCE_OFFICE'), leader: await firstStaff(prisma, input.countyRegionId, 'TASKFORCE_LEADER') };
    },

    // ------------------------------------------------------------ daily digest

    /**
     * Everything open per staff member of a county: OPEN cases with an
     * assignee, units' missing submissions of open cycles, near-relative
     * filings awaiting a decision.
     */
    async collectDigestItems(input: { countyRegionId: number }): Promise<Record<number, DigestItem[]>> {
      const regions = await prisma.region.findMany({ where: { OR: [{ id: input.countyRegionId }, { parentId: input.countyRegionId }, { parent: { parentId: input.countyRegionId } }] }, select: { id: true } });
      const regionIds = regions.map((r) => r.id);
      const staff = await prisma.staff.findMany({ where: { regionId: { in: regionIds }, active: true }, select: { id: true } });
      const staffIds = new Set(staff.map((s) => s.id));
      const out: Record<number, DigestItem[]> = {};
      const add = (staffId: number | null, item: DigestItem) => {
        if (staffId === null || !staffIds.has(staffId)) return;
        (out[staffId] ??= []).push(item);
      };
      const cases = await prisma.case.findMany({ where: { status: 'OPEN', assigneeStaffId: { in: [...staffIds] } }, orderBy: { id: 'asc' } });
      for (const c of cases) {
        add(c.assigneeStaffId, { kind: 'case', ref: c.workflowId, title: CASE_TITLES[c.kind], dueAt: c.dueAt?.toISOString() ?? null });
      }
      const cycles = await prisma.reportCycle.findMany({ where: { countyRegionId: input.countyRegionId, closedAt: null }, include: { submissions: { select: { unitId: true } } } });
      if (cycles.length > 0) {
        const units = await prisma.reportingUnit.findMany({ where: { countyRegionId: input.countyRegionId, active: true } });
        for (const cycle of cycles) {
          const done = new Set(cycle.submissions.map((s) => s.unitId));
          const kind = reportCycleKindOf(cycle.kind);
          const unitKinds = REPORT_CYCLE_UNIT_KINDS[kind];
          for (const u of units) {
            if (!unitKinds.includes(u.kind) || done.has(u.id)) continue;
            add(u.reporterStaffId, { kind: 'report', ref: cycle.workflowId, title: `${u.name}：${REPORT_CYCLE_TITLES[kind]}（${cycle.period}）`, dueAt: cycle.dueAt.toISOString() });
          }
        }
      }
      // Filings: more information requested → the filing staff member; submitted and not run
      // by a case (a case is listed above) → the 专班 office.
      const office = await firstStaff(prisma, input.countyRegionId, 'TASKFORCE_OFFICE');
      const caseWorkflowIds = new Set(cases.map((c) => c.workflowId));
      const filings = await prisma.nearRelativeFiling.findMany({ where: { status: { in: ['SUBMITTED', 'MORE_INFO_REQUESTED'] }, staffId: { in: [...staffIds] } }, orderBy: { id: 'asc' } });
      for (const f of filings) {
        if (f.workflowId !== null && caseWorkflowIds.has(f.workflowId)) continue;
        if (f.status === 'MORE_INFO_REQUESTED') add(f.staffId, { kind: 'filing', ref: `filing:${f.id}`, title: '近亲属备案：请补充材料', dueAt: null });
        else add(office, { kind: 'filing', ref: `filing:${f.id}`, title: '近亲属备案待审核', dueAt: null });
      }
      return out;
    },
  };
}

const CASE_TITLES: Readonly<Record<CaseKind, string>> = {
  DEATH_REVIEW: '死亡核查',
  PRISON_EXIT: '服刑人员退出',
  APPLICATION: '申请审核确认',
  NEAR_RELATIVE_FILING: '近亲属备案',
  COMPLAINT: '实名举报办理',
  RECTIFICATION: '整改事项',
};

export type CycleActivities = ReturnType<typeof createCycleActivities>;
