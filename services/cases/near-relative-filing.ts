/**
 * Client side of the near-relative filing (近亲属备案): a staff member or
 * village cadre files about their own relative, or an `undeclared_near_relative`
 * finding opens the filing. The workflow id is county + staff id + the
 * relative's member or application id (never an ID number), so a duplicate
 * submission joins the running filing (USE_EXISTING) and its Case row.
 *
 * A closed filing is not reopened under the same id (REJECT_DUPLICATE): a
 * rejected filing stays on record as rejected.
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { PrismaClient } from '../../prisma/generated/client.js';
import { isNearRelation, nearRelativeFilingWorkflowId, nearRelativeOfFinding } from '../../domain/cases/index.js';
import { DomainInputError } from '../../domain/errors.js';
import { RELATIONS, type CountyPolicy } from '../../domain/policy/schema.js';
import { findingEvidence } from '../../domain/columns.js';
import type { WorkCalendar } from '../../domain/time/work-calendar.js';
import { nearRelativeFiling, type NearRelativeFilingInput } from '../../workflows/near-relative-filing.js';

export interface SubmitNearRelativeFilingInput {
  taskQueue: string;
  countyRegionId: number;
  staffId: number;
  relative: { memberId: number } | { applicationId: number };
  relation: string;
  note?: string;
  policy: CountyPolicy;
  /** The statutory calendar (services/county.ts loadCalendar); the workflow gets this year and the next. */
  calendar: WorkCalendar;
  /** The filing's time (default now): which years of holiday data the workflow gets. */
  now?: Date;
}

/** Holiday data a case workflow starts with: last year to the year after next (covered years only). */
export function calendarForCase(calendar: WorkCalendar, now = new Date()): NearRelativeFilingInput['calendar'] {
  const year = now.getUTCFullYear();
  return calendar.sliceData(year - 1, year + 2);
}

function startFiling(client: Client, taskQueue: string, args: NearRelativeFilingInput) {
  return client.workflow.start(nearRelativeFiling, {
    taskQueue,
    workflowId: nearRelativeFilingWorkflowId(args.countyRegionId, args.staffId, args.relative),
    args: [args],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
}

function checkRelation(policy: CountyPolicy, relation: string): void {
  if (!policy.nearRelatives.enabled) throw new DomainInputError(`${policy.county.name}未启用近亲属备案`);
  if (!isNearRelation(relation, policy.nearRelatives.relations)) {
    const allowed = policy.nearRelatives.relations.map((r) => RELATIONS[r]).join('、');
    throw new DomainInputError(`“${relation}”不属于本县认定的近亲属关系（${allowed}）`);
  }
}

/** A staff member files about their own relative. */
export async function submitNearRelativeFiling(
  client: Client,
  input: SubmitNearRelativeFilingInput,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof nearRelativeFiling>> {
  checkRelation(input.policy, input.relation);
  return startFiling(client, input.taskQueue, {
    countyRegionId: input.countyRegionId,
    staffId: input.staffId,
    relative: input.relative,
    relation: input.relation,
    source: 'staff',
    filedByStaffId: input.staffId,
    note: input.note,
    policy: input.policy,
    calendar: calendarForCase(input.calendar, input.now),
  });
}

/**
 * Whom an `undeclared_near_relative` finding's filing is about: the staff member it names and the
 * relative, which is the application the finding saw when there is one (the conflict is in that
 * application), else the roster member. Its workflow id is the filing's natural key.
 */
export async function filingOfFinding(
  prisma: PrismaClient,
  input: { countyRegionId: number; findingId: number },
): Promise<{ findingId: number; staffId: number; relative: { memberId: number } | { applicationId: number }; relation: string; workflowId: string }> {
  const finding = await prisma.finding.findUnique({ where: { id: input.findingId } });
  if (!finding || finding.kind !== 'undeclared_near_relative') {
    throw new DomainInputError(`找不到未申报近亲属的比对结果（编号 ${input.findingId}）`);
  }
  const evidence = findingEvidence('undeclared_near_relative', finding.evidence, `#${finding.id}`);
  const member =
    evidence.applicationIds.length > 0
      ? null
      : await prisma.member.findFirst({
          where: { idNumber: finding.idNumber, ...(finding.householdId !== null ? { householdId: finding.householdId } : {}) },
          orderBy: { id: 'asc' },
        });
  const relative = nearRelativeOfFinding(evidence, member?.id ?? null);
  return {
    findingId: finding.id,
    staffId: evidence.staff.id,
    relative,
    relation: evidence.relation,
    workflowId: nearRelativeFilingWorkflowId(input.countyRegionId, evidence.staff.id, relative),
  };
}

/** An `undeclared_near_relative` finding opens the filing for the staff member it names (see filingOfFinding). */
export async function openNearRelativeFilingFromFinding(
  client: Client,
  prisma: PrismaClient,
  input: { taskQueue: string; countyRegionId: number; findingId: number; policy: CountyPolicy; calendar: WorkCalendar; now?: Date },
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof nearRelativeFiling>> {
  const f = await filingOfFinding(prisma, input);
  return startFiling(client, input.taskQueue, {
    countyRegionId: input.countyRegionId,
    staffId: f.staffId,
    relative: f.relative,
    relation: f.relation,
    source: `finding:${f.findingId}`,
    filedByStaffId: null,
    policy: input.policy,
    calendar: calendarForCase(input.calendar, input.now),
  });
}
