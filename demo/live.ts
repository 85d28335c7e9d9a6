// Brings the demo county to life at start-up: the matcher runs for it and the first few planted
// problems of each kind open their cases through the same client paths production uses (the
// near-relative filing from its finding, the death review, the prisoner exit), and the first few of
// the demo's applications open their review (申请审核确认), so the console has an approval card and
// the township caseworkers' to-do items waiting, and the dashboard shows open cases. Idempotent: every workflow id is a natural
// key, an id already known to Temporal (running or closed) is left alone, and the matcher stores
// nothing twice. Refused for any county that is not a demo county.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';

import { runMatching } from '../activities/matching/index.js';
import { applicationReviewWorkflowId, deathReviewWorkflowId, prisonExitWorkflowId } from '../domain/cases/ids.js';
import { DomainInputError } from '../domain/errors.js';
import { STAFF_ROLE_LABELS } from '../domain/import/vocabulary.js';
import { evidenceSchemas } from '../domain/matching/index.js';
import type { CountyPolicy } from '../domain/policy/schema.js';
import type { WorkCalendar } from '../domain/time/work-calendar.js';
import { openApplicationReview } from '../services/cases/application-review.js';
import { openDeathReview } from '../services/cases/death-review.js';
import { filingOfFinding, openNearRelativeFilingFromFinding } from '../services/cases/near-relative-filing.js';
import { openPrisonExit } from '../services/cases/prison-exit.js';
import type { PrismaClient } from '../infra/db/client.js';
import { DEMO_MARKER_ACTION } from './load.js';
import { log } from '../infra/logger.js';

/** At most this many cases of each kind are opened (the first by finding key). */
export const DEMO_LIVE_PER_KIND = 3;

export interface BringDemoToLifeOptions {
  taskQueue: string;
  calendar: WorkCalendar;
  /** Matching date (default: the demo county's `today`, so a restart finds the same planted problems). */
  asOf?: string;
  perKind?: number;
  /** Start-up log (Chinese lines). */
  say?: (line: string) => void;
  /** How long to wait for the worker to write the opened cases' rows, for the log (default 20 s). */
  settleMs?: number;
}

export interface DemoLiveKind {
  /** Workflow ids chosen for this kind (at most perKind), in finding-key order. */
  workflowIds: string[];
  /** Of those, started by this call. */
  opened: string[];
  /** Of those, already known to Temporal (an earlier start). */
  existing: string[];
}

export interface DemoLiveSummary {
  countyRegionId: number;
  asOf: string;
  /** Findings of the run, by kind (all kinds). */
  findings: Record<string, number>;
  filings: DemoLiveKind;
  deathReviews: DemoLiveKind;
  prisonExits: DemoLiveKind;
  /** Application reviews (申请审核确认) of the first applications of the county, by application id. */
  applications: DemoLiveKind;
  /**
   * Of the chosen applications, those not opened because the holiday data does not cover their first
   * clocks (低保's overall limit, 30 working days, crosses into a year not entered yet): the review
   * would stop at once. Opened on a later start once the year is entered.
   */
  /** The assignees of the filings (who approves in the console), as far as the worker has written them. */
  approvers: Array<{ staffId: number; name: string; role: string }>;
  /** The assignees of the death reviews and prisoner exits. */
  caseworkers: Array<{ staffId: number; name: string; role: string }>;
  /** The assignees of the application reviews (township caseworkers). */
  reviewers: Array<{ staffId: number; name: string; role: string }>;
}

/** The demo marker of this county (demo/load.ts), or undefined when it is not a demo county. */
async function demoMarker(prisma: PrismaClient, countyRegionId: number): Promise<{ today: string } | undefined> {
  const mark = await prisma.auditEntry.findFirst({
    where: { action: DEMO_MARKER_ACTION, subjectType: 'Region', subjectId: String(countyRegionId) },
    orderBy: { id: 'desc' },
  });
  return mark ? (mark.payload as { today: string }) : undefined;
}

