import { describe, expect, it } from 'vitest';
import {
  applyFilingChange,
  beijingDateOf,
  checkApplicationDecision,
  checkExtend,
  checkFilingDecision,
  checkFilingSupplement,
  checkHomeVisit,
  checkObjection,
  checkRefusalNotice,
  checkStartInvestigation,
  isFilingApprover,
  isHomeVisitStaff,
  isNearRelation,
  nearRelativeFilingWorkflowId,
  applicationReviewWorkflowId,
  nearRelativeMissing,
  trackOf,
  APPLICATION_RULES,
  type ApplicationCheckContext,
  type FilingCheckContext,
  type NearRelativeFacts,
} from '../../domain/cases/index.js';
import { computeDeadline } from '../../domain/policy/compute.js';
import { presets } from '../../domain/policy/load.js';
import { DEFAULT_NEAR_RELATIONS } from '../../domain/policy/schema.js';
import { createCalendar } from '../../domain/time/index.js';

const COUNTY = 10;

describe('near-relative filing rules', () => {
  it('approvers are county section heads and 专班 leaders, active, of this county', () => {
    const s = (role: Parameters<typeof isFilingApprover>[0]['role'], regionId = COUNTY, active = true) => ({ id: 1, role, regionId, active });
    expect(isFilingApprover(s('SECTION_HEAD'), COUNTY)).toBe(true);
    expect(isFilingApprover(s('TASKFORCE_LEADER'), COUNTY)).toBe(true);
    expect(isFilingApprover(s('TASKFORCE_OFFICE'), COUNTY)).toBe(false);
    expect(isFilingApprover(s('TOWNSHIP_HEAD'), COUNTY)).toBe(false);
    expect(isFilingApprover(s('SECTION_HEAD', 11), COUNTY)).toBe(false);
    expect(isFilingApprover(s('SECTION_HEAD', COUNTY, false), COUNTY)).toBe(false);
    expect(isHomeVisitStaff(s('SECTION_CASEWORKER'), COUNTY)).toBe(true);
    expect(isHomeVisitStaff(s('TOWNSHIP_CASEWORKER'), COUNTY)).toBe(false);
  });

  it('workflow ids name the staff member and the relative by database ids', () => {
    expect(nearRelativeFilingWorkflowId(3, 7, { memberId: 42 })).toBe('near-relative-filing:3:7:member-42');
    expect(nearRelativeFilingWorkflowId(3, 7, { applicationId: 9 })).toBe('near-relative-filing:3:7:application-9');
    expect(applicationReviewWorkflowId(3, 9)).toBe('application-review:3:9');
  });

  it('relations are matched by code or Chinese label against the county set', () => {
    expect(isNearRelation('spouse', DEFAULT_NEAR_RELATIONS)).toBe(true);
    expect(isNearRelation('外孙子女', DEFAULT_NEAR_RELATIONS)).toBe(true);
    expect(isNearRelation('配偶的父母', DEFAULT_NEAR_RELATIONS)).toBe(false);
    expect(isNearRelation('配偶的父母', [...DEFAULT_NEAR_RELATIONS, 'spouseParent'])).toBe(true);
  });

  const ctx = (over: Partial<FilingCheckContext> = {}): FilingCheckContext => ({
    phase: 'awaitingDecision',
    busy: false,
    approverStaffIds: [1, 2, 5],
    homeVisitStaffIds: [1, 3, 5],
    filedByStaffId: 5,
    subjectStaffId: 5,
    conflictedStaffIds: [5, 2],
    homeVisitRecorded: false,
    today: '2026-11-23',
    ...over,
  });

  it('decisions: valid, unknown, unauthorised, self, recused, wrong phase', () => {
    expect(checkFilingDecision({ decision: 'approve', byStaffId: 1 }, ctx())).toBeNull();
    expect(checkFilingDecision({ decision: 'moreInfo', note: '补充户籍', byStaffId: 1 }, ctx())).toBeNull();
    expect(checkFilingDecision({ decision: 'ok', byStaffId: 1 }, ctx())).toContain('未知的审批结果');
    expect(checkFilingDecision({ decision: 'approve', byStaffId: 4 }, ctx())).toContain('无权');
    expect(checkFilingDecision({ decision: 'approve', byStaffId: 5 }, ctx())).toContain('不能审批自己提交');
    expect(checkFilingDecision({ decision: 'approve', byStaffId: 2 }, ctx())).toContain('回避');
    // Opened by a finding: no filer, the subject staff member still recuses.
    expect(checkFilingDecision({ decision: 'approve', byStaffId: 5 }, ctx({ filedByStaffId: null }))).toContain('回避');
    expect(checkFilingDecision({ decision: 'approve', byStaffId: 1 }, ctx({ phase: 'awaitingSupplement' }))).toContain('补充');
    expect(checkFilingDecision({ decision: 'approve', byStaffId: 1 }, ctx({ phase: 'approved' }))).toContain('不能重复审批');
    expect(checkFilingDecision({ decision: 'approve', byStaffId: 1 }, ctx({ busy: true }))).toContain('不能重复审批');
    expect(checkFilingDecision({ decision: 'approve', note: 'x'.repeat(501), byStaffId: 1 }, ctx())).toContain('500');
  });

  it('supplements come from the filer (or the subject) while more information is awaited', () => {
    const c = ctx({ phase: 'awaitingSupplement', filedByStaffId: 6 });
    expect(checkFilingSupplement({ note: '已补充', byStaffId: 6 }, c)).toBeNull();
    expect(checkFilingSupplement({ note: '已补充', byStaffId: 5 }, c)).toBeNull();
    expect(checkFilingSupplement({ note: '已补充', byStaffId: 1 }, c)).toContain('只有备案人');
    expect(checkFilingSupplement({ note: '', byStaffId: 6 }, c)).toContain('补充说明');
    expect(checkFilingSupplement({ note: '已补充', byStaffId: 6 }, ctx())).toContain('不需要');
  });

  it('home visits: county staff, not recused, dated today or earlier, once', () => {
    const v = { visitDate: '2026-11-20', result: '入户核实', byStaffId: 3 };
    expect(checkHomeVisit(v, ctx())).toBeNull();
    expect(checkHomeVisit(v, ctx({ phase: 'approved' }))).toBeNull();
    expect(checkHomeVisit({ ...v, byStaffId: 4 }, ctx())).toContain('县民政局');
    expect(checkHomeVisit({ ...v, byStaffId: 5 }, ctx())).toContain('自己提交');
    expect(checkHomeVisit({ ...v, visitDate: '2026-11-24' }, ctx())).toContain('晚于今天');
    expect(checkHomeVisit({ ...v, visitDate: '2026-02-30' }, ctx())).toContain('无效');
    expect(checkHomeVisit(v, ctx({ homeVisitRecorded: true }))).toContain('已登记');
    expect(checkHomeVisit(v, ctx({ phase: 'rejected' }))).toContain('已办结');
  });

  it('Beijing dates of instants around midnight (fixed +08:00)', () => {
    expect(beijingDateOf(Date.parse('2026-11-22T15:59:59Z'))).toBe('2026-11-22');
    expect(beijingDateOf(Date.parse('2026-11-22T16:00:00Z'))).toBe('2026-11-23');
  });
});

