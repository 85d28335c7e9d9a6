// Writes the generated demo county (generate.ts; applications under review included) in one
// transaction with createMany batches, binds every staff member's console account, derives the
// reporting units (the code of `jiuzhu units sync`), and leaves the demo marker: an audit entry
// `demo.load` on the county region (no schema change; `findDemoCounty` reads it).
import { consoleExternalId } from '../bot/console/auth.js';
import { toChinaDate } from '../domain/time/index.js';
import { appendAudit } from '../infra/audit-chain.js';
import type { Prisma, PrismaClient } from '../infra/db/client.js';
import { CountyRegions } from '../services/import/regions.js';
import { syncReportingUnits } from '../services/units.js';
import { generateDemoCounty, PLANTED_KINDS, type DemoPreset, type GenDemoCounty, type PlantedKind } from './generate.js';

type Tx = Prisma.TransactionClient;

/** The audit action that marks a county as the demo county. */
export const DEMO_MARKER_ACTION = 'demo.load';

export interface DemoCountySummary {
  countyRegionId: number;
  county: string;
  preset: DemoPreset;
  seed: number;
  scale: number;
  today: string;
  /** First and last period of the payment ledger. */
  ledger: { firstPeriod: string; lastPeriod: string };
  counts: {
    townships: number;
    villages: number;
    staff: number;
    consoleBindings: number;
    institutions: number;
    households: number;
    members: number;
    enrolments: number;
    payments: number;
    deathRecords: number;
    prisonRecords: number;
    staffRelatives: number;
    nearRelativeFilings: number;
    monitored: number;
    /** Applications under review (低保/特困申请审核确认). */
    applications: number;
    reportingUnits: number;
  };
  /** Findings the matcher must produce as of `today`, by kind (planted problems). */
  planted: Record<PlantedKind, number>;
  /** Their finding keys (full ID numbers: for tests and the simulation, not for display). */
  plantedKeys: Record<PlantedKind, string[]>;
  /** Staff to try first in the console, by role. */
  showcase: Array<{ staffId: number; name: string; role: string; title: string }>;
  ms: number;
}

export interface LoadDemoOptions {
  preset: DemoPreset;
  seed?: number;
  scale?: number;
  /** YYYY-MM-DD; default today in Beijing. */
  today?: string;
  /** A county name other than the preset's (tests sharing one database). */
  countyName?: string;
  /** Audit actor (default 'cli:demo'). */
  actor?: string;
}

const day = (d: string) => new Date(`${d}T00:00:00Z`);

type Column = [name: string, sqlType: string, values: unknown[]];

/**
 * INSERT … SELECT FROM unnest(column arrays), 20,000 rows per statement. Prisma's createMany spent
 * about 1 ms per row on PGlite (a third of the default scale took 20 s for the ledger alone); with
 * one array parameter per column the database does the work.
 */
