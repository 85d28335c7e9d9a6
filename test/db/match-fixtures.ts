/**
 * Fixtures for the matching tests: households on the roster with on-time
 * payments for every period due up to the as-of month, which a test then
 * breaks on purpose (delete a payment, pay late, pay short, pay someone else).
 */
import type { PrismaClient } from '../../prisma/generated/client.js';
import type { AssistanceKind, PayeeKind } from '../../prisma/generated/enums.js';
import { freshIdNumber } from '../support/ids.js';

export const day = (d: string) => new Date(`${d}T00:00:00Z`);

const QUARTERLY = new Set(['TEKUN_DISPERSED', 'TEKUN_CENTRALIZED']);

/** Schedule months from `from` to `to` ('YYYY-MM') for a kind (monthly 低保, quarterly 特困). */
export function periods(kind: AssistanceKind, from: string, to: string): string[] {
  const out: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    if (key > to) break;
    if (!QUARTERLY.has(kind) || [1, 4, 7, 10].includes(m)) out.push(key);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

export interface HouseholdSpec {
  villageId: number;
  /** Number of members (the first is the head). Default 1. */
  members?: number;
  /** Extra members given by ID number (e.g. a person who is also in another household). */
  extraMemberIds?: string[];
  enrolments: Array<{
    kind: AssistanceKind;
    monthly: number;
    start: string;
    end?: string;
    status?: 'ACTIVE' | 'ENDED';
    institution?: { id: number; name: string };
  }>;
  /** Pay every period due up to this month ('YYYY-MM'), on the 5th, in full, to the right payee. */
  paidThrough: string;
}

export interface CreatedHousehold {
  id: number;
  headIdNumber: string;
  headName: string;
  memberIds: string[];
  enrolments: Array<{ id: number; kind: AssistanceKind }>;
}

let nameSerial = 0;

export async function createHousehold(prisma: PrismaClient, spec: HouseholdSpec): Promise<CreatedHousehold> {
  const memberIds = Array.from({ length: spec.members ?? 1 }, () => freshIdNumber());
  const headName = `户主${++nameSerial}`;
  const household = await prisma.household.create({
    data: { regionId: spec.villageId, headName, headIdNumber: memberIds[0]! },
  });
  const all = [...memberIds, ...(spec.extraMemberIds ?? [])];
  await prisma.member.createMany({
    data: all.map((idNumber, i) => ({
      householdId: household.id,
      idNumber,
      name: i === 0 ? headName : `成员${nameSerial}-${i}`,
      relationToHead: i === 0 ? '本人' : '子女',
    })),
  });
  const enrolments: CreatedHousehold['enrolments'] = [];
  for (const e of spec.enrolments) {
    const row = await prisma.enrolment.create({
      data: {
        householdId: household.id,
        kind: e.kind,
        institutionId: e.institution?.id ?? null,
        monthlyAmount: e.monthly,
        startDate: day(e.start),
        endDate: e.end ? day(e.end) : null,
        status: e.status ?? 'ACTIVE',
      },
    });
    enrolments.push({ id: row.id, kind: e.kind });
    const last = e.end && e.end.slice(0, 7) < spec.paidThrough ? e.end.slice(0, 7) : spec.paidThrough;
    const cover = QUARTERLY.has(e.kind) ? 3 : 1;
    const payeeKind: PayeeKind = e.institution ? 'INSTITUTION' : 'HOUSEHOLD';
    await prisma.payment.createMany({
      data: periods(e.kind, e.start.slice(0, 7), last).map((period) => ({
        enrolmentId: row.id,
        householdId: household.id,
        period,
        dueDate: day(`${period}-10`),
        amountDue: e.monthly * cover,
        amountPaid: e.monthly * cover,
        paidDate: day(`${period}-05`),
        payeeKind,
        payeeName: e.institution?.name ?? headName,
      })),
    });
  }
  return { id: household.id, headIdNumber: memberIds[0]!, headName, memberIds: all, enrolments };
}

/** Change the payment of an enrolment for a period. */
export async function updatePayment(
  prisma: PrismaClient,
  enrolmentId: number,
  period: string,
  data: { paidDate?: string | null; amountPaid?: number; amountDue?: number; payeeKind?: PayeeKind; payeeName?: string },
): Promise<number> {
  const p = await prisma.payment.update({
    where: { enrolmentId_period: { enrolmentId, period } },
    data: {
      ...(data.paidDate !== undefined ? { paidDate: data.paidDate === null ? null : day(data.paidDate) } : {}),
      ...(data.amountPaid !== undefined ? { amountPaid: data.amountPaid } : {}),
      ...(data.amountDue !== undefined ? { amountDue: data.amountDue } : {}),
      ...(data.payeeKind !== undefined ? { payeeKind: data.payeeKind } : {}),
      ...(data.payeeName !== undefined ? { payeeName: data.payeeName } : {}),
    },
  });
  return p.id;
}

export async function deletePayment(prisma: PrismaClient, enrolmentId: number, period: string): Promise<void> {
  await prisma.payment.delete({ where: { enrolmentId_period: { enrolmentId, period } } });
}

export async function addPayment(
  prisma: PrismaClient,
  h: CreatedHousehold,
  enrolmentId: number,
  period: string,
  amount: number,
  paidDate: string | null,
): Promise<number> {
  const p = await prisma.payment.create({
    data: {
      enrolmentId,
      householdId: h.id,
      period,
      dueDate: day(`${period}-10`),
      amountDue: amount,
      amountPaid: paidDate === null ? 0 : amount,
      paidDate: paidDate === null ? null : day(paidDate),
      payeeKind: 'HOUSEHOLD',
      payeeName: h.headName,
    },
  });
  return p.id;
}

export function uniqueTag(): string {
  return `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}
