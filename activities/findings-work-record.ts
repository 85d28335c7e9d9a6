/**
 * Recording the work the data asks for (issue 13; see findings-work.ts): WorkOrder rows for imported
 * deaths and custody, open findings and registered applications. In a module of its own, without the
 * Temporal client, so that `jiuzhu match` and `jiuzhu import` record the work without loading it
 * (they load it only when a Temporal server answers: app/commands/work.ts).
 */
import { rectificationWorkflowId } from '../domain/cases/rectification.js';
import {
  applicationReviewWorkflowId,
  askFilingKey,
  askFilingText,
  deathReviewWorkflowId,
  nearRelativeOfFinding,
  prisonExitWorkflowId,
  RECTIFICATION_MEASURES,
  type WorkOrderKind,
} from '../domain/cases/index.js';
import { describeFinding, parseYuan, type EvidenceOf } from '../domain/matching/index.js';
import { describableFinding, findingEvidence, type WorkOrderInputs } from '../domain/columns.js';
import type { CountyPolicy, FindingWork } from '../domain/policy/schema.js';
import { toChinaDate } from '../domain/time/instants.js';
import type { PrismaClient } from '../infra/db/client.js';

/** A run limited to some finding kinds of one period (the payment watch judges one period). */
export interface FindingScope {
  kinds: string[];
  /** 'YYYY-MM' */
  period: string;
}

export interface RecordWorkResult {
  /** Orders recorded by this call, by kind. */
  recorded: Partial<Record<WorkOrderKind, number>>;
  /** Orders of the county not opened yet (this call's and earlier ones). */
  pending: number;
  /**
   * Findings or records that map to work but cannot have it, with the Chinese reason: the first
   * SKIPPED_EXAMPLES only (this result goes into the workflow's history; a county of a million
   * members may skip hundreds of thousands), all of them counted in `skippedCount`.
   */
  skipped: Array<{ source: string; reason: string }>;
  skippedCount: number;
}

/** How many skipped findings a result lists (the rest are counted). */
export const SKIPPED_EXAMPLES = 50;

/** An order to record; its input typed by kind (WorkOrder.input, domain/columns.ts). */
type OrderDraft = {
  [K in WorkOrderKind]: { workflowId: string; kind: K; source: string; findingId: number | null; input: WorkOrderInputs[K] };
}[WorkOrderKind];

/** The county's townships ($3) with their responsible staff: the first active caseworker, else the township head. */
const TOWNSHIPS_SQL = `WITH townships AS MATERIALIZED (
  SELECT t.id, t.name, (
    SELECT s.id FROM "Staff" s
     WHERE s."regionId" = t.id AND s.active AND s.role::text IN ('TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD')
     ORDER BY (s.role::text = 'TOWNSHIP_CASEWORKER') DESC, s.id LIMIT 1) AS staff_id
    FROM "Region" t WHERE t."parentId" = $3)`;

/** Open findings ($1 kinds, $2 regions, $4 period or null) with no work order or rectification item yet. */
const OPEN_WITHOUT_WORK = `f.status = 'OPEN' AND f."clearedAt" IS NULL AND f.kind::text = ANY($1::text[]) AND f."regionId" = ANY($2::int[])
            AND NOT EXISTS (SELECT 1 FROM "WorkOrder" w WHERE w."findingId" = f.id)
            AND NOT EXISTS (SELECT 1 FROM "RectificationItem" ri WHERE ri."countyRegionId" = $3 AND ri."sourceRef" = 'finding:' || f.id)
            AND ($4::text IS NULL OR f.period = $4)`;

const NO_TOWNSHIP = '问题线索没有所属乡镇，无法确定整改责任单位';

/** County, townships and villages of a county. */
async function countyRegions(prisma: PrismaClient, countyRegionId: number) {
  const townships = await prisma.region.findMany({ where: { parentId: countyRegionId }, select: { id: true } });
  const villages = await prisma.region.findMany({ where: { parentId: { in: townships.map((t) => t.id) } }, select: { id: true } });
  return { ids: [countyRegionId, ...townships.map((t) => t.id), ...villages.map((v) => v.id)] };
}

/**
 * Records the work the county's data asks for and has not been recorded yet: deaths and custody of
 * members of enrolled households (imported lists), open findings by the policy's `findingWork`,
 * and applications registered without a review. Idempotent (ON CONFLICT on the workflow id).
 */