async function known(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** Opens each chosen case unless Temporal knows its id already. */
async function openEach(client: Client, items: Array<{ workflowId: string; open: () => Promise<unknown> }>): Promise<DemoLiveKind> {
  const out: DemoLiveKind = { workflowIds: [], opened: [], existing: [] };
  for (const item of items) {
    out.workflowIds.push(item.workflowId);
    if (await known(client, item.workflowId)) {
      out.existing.push(item.workflowId);
      continue;
    }
    try {
      await item.open();
      out.opened.push(item.workflowId);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      out.existing.push(item.workflowId);
    }
  }
  return out;
}


/** A stored finding, as far as choosing and opening its case needs it. */
interface StoredFinding {
  findingId: number;
  key: string;
  kind: string;
  idNumber: string;
  householdId: number | null;
  evidence: unknown;
}

function firstPersons<T extends StoredFinding>(lines: T[], n: number): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const l of [...lines].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    const person = `${l.householdId ?? '-'}|${l.idNumber}`;
    if (seen.has(person)) continue;
    seen.add(person);
    out.push(l);
    if (out.length === n) break;
  }
  return out;
}

async function memberIdOf(prisma: PrismaClient, line: StoredFinding): Promise<number | undefined> {
  const m = await prisma.member.findFirst({
    where: { idNumber: line.idNumber, ...(line.householdId !== null ? { householdId: line.householdId } : {}) },
    orderBy: { id: 'asc' },
    select: { id: true },
  });
  return m?.id;
}

/** The assignees of the cases of these workflows, once the worker has written their rows (waits up to settleMs). */
async function assignees(prisma: PrismaClient, workflowIds: string[], settleMs: number) {
  const deadline = Date.now() + settleMs;
  let rows = await prisma.case.findMany({ where: { workflowId: { in: workflowIds } }, select: { assigneeStaffId: true } });
  while (rows.length < workflowIds.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    rows = await prisma.case.findMany({ where: { workflowId: { in: workflowIds } }, select: { assigneeStaffId: true } });
  }
  const ids = [...new Set(rows.flatMap((r) => (r.assigneeStaffId === null ? [] : [r.assigneeStaffId])))];
  const staff = await prisma.staff.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' }, select: { id: true, name: true, role: true } });
  return staff.map((s) => ({ staffId: s.id, name: s.name, role: s.role }));
}

const who = (people: Array<{ staffId: number; name: string; role: string }>) =>
  people.map((p) => `${p.name}（${STAFF_ROLE_LABELS[p.role as keyof typeof STAFF_ROLE_LABELS] ?? p.role}，编号 ${p.staffId}）`).join('、');

/**
 * Runs the matcher for the demo county and opens the first `perKind` cases of each planted kind:
 * near-relative filings from `undeclared_near_relative` findings, death reviews from
 * `paid_after_death` / `death_review_overdue`, prisoner exits from `paid_in_prison`; then the
 * reviews of the county's first `perKind` applications (application id order). Throws a
 * DomainInputError for a county without the demo marker.
 */
