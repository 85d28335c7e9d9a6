/**
 * Security review finding 9: a death (or custody) report that does not match gets one refusal,
 * whether the ID number is not on the roster, the name is wrong, or the person lives in another
 * village: the answer cannot be used to test whether an ID number is enrolled.
 */
import type { Client } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';

import { createTemporalCaseStarter, notMatchedText } from '../../app/bot/case-starter.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { CaseRefusedError } from '../../bot/core/index.js';
import { presets } from '../../domain/policy/load.js';
import { maskIdNumber } from '../../domain/identity/id-number.js';
import { createStaff, createTestCounty, freshIdNumber } from './support.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
afterAll(() => prisma.$disconnect());

describe('death report refusals', () => {
  it('says the same thing for not enrolled, wrong name and another village', async () => {
    const county = await createTestCounty(prisma);
    const cadre = await createStaff(prisma, county); // village 1 of township 1
    const otherVillage = county.townships[1]!.villages[0]!;
    const enrolledElsewhere = freshIdNumber();
    await prisma.household.create({ data: { regionId: otherVillage.id, headName: '赵六', headIdNumber: enrolledElsewhere, members: { create: [{ name: '赵六', idNumber: enrolledElsewhere, relationToHead: '本人' }] } } });
    // The refusals come before any workflow is touched: no Temporal client is needed to reach them.
    const starter = createTemporalCaseStarter({ client: {} as Client, prisma, taskQueue: 'unused', policy: presets.zhangzi });
    const refusal = async (name: string, idNumber: string) => {
      const err = await starter.reportDeath({ reporterStaffId: cadre.id, name, idNumber, deathDate: '2026-11-01', source: '村报', eventId: 'x' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CaseRefusedError);
      return (err as Error).message.replace(maskIdNumber(idNumber), '<id>');
    };
    const notEnrolled = await refusal('张三', freshIdNumber());
    const wrongName = await refusal('王五', enrolledElsewhere);
    const otherArea = await refusal('赵六', enrolledElsewhere);
    expect(new Set([notEnrolled, wrongName, otherArea]).size).toBe(1);
    expect(notEnrolled).toBe(notMatchedText('<id>'));
  });
});