export async function recordPendingWork(prisma: PrismaClient, input: { countyRegionId: number; policy: CountyPolicy; only?: FindingScope }): Promise<RecordWorkResult> {
  const { countyRegionId, policy, only } = input;
  const map = only ? { ...policy.findingWork, deathRecord: 'none' as const, prisonRecord: 'none' as const } : policy.findingWork;
  const regions = await countyRegions(prisma, countyRegionId);
  const drafts: OrderDraft[] = [];
  // Skipped findings in finding-id order (the loop below goes by id; the ones without a responsible
  // township or staff are counted in the database and come with their first SKIPPED_EXAMPLES, merged by id).
  const skippedList: Array<{ id: number; source: string; reason: string }> = [];
  let skippedCount = 0;
  const skipped = {
    push(entry: { source: string; reason: string }, id: number) {
      skippedCount++;
      if (skippedList.length < SKIPPED_EXAMPLES) skippedList.push({ id, ...entry });
    },
  };

  // Imported deaths / custody of members of enrolled households (enrolled at the event).
  if (map.deathRecord === 'deathReview') {
    const rows = await prisma.$queryRawUnsafe<Array<{ recordId: number; memberId: number; deathDate: string; source: string }>>(
      `SELECT DISTINCT ON (m.id) d.id AS "recordId", m.id AS "memberId", to_char(d."deathDate", 'YYYY-MM-DD') AS "deathDate", d.source
         FROM "DeathRecord" d
         JOIN "Member" m ON m."idNumber" = d."idNumber"
         JOIN "Household" h ON h.id = m."householdId"
        WHERE h."regionId" = ANY($1::int[])
          AND EXISTS (SELECT 1 FROM "Enrolment" e WHERE e."householdId" = h.id AND e."startDate" <= d."deathDate"
                        AND (e.status = 'ACTIVE' OR e."endDate" >= d."deathDate"))
        ORDER BY m.id, d.id`,
      regions.ids,
    );
    for (const r of rows) {
      drafts.push({
        workflowId: deathReviewWorkflowId(countyRegionId, r.memberId),
        kind: 'deathReview',
        source: `death-record:${r.recordId}`,
        findingId: null,
        input: { memberId: r.memberId, deathDate: r.deathDate, source: r.source },
      });
    }
  }
  if (map.prisonRecord === 'prisonExit') {
    const rows = await prisma.$queryRawUnsafe<Array<{ recordId: number; memberId: number; custodyDate: string; source: string }>>(
      `SELECT DISTINCT ON (m.id) p.id AS "recordId", m.id AS "memberId", to_char(p."custodyDate", 'YYYY-MM-DD') AS "custodyDate", p.source
         FROM "PrisonRecord" p
         JOIN "Member" m ON m."idNumber" = p."idNumber"
         JOIN "Household" h ON h.id = m."householdId"
        WHERE h."regionId" = ANY($1::int[])
          AND (p."releaseDate" IS NULL OR p."releaseDate" > p."custodyDate")
          AND EXISTS (SELECT 1 FROM "Enrolment" e WHERE e."householdId" = h.id AND e."startDate" <= p."custodyDate"
                        AND (e.status = 'ACTIVE' OR e."endDate" >= p."custodyDate"))
        ORDER BY m.id, p."custodyDate" DESC, p.id`,
      regions.ids,
    );
    for (const r of rows) {
      drafts.push({
        workflowId: prisonExitWorkflowId(countyRegionId, r.memberId),
        kind: 'prisonExit',
        source: `prison-record:${r.recordId}`,
        findingId: null,
        input: { memberId: r.memberId, imprisonmentDate: r.custodyDate, source: r.source },
      });
    }
  }

  // Open findings without an order yet.
  const kinds = (Object.entries(map) as Array<[string, FindingWork]>)
    .filter(([k, w]) => w !== 'none' && k !== 'deathRecord' && k !== 'prisonRecord' && (!only || only.kinds.includes(k)))
    .map(([k]) => k);
  // One set-based query: the finding's township and its responsible staff (first active caseworker, else
  // township head) and the roster member of a death or custody finding are joined in the database, not
  // looked up per finding; the evidence is read only where work is drafted from it.
  const rectificationKinds = kinds.filter((k) => map[k as keyof typeof map] === 'rectification');
  const memberKinds = kinds.filter((k) => {
    const w = map[k as keyof typeof map];
    return (
      (w === 'deathReview' && (k === 'paid_after_death' || k === 'death_review_overdue')) ||
      (w === 'prisonExit' && k === 'paid_in_prison') ||
      (w === 'askFiling' && k === 'undeclared_near_relative')
    );
  });
  const findings = kinds.length
    ? await prisma.$queryRawUnsafe<
        Array<{
          id: number;
          kind: string;
          idNumber: string;
          householdId: number | null;
          regionId: number | null;
          period: string | null;
          amount: string | null;
          evidence: unknown;
          foundAt: Date;
          townshipId: number | null;
          townshipName: string | null;
          staffId: number | null;
          memberId: number | null;
        }>
      >(
        `${TOWNSHIPS_SQL}
         SELECT f.id, f.kind::text AS kind, f."idNumber", f."householdId", f."regionId", f.period, f.amount::text AS amount,
                f.evidence,
                f."foundAt", tw.id AS "townshipId", tw.name AS "townshipName", tw.staff_id AS "staffId",
                CASE WHEN f.kind::text = ANY($6::text[]) THEN (
                  SELECT m.id FROM "Member" m
                   WHERE m."idNumber" = f."idNumber" AND (f."householdId" IS NULL OR m."householdId" = f."householdId")
                   ORDER BY m.id LIMIT 1) END AS "memberId"
           FROM "Finding" f
           LEFT JOIN "Region" r ON r.id = f."regionId"
           LEFT JOIN townships tw ON tw.id = CASE WHEN r."parentId" = $3 THEN r.id ELSE r."parentId" END
          WHERE ${OPEN_WITHOUT_WORK}
            -- (a rectification finding without a responsible township or staff: counted below, not read)
            AND NOT (f.kind::text = ANY($5::text[]) AND tw.staff_id IS NULL)
          ORDER BY f.id`,
        kinds,
        regions.ids,
        countyRegionId,
        only?.period ?? null,
        rectificationKinds,
        memberKinds,
      )
    : [];
  // Rectification findings nobody can be made responsible for (no township, or no staff in it): however
  // many, one aggregate and the first SKIPPED_EXAMPLES rows, not every row read back into Node.
  const unowned = rectificationKinds.length
    ? await prisma.$queryRawUnsafe<Array<{ id: number; townshipName: string | null; total: number }>>(
        `${TOWNSHIPS_SQL}
         SELECT f.id, tw.name AS "townshipName", (count(*) OVER ())::int AS total
           FROM "Finding" f
           LEFT JOIN "Region" r ON r.id = f."regionId"
           LEFT JOIN townships tw ON tw.id = CASE WHEN r."parentId" = $3 THEN r.id ELSE r."parentId" END
          WHERE ${OPEN_WITHOUT_WORK} AND f.kind::text = ANY($5::text[]) AND tw.staff_id IS NULL
          ORDER BY f.id LIMIT ${SKIPPED_EXAMPLES}`,
        kinds,
        regions.ids,
        countyRegionId,
        only?.period ?? null,
        rectificationKinds,
      )
    : [];
  const unownedExamples = unowned.map((u) => ({
    id: u.id,
    source: `finding:${u.id}`,
    reason: u.townshipName === null ? NO_TOWNSHIP : `${u.townshipName}没有在岗的民政经办人或乡镇负责人，无法指定整改责任人`,
  }));
  for (const f of findings) {
    const work = map[f.kind as keyof typeof map];
    const source = `finding:${f.id}`;
    if (work === 'deathReview' && (f.kind === 'paid_after_death' || f.kind === 'death_review_overdue')) {
      const e = f.kind === 'paid_after_death' ? findingEvidence('paid_after_death', f.evidence, `#${f.id}`) : findingEvidence('death_review_overdue', f.evidence, `#${f.id}`);
      if ('review' in e && e.review !== null) continue; // a review is on record: nothing to open
      const memberId = f.memberId;
      if (memberId === null) {
        skipped.push({ source, reason: '死亡人员不在花名册中，无法开启死亡核查' }, f.id);
        continue;
      }
      drafts.push({ workflowId: deathReviewWorkflowId(countyRegionId, memberId), kind: 'deathReview', source, findingId: f.id, input: { memberId, deathDate: e.deathDate, source: e.deathSource } });
    } else if (work === 'prisonExit' && f.kind === 'paid_in_prison') {
      const e = findingEvidence('paid_in_prison', f.evidence, `#${f.id}`);
      const memberId = f.memberId;
      if (memberId === null) {
        skipped.push({ source, reason: '服刑人员不在花名册中，无法开启退出核查' }, f.id);
        continue;
      }
      drafts.push({ workflowId: prisonExitWorkflowId(countyRegionId, memberId), kind: 'prisonExit', source, findingId: f.id, input: { memberId, imprisonmentDate: e.custodyDate, source: e.prisonSource } });
    } else if (work === 'askFiling' && f.kind === 'undeclared_near_relative') {
      // What services/cases/near-relative-filing.ts filingOfFinding gives, from this row (the member looked
      // up in the query above), not two queries per finding.
      let filing: { staffId: number; relative: { memberId: number } | { applicationId: number } };
      let e: EvidenceOf<'undeclared_near_relative'>;
      try {
        e = findingEvidence('undeclared_near_relative', f.evidence, `#${f.id}`);
        filing = { staffId: e.staff.id, relative: nearRelativeOfFinding(e, f.memberId) };
      } catch (err) {
        skipped.push({ source, reason: err instanceof Error ? err.message : String(err) }, f.id);
        continue;
      }
      drafts.push({
        workflowId: askFilingKey(countyRegionId, filing.staffId, filing.relative),
        kind: 'askFiling',
        source,
        findingId: f.id,
        input: { staffId: filing.staffId, text: askFilingText(f.id, e.name, e.relation, e.sources) },
      });
    } else if (work === 'rectification') {
      // (the query leaves out the ones without a township or staff: `unowned` above)
      if (f.townshipId === null || f.townshipName === null || f.staffId === null) throw new Error(`finding ${f.id}: no responsible township or staff`);
      const township = { id: f.townshipId, name: f.townshipName };
      const staffId = f.staffId;
      const description = describeFinding(describableFinding({ kind: f.kind, evidence: f.evidence, period: f.period, amount: parseYuan(f.amount) }, `#${f.id}`));
      drafts.push({
        workflowId: rectificationWorkflowId(countyRegionId, { sourceRef: source }),
        kind: 'rectification',
        source,
        findingId: f.id,
        input: {
          problem: description.slice(0, 1000),
          sourceRef: source,
          responsibleRegionId: township.id,
          responsibleUnit: `${township.name}人民政府`,
          responsibleStaffId: staffId,
          measures: RECTIFICATION_MEASURES[f.kind] ?? '核实问题，限期整改',
          discoveryDate: toChinaDate(f.foundAt),
        },
      });
    }
  }

  // Applications registered (form or import) without a review yet.
  const applications = only ? [] : await prisma.application.findMany({
    where: { regionId: { in: regions.ids }, workflowId: null, status: 'UNDER_REVIEW' },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  for (const a of applications) {
    drafts.push({ workflowId: applicationReviewWorkflowId(countyRegionId, a.id), kind: 'applicationReview', source: `application:${a.id}`, findingId: null, input: { applicationId: a.id } });
  }

  const recorded: RecordWorkResult['recorded'] = {};
  const CHUNK = 500;
  for (let i = 0; i < drafts.length; i += CHUNK) {
    const part = drafts.slice(i, i + CHUNK);
    const rows = await prisma.$queryRawUnsafe<Array<{ kind: WorkOrderKind }>>(
      `INSERT INTO "WorkOrder" ("countyRegionId", "workflowId", kind, source, "findingId", input)
       SELECT $1, x."workflowId", x.kind, x.source, x."findingId", x.input
         FROM json_to_recordset($2::json) AS x("workflowId" text, kind "WorkOrderKind", source text, "findingId" int, input jsonb)
       ON CONFLICT ("workflowId") DO NOTHING
       RETURNING kind`,
      countyRegionId,
      JSON.stringify(part),
    );
    for (const r of rows) recorded[r.kind] = (recorded[r.kind] ?? 0) + 1;
  }
  const pending = await prisma.workOrder.count({ where: { countyRegionId, openedAt: null } });
  const examples = [...skippedList, ...unownedExamples].sort((a, b) => a.id - b.id).slice(0, SKIPPED_EXAMPLES);
  return {
    recorded,
    pending,
    skipped: examples.map(({ source, reason }) => ({ source, reason })),
    skippedCount: skippedCount + (unowned[0]?.total ?? 0),
  };
}


