/**
 * Security review finding 3: `/案件 N` follows the one complaint access rule. An accusation is shown
 * to 纪检联络 and 专班组长 of its county only: not to the 专班办公室, not to the accused, not to
 * reader roles of another county; the answer to the others is the same as for a missing case.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { createPrismaClient } from '../../infra/db/client.js';
import { createBotCore, type BotMessage, type ChatRef, type OutboundPort } from '../../bot/core/index.js';
import type { StaffRole } from '../../prisma/generated/enums.js';
import { createTestCounty, freshIdNumber, RecordingCaseStarter, uniq } from './support.js';
import { testDatabaseUrl } from '../support/database.js';
import { testNow } from '../support/clock.js';
import { BotContext } from '../../bot/core/context.js';
import { stepActors } from '../../bot/core/steps/take.js';
import { stepById } from '../../bot/core/steps/registry.js';
import { toChinaDate } from '../../domain/time/instants.js';

const TEST_NOW = testNow();

const prisma = createPrismaClient(testDatabaseUrl());
afterAll(() => prisma.$disconnect());

class Said implements OutboundPort {
  last: BotMessage | undefined;
  async send(chat: ChatRef, m: BotMessage) {
    this.last = m;
    return { chat, messageId: uniq('m') };
  }
  async sendFile(chat: ChatRef) {
    return { chat, messageId: uniq('f') };
  }
  async edit(_r: unknown, m: BotMessage) {
    this.last = m;
  }
}

const core = createBotCore({ prisma, caseStarter: new RecordingCaseStarter() });

describe('/案件 N for a complaint', () => {
  it('shows an accusation only to 纪检联络 and 专班组长 of its county', async () => {
    const county = await createTestCounty(prisma);
    const other = await createTestCounty(prisma);
    const person = async (c: typeof county, role: StaffRole, unit: string, regionId = c.countyId) => {
      const s = await prisma.staff.create({ data: { name: `${role}${uniq('')}`.slice(0, 20), idNumber: freshIdNumber(), role, unit, regionId } });
      const account = uniq('tg');
      await prisma.staffBinding.create({ data: { staffId: s.id, platform: 'telegram', externalId: account } });
      return { s, account };
    };
    const accused = await person(county, 'TOWNSHIP_CASEWORKER', '城关镇社会事务办', county.townships[0]!.id);
    const liaison = await person(county, 'DISCIPLINE_LIAISON', '纪检监察组');
    const leader = await person(county, 'TASKFORCE_LEADER', '县民政局');
    const office = await person(county, 'TASKFORCE_OFFICE', '社会救助股');
    const foreignLiaison = await person(other, 'DISCIPLINE_LIAISON', '纪检监察组');
    const workflowId = uniq('complaint:');
    const row = await prisma.case.create({ data: { kind: 'COMPLAINT', workflowId, regionId: null, assigneeStaffId: liaison.s.id } });
    await prisma.complaint.create({
      data: { countyRegionId: county.countyId, workflowId, caseId: row.id, ledgerNo: uniq('XF'), channel: '来电', receivedAt: new Date(), complainantName: '群众甲', summary: '反映经办人员优亲厚友', accusedStaffId: accused.s.id },
    });
    const ask = async (account: string) => {
      const out = new Said();
      await core.handle({ type: 'text', platform: 'telegram', eventId: uniq('ev'), chat: { platform: 'telegram', id: account, kind: 'private' }, senderId: account, text: `/案件 ${row.id}` }, out);
      return out.last?.text ?? '';
    };
    expect(await ask(liaison.account)).not.toContain('找不到');
    expect(await ask(leader.account)).not.toContain('找不到');
    for (const who of [office, accused, foreignLiaison]) expect(await ask(who.account), who.s.role).toBe('找不到该案件，或您无权查看。');
  });
});

describe('steps on an accusation (被举报单位回避)', () => {
  it('refuses a deputy (代理审批) from the accused unit, and takes the same leader step from a deputy of another unit', async () => {
    const county = await createTestCounty(prisma);
    const township = county.townships[0]!.id;
    const staff = async (role: StaffRole, unit: string, regionId: number) =>
      (await prisma.staff.create({ data: { name: `${role}${uniq('')}`.slice(0, 20), idNumber: freshIdNumber(), role, unit, regionId } })).id;
    const accused = await staff('TOWNSHIP_CASEWORKER', '城关镇社会事务办', township);
    const leader = await staff('TASKFORCE_LEADER', '县民政局', county.countyId);
    // Same township as the accused: the accused unit. The other works at the county.
    const sameUnitDeputy = await staff('TOWNSHIP_HEAD', '城关镇人民政府', township);
    const otherDeputy = await staff('TASKFORCE_OFFICE', '社会救助股', county.countyId);
    const today = toChinaDate(TEST_NOW);
    for (const deputy of [sameUnitDeputy, otherDeputy]) {
      await prisma.delegation.create({ data: { leaderStaffId: leader, deputyStaffId: deputy, startsOn: new Date(`${today}T00:00:00Z`), endsOn: new Date(`${today}T00:00:00Z`), createdByStaffId: leader } });
    }
    const workflowId = uniq('complaint:');
    const row = await prisma.case.create({ data: { kind: 'COMPLAINT', workflowId, regionId: null } });
    await prisma.complaint.create({
      data: { countyRegionId: county.countyId, workflowId, caseId: row.id, ledgerNo: uniq('XF'), channel: '来电', receivedAt: TEST_NOW, complainantName: '群众乙', summary: '反映经办人员优亲厚友', accusedStaffId: accused },
    });
    const target = { ref: `c${row.id}`, workflowId, label: `信访 #${row.id}`, regionId: null, caseId: row.id };
    const actorsOf = async (staffId: number) => {
      const s = await prisma.staff.findUniqueOrThrow({ where: { id: staffId } });
      const ctx = new BotContext({ type: 'text', platform: 'telegram', eventId: uniq('ev'), chat: { platform: 'telegram', id: 'x', kind: 'private' }, senderId: 'x', text: '' }, new Said(), { prisma, caseStarter: new RecordingCaseStarter(), now: () => TEST_NOW, formTtlMs: 60_000 });
      ctx.staff = { id: s.id, name: s.name, role: s.role, regionId: s.regionId };
      return stepActors(ctx, stepById('cp.extend')!, target);
    };
    expect(await actorsOf(sameUnitDeputy)).toBe('您属于被举报单位或为被举报人，须回避，不能办理本事项。');
    expect(await actorsOf(otherDeputy)).toEqual([expect.objectContaining({ staffId: otherDeputy, onBehalfOf: expect.objectContaining({ staffId: leader }) })]);
    // The same deputy, on an ordinary complaint (no one accused), stands in as usual.
    await prisma.complaint.update({ where: { caseId: row.id }, data: { accusedStaffId: null } });
    expect(await actorsOf(sameUnitDeputy)).toEqual([expect.objectContaining({ staffId: sameUnitDeputy, onBehalfOf: expect.objectContaining({ staffId: leader }) })]);
  });
});