export async function bringDemoToLife(
  client: Client,
  prisma: PrismaClient,
  policy: CountyPolicy,
  countyRegionId: number,
  opts: BringDemoToLifeOptions,
): Promise<DemoLiveSummary> {
  const marker = await demoMarker(prisma, countyRegionId);
  if (!marker) throw new DomainInputError('该县不是演示县：只有演示县会在启动时自动开启案件。');
  const county = await prisma.region.findUniqueOrThrow({ where: { id: countyRegionId }, select: { id: true, name: true } });
  const perKind = opts.perKind ?? DEMO_LIVE_PER_KIND;
  const asOf = opts.asOf ?? marker.today;
  const say = opts.say ?? (() => {});

  // The matcher, as `jiuzhu match --county` runs it: findings stored once by key.
  const run = await runMatching(prisma, { counties: [{ id: county.id, name: county.name, policy }], asOf, calendar: opts.calendar, actor: 'start:demo' });
  const findings: Record<string, number> = Object.fromEntries(run.kinds.map((k) => [k.kind, k.found]));
  // The stored findings of the county (this run's and earlier runs'): a problem the opened case has
  // since taken off the matcher's list (a submitted filing) still names its case, so a restart finds
  // the same first cases.
  const townships = await prisma.region.findMany({ where: { parentId: countyRegionId }, select: { id: true } });
  const villages = await prisma.region.findMany({ where: { parentId: { in: townships.map((t) => t.id) } }, select: { id: true } });
  const stored = await prisma.finding.findMany({
    where: {
      kind: { in: ['undeclared_near_relative', 'paid_after_death', 'death_review_overdue', 'paid_in_prison'] },
      regionId: { in: [countyRegionId, ...townships.map((t) => t.id), ...villages.map((v) => v.id)] },
    },
    orderBy: { key: 'asc' },
  });
  const lines: StoredFinding[] = stored.map((f) => ({ findingId: f.id, key: f.key, kind: f.kind, idNumber: f.idNumber, householdId: f.householdId, evidence: f.evidence }));

  // Near-relative filings (approval card to the section head): those about an application first (the
  // conflict sits in a pending review), then by finding key.
  const aboutApplication = (l: StoredFinding) => (evidenceSchemas.undeclared_near_relative.parse(l.evidence).applicationIds.length > 0 ? 0 : 1);
  const nearLines = lines.filter((l) => l.kind === 'undeclared_near_relative').sort((a, b) => aboutApplication(a) - aboutApplication(b));
  const filingItems = [];
  const seenFilings = new Set<string>();
  for (const l of nearLines) {
    if (filingItems.length === perKind) break;
    // A finding without a filing to ask for (e.g. the staff member left) is skipped, with a line in the log.
    const f = await filingOfFinding(prisma, { countyRegionId, findingId: l.findingId }).catch((err: unknown) => {
      log('demo').warn({ err, findingId: l.findingId }, '演示县：该线索无法生成备案请求，跳过');
      return undefined;
    });
    if (!f || seenFilings.has(f.workflowId)) continue;
    seenFilings.add(f.workflowId);
    filingItems.push({
      workflowId: f.workflowId,
      open: () => openNearRelativeFilingFromFinding(client, prisma, { taskQueue: opts.taskQueue, countyRegionId, findingId: l.findingId, policy, calendar: opts.calendar }),
    });
  }
  const filings = await openEach(client, filingItems);

  // Death reviews: paid after death, or a death without a review on record.
  const deathLines = lines.flatMap((l): Array<StoredFinding & { deathDate: string; source: string }> => {
    if (l.kind === 'paid_after_death') {
      const e = evidenceSchemas.paid_after_death.parse(l.evidence);
      return [{ ...l, deathDate: e.deathDate, source: e.deathSource }];
    }
    if (l.kind === 'death_review_overdue') {
      const e = evidenceSchemas.death_review_overdue.parse(l.evidence);
      return e.review === null ? [{ ...l, deathDate: e.deathDate, source: e.deathSource }] : [];
    }
    return [];
  });
  const deathItems = [];
  for (const d of firstPersons(deathLines, perKind)) {
    const memberId = await memberIdOf(prisma, d);
    if (memberId === undefined) continue;
    deathItems.push({
      workflowId: deathReviewWorkflowId(countyRegionId, memberId),
      open: () => openDeathReview(client, { taskQueue: opts.taskQueue, countyRegionId, memberId, deathDate: d.deathDate, source: d.source, policy }),
    });
  }
  const deathReviews = await openEach(client, deathItems);

  // Prisoner exits: paid while in custody.
  const prisonLines = lines.flatMap((l): Array<StoredFinding & { custodyDate: string; source: string }> => {
    if (l.kind !== 'paid_in_prison') return [];
    const e = evidenceSchemas.paid_in_prison.parse(l.evidence);
    return [{ ...l, custodyDate: e.custodyDate, source: e.prisonSource }];
  });
  const prisonItems = [];
  for (const p of firstPersons(prisonLines, perKind)) {
    const memberId = await memberIdOf(prisma, p);
    if (memberId === undefined) continue;
    prisonItems.push({
      workflowId: prisonExitWorkflowId(countyRegionId, memberId),
      open: () => openPrisonExit(client, { taskQueue: opts.taskQueue, countyRegionId, memberId, imprisonmentDate: p.custodyDate, source: p.source, policy }),
    });
  }
  const prisonExits = await openEach(client, prisonItems);

  // Application reviews: the county's first applications by id (the demo's own), as the client
  // starts them; one already opened (its workflowId set) or still under review, nothing else. A clock
  // that reaches a year without holiday data is estimated by the workflow (and the office is told).
  const applicationRows = await prisma.application.findMany({
    where: { regionId: { in: [countyRegionId, ...townships.map((t) => t.id), ...villages.map((v) => v.id)] } },
    orderBy: { id: 'asc' },
    take: perKind,
    select: { id: true, kind: true, acceptedAt: true, status: true, workflowId: true },
  });
  const applicationItems = [];
  for (const a of applicationRows) {
    if (a.workflowId === null && a.status !== 'UNDER_REVIEW') continue;
    const workflowId = applicationReviewWorkflowId(countyRegionId, a.id);
    applicationItems.push({
      workflowId,
      open: () => openApplicationReview(client, { taskQueue: opts.taskQueue, countyRegionId, applicationId: a.id, policy, calendar: opts.calendar }),
    });
  }
  const applications = await openEach(client, applicationItems);

  const settleMs = opts.settleMs ?? 20_000;
  const approvers = await assignees(prisma, filings.workflowIds, settleMs);
  const caseworkers = await assignees(prisma, [...deathReviews.workflowIds, ...prisonExits.workflowIds], settleMs);
  const reviewers = await assignees(prisma, applications.workflowIds, settleMs);

  const openCases = (ids: string[]) => (ids.length ? prisma.case.count({ where: { workflowId: { in: ids }, status: 'OPEN' } }) : Promise.resolve(0));
  const stillOpen = await openCases(filings.workflowIds);
  const opened = (k: DemoLiveKind) => (k.existing.length ? `${k.workflowIds.length} 件（本次新开 ${k.opened.length} 件）` : `${k.workflowIds.length} 件`);
  const approve = approvers.length ? `，审批人 ${who(approvers)}：在控制台 /console 选择此人即可看到审批卡片（批准 / 驳回 / 补充材料）` : '';
  say(`演示县：数据比对（截至 ${asOf}）共 ${Object.values(findings).reduce((s, n) => s + n, 0)} 条问题线索。`);
  if (filings.existing.length === 0) say(`演示县：已开启 ${filings.workflowIds.length} 件近亲属备案待审批${approve}。`);
  else say(`演示县：近亲属备案 ${opened(filings)}，仍待审批 ${stillOpen} 件${stillOpen ? approve : ''}。`);
  say(`演示县：已开启 ${opened(deathReviews)}死亡核查、${opened(prisonExits)}服刑人员退出核查${caseworkers.length ? `，承办人 ${who(caseworkers)}` : ''}；专班看板 /dashboard 可见在办案件。`);
  if (applications.workflowIds.length) {
    say(
      `演示县：已开启 ${opened(applications)}低保、特困申请审核确认${reviewers.length ? `，承办人 ${who(reviewers)}：在控制台 /console 选择此人，发送 /我的待办 即可看到` : ''}；` +
        '申请人为工作人员近亲属的，须近亲属备案经批准并完成县级入户核查后方可审核确认。',
    );
  }
  return { countyRegionId, asOf, findings, filings, deathReviews, prisonExits, applications, approvers, caseworkers, reviewers };
}
