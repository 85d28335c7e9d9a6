/**
 * Findings that map to work but cannot have it (no responsible staff in the township) are counted in
 * full, and only the first few are listed: the activity's result goes into the workflow's history, and a
 * large county may skip hundreds of thousands.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { SKIPPED_EXAMPLES, recordPendingWork } from '../../activities/findings-work-record.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { presets } from '../../domain/policy/load.js';
import { createTestCounty } from '../support/county.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
afterAll(() => prisma.$disconnect());

describe('recordPendingWork, skipped findings', () => {
  it('counts every skipped finding and lists the first ones with the Chinese reason', async () => {
    const county = await createTestCounty(prisma, { townships: 1, villagesPerTownship: 1 });
    const village = county.townships[0]!.villages[0]!.id;
    const policy = presets.zhangzi;
    expect(policy.findingWork.payment_late).toBe('rectification');
    const n = SKIPPED_EXAMPLES + 7;
    await prisma.finding.createMany({
      data: Array.from({ length: n }, (_, i) => ({ kind: 'payment_late' as const, key: `skipped-${county.countyId}-${i}`, idNumber: '000000000000000000', regionId: village, period: '2026-10', amount: '10.00', evidence: {} })),
    });
    const r = await recordPendingWork(prisma, { countyRegionId: county.countyId, policy });
    expect(r.skippedCount).toBe(n);
    expect(r.skipped).toHaveLength(SKIPPED_EXAMPLES);
    expect(r.skipped[0]!.reason).toBe('第1镇没有在岗的民政经办人或乡镇负责人，无法指定整改责任人');
    expect(r.recorded).toEqual({});
  });

  it('lists skipped findings in finding order, whichever check skipped them', async () => {
    const county = await createTestCounty(prisma, { townships: 1, villagesPerTownship: 1 });
    const village = county.townships[0]!.villages[0]!.id;
    const policy = presets.zhangzi;
    expect(policy.findingWork.undeclared_near_relative).toBe('askFiling');
    const finding = (i: number, kind: 'payment_late' | 'undeclared_near_relative', regionId: number) =>
      prisma.finding.create({ data: { kind, key: `order-${county.countyId}-${i}`, idNumber: '000000000000000000', regionId, period: kind === 'payment_late' ? '2026-10' : null, evidence: {} } });
    await finding(1, 'payment_late', village); // no staff in the township
    await finding(2, 'undeclared_near_relative', village); // evidence without its fields
    await finding(3, 'payment_late', county.countyId); // no township
    await finding(4, 'payment_late', village);
    const r = await recordPendingWork(prisma, { countyRegionId: county.countyId, policy });
    expect(r.skippedCount).toBe(4);
    const noStaff = '第1镇没有在岗的民政经办人或乡镇负责人，无法指定整改责任人';
    expect(r.skipped.map((x) => x.reason)).toEqual([noStaff, expect.stringContaining('Finding.evidence'), '问题线索没有所属乡镇，无法确定整改责任单位', noStaff]);
    const ids = r.skipped.map((x) => Number(x.source.replace('finding:', '')));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });
});
