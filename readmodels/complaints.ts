/**
 * Complaint visibility (信访/举报), the one read model every front asks: who may read which complaint
 * (the domain rule `complaintAccess`, applied to rows from the database), and what each reader sees.
 * The accused and the accused unit get nothing; township staff get ordinary complaints about their
 * township without the complainant.
 */
import type { Prisma, PrismaClient } from '../infra/db/client.js';
import {
  complainantLabel,
  complaintAccess,
  type ComplaintAccess,
  type ComplaintAccessSubject,
  type ComplaintReader,
  type StaffRoleCode,
  inAccusedUnit,
} from '../domain/cases/complaint.js';
import { placeOf } from './regions.js';

type Db = Prisma.TransactionClient | PrismaClient;

/** Every staff member of a county (county, township and village regions), with their places resolved. */
export async function countyReaders(db: Db, countyId: number): Promise<ComplaintReader[]> {
  const townships = await db.region.findMany({ where: { parentId: countyId }, select: { id: true } });
  const villages = await db.region.findMany({ where: { parentId: { in: townships.map((t) => t.id) } }, select: { id: true, parentId: true } });
  const townshipOfRegion = new Map<number, number | null>([[countyId, null], ...townships.map((t): [number, number] => [t.id, t.id]), ...villages.map((v): [number, number | null] => [v.id, v.parentId])]);
  const staff = await db.staff.findMany({ where: { regionId: { in: [...townshipOfRegion.keys()] } }, orderBy: { id: 'asc' } });
  return staff.map((s) => ({ id: s.id, role: s.role as StaffRoleCode, active: s.active, unit: s.unit, countyId, townshipId: townshipOfRegion.get(s.regionId) ?? null }));
}

export async function accessSubject(db: Db, c: { countyRegionId: number; subjectRegionId: number | null; accusedStaffId: number | null }): Promise<ComplaintAccessSubject> {
  const subjectTownshipId = c.subjectRegionId === null ? null : (await placeOf(db, c.subjectRegionId)).townshipId;
  let accused: ComplaintAccessSubject['accused'] = null;
  if (c.accusedStaffId !== null) {
    const s = await db.staff.findUnique({ where: { id: c.accusedStaffId } });
    // An unknown accused id still hides the complaint from everyone but the accusation readers.
    accused = s ? { unit: s.unit, townshipId: (await placeOf(db, s.regionId)).townshipId } : { unit: '', townshipId: null };
  }
  return { countyRegionId: c.countyRegionId, subjectTownshipId, accusedStaffId: c.accusedStaffId, accused };
}

/** What a staff member sees of a complaint (never the full phone or ID number). */
export interface ComplaintView {
  id: number;
  ledgerNo: string;
  access: Exclude<ComplaintAccess, 'none'>;
  channel: string;
  receivedAt: Date;
  summary: string;
  subjectRegionId: number | null;
  accusation: boolean;
  /** Full readers only: name with masked phone and ID number. */
  complainant: string | null;
  accusedStaffId: number | null;
  clue: { id: number; transferredAt: Date | null; transferredTo: string | null } | null;
  closedAt: Date | null;
}

/**
 * The one complaint access rule (domain complaintAccess) for one staff member and one complaint, read
 * from the database: every front (`/案件 N`, the dashboards, routing) asks this. 'none' for an unknown
 * staff member or complaint.
 */
export async function complaintAccessFor(prisma: PrismaClient, staffId: number, complaint: { countyRegionId: number; subjectRegionId: number | null; accusedStaffId: number | null } | null): Promise<ComplaintAccess> {
  if (!complaint) return 'none';
  const staff = await prisma.staff.findUnique({ where: { id: staffId } });
  if (!staff) return 'none';
  const place = await placeOf(prisma, staff.regionId);
  const reader: ComplaintReader = { id: staff.id, role: staff.role as StaffRoleCode, active: staff.active, unit: staff.unit, ...place };
  return complaintAccess(reader, await accessSubject(prisma, complaint));
}

/**
 * True when the staff member must stand aside from the complaint of this case: it is an accusation and
 * they are the accused or work in the accused unit. Checked for everyone who acts on it, a deputy (代理审批)
 * too: standing in for a leader never opens an accusation to the accused unit. False for other cases.
 */
export async function mustStandAsideFromCase(prisma: PrismaClient, staffId: number, caseId: number): Promise<boolean> {
  const complaint = await prisma.complaint.findUnique({ where: { caseId }, select: { countyRegionId: true, subjectRegionId: true, accusedStaffId: true } });
  if (!complaint || complaint.accusedStaffId === null) return false;
  const staff = await prisma.staff.findUnique({ where: { id: staffId } });
  if (!staff) return true;
  const reader: ComplaintReader = { id: staff.id, role: staff.role as StaffRoleCode, active: staff.active, unit: staff.unit, ...(await placeOf(prisma, staff.regionId)) };
  return inAccusedUnit(reader, await accessSubject(prisma, complaint));
}

/**
 * The complaints (and their clues) a staff member may read, newest first.
 * For the bot and the dashboards: the accused and the accused unit get
 * nothing; township staff get ordinary complaints about their township
 * without the complainant.
 */
export async function complaintsVisibleTo(prisma: PrismaClient, staffId: number): Promise<ComplaintView[]> {
  const staff = await prisma.staff.findUnique({ where: { id: staffId } });
  if (!staff) return [];
  const place = await placeOf(prisma, staff.regionId);
  if (place.countyId === null) return [];
  const reader: ComplaintReader = { id: staff.id, role: staff.role as StaffRoleCode, active: staff.active, unit: staff.unit, ...place };
  const rows = await prisma.complaint.findMany({ where: { countyRegionId: place.countyId }, orderBy: { id: 'desc' } });
  const out: ComplaintView[] = [];
  for (const c of rows) {
    const access = complaintAccess(reader, await accessSubject(prisma, c));
    if (access === 'none') continue;
    const clue = c.accusedStaffId !== null ? await prisma.disciplineClue.findUnique({ where: { complaintId: c.id } }) : null;
    out.push({
      id: c.id,
      ledgerNo: c.ledgerNo,
      access,
      channel: c.channel,
      receivedAt: c.receivedAt,
      summary: c.summary,
      subjectRegionId: c.subjectRegionId,
      accusation: c.accusedStaffId !== null,
      complainant: access === 'full' ? complainantLabel({ name: c.complainantName, phone: c.complainantPhone, idNumber: c.complainantIdNumber }) : null,
      accusedStaffId: access === 'full' ? c.accusedStaffId : null,
      clue: clue ? { id: clue.id, transferredAt: clue.transferredAt, transferredTo: clue.transferredTo } : null,
      closedAt: c.closedAt,
    });
  }
  return out;
}

