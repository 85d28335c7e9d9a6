/**
 * 代理审批 lookups shared by the notify activity (an approval card for a leader
 * on leave goes to the deputy) and the bot's step front door (the deputy takes
 * the leader's step). The rules are domain/cases/delegation.ts.
 */
import type { StaffRole } from '../domain/import/vocabulary.js';
import type { PrismaClient } from '../infra/db/client.js';

const day = (d: string) => new Date(`${d}T00:00:00Z`);

export interface ActiveDelegation {
  id: number;
  leader: { id: number; name: string; role: StaffRole; regionId: number };
  deputy: { id: number; name: string };
}

const select = {
  id: true,
  leader: { select: { id: true, name: true, role: true, regionId: true, active: true } },
  deputy: { select: { id: true, name: true, active: true } },
} as const;

/** The delegation in force on `today` (YYYY-MM-DD) for this leader (the newest, if several). */
export async function deputyOf(prisma: PrismaClient, leaderStaffId: number, today: string): Promise<ActiveDelegation | null> {
  const row = await prisma.delegation.findFirst({
    where: { leaderStaffId, revokedAt: null, startsOn: { lte: day(today) }, endsOn: { gte: day(today) }, deputy: { active: true } },
    orderBy: { id: 'desc' },
    select,
  });
  return row ? { id: row.id, leader: row.leader, deputy: row.deputy } : null;
}

/** Delegations to this person over `today` that their leader ended early (a deputy is then told why he may no longer act). */
export async function endedDelegationsTo(prisma: PrismaClient, deputyStaffId: number, today: string): Promise<Array<ActiveDelegation & { endedAt: Date }>> {
  const rows = await prisma.delegation.findMany({
    where: { deputyStaffId, revokedAt: { not: null }, startsOn: { lte: day(today) }, endsOn: { gte: day(today) } },
    orderBy: { id: 'desc' },
    select: { ...select, revokedAt: true },
  });
  return rows.map((row) => ({ id: row.id, leader: row.leader, deputy: row.deputy, endedAt: row.revokedAt! }));
}

/** The leaders this person stands in for on `today`. */
export async function leadersActingFor(prisma: PrismaClient, deputyStaffId: number, today: string): Promise<ActiveDelegation[]> {
  const rows = await prisma.delegation.findMany({
    where: { deputyStaffId, revokedAt: null, startsOn: { lte: day(today) }, endsOn: { gte: day(today) }, leader: { active: true } },
    orderBy: { id: 'desc' },
    select,
  });
  return rows.map((row) => ({ id: row.id, leader: row.leader, deputy: row.deputy }));
}
