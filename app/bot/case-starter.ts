// The bot's CaseStarter on Temporal: a death reported in chat opens (or joins)
// the death-review workflow of that member. Checks first that the person is a
// recipient in the reporter's county and within the reporter's region, and
// refuses in Chinese when not.
import type { Client } from '@temporalio/client';
import { openDeathReview } from '../cases/death-review.js';
import { CaseRefusedError, type CaseStarter, type ComplaintReport, type DeathReport } from '../../bot/core/case-starter.js';
import { regionCovers } from '../../bot/core/permissions.js';
import { maskIdNumber } from '../../domain/identity/index.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import type { PrismaClient } from '../../prisma/generated/client.js';

export interface TemporalCaseStarterOptions {
  client: Client;
  prisma: PrismaClient;
  taskQueue: string;
  policy: CountyPolicy;
  /** Complaints (实名举报): provided by the complaint workflow's front. */
  fileComplaint?: (report: ComplaintReport) => Promise<{ caseRef: string }>;
}

/** Roles whose region is the whole county: they may report for any village in it. */
const COUNTY_WIDE = new Set(['SECTION_CASEWORKER', 'SECTION_HEAD', 'TASKFORCE_OFFICE', 'TASKFORCE_LEADER', 'ADMIN']);

/** The county a region lies in (walking up the tree). */
export async function countyOf(prisma: PrismaClient, regionId: number): Promise<number | null> {
  let current: number | null = regionId;
  for (let depth = 0; current !== null && depth < 10; depth++) {
    const r: { id: number; level: string; parentId: number | null } | null = await prisma.region.findUnique({ where: { id: current }, select: { id: true, level: true, parentId: true } });
    if (!r) return null;
    if (r.level === 'COUNTY') return r.id;
    current = r.parentId;
  }
  return null;
}

export function createTemporalCaseStarter(options: TemporalCaseStarterOptions): CaseStarter {
  const { prisma } = options;
  return {
    async reportDeath(report: DeathReport) {
      const reporter = await prisma.staff.findUniqueOrThrow({ where: { id: report.reporterStaffId } });
      const countyId = await countyOf(prisma, reporter.regionId);
      if (countyId === null) throw new CaseRefusedError('您的账号未关联到县，无法报告，请联系管理员。');
      const candidates = await prisma.member.findMany({ where: { idNumber: report.idNumber }, include: { household: true } });
      const inCounty = [];
      for (const m of candidates) if ((await countyOf(prisma, m.household.regionId)) === countyId) inCounty.push(m);
      const masked = maskIdNumber(report.idNumber);
      if (inCounty.length === 0) {
        throw new CaseRefusedError(`本县保障对象名册中没有身份证号为 ${masked} 的人员。请核对号码；如确属救助对象而名册未登记，请联系乡镇经办人。`);
      }
      const member = inCounty.find((m) => m.name === report.name);
      if (!member) throw new CaseRefusedError(`身份证号 ${masked} 在名册中登记的姓名与您填写的不一致，请核对后重新报告。`);
      if (!COUNTY_WIDE.has(reporter.role) && !(await regionCovers(prisma, reporter.regionId, member.household.regionId))) {
        throw new CaseRefusedError('该人员不在您负责的村（乡镇）范围内，请由其所在村或乡镇报告。');
      }
      const handle = await openDeathReview(options.client, {
        taskQueue: options.taskQueue,
        countyRegionId: countyId,
        memberId: member.id,
        deathDate: report.deathDate,
        source: report.source,
        policy: options.policy,
      });
      return { caseRef: handle.workflowId };
    },
    async fileComplaint(report: ComplaintReport) {
      if (!options.fileComplaint) throw new CaseRefusedError('举报受理服务暂未开通，请拨打县民政局监督电话。');
      return options.fileComplaint(report);
    },
  };
}
