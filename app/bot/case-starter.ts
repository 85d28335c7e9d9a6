// The bot's CaseStarter on Temporal: a death (an imprisonment) reported in chat
// opens (or joins) the death-review (prison-exit) workflow of that member; a
// complaint opens the complaint workflow. Checks first that the person is a
// recipient in the reporter's county and within the reporter's region, and
// refuses in Chinese when not.
import type { Client } from '@temporalio/client';
import { openComplaint } from '../../services/cases/complaint.js';
import { openDeathReview } from '../../services/cases/death-review.js';
import { submitNearRelativeFiling } from '../../services/cases/near-relative-filing.js';
import { DomainInputError } from '../../domain/errors.js';
import { openPrisonExit } from '../../services/cases/prison-exit.js';
import { CaseRefusedError, type ApplicationReport, type CaseStarter, type ComplaintIntakeReport, type ComplaintReport, type DeathReport, type ImprisonmentReport, type NearRelativeReport, type RectificationReport } from '../../bot/core/case-starter.js';
import { openRectificationByHand, openRectificationFromFinding, registerApplication } from '../../services/cases/intake.js';
import { toChinaDate } from '../../domain/time/instants.js';
import type { AssistanceKind } from '../../prisma/generated/enums.js';
import { countyOfRegion, regionCovers } from '../../bot/core/permissions.js';
import { maskIdNumber } from '../../domain/identity/index.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import type { WorkCalendar } from '../../domain/time/work-calendar.js';
import type { PrismaClient } from '../../prisma/generated/client.js';

export interface TemporalCaseStarterOptions {
  client: Client;
  prisma: PrismaClient;
  taskQueue: string;
  policy: CountyPolicy;
  /** Working days for the complaint deadlines; without it complaints are not taken in chat. */
  calendar?: WorkCalendar;
  /** Clock (tests follow the workflow clock). */
  now?: () => Date;
}

/** Roles whose region is the whole county: they may report for any village in it. */
const COUNTY_WIDE = new Set(['SECTION_CASEWORKER', 'SECTION_HEAD', 'TASKFORCE_OFFICE', 'TASKFORCE_LEADER', 'ADMIN']);

/** The county a region lies in (walking up the tree). */
export const countyOf = countyOfRegion;

/** The one refusal of a report whose person is not one the reporter may report (finding 9). */
export const notMatchedText = (maskedIdNumber: string) =>
  `未能受理：身份证号 ${maskedIdNumber} 与所填姓名不对应您负责范围内的保障对象。请核对身份证号和姓名后重新报告；如确属本村（乡镇）保障对象，请联系乡镇经办人核实名册。`;

