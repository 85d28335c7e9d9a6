/**
 * Where a region sits in the county → township → village tree: the one home of region lookups.
 * Each Region row carries its county and township (filled by the `region_place` trigger from the
 * parent), so none of this walks the tree.
 */
import type { Prisma, PrismaClient } from '../infra/db/client.js';

type Db = Prisma.TransactionClient | PrismaClient;

/** County and township of a region (the township is null for a county or a county-level unit). */
export async function placeOf(db: Db, regionId: number): Promise<{ countyId: number | null; townshipId: number | null }> {
  const r = await db.region.findUnique({ where: { id: regionId }, select: { countyId: true, townshipId: true } });
  return { countyId: r?.countyId ?? null, townshipId: r?.townshipId ?? null };
}

/** The county a region lies in (the region itself when it is a county), or null. */
export async function countyOfRegion(db: Db, regionId: number): Promise<number | null> {
  return (await placeOf(db, regionId)).countyId;
}

/** The township of a village or township region (null for a county). */
export async function townshipOfRegion(db: Db, regionId: number): Promise<number | null> {
  return (await placeOf(db, regionId)).townshipId;
}