describe('application review rules', () => {
  const facts = (over: Partial<NearRelativeFacts> = {}): NearRelativeFacts => ({
    required: true,
    flagged: false,
    relatedStaff: [{ id: 5, name: '陈股长' }],
    filings: [],
    ...over,
  });
  const ctx = (over: Partial<ApplicationCheckContext> = {}): ApplicationCheckContext => ({
    phase: 'countyReview',
    track: 'dibao',
    busy: false,
    townshipStaffIds: [7, 8],
    countyDeciderIds: [1, 2, 5],
    extensionApproverIds: [1, 5],
    nearRelative: facts({ required: false, relatedStaff: [] }),
    homeVisitRequired: true,
    extended: false,
    decided: false,
    decisionDate: null,
    today: '2026-11-23',
    ...over,
  });
  const approve = { decision: 'approve', monthlyAmount: 420, byStaffId: 1 };

  it('tracks and their rules', () => {
    expect(trackOf('RURAL_DIBAO')).toBe('dibao');
    expect(trackOf('TEKUN_CENTRALIZED')).toBe('tekun');
    expect(APPLICATION_RULES.tekun.overall).toBeNull();
  });

  it('what a near-relative application still lacks', () => {
    expect(nearRelativeMissing(facts({ required: false, relatedStaff: [] }))).toEqual([]);
    expect(nearRelativeMissing(facts())).toEqual(['陈股长的近亲属备案（须审批通过）', '县级入户调查记录']);
    const approvedNoVisit = facts({ filings: [{ filingId: 1, staffId: 5, status: 'APPROVED', homeVisitDate: null }] });
    expect(nearRelativeMissing(approvedNoVisit)).toEqual(['县级入户调查记录']);
    expect(nearRelativeMissing(approvedNoVisit, false)).toEqual([]);
    // A home visit on a filing that is not approved does not count, nor does a filing of someone else.
    expect(nearRelativeMissing(facts({ filings: [{ filingId: 1, staffId: 5, status: 'SUBMITTED', homeVisitDate: '2026-11-20' }] }))).toHaveLength(2);
    expect(nearRelativeMissing(facts({ filings: [{ filingId: 1, staffId: 9, status: 'APPROVED', homeVisitDate: '2026-11-20' }] }))).toEqual(['陈股长的近亲属备案（须审批通过）']);
    expect(nearRelativeMissing(facts({ filings: [{ filingId: 1, staffId: 5, status: 'APPROVED', homeVisitDate: '2026-11-20' }] }))).toEqual([]);
    // Flagged without a declaration: any approved filing.
    expect(nearRelativeMissing(facts({ flagged: true, relatedStaff: [] }))).toEqual(['近亲属备案（须审批通过）', '县级入户调查记录']);
  });

  it('a filing change folds into the facts and makes the applicant a near relative', () => {
    const f = applyFilingChange(facts({ required: false, relatedStaff: [] }), { filingId: 3, staffId: 9, status: 'SUBMITTED', homeVisitDate: null });
    expect(f.required).toBe(true);
    expect(f.relatedStaff.map((s) => s.id)).toEqual([9]);
    const g = applyFilingChange(f, { filingId: 3, staffId: 9, status: 'APPROVED', homeVisitDate: '2026-11-20' });
    expect(g.filings).toEqual([{ filingId: 3, staffId: 9, status: 'APPROVED', homeVisitDate: '2026-11-20' }]);
    expect(nearRelativeMissing(g)).toEqual([]);
  });

  it('decisions: amount or reasons, deciders, recusal, near relatives', () => {
    expect(checkApplicationDecision(approve, ctx())).toBeNull();
    expect(checkApplicationDecision({ decision: 'refuse', reason: '收入超标', byStaffId: 2 }, ctx())).toBeNull();
    expect(checkApplicationDecision({ decision: 'refuse', byStaffId: 2 }, ctx())).toContain('理由');
    expect(checkApplicationDecision({ ...approve, monthlyAmount: 1.234 }, ctx())).toContain('月保障金额');
    expect(checkApplicationDecision({ ...approve, byStaffId: 7 }, ctx())).toContain('无权');
    expect(checkApplicationDecision({ ...approve, decision: 'maybe' }, ctx())).toContain('未知的决定');
    expect(checkApplicationDecision(approve, ctx({ phase: 'publicity' }))).toContain('公示中');
    const nr = ctx({ nearRelative: facts() });
    expect(checkApplicationDecision(approve, nr)).toBe('申请人是工作人员或村（居）委会成员的近亲属，确认前还须：陈股长的近亲属备案（须审批通过）；县级入户调查记录');
    expect(checkApplicationDecision({ ...approve, byStaffId: 5 }, nr)).toContain('回避');
    // Refusing needs no filing.
    expect(checkApplicationDecision({ decision: 'refuse', reason: '收入超标', byStaffId: 1 }, nr)).toBeNull();
  });

  it('steps: investigators, township staff, objections only during 公示', () => {
    const c = ctx({ phase: 'awaitingInvestigation' });
    expect(checkStartInvestigation({ investigators: ['甲', '乙'], byStaffId: 7 }, c)).toBeNull();
    expect(checkStartInvestigation({ investigators: ['甲', ' '], byStaffId: 7 }, c)).toContain('至少 2 名');
    expect(checkStartInvestigation({ investigators: ['甲', '乙'], byStaffId: 1 }, c)).toContain('乡镇');
    expect(checkObjection({ note: '有车', byStaffId: 7 }, ctx({ phase: 'publicity' }))).toBeNull();
    expect(checkObjection({ note: '有车', byStaffId: 7 }, ctx({ phase: 'countyReview' }))).toContain('不能登记公示异议');
  });

  it('extensions: 低保 only, once, by a section head or leader, with reasons', () => {
    expect(checkExtend({ reason: '跨地区', byStaffId: 1 }, ctx())).toBeNull();
    expect(checkExtend({ reason: '跨地区', byStaffId: 2 }, ctx())).toContain('股室负责人');
    expect(checkExtend({ reason: '跨地区', byStaffId: 1 }, ctx({ extended: true }))).toContain('不能再次延长');
    expect(checkExtend({ reason: '跨地区', byStaffId: 1 }, ctx({ track: 'tekun' }))).toContain('没有总时限');
    expect(checkExtend({ reason: '跨地区', byStaffId: 1 }, ctx({ decided: true }))).toContain('已作出决定');
  });

  it('代理审批: a deputy takes the decision and the extension for the leader; recusal stays the deputy\'s own', () => {
    // 2 (a decider, not an extension approver) stands in for 5; 9 (neither) for 1.
    expect(checkExtend({ reason: '跨地区', byStaffId: 2, onBehalfOfStaffId: 5 }, ctx())).toBeNull();
    expect(checkExtend({ reason: '跨地区', byStaffId: 9, onBehalfOfStaffId: 7 }, ctx())).toContain('股室负责人');
    expect(checkApplicationDecision({ ...approve, byStaffId: 9, onBehalfOfStaffId: 1 }, ctx())).toBeNull();
    expect(checkApplicationDecision({ ...approve, byStaffId: 9, onBehalfOfStaffId: 'x' }, ctx())).toBe('被代理的审批人编号无效');
    // The deputy related to the applicant recuses, even for a leader who need not.
    const related = ctx({ nearRelative: facts({ required: false, relatedStaff: [{ id: 9, name: '钱经办' }] }) });
    expect(checkApplicationDecision({ decision: 'refuse', reason: '收入超标', byStaffId: 9, onBehalfOfStaffId: 1 }, related)).toContain('回避');
  });

  it('refusal notices: dated between the decision and today', () => {
    const c = ctx({ phase: 'awaitingRefusalNotice', decided: true, decisionDate: '2026-11-18' });
    expect(checkRefusalNotice({ noticeDate: '2026-11-20', byStaffId: 7 }, c)).toBeNull();
    expect(checkRefusalNotice({ noticeDate: '2026-11-17', byStaffId: 7 }, c)).toContain('早于决定日期');
    expect(checkRefusalNotice({ noticeDate: '2026-11-24', byStaffId: 7 }, c)).toContain('晚于今天');
    expect(checkRefusalNotice({ noticeDate: '2026-11-20', byStaffId: 99 }, c)).toContain('乡镇或县民政局');
  });

  it('the statutory clocks count working days across 国庆 and 中秋 2026, with the 10 October make-up Saturday', () => {
    const cal = createCalendar();
    const due = (rule: string, anchor: string) => {
      const d = computeDeadline(presets.zhangzi, rule, anchor, cal);
      return [d.due, d.expiresAt.toISOString()];
    };
    // Accepted Tuesday 29 September: 30 Sep, 8 Oct, 9 Oct.
    expect(due(APPLICATION_RULES.dibao.investigationStart!, '2026-09-29')).toEqual(['2026-10-09', '2026-10-09T16:00:00.000Z']);
    // 公示: 7 calendar days, holidays included.
    expect(due(APPLICATION_RULES.dibao.publicity, '2026-09-29')).toEqual(['2026-10-06', '2026-10-06T16:00:00.000Z']);
    // Refusal notice after a decision on 30 September: 8, 9 and (make-up) Saturday 10 October.
    expect(due(APPLICATION_RULES.dibao.refusalNotice, '2026-09-30')).toEqual(['2026-10-10', '2026-10-10T16:00:00.000Z']);
    // 特困 decision from Friday 25 September (中秋, itself a holiday).
    expect(due(APPLICATION_RULES.tekun.decision, '2026-09-25')).toEqual(['2026-10-22', '2026-10-22T16:00:00.000Z']);
    expect(due(APPLICATION_RULES.dibao.overall!, '2026-09-29')).toEqual(['2026-11-16', '2026-11-16T16:00:00.000Z']);
    expect(due(APPLICATION_RULES.dibao.overallExtended!, '2026-09-29')).toEqual(['2026-12-07', '2026-12-07T16:00:00.000Z']);
    expect(due('near-relative-approval', '2026-09-30')).toEqual(['2026-10-13', '2026-10-13T16:00:00.000Z']);
  });
});
