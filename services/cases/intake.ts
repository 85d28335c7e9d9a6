/**
 * Intake by hand (issue 13): township staff register an application (申请) in the bot or console, and
 * the 专班 office puts a finding on the rectification list (整改清单) with one tap or files an item by
 * hand. Each writes once per natural key (the chat event, the finding) and opens its workflow through
 * the case clients (application review, rectification item).
 */
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { RECTIFICATION_MEASURES } from '../../domain/cases/finding-work.js';
import { DomainInputError } from '../../domain/errors.js';
import { describeFinding, parseYuan } from '../../domain/matching/index.js';
import { describableFinding } from '../../domain/columns.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import { toChinaDate } from '../../domain/time/instants.js';
import type { LocalDate } from '../../domain/time/local-date.js';
import type { WorkCalendar } from '../../domain/time/work-calendar.js';
import type { AssistanceKind } from '../../prisma/generated/enums.js';
import type { PrismaClient } from '../../prisma/generated/client.js';
import { openApplicationReview } from './application-review.js';
import { openRectificationItem } from './rectification-item.js';
import { resolveVillage } from '../../readmodels/villages.js';

export interface ApplicationIntake {
  staffId: number;
  applicantName: string;
  applicantIdNumber: string;
  kind: AssistanceKind;
  /** As typed; resolved within the staff member's scope. */
  village: string;
  householdSize: number;
  /** Yuan a month applied for. */
  monthlyAmount: string;
  acceptedAt: LocalDate;
  /** The chat event (or console request) that submitted it: the same key registers once. */
  intakeKey: string;
}

/** Registers the application once per intake key and opens (or joins) its review. */
export async function registerApplication(
  client: Client,
  prisma: PrismaClient,
  input: ApplicationIntake & { taskQueue: string; countyRegionId: number; policy: CountyPolicy; calendar: WorkCalendar; now?: Date },
): Promise<{ applicationId: number; workflowId: string }> {
  const staff = await prisma.staff.findUniqueOrThrow({ where: { id: input.staffId } });
  const village = await resolveVillage(prisma, staff.regionId, input.village);
  if (typeof village === 'string') throw new DomainInputError(`所在村(社区)有误：${village}`);
  const intakeKey = createHash('sha256').update(input.intakeKey, 'utf8').digest('hex').slice(0, 32);
  let app = await prisma.application.findFirst({ where: { data: { path: ['intakeKey'], equals: intakeKey } } });
  app ??= await prisma.application.create({
    data: {
      applicantName: input.applicantName,
      applicantIdNumber: input.applicantIdNumber,
      kind: input.kind,
      regionId: village.id,
      acceptedAt: new Date(`${input.acceptedAt}T00:00:00Z`),
      householdSize: input.householdSize,
      monthlyAmount: input.monthlyAmount,
      data: { registeredBy: `staff:${staff.id}`, intakeKey },
    },
  });
  const handle = await openApplicationReview(client, { taskQueue: input.taskQueue, countyRegionId: input.countyRegionId, applicationId: app.id, policy: input.policy, calendar: input.calendar, now: input.now });
  return { applicationId: app.id, workflowId: handle.workflowId };
}

/** `/整改 <线索编号>`: the finding goes on the county's rectification list for its township. */
export async function openRectificationFromFinding(
  client: Client,
  prisma: PrismaClient,
  input: { taskQueue: string; countyRegionId: number; findingId: number; policy: CountyPolicy; deadline?: LocalDate },
): Promise<{ workflowId: string; township: string }> {
  const f = await prisma.finding.findUnique({ where: { id: input.findingId } });
  const region = f?.regionId == null ? null : await prisma.region.findUnique({ where: { id: f.regionId } });
  const township = region?.level === 'VILLAGE' && region.parentId !== null ? await prisma.region.findUnique({ where: { id: region.parentId } }) : region?.level === 'TOWNSHIP' ? region : null;
  if (!f || !township || township.parentId !== input.countyRegionId) throw new DomainInputError(`本县没有编号为 ${input.findingId} 的问题线索`);
  const staff =
    (await prisma.staff.findFirst({ where: { regionId: township.id, role: 'TOWNSHIP_CASEWORKER', active: true }, orderBy: { id: 'asc' } })) ??
    (await prisma.staff.findFirst({ where: { regionId: township.id, role: 'TOWNSHIP_HEAD', active: true }, orderBy: { id: 'asc' } }));
  if (!staff) throw new DomainInputError(`${township.name}没有在岗的民政经办人或乡镇负责人，无法指定整改责任人`);
  const handle = await openRectificationItem(client, {
    taskQueue: input.taskQueue,
    countyRegionId: input.countyRegionId,
    source: '大数据比对',
    sourceRef: `finding:${f.id}`,
    problem: describeFinding(describableFinding({ kind: f.kind, evidence: f.evidence, period: f.period, amount: parseYuan(f.amount?.toString() ?? null) }, `#${f.id}`)).slice(0, 1000),
    responsibleRegionId: township.id,
    responsibleUnit: `${township.name}人民政府`,
    responsibleStaffId: staff.id,
    measures: RECTIFICATION_MEASURES[f.kind] ?? '核实问题，限期整改',
    discoveryDate: toChinaDate(f.foundAt),
    ...(input.deadline ? { deadline: input.deadline } : {}),
    policy: input.policy,
  });
  return { workflowId: handle.workflowId, township: township.name };
}

/** A rectification item by hand (form: unit, problem, measures, deadline). */
export async function openRectificationByHand(
  client: Client,
  prisma: PrismaClient,
  input: { taskQueue: string; countyRegionId: number; township: string; problem: string; measures: string; deadline: LocalDate; today: LocalDate; intakeKey: string; policy: CountyPolicy },
): Promise<{ workflowId: string }> {
  const township = await prisma.region.findFirst({ where: { parentId: input.countyRegionId, level: 'TOWNSHIP', name: input.township.replace(/\s/g, '') } });
  if (!township) throw new DomainInputError(`责任单位有误：本县没有“${input.township}”这个乡镇`);
  const staff =
    (await prisma.staff.findFirst({ where: { regionId: township.id, role: 'TOWNSHIP_CASEWORKER', active: true }, orderBy: { id: 'asc' } })) ??
    (await prisma.staff.findFirst({ where: { regionId: township.id, role: 'TOWNSHIP_HEAD', active: true }, orderBy: { id: 'asc' } }));
  if (!staff) throw new DomainInputError(`${township.name}没有在岗的民政经办人或乡镇负责人，无法指定整改责任人`);
  const handle = await openRectificationItem(client, {
    taskQueue: input.taskQueue,
    countyRegionId: input.countyRegionId,
    source: '督查',
    sourceRef: `hand-${createHash('sha256').update(input.intakeKey, 'utf8').digest('hex').slice(0, 24)}`,
    problem: input.problem,
    responsibleRegionId: township.id,
    responsibleUnit: `${township.name}人民政府`,
    responsibleStaffId: staff.id,
    measures: input.measures,
    discoveryDate: input.today,
    deadline: input.deadline,
    policy: input.policy,
  });
  return { workflowId: handle.workflowId };
}
