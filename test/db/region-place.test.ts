/**
 * Every region knows its county and township (the `region_place` trigger), so lookups read one row:
 * filled on insert, kept when a region moves, and what `placeOf`/`countyOfRegion` answer.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../support/database.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { countyOfRegion, placeOf, townshipOfRegion } from '../../readmodels/regions.js';
import { createTestCounty } from '../support/county.js';

const prisma = createPrismaClient(testDatabaseUrl());
afterAll(() => prisma.$disconnect());

describe('region place', () => {
  it('fills county and township from the parent on insert', async () => {
    const c = await createTestCounty(prisma, { townships: 2, villagesPerTownship: 2 });
    const t = c.townships[1]!;
    const v = t.villages[0]!;
    expect(await placeOf(prisma, c.countyId)).toEqual({ countyId: c.countyId, townshipId: null });
    expect(await placeOf(prisma, t.id)).toEqual({ countyId: c.countyId, townshipId: t.id });
    expect(await placeOf(prisma, v.id)).toEqual({ countyId: c.countyId, townshipId: t.id });
    expect(await countyOfRegion(prisma, v.id)).toBe(c.countyId);
    expect(await townshipOfRegion(prisma, v.id)).toBe(t.id);
    expect(await placeOf(prisma, 2_000_000_000)).toEqual({ countyId: null, townshipId: null });
  });

  it('a township moved to another county takes its villages along', async () => {
    const a = await createTestCounty(prisma, { townships: 1, villagesPerTownship: 2 });
    const b = await createTestCounty(prisma, { townships: 1, villagesPerTownship: 1 });
    const t = a.townships[0]!;
    await prisma.region.update({ where: { id: t.id }, data: { parentId: b.countyId, name: `${t.name}（划转）` } });
    for (const v of t.villages) expect(await placeOf(prisma, v.id)).toEqual({ countyId: b.countyId, townshipId: t.id });
    // A village moved to another township.
    const v = t.villages[0]!;
    const other = b.townships[0]!;
    await prisma.region.update({ where: { id: v.id }, data: { parentId: other.id, name: `${v.name}（划转）` } });
    expect(await placeOf(prisma, v.id)).toEqual({ countyId: b.countyId, townshipId: other.id });
  });
});