async function insertUnnest(tx: Tx, table: string, columns: Column[], returning?: string): Promise<Array<Record<string, unknown>>> {
  const n = columns[0]![2].length;
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i += 20_000) {
    const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c[0]}"`).join(', ')})
      SELECT * FROM unnest(${columns.map((c, k) => `$${k + 1}::${c[1]}[]`).join(', ')})${returning ? ` RETURNING ${returning}` : ''}`;
    const values = columns.map((c) => c[2].slice(i, i + 20_000));
    if (returning) out.push(...(await tx.$queryRawUnsafe<Array<Record<string, unknown>>>(sql, ...values)));
    else await tx.$executeRawUnsafe(sql, ...values);
  }
  return out;
}

/** Loads the demo county: regions, staff, roster, ledger, lists, planted problems, units. */
export async function loadDemoCounty(prisma: PrismaClient, opts: LoadDemoOptions): Promise<DemoCountySummary> {
  const t0 = Date.now();
  const gen = generateDemoCounty({
    preset: opts.preset,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.scale !== undefined ? { scale: opts.scale } : {}),
    today: opts.today ?? toChinaDate(new Date()),
    ...(opts.countyName !== undefined ? { countyName: opts.countyName } : {}),
  });
  return prisma.$transaction((tx) => writeDemoCounty(tx, gen, opts.actor ?? 'cli:demo', t0), { timeout: 30 * 60_000, maxWait: 60_000 });
}

async function writeDemoCounty(tx: Tx, gen: GenDemoCounty, actor: string, t0: number): Promise<DemoCountySummary> {
  // JIUZHU_DEMO_TIMING=1: where the time goes, on stderr.
  let tl = Date.now();
  const lap = (what: string) => {
    if (process.env.JIUZHU_DEMO_TIMING) console.error(`demo load · ${what}: ${Date.now() - tl} ms`);
    tl = Date.now();
  };
  // Regions: the county through the importer's CountyRegions (it serialises county creation), the rest in batches.
  const regions = new CountyRegions(tx, gen.countyName);
  const countyId = (await regions.county(true))!;
  await tx.region.createMany({ data: gen.townships.map((t) => ({ name: t.name, level: 'TOWNSHIP' as const, parentId: countyId })), skipDuplicates: true });
  const townshipRows = await tx.region.findMany({ where: { parentId: countyId, level: 'TOWNSHIP' }, select: { id: true, name: true } });
  const townshipId = new Map(townshipRows.map((r) => [r.name, r.id]));
  const tIds = gen.townships.map((t) => townshipId.get(t.name)!);
  await tx.region.createMany({
    data: gen.townships.flatMap((t, ti) => t.villages.map((v) => ({ name: v, level: 'VILLAGE' as const, parentId: tIds[ti]! }))),
    skipDuplicates: true,
  });
  const villageRows = await tx.region.findMany({ where: { parentId: { in: tIds }, level: 'VILLAGE' }, select: { id: true, name: true, parentId: true } });
  const villageId = new Map(villageRows.map((r) => [`${r.parentId}\u0001${r.name}`, r.id]));
  const vId = (t: number, v: number) => villageId.get(`${tIds[t]}\u0001${gen.townships[t]!.villages[v]}`)!;

  lap('regions');
  // Institutions.
  await tx.institution.createMany({ data: gen.institutions.map((i) => ({ name: i.name, regionId: i.t === null ? countyId : tIds[i.t]! })), skipDuplicates: true });
  const instRows = await tx.institution.findMany({ where: { name: { in: gen.institutions.map((i) => i.name) } }, select: { id: true, name: true } });
  const instId = new Map(instRows.map((r) => [r.name, r.id]));

  lap('institutions');
  // Staff, and a console account for each (the identity picker lists them).
  await tx.staff.createMany({
    data: gen.staff.map((s) => ({
      name: s.name,
      idNumber: s.idNumber,
      phone: s.phone,
      role: s.role,
      unit: s.unit,
      regionId: s.at.level === 'COUNTY' ? countyId : s.at.level === 'TOWNSHIP' ? tIds[s.at.t]! : vId(s.at.t, s.at.v),
    })),
  });
  const staffRows = await tx.staff.findMany({ where: { idNumber: { in: gen.staff.map((s) => s.idNumber) } }, select: { id: true, idNumber: true } });
  const staffIdByNumber = new Map(staffRows.map((r) => [r.idNumber, r.id]));
  const staffIds = gen.staff.map((s) => staffIdByNumber.get(s.idNumber)!);
  await tx.staffBinding.createMany({ data: staffIds.map((id) => ({ staffId: id, platform: 'console', externalId: consoleExternalId(id) })), skipDuplicates: true });

  lap('staff and console bindings');
  // Households, members, enrolments.
  const hhRows = await insertUnnest(
    tx,
    'Household',
    [
      ['regionId', 'int', gen.households.map((h) => vId(h.t, h.v))],
      ['headName', 'text', gen.households.map((h) => h.members[0]!.name)],
      ['headIdNumber', 'text', gen.households.map((h) => h.members[0]!.idNumber)],
      ['updatedAt', 'timestamptz', gen.households.map(() => new Date())],
    ],
    'id, "headIdNumber"',
  );
  const hhIdByHead = new Map(hhRows.map((r) => [r.headIdNumber as string, r.id as number]));
  const hhIds = gen.households.map((h) => hhIdByHead.get(h.members[0]!.idNumber)!);
  const members = gen.households.flatMap((h, i) => h.members.map((m) => ({ householdId: hhIds[i]!, m })));
  await insertUnnest(tx, 'Member', [
    ['householdId', 'int', members.map((r) => r.householdId)],
    ['name', 'text', members.map((r) => r.m.name)],
    ['idNumber', 'text', members.map((r) => r.m.idNumber)],
    ['relationToHead', 'text', members.map((r) => r.m.relationToHead)],
    ['status', '"MemberStatus"', members.map((r) => r.m.status)],
    ['updatedAt', 'timestamptz', members.map(() => new Date())],
  ]);
  const enrRows = await insertUnnest(
    tx,
    'Enrolment',
    [
      ['householdId', 'int', hhIds],
      ['kind', '"AssistanceKind"', gen.households.map((h) => h.enrolment.kind)],
      ['institutionId', 'int', gen.households.map((h) => (h.enrolment.institution === null ? null : instId.get(gen.institutions[h.enrolment.institution]!.name)!))],
      ['monthlyAmount', 'numeric', gen.households.map((h) => h.enrolment.monthlyAmount.toFixed(2))],
      ['startDate', 'date', gen.households.map((h) => h.enrolment.startDate)],
      ['endDate', 'date', gen.households.map((h) => h.enrolment.endDate)],
      ['status', '"EnrolmentStatus"', gen.households.map((h) => h.enrolment.status)],
    ],
    'id, "householdId"',
  );
  const enrolmentByHousehold = new Map(enrRows.map((r) => [r.householdId as number, r.id as number]));

  // The payment ledger (24 periods per household: the bulk of the data).
  const payments = gen.households.flatMap((h, i) => h.payments.map((p) => ({ p, householdId: hhIds[i]!, enrolmentId: enrolmentByHousehold.get(hhIds[i]!)! })));
  await insertUnnest(tx, 'Payment', [
    ['enrolmentId', 'int', payments.map((r) => r.enrolmentId)],
    ['householdId', 'int', payments.map((r) => r.householdId)],
    ['period', 'text', payments.map((r) => r.p.period)],
    ['dueDate', 'date', payments.map((r) => r.p.dueDate)],
    ['amountDue', 'numeric', payments.map((r) => r.p.amountDue.toFixed(2))],
    ['amountPaid', 'numeric', payments.map((r) => r.p.amountPaid.toFixed(2))],
    ['paidDate', 'date', payments.map((r) => r.p.paidDate)],
    ['payeeKind', '"PayeeKind"', payments.map((r) => r.p.payeeKind)],
    ['payeeName', 'text', payments.map((r) => r.p.payeeName)],
    ['accountMasked', 'text', payments.map((r) => r.p.accountMasked)],
  ]);

  // Death and custody lists, declared relatives and filings, monitored persons.
  await tx.deathRecord.createMany({ data: gen.deaths.map((d) => ({ name: d.name, idNumber: d.idNumber, deathDate: day(d.deathDate), source: d.source })), skipDuplicates: true });
  await tx.prisonRecord.createMany({
    data: gen.prisons.map((p) => ({ name: p.name, idNumber: p.idNumber, custodyDate: day(p.custodyDate), releaseDate: p.releaseDate === null ? null : day(p.releaseDate), source: p.source })),
    skipDuplicates: true,
  });
  await tx.staffRelative.createMany({
    data: gen.relatives.map((r) => ({ staffId: staffIds[r.staff]!, relativeName: r.relativeName, relativeIdNumber: r.relativeIdNumber, relation: r.relation, declaredAt: day(gen.ledger.firstPeriod + '-01') })),
    skipDuplicates: true,
  });
  const filings = gen.relatives.filter((r) => r.filing);
  const approver = staffIds[gen.staff.findIndex((s) => s.role === 'SECTION_HEAD')]!;
  await tx.nearRelativeFiling.createMany({
    data: filings.map((r) => ({
      staffId: staffIds[r.staff]!,
      relativeIdNumber: r.relativeIdNumber,
      relativeName: r.relativeName,
      relation: r.relation,
      status: 'APPROVED' as const,
      filedAt: day(gen.ledger.firstPeriod + '-05'),
      decidedAt: day(gen.ledger.firstPeriod + '-20'),
      decidedByStaffId: approver,
      homeVisitDate: day(gen.ledger.firstPeriod + '-15'),
      homeVisitResult: '入户核查属实，家庭经济状况符合条件',
      source: 'staff',
    })),
  });
  await tx.monitoredPerson.createMany({
    data: gen.monitored.map((m) => ({
      regionId: vId(m.t, m.v),
      name: m.name,
      idNumber: m.idNumber,
      disabilityKind: m.disabilityKind,
      disabilityGrade: m.disabilityGrade,
      identifiedAt: day(m.identifiedAt),
      source: m.source,
      measure: m.measure,
      measureDate: m.measureDate === null ? null : day(m.measureDate),
    })),
    skipDuplicates: true,
  });

  // Applications under review (no workflow yet: `bringDemoToLife` opens the first ones on start).
  await tx.application.createMany({
    data: gen.applications.map((a) => ({
      applicantName: a.name,
      applicantIdNumber: a.idNumber,
      kind: a.kind,
      regionId: vId(a.t, a.v),
      acceptedAt: day(a.acceptedAt),
      status: 'UNDER_REVIEW',
      householdSize: a.householdSize,
      monthlyAmount: a.monthlyAmount.toFixed(2),
    })),
  });

  lap('households, members, enrolments, payments, lists, applications');
  // Reporting units: the same derivation as `jiuzhu units sync`.
  const units = await syncReportingUnits(tx, gen.policy, countyId, { actor });

  lap('reporting units');
  const summary: DemoCountySummary = {
    countyRegionId: countyId,
    county: gen.countyName,
    preset: gen.preset,
    seed: gen.seed,
    scale: gen.scale,
    today: gen.today,
    ledger: gen.ledger,
    counts: {
      townships: gen.townships.length,
      villages: gen.townships.reduce((s, t) => s + t.villages.length, 0),
      staff: gen.staff.length,
      consoleBindings: staffIds.length,
      institutions: gen.institutions.length,
      households: gen.households.length,
      members: members.length,
      enrolments: gen.households.length,
      payments: payments.length,
      deathRecords: gen.deaths.length,
      prisonRecords: gen.prisons.length,
      staffRelatives: gen.relatives.length,
      nearRelativeFilings: filings.length,
      monitored: gen.monitored.length,
      applications: gen.applications.length,
      reportingUnits: units.total,
    },
    planted: Object.fromEntries(PLANTED_KINDS.map((k) => [k, gen.expected[k].length])) as Record<PlantedKind, number>,
    plantedKeys: gen.expected,
    showcase: showcase(gen, staffIds),
    ms: 0,
  };
  await appendAudit(tx, {
    actor,
    action: DEMO_MARKER_ACTION,
    subjectType: 'Region',
    subjectId: String(countyId),
    payload: { preset: gen.preset, seed: gen.seed, scale: gen.scale, today: gen.today, ledger: gen.ledger, counts: summary.counts, planted: summary.planted },
  });
  summary.ms = Date.now() - t0;
  return summary;
}

/** One person per role, in the order a demonstration visits them. */
function showcase(gen: GenDemoCounty, staffIds: number[]): DemoCountySummary['showcase'] {
  const order = ['TASKFORCE_LEADER', 'TASKFORCE_OFFICE', 'SECTION_HEAD', 'SECTION_CASEWORKER', 'DISCIPLINE_LIAISON', 'TOWNSHIP_HEAD', 'TOWNSHIP_CASEWORKER', 'VILLAGE_COMMITTEE', 'ADMIN'];
  return order.flatMap((role) => {
    const i = gen.staff.findIndex((s) => s.role === role);
    return i < 0 ? [] : [{ staffId: staffIds[i]!, name: gen.staff[i]!.name, role, title: gen.staff[i]!.title }];
  });
}

/** The demo county recorded in this database (its marker), if any: the latest one loaded. */
export async function findDemoCounty(
  prisma: PrismaClient | Tx,
): Promise<{ countyRegionId: number; county: string; preset: DemoPreset; seed: number; scale: number; today: string } | undefined> {
  const marks = await prisma.auditEntry.findMany({ where: { action: DEMO_MARKER_ACTION, subjectType: 'Region' }, orderBy: { id: 'desc' }, take: 20 });
  for (const m of marks) {
    const region = await prisma.region.findUnique({ where: { id: Number(m.subjectId) }, select: { id: true, name: true, level: true } });
    if (region?.level !== 'COUNTY') continue;
    const p = m.payload as { preset: DemoPreset; seed: number; scale: number; today: string };
    return { countyRegionId: region.id, county: region.name, preset: p.preset, seed: p.seed, scale: p.scale, today: p.today };
  }
  return undefined;
}

/**
 * Demo mode of the web console (free choice of identity): on with JIUZHU_DEMO=1, or when the county
 * in force is the demo county recorded in the database; in both cases only while the HTTP server
 * listens on loopback (config.ts refuses JIUZHU_DEMO=1 otherwise; here it is simply not switched on).
 */
export function demoModeFor(input: {
  envDemo: boolean;
  host: string;
  countyInForce: string;
  demoCounty: { county: string } | undefined;
}): { on: boolean; note: string | undefined } {
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(input.host);
  const isDemoCounty = input.demoCounty !== undefined && input.demoCounty.county === input.countyInForce;
  if (input.envDemo) return { on: loopback, note: loopback ? '演示模式（JIUZHU_DEMO=1）：可任意切换身份，仅限本机访问' : undefined };
  if (!isDemoCounty) return { on: false, note: undefined };
  if (!loopback) return { on: false, note: `数据库中是演示县，但 HTTP 服务监听 ${input.host}（非本机地址），因此不开启演示模式` };
  return { on: true, note: `数据库中是演示县${input.countyInForce}：控制台自动进入演示模式，可任意切换身份，仅限本机访问` };
}
