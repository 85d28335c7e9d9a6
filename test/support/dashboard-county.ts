/**
 * A small county with known numbers for the dashboard tests (db and browser):
 * two townships A and B with two villages each, staff at every level,
 * findings, open and closed cases (one ordinary complaint about A and one
 * accusation against A's caseworker), a current and an older progress cycle,
 * a village-chain cycle, rectification items and recoveries in known months.
 * `now` is fixed by the caller; every instant is placed relative to it or
 * in named Beijing months.
 */
import { appendAudit } from '../../infra/audit-chain.js';
import type { PrismaClient } from '../../infra/db/client.js';
import { dbReportCycleKind } from '../../infra/db/kinds.js';
import type { ReportCycleKind } from '../../domain/cycles/ids.js';
import type { StaffRole } from '../../prisma/generated/enums.js';
import { createTestCounty, type TestCounty } from './county.js';
import { freshIdNumber } from './ids.js';

export const DASHBOARD_NOW = new Date('2026-11-15T04:00:00Z'); // 2026-11-15 12:00 Beijing
const DAY = 86_400_000;

export interface DashboardCounty {
  county: TestCounty;
  A: { id: number; name: string; villages: number[] };
  B: { id: number; name: string; villages: number[] };
  staff: {
    office: number;
    leader: number;
    section: number;
    aCaseworker: number;
    bCaseworker: number;
    villageCadre: number;
  };
  cases: { aOverdue: number; aSoon: number; aLater: number; aNoDeadline: number; bOverdue: number; aClosed: number; complaintA: number; accusationA: number };
  units: { sectionUnit: number; townA: number; townB: number; villageA1: number; villageA2: number; villageB1: number };
  /** The expected finding totals (cents) per township name. */
  findingCents: Record<string, number>;
}

let seq = 0;
const key = (p: string) => `dash-${p}-${process.pid}-${Date.now().toString(36)}-${seq++}`;

