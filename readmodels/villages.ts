// Which village a staff member means when typing its name in a form: within their own scope (a
// village cadre: their village; township staff: their township's villages; county staff: the county's).
import type { PrismaClient } from '../prisma/generated/client.js';

/** Villages a staff member may register for: their own (village staff), their township's, or the county's. */
export async function villagesInScope(prisma: PrismaClient, regionId: number): Promise<Array<{ id: number; name: string; township: string }>> {
  const region = await prisma.region.findUniqueOrThrow({ where: { id: regionId } });
  if (region.level === 'VILLAGE') {
    const t = region.parentId === null ? null : await prisma.region.findUnique({ where: { id: region.parentId } });
    return [{ id: region.id, name: region.name, township: t?.name ?? '' }];
  }
  const townships = region.level === 'TOWNSHIP' ? [region] : await prisma.region.findMany({ where: { parentId: region.id, level: 'TOWNSHIP' } });
  const villages = await prisma.region.findMany({ where: { parentId: { in: townships.map((t) => t.id) }, level: 'VILLAGE' }, orderBy: { id: 'asc' } });
  return villages.map((v) => ({ id: v.id, name: v.name, township: townships.find((t) => t.id === v.parentId)!.name }));
}

/** The village a typed name means ('东关社区' or '丹朱镇东关社区'), or a Chinese reason. */
export async function resolveVillage(prisma: PrismaClient, staffRegionId: number, typed: string): Promise<{ id: number; name: string; township: string } | string> {
  const name = typed.replace(/\s/g, '');
  const villages = await villagesInScope(prisma, staffRegionId);
  const hits = villages.filter((v) => v.name === name || `${v.township}${v.name}` === name);
  if (hits.length === 1) return hits[0]!;
  if (hits.length > 1) return `有 ${hits.length} 个名为“${name}”的村(社区)，请写成“乡镇名+村名”，如 ${hits[0]!.township}${hits[0]!.name}`;
  const some = villages.slice(0, 6).map((v) => v.name).join('、');
  return `您负责的范围内没有“${name}”这个村(社区)${some ? `（如：${some}${villages.length > 6 ? ' 等' : ''}）` : ''}`;
}

