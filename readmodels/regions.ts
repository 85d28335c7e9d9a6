/**
 * Where a region sits in the county → township → village tree.
 */
import type { Prisma, PrismaClient } from '../infra/db/client.js';

type Db = Prisma.TransactionClient | PrismaClient;

interface RegionInfo {
  id: number;
  level: 'COUNTY' | 'TOWNSHIP' | 'VILLAGE';
  parentId: number | null;
}

/** County and township of a region (walking up at most two levels). */
export async function placeOf(db: Db, regionId: number): Promise<{ countyId: number | null; townshipId: number | null }> {
  const r = (await db.region.findUnique({ where: { id: regionId }, select: { id: true, level: true, parentId: true } })) as RegionInfo | null;
  if (!r) return { countyId: null, townshipId: null };
  if (r.level === 'COUNTY') return { countyId: r.id, townshipId: null };
  if (r.level === 'TOWNSHIP') return { countyId: r.parentId, townshipId: r.id };
  const t = r.parentId === null ? null : ((await db.region.findUnique({ where: { id: r.parentId }, select: { id: true, level: true, parentId: true } })) as RegionInfo | null);
  return { countyId: t?.parentId ?? null, townshipId: t?.id ?? null };
}

