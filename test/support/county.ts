import type { PrismaClient } from '../../prisma/generated/client.js';

export interface TestCounty {
  countyId: number;
  countyName: string;
  townships: Array<{ id: number; name: string; villages: Array<{ id: number; name: string }> }>;
}

/**
 * A small county of its own (unique names) in the shared test database:
 * every test that matches or reports scopes itself to its own county.
 */
export async function createTestCounty(prisma: PrismaClient, opts: { townships?: number; villagesPerTownship?: number } = {}): Promise<TestCounty> {
  const tag = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const county = await prisma.region.create({ data: { name: `测试县${tag}`, level: 'COUNTY' } });
  const townships: TestCounty['townships'] = [];
  for (let t = 0; t < (opts.townships ?? 2); t++) {
    const township = await prisma.region.create({ data: { name: `第${t + 1}镇`, level: 'TOWNSHIP', parentId: county.id } });
    const villages = [];
    for (let v = 0; v < (opts.villagesPerTownship ?? 2); v++) {
      villages.push(await prisma.region.create({ data: { name: `第${v + 1}村`, level: 'VILLAGE', parentId: township.id } }));
    }
    townships.push({ id: township.id, name: township.name, villages: villages.map((x) => ({ id: x.id, name: x.name })) });
  }
  return { countyId: county.id, countyName: county.name, townships };
}