export async function seedDashboardCounty(prisma: PrismaClient, now: Date = DASHBOARD_NOW): Promise<DashboardCounty> {
  const county = await createTestCounty(prisma, { townships: 2, villagesPerTownship: 2 });
  // Distinct names so a page can be searched for the other township's name.
  const tag = county.countyName.slice(3, 9);
  const A = { id: county.townships[0]!.id, name: `甲镇${tag}`, villages: county.townships[0]!.villages.map((v) => v.id) };
  const B = { id: county.townships[1]!.id, name: `乙镇${tag}`, villages: county.townships[1]!.villages.map((v) => v.id) };
  await prisma.region.update({ where: { id: A.id }, data: { name: A.name } });
  await prisma.region.update({ where: { id: B.id }, data: { name: B.name } });
  county.townships[0]!.name = A.name;
  county.townships[1]!.name = B.name;

  const staff = async (name: string, role: StaffRole, regionId: number, unit: string) =>
    (await prisma.staff.create({ data: { name, idNumber: freshIdNumber(), role, unit, regionId } })).id;
  const office = await staff('赵办公', 'TASKFORCE_OFFICE', county.countyId, '专班办公室');
  const leader = await staff('钱组长', 'TASKFORCE_LEADER', county.countyId, '专班');
  const section = await staff('孙股长', 'SECTION_HEAD', county.countyId, '社会救助股');
  const aCaseworker = await staff('李甲镇', 'TOWNSHIP_CASEWORKER', A.id, `${A.name}人民政府`);
  const bCaseworker = await staff('周乙镇', 'TOWNSHIP_CASEWORKER', B.id, `${B.name}人民政府`);
  const villageCadre = await staff('吴村干', 'VILLAGE_COMMITTEE', A.villages[0]!, '第1村村委会');

  // ---------------------------------------------------------------- findings
  const finding = (kind: 'paid_after_death' | 'payment_late' | 'payment_short', regionId: number, amount: string | null, foundAt: Date, status: 'OPEN' | 'RESOLVED' = 'OPEN') =>
    prisma.finding.create({ data: { kind, key: key('f'), idNumber: freshIdNumber(), regionId, amount, evidence: {}, foundAt, status } });
  // A: 2 paid_after_death (100.50 + 200.00, one resolved), 1 payment_late 50.25; B: 1 paid_after_death 999.99 and 1 payment_short 10.01.
  await finding('paid_after_death', A.villages[0]!, '100.50', new Date('2026-10-31T17:00:00Z')); // 2026-11-01 01:00 Beijing → November
  await finding('paid_after_death', A.villages[1]!, '200.00', new Date('2026-10-15T02:00:00Z'), 'RESOLVED');
  await finding('payment_late', A.villages[0]!, '50.25', new Date('2026-09-03T02:00:00Z'));
  await finding('paid_after_death', B.villages[0]!, '999.99', new Date('2026-10-20T02:00:00Z'));
  await finding('payment_short', B.villages[1]!, '10.01', new Date('2026-11-02T02:00:00Z'));

  // ---------------------------------------------------------------- cases
  const kase = (kind: 'DEATH_REVIEW' | 'PRISON_EXIT' | 'APPLICATION' | 'RECTIFICATION' | 'COMPLAINT' | 'NEAR_RELATIVE_FILING', regionId: number | null, dueAt: Date | null, extra: { status?: 'OPEN' | 'CLOSED'; data?: object; assignee?: number } = {}) =>
    prisma.case
      .create({
        data: {
          kind,
          workflowId: key(kind.toLowerCase()),
          regionId,
          dueAt,
          status: extra.status ?? 'OPEN',
          openedAt: new Date(now.getTime() - 20 * DAY),
          assigneeStaffId: extra.assignee ?? null,
          data: (extra.data ?? {}) as object,
          subjectIdNumber: freshIdNumber(),
        },
      })
      .then((c) => c.id);
  const aOverdue = await kase('DEATH_REVIEW', A.id, new Date(now.getTime() - 2 * DAY - 3_600_000), {
    assignee: aCaseworker,
    data: { recoveries: [{ updateId: key('u'), amountCents: 12_345, recordedByStaffId: aCaseworker, recordedAt: '2026-09-10T02:00:00.000Z' }] },
  });
  const aSoon = await kase('RECTIFICATION', A.id, new Date(now.getTime() + 2 * DAY), { assignee: aCaseworker });
  const aLater = await kase('APPLICATION', A.villages[0]!, new Date(now.getTime() + 10 * DAY));
  const aNoDeadline = await kase('NEAR_RELATIVE_FILING', A.id, null);
  const bOverdue = await kase('PRISON_EXIT', B.id, new Date(now.getTime() - 5 * DAY), {
    assignee: bCaseworker,
    data: { recoveries: [{ updateId: key('u'), amountCents: 70_000, recordedByStaffId: bCaseworker, recordedAt: '2026-10-01T02:00:00.000Z' }] },
  });
  const aClosed = await kase('DEATH_REVIEW', A.id, new Date(now.getTime() - 30 * DAY), { status: 'CLOSED' });

  // An ordinary complaint about A (county staff read it in full, A's caseworker redacted) and an
  // accusation against A's caseworker (only 纪检联络 and 专班组长; never A's own township).
  const complaintA = await kase('COMPLAINT', A.id, new Date(now.getTime() + 30 * DAY));
  const accusationA = await kase('COMPLAINT', null, new Date(now.getTime() + 40 * DAY));
  const complaint = (caseId: number, ledgerNo: string, accusedStaffId: number | null) =>
    prisma.complaint.create({
      data: {
        countyRegionId: county.countyId,
        workflowId: key('complaint'),
        caseId,
        ledgerNo,
        channel: '来信',
        receivedAt: new Date(now.getTime() - 10 * DAY),
        complainantName: '郑举报',
        complainantPhone: '13912345678',
        complainantIdNumber: freshIdNumber(),
        summary: '反映低保评定不公',
        subjectRegionId: accusedStaffId === null ? A.id : null,
        accusedStaffId,
      },
    });
  await complaint(complaintA, '2026-0001', null);
  await complaint(accusationA, '2026-0002', aCaseworker);

  // ---------------------------------------------------------------- reporting
  const unit = (kind: 'SECTION' | 'TOWNSHIP' | 'VILLAGE', name: string, regionId: number | null, reporter: number) =>
    prisma.reportingUnit.create({ data: { countyRegionId: county.countyId, kind, name, regionId, reporterStaffId: reporter } }).then((u) => u.id);
  const sectionUnit = await unit('SECTION', '社会救助股', null, section);
  const townA = await unit('TOWNSHIP', A.name, A.id, aCaseworker);
  const townB = await unit('TOWNSHIP', B.name, B.id, bCaseworker);
  const villageA1 = await unit('VILLAGE', `${A.name}第1村`, A.villages[0]!, villageCadre);
  const villageA2 = await unit('VILLAGE', `${A.name}第2村`, A.villages[1]!, villageCadre);
  const villageB1 = await unit('VILLAGE', `${B.name}第1村`, B.villages[0]!, bCaseworker);

  const cycle = (kind: ReportCycleKind, period: string, openedAt: Date, dueAt: Date) =>
    prisma.reportCycle.create({ data: { countyRegionId: county.countyId, kind: dbReportCycleKind(kind), period, workflowId: key(`cycle-${kind}`), openedAt, dueAt } }).then((c) => c.id);
  const submit = (cycleId: number, unitId: number, by: number, submittedAt: Date, late: boolean) =>
    prisma.reportSubmission.create({ data: { cycleId, unitId, submittedByStaffId: by, submittedAt, late, data: { items: {} }, updateId: key('sub') } });
  // Older progress cycle: everyone reported (must not be the one shown).
  const old = await cycle('progress', '2026-10-31', new Date(now.getTime() - 20 * DAY), new Date(now.getTime() - 15 * DAY));
  for (const [u, by] of [[sectionUnit, section], [townA, aCaseworker], [townB, bCaseworker]] as const) await submit(old, u, by, new Date(now.getTime() - 16 * DAY), false);
  // Current progress cycle, due yesterday: A on time, the 股 late, B missing.
  const current = await cycle('progress', '2026-11-14', new Date(now.getTime() - 3 * DAY), new Date(now.getTime() - DAY));
  await submit(current, townA, aCaseworker, new Date(now.getTime() - 2 * DAY), false);
  await submit(current, sectionUnit, section, new Date(now.getTime() - DAY / 2), true);
  // Village chain, due in 5 days: A's first village reported, the others not yet.
  const chain = await cycle('village-chain', '2026-11', new Date(now.getTime() - 5 * DAY), new Date(now.getTime() + 5 * DAY));
  await submit(chain, villageA1, villageCadre, new Date(now.getTime() - DAY), false);

  // ---------------------------------------------------------------- rectification items and recoveries
  const item = async (n: number, regionId: number, responsible: number, createdAt: Date, completedAt: Date | null) =>
    prisma.rectificationItem.create({
      data: {
        countyRegionId: county.countyId,
        workflowId: key('rect'),
        seq: n,
        problem: '超期发放未追回',
        source: 'big-data match',
        responsibleRegionId: regionId,
        responsibleUnit: '单位',
        responsibleStaffId: responsible,
        measures: '追回资金',
        deadline: new Date('2026-12-31T00:00:00Z'),
        createdAt,
        ...(completedAt ? { status: 'COMPLETED' as const, completedAt } : {}),
      },
    });
  const i1 = await item(1, A.id, aCaseworker, new Date('2026-09-05T02:00:00Z'), new Date('2026-10-08T02:00:00Z'));
  await item(2, A.villages[1]!, aCaseworker, new Date('2026-10-06T02:00:00Z'), null);
  const i3 = await item(3, B.id, bCaseworker, new Date('2026-10-07T02:00:00Z'), null);
  const progress = (itemId: number, by: number, cents: number, at: string) =>
    prisma.$transaction(async (tx) => {
      const updateId = key('progress');
      await tx.rectificationProgress.create({ data: { itemId, updateId, note: '已追回', staffId: by, at: new Date(at) } });
      await tx.rectificationItem.update({ where: { id: itemId }, data: { recoveredAmount: { increment: cents / 100 } } });
      await appendAudit(tx, { actor: `staff:${by}`, action: 'rectification.progress', subjectType: 'RectificationItem', subjectId: String(itemId), payload: { updateId, note: '已追回', recoveredCents: cents, at } });
    });
  await progress(i1.id, aCaseworker, 5_000, '2026-10-05T03:00:00.000Z');
  await progress(i3.id, bCaseworker, 8_800, '2026-11-03T03:00:00.000Z');

  return {
    county,
    A,
    B,
    staff: { office, leader, section, aCaseworker, bCaseworker, villageCadre },
    cases: { aOverdue, aSoon, aLater, aNoDeadline, bOverdue, aClosed, complaintA, accusationA },
    units: { sectionUnit, townA, townB, villageA1, villageA2, villageB1 },
    findingCents: { [A.name]: 10_050 + 20_000 + 5_025, [B.name]: 99_999 + 1_001 },
  };
}