export function createTemporalCaseStarter(options: TemporalCaseStarterOptions): CaseStarter {
  const { prisma } = options;

  /**
   * The recipient a report is about: in the reporter's county, with the name on
   * the roster, within the reporter's region. Refused in Chinese otherwise.
   */
  async function findRecipient(report: { reporterStaffId: number; idNumber: string; name: string }): Promise<{ countyId: number; memberId: number }> {
    const reporter = await prisma.staff.findUniqueOrThrow({ where: { id: report.reporterStaffId } });
    const countyId = await countyOf(prisma, reporter.regionId);
    if (countyId === null) throw new CaseRefusedError('您的账号未关联到县，无法报告，请联系管理员。');
    const candidates = await prisma.member.findMany({ where: { idNumber: report.idNumber }, include: { household: true } });
    const inCounty = [];
    for (const m of candidates) if ((await countyOf(prisma, m.household.regionId)) === countyId) inCounty.push(m);
    const masked = maskIdNumber(report.idNumber);
    // One answer for every mismatch (not on the roster, another name, outside the reporter's area), so
    // the answer cannot be used to test whether an ID number is enrolled.
    const refused = () => new CaseRefusedError(notMatchedText(masked));
    if (inCounty.length === 0) throw refused();
    const member = inCounty.find((m) => m.name === report.name);
    if (!member) throw refused();
    if (!COUNTY_WIDE.has(reporter.role) && !(await regionCovers(prisma, reporter.regionId, member.household.regionId))) throw refused();
    return { countyId, memberId: member.id };
  }

  return {
    async reportDeath(report: DeathReport) {
      const { countyId, memberId } = await findRecipient(report);
      const handle = await openDeathReview(options.client, {
        taskQueue: options.taskQueue,
        countyRegionId: countyId,
        memberId,
        deathDate: report.deathDate,
        source: report.source,
        policy: options.policy,
      });
      return { caseRef: handle.workflowId };
    },
    async reportImprisonment(report: ImprisonmentReport) {
      const { countyId, memberId } = await findRecipient(report);
      const handle = await openPrisonExit(options.client, {
        taskQueue: options.taskQueue,
        countyRegionId: countyId,
        memberId,
        imprisonmentDate: report.imprisonmentDate,
        source: report.source,
        policy: options.policy,
      });
      return { caseRef: handle.workflowId };
    },
    async fileNearRelative(report: NearRelativeReport) {
      if (!options.calendar) throw new CaseRefusedError('近亲属备案服务暂未开通，请联系县民政局社会救助股。');
      const filer = await prisma.staff.findUniqueOrThrow({ where: { id: report.filerStaffId } });
      const countyId = await countyOf(prisma, filer.regionId);
      if (countyId === null) throw new CaseRefusedError('您的账号未关联到县，无法备案，请联系管理员。');
      // The relative is an applicant under review, or a recipient on the roster, in this county.
      let relative: { memberId: number } | { applicationId: number } | undefined;
      const applications = await prisma.application.findMany({ where: { applicantIdNumber: report.relativeIdNumber, status: 'UNDER_REVIEW' }, orderBy: { id: 'desc' } });
      for (const a of applications) if ((await countyOf(prisma, a.regionId)) === countyId) { relative = { applicationId: a.id }; break; }
      if (!relative) {
        const members = await prisma.member.findMany({ where: { idNumber: report.relativeIdNumber }, include: { household: true } });
        for (const m of members) if ((await countyOf(prisma, m.household.regionId)) === countyId) { relative = { memberId: m.id }; break; }
      }
      if (!relative) {
        throw new CaseRefusedError(`本县在审申请和保障名册中都没有身份证号为 ${maskIdNumber(report.relativeIdNumber)} 的人员，请核对；亲属尚未提出申请的，待受理后再备案。`);
      }
      try {
        const handle = await submitNearRelativeFiling(options.client, {
          taskQueue: options.taskQueue,
          countyRegionId: countyId,
          staffId: filer.id,
          relative,
          relation: report.relation,
          policy: options.policy,
          calendar: options.calendar,
          now: (options.now ?? (() => new Date()))(),
        });
        return { caseRef: handle.workflowId };
      } catch (error) {
        if (error instanceof DomainInputError) throw new CaseRefusedError(error.message);
        throw error;
      }
    },
    async fileComplaint(report: ComplaintReport) {
      if (!options.calendar) throw new CaseRefusedError('举报受理服务暂未开通，请拨打县民政局监督电话。');
      const complainant = await prisma.staff.findUniqueOrThrow({ where: { id: report.complainantStaffId } });
      const countyId = await countyOf(prisma, complainant.regionId);
      if (countyId === null) throw new CaseRefusedError('您的账号未关联到县，无法受理，请联系管理员。');
      if (report.accusedStaffId === report.complainantStaffId) throw new CaseRefusedError('被举报人：不能举报自己。');
      const handle = await openComplaint(options.client, {
        taskQueue: options.taskQueue,
        // The chat event that completed the form: a retried delivery joins the same ledger entry.
        intakeKey: `chat:${report.eventId}`,
        countyRegionId: countyId,
        channel: '聊天机器人（实名）',
        receivedAt: (options.now ?? (() => new Date()))().toISOString(),
        complainant: { name: complainant.name, phone: complainant.phone, idNumber: complainant.idNumber },
        summary: `${report.subject}：${report.details}`,
        // An accusation: read only by 纪检联络 and 专班组长, never by the accused's unit; opens the clue.
        accusedStaffId: report.accusedStaffId ?? null,
        policy: options.policy,
        calendar: options.calendar,
      });
      return { caseRef: handle.workflowId };
    },
    async registerComplaintIntake(report: ComplaintIntakeReport) {
      if (!options.calendar) throw new CaseRefusedError('信访登记服务暂未开通（未加载节假日数据），请联系管理员。');
      const staff = await prisma.staff.findUniqueOrThrow({ where: { id: report.staffId } });
      const countyId = await countyOf(prisma, staff.regionId);
      if (countyId === null) throw new CaseRefusedError('您的账号未关联到县，无法登记，请联系管理员。');
      const handle = await openComplaint(options.client, {
        taskQueue: options.taskQueue,
        // The chat (console) event that completed the form: a redelivered submission joins the same entry.
        intakeKey: `chat:${report.eventId}`,
        countyRegionId: countyId,
        channel: report.channel,
        receivedAt: (options.now ?? (() => new Date()))().toISOString(),
        complainant: { name: report.complainantName, phone: report.complainantPhone },
        summary: report.summary,
        subjectRegionId: report.subjectRegionId,
        accusedStaffId: report.accusedStaffId,
        policy: options.policy,
        calendar: options.calendar,
      });
      return { caseRef: handle.workflowId };
    },
    async registerApplication(report: ApplicationReport) {
      if (!options.calendar) throw new CaseRefusedError('申请登记服务暂未开通（未加载节假日数据），请联系县民政局社会救助股。');
      const staff = await prisma.staff.findUniqueOrThrow({ where: { id: report.staffId } });
      const countyId = await countyOf(prisma, staff.regionId);
      if (countyId === null) throw new CaseRefusedError('您的账号未关联到县，无法登记，请联系管理员。');
      try {
        const r = await registerApplication(options.client, prisma, {
          ...report,
          kind: report.kind as AssistanceKind,
          intakeKey: `chat:${report.eventId}`,
          taskQueue: options.taskQueue,
          countyRegionId: countyId,
          policy: options.policy,
          calendar: options.calendar,
          now: (options.now ?? (() => new Date()))(),
        });
        return { caseRef: r.workflowId };
      } catch (error) {
        if (error instanceof DomainInputError) throw new CaseRefusedError(error.message);
        throw error;
      }
    },
    async openRectification(report: RectificationReport) {
      const staff = await prisma.staff.findUniqueOrThrow({ where: { id: report.staffId } });
      const countyId = await countyOf(prisma, staff.regionId);
      if (countyId === null) throw new CaseRefusedError('您的账号未关联到县，无法新增整改事项，请联系管理员。');
      try {
        const r =
          'findingId' in report
            ? await openRectificationFromFinding(options.client, prisma, { taskQueue: options.taskQueue, countyRegionId: countyId, findingId: report.findingId, policy: options.policy })
            : await openRectificationByHand(options.client, prisma, {
                taskQueue: options.taskQueue,
                countyRegionId: countyId,
                township: report.township,
                problem: report.problem,
                measures: report.measures,
                deadline: report.deadline,
                today: toChinaDate((options.now ?? (() => new Date()))()),
                intakeKey: `chat:${report.eventId}`,
                policy: options.policy,
              });
        return { caseRef: r.workflowId };
      } catch (error) {
        if (error instanceof DomainInputError) throw new CaseRefusedError(error.message);
        throw error;
      }
    },
  };
}
