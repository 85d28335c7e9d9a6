/**
 * Application review (申请审核确认, domain.md R16/R19, §2.1 57号, §2.4 特困办法):
 * which policy rule times each step, and the checks the workflow's update
 * validators run. Pure and synchronous; every rejection is a Chinese message.
 *
 *   低保: accepted → start investigation (≤3 working days, Art. 15) → 公示 7
 *   days (Art. 19; an objection sends it back to investigation) → county
 *   decision (≤10 working days after receipt, Art. 20) → refusal notice (≤3
 *   working days, Art. 21); the whole process ≤30 working days from
 *   acceptance, ≤45 with an approved extension (Art. 22).
 *   特困: investigation ≤15 working days from acceptance (Art. 13; after an
 *   objection ≤15 working days from the objection, Art. 15) → 公示 7 days →
 *   county decision ≤15 working days (Art. 16) → refusal notice (Art. 18).
 *   No statutory overall limit.
 */
import { formatDateZh, isValidLocalDate, type LocalDate } from '../time/local-date.js';
import { actsAs, onBehalfOfInvalid } from './delegation.js';
import type { AssistanceKindCode } from './kinds.js';

export type ApplicationTrack = 'dibao' | 'tekun';

export function trackOf(kind: AssistanceKindCode): ApplicationTrack {
  return kind === 'URBAN_DIBAO' || kind === 'RURAL_DIBAO' ? 'dibao' : 'tekun';
}

export const TRACK_LABELS: Record<ApplicationTrack, string> = { dibao: '低保', tekun: '特困供养' };

export interface TrackRules {
  /** Start of the household investigation, from acceptance (低保 only). */
  investigationStart: string | null;
  /** Investigation finished (= 公示 posted), from acceptance (特困 only). */
  investigation: string | null;
  /** Re-investigation after an objection, from the objection (特困 only). */
  reinvestigation: string | null;
  publicity: string;
  decision: string;
  refusalNotice: string;
  /** Whole process from acceptance (低保 only). */
  overall: string | null;
  overallExtended: string | null;
}

export const APPLICATION_RULES: Readonly<Record<ApplicationTrack, TrackRules>> = {
  dibao: {
    investigationStart: 'dibao-investigation-start',
    investigation: null,
    reinvestigation: null,
    publicity: 'dibao-publicity',
    decision: 'dibao-decision',
    refusalNotice: 'refusal-notice',
    overall: 'dibao-overall',
    overallExtended: 'dibao-overall-extended',
  },
  tekun: {
    investigationStart: null,
    investigation: 'tekun-investigation',
    reinvestigation: 'tekun-objection-review',
    publicity: 'tekun-publicity',
    decision: 'tekun-decision',
    refusalNotice: 'refusal-notice',
    overall: null,
    overallExtended: null,
  },
};

export type ApplicationPhase =
  | 'opening'
  | 'awaitingInvestigation'
  | 'investigating'
  | 'publicity'
  | 'countyReview'
  | 'awaitingRefusalNotice'
  | 'closed';

export const APPLICATION_PHASE_LABELS: Record<ApplicationPhase, string> = {
  opening: '登记中',
  awaitingInvestigation: '待启动入户调查',
  investigating: '调查核实中',
  publicity: '公示中',
  countyReview: '县级审核确认中',
  awaitingRefusalNotice: '待书面告知',
  closed: '已办结',
};

/** An application's review status (the Application.status enum of the database). */
export const APPLICATION_STATUSES = ['UNDER_REVIEW', 'INVESTIGATING', 'PUBLICITY', 'COUNTY_REVIEW', 'APPROVED', 'REFUSED', 'REFUSED_NOTIFIED'] as const;
export type ApplicationStatusCode = (typeof APPLICATION_STATUSES)[number];

export type FilingStatusCode = 'SUBMITTED' | 'MORE_INFO_REQUESTED' | 'APPROVED' | 'REJECTED';

/** What the application review knows about the applicant's relation to staff. */
export interface NearRelativeFacts {
  /** A staff member declared the applicant as a relative, or the application was flagged. */
  required: boolean;
  /** Set by hand on the application (申请人声明或乡镇登记). */
  flagged: boolean;
  /** Staff who declared the applicant as a relative (StaffRelative match by ID number). */
  relatedStaff: Array<{ id: number; name: string }>;
  /** Filings about the applicant (by ID number or linked to the application). */
  filings: Array<{ filingId: number; staffId: number; status: FilingStatusCode; homeVisitDate: string | null }>;
}

/** The items still missing before a near-relative application may be confirmed (Chinese), empty when none. */
export function nearRelativeMissing(f: NearRelativeFacts, homeVisitRequired = true): string[] {
  if (!f.required) return [];
  const approved = f.filings.filter((x) => x.status === 'APPROVED');
  const missing: string[] = [];
  if (f.relatedStaff.length > 0) {
    for (const s of f.relatedStaff) {
      if (!approved.some((x) => x.staffId === s.id)) missing.push(`${s.name}的近亲属备案（须审批通过）`);
    }
  } else if (approved.length === 0) {
    missing.push('近亲属备案（须审批通过）');
  }
  if (homeVisitRequired && !approved.some((x) => x.homeVisitDate !== null)) missing.push('县级入户调查记录');
  return missing;
}

export interface StartInvestigationArgs {
  /** Names of the investigators (57号 Art. 16: at least two). */
  investigators: string[];
  byStaffId: number;
}
/** 入户调查 results (57号 Art. 16–17): when, what was found, and the township's conclusion. */
export const INVESTIGATION_CONCLUSIONS = ['符合条件', '不符合条件'] as const;
export type InvestigationConclusion = (typeof INVESTIGATION_CONCLUSIONS)[number];
export interface RecordInvestigationArgs {
  /** 'YYYY-MM-DD' of the household visit. */
  visitedOn: LocalDate;
  /** Who visited (names). */
  investigators: string;
  /** What was found: income, property, living conditions (free text, no ID numbers). */
  findings: string;
  conclusion: InvestigationConclusion;
  /** Comment (意见). */
  note?: string;
  byStaffId: number;
}
export interface PostPublicityArgs {
  /** The township's preliminary opinion (初审意见). */
  opinion: string;
  byStaffId: number;
}
export interface ObjectionArgs {
  note: string;
  byStaffId: number;
}
export const APPLICATION_DECISIONS = ['approve', 'refuse'] as const;
export type ApplicationDecision = (typeof APPLICATION_DECISIONS)[number];
export interface ApplicationDecideArgs {
  decision: ApplicationDecision;
  /** Yuan per month granted (approve only). */
  monthlyAmount?: number;
  /** Reasons (refuse: required; they go into the written notice). */
  reason?: string;
  /** The decider's comment (审核意见). */
  note?: string;
  byStaffId: number;
  /** 代理审批: the leader `byStaffId` stands in for. */
  onBehalfOfStaffId?: number;
}
export interface ExtendArgs {
  reason: string;
  byStaffId: number;
  /** 代理审批: the leader `byStaffId` stands in for. */
  onBehalfOfStaffId?: number;
}
export const NOTICE_DELIVERY_METHODS = ['直接送达', '邮寄送达', '留置送达', '委托送达'] as const;
export interface RefusalNoticeArgs {
  /** 'YYYY-MM-DD' the written notice was issued. */
  noticeDate: LocalDate;
  byStaffId: number;
  note?: string;
  /** How it was delivered (送达方式), one of NOTICE_DELIVERY_METHODS. */
  method?: string;
  /** Who received it (签收人). */
  receivedBy?: string;
}

export interface ApplicationCheckContext {
  phase: ApplicationPhase;
  track: ApplicationTrack;
  /** An update of the current step was accepted and is being written. */
  busy: boolean;
  /** Township staff of the applicant's township (caseworker, head). */
  townshipStaffIds: readonly number[];
  /** County staff who may decide (section caseworker/head, 专班 leader). */
  countyDeciderIds: readonly number[];
  /** County staff who may approve an extension (section head, 专班 leader). */
  extensionApproverIds: readonly number[];
  nearRelative: NearRelativeFacts;
  homeVisitRequired: boolean;
  extended: boolean;
  decided: boolean;
  decisionDate: LocalDate | null;
  today: LocalDate;
  /** 入户调查 records so far and objections so far (one record per round); absent: not tracked. */
  investigationsRecorded?: number;
  objections?: number;
}

function isStaffId(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x > 0;
}

function isMoney(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0 && Math.abs(Math.round(x * 100) - x * 100) < 1e-6;
}

function text(x: unknown, max = 500): x is string {
  return typeof x === 'string' && x.trim().length > 0 && x.length <= max;
}

function asRecord(args: unknown): Record<string, unknown> | null {
  return args !== null && typeof args === 'object' ? (args as Record<string, unknown>) : null;
}

function phaseReason(ctx: ApplicationCheckContext, want: ApplicationPhase, act: string): string | null {
  if (ctx.phase === 'opening') return '申请尚在登记中，请稍后再试';
  if (ctx.phase === 'closed') return '该申请已办结';
  if (ctx.phase !== want || ctx.busy) return `当前环节为“${APPLICATION_PHASE_LABELS[ctx.phase]}”，不能${act}`;
  return null;
}

/** Staff related to the applicant must recuse themselves (信访条例 Art. 28 logic; 57号 Art. 11). */
function recusal(staffId: number, ctx: ApplicationCheckContext): string | null {
  return ctx.nearRelative.relatedStaff.some((s) => s.id === staffId) ? '申请人是您的近亲属，您须回避' : null;
}

export function checkStartInvestigation(args: unknown, ctx: ApplicationCheckContext): string | null {
  const p = phaseReason(ctx, 'awaitingInvestigation', '启动入户调查');
  if (p) return p;
  const a = asRecord(args);
  if (!a) return '调查内容缺失';
  if (!Array.isArray(a.investigators) || a.investigators.filter((n) => text(n, 50)).length < 2) {
    return '入户调查须有至少 2 名调查人员（请填写调查人员姓名）';
  }
  if (!isStaffId(a.byStaffId)) return '缺少登记人';
  const r = recusal(a.byStaffId, ctx);
  if (r) return r;
  if (!ctx.townshipStaffIds.includes(a.byStaffId)) return '入户调查须由申请人所在乡镇的工作人员启动';
  return null;
}

export function checkRecordInvestigation(args: unknown, ctx: ApplicationCheckContext): string | null {
  const p = phaseReason(ctx, 'investigating', '登记入户调查结果');
  if (p) return p;
  const a = asRecord(args);
  if (!a) return '调查结果缺失';
  if (typeof a.visitedOn !== 'string' || !isValidLocalDate(a.visitedOn)) return `“入户调查日期”无效（${String(a.visitedOn)}），应为 YYYY-MM-DD`;
  if (a.visitedOn > ctx.today) return `“入户调查日期” ${a.visitedOn} 晚于今天（${ctx.today}）`;
  if (!text(a.investigators, 100)) return '请填写“调查人员”（不超过 100 字）';
  if (!text(a.findings, 2000)) return '请填写“调查情况”（不超过 2000 字）';
  if (typeof a.conclusion !== 'string' || !(INVESTIGATION_CONCLUSIONS as readonly string[]).includes(a.conclusion)) {
    return `“调查结论”只能是：${INVESTIGATION_CONCLUSIONS.join('、')}`;
  }
  if (a.note !== undefined && !text(a.note)) return '“意见”须为不超过 500 字的文字';
  if (!isStaffId(a.byStaffId)) return '缺少登记人';
  const r = recusal(a.byStaffId, ctx);
  if (r) return r;
  if (!ctx.townshipStaffIds.includes(a.byStaffId)) return '入户调查结果须由申请人所在乡镇的工作人员登记';
  if (ctx.investigationsRecorded !== undefined && ctx.objections !== undefined && ctx.investigationsRecorded > ctx.objections) {
    return '本轮入户调查结果已登记，不能重复登记';
  }
  return null;
}

export function checkPostPublicity(args: unknown, ctx: ApplicationCheckContext): string | null {
  const p = phaseReason(ctx, 'investigating', '张贴公示');
  if (p) return p;
  const a = asRecord(args);
  if (!a) return '公示内容缺失';
  if (!text(a.opinion)) return '请填写乡镇初审意见（不超过 500 字）';
  if (!isStaffId(a.byStaffId)) return '缺少登记人';
  const r = recusal(a.byStaffId, ctx);
  if (r) return r;
  if (!ctx.townshipStaffIds.includes(a.byStaffId)) return '公示须由申请人所在乡镇的工作人员登记';
  return null;
}

export function checkObjection(args: unknown, ctx: ApplicationCheckContext): string | null {
  const p = phaseReason(ctx, 'publicity', '登记公示异议');
  if (p) return p;
  const a = asRecord(args);
  if (!a) return '异议内容缺失';
  if (!text(a.note)) return '请填写异议内容（不超过 500 字）';
  if (!isStaffId(a.byStaffId)) return '缺少登记人';
  const r = recusal(a.byStaffId, ctx);
  if (r) return r;
  if (!ctx.townshipStaffIds.includes(a.byStaffId) && !ctx.countyDeciderIds.includes(a.byStaffId)) {
    return '公示异议须由乡镇或县民政局工作人员登记';
  }
  return null;
}

export function checkApplicationDecision(args: unknown, ctx: ApplicationCheckContext): string | null {
  const p = phaseReason(ctx, 'countyReview', '作出审核确认决定');
  if (p) return p;
  const a = asRecord(args);
  if (!a) return '决定内容缺失';
  if (typeof a.decision !== 'string' || !(APPLICATION_DECISIONS as readonly string[]).includes(a.decision)) {
    return `未知的决定“${String(a.decision)}”，只能是：批准（approve）或不予批准（refuse）`;
  }
  if (a.decision === 'approve') {
    if (!isMoney(a.monthlyAmount) || a.monthlyAmount <= 0) return '批准须填写月保障金额（大于 0、最多两位小数）';
  } else if (!text(a.reason)) {
    return '不予批准须写明理由（将写入书面告知）';
  }
  if (a.reason !== undefined && !text(a.reason)) return '理由须为不超过 500 字的文字';
  if (a.note !== undefined && !text(a.note)) return '“审核意见”须为不超过 500 字的文字';
  if (!isStaffId(a.byStaffId)) return '缺少作出决定的工作人员';
  const r = recusal(a.byStaffId, ctx);
  if (r) return r;
  if (onBehalfOfInvalid(a)) return onBehalfOfInvalid(a);
  if (!actsAs(a, ctx.countyDeciderIds)) return '您无权作出审核确认决定（须为县民政局社会救助股工作人员或工作专班组长）';
  if (a.decision === 'approve') {
    const missing = nearRelativeMissing(ctx.nearRelative, ctx.homeVisitRequired);
    if (missing.length > 0) return `申请人是工作人员或村（居）委会成员的近亲属，确认前还须：${missing.join('；')}`;
  }
  return null;
}

export function checkExtend(args: unknown, ctx: ApplicationCheckContext): string | null {
  if (ctx.track !== 'dibao') return '特困供养认定没有总时限，无需延长';
  if (ctx.phase === 'opening') return '申请尚在登记中，请稍后再试';
  if (ctx.decided || ctx.phase === 'closed') return '已作出决定，无需延长';
  if (ctx.extended) return '办理时限已延长过，不能再次延长';
  const a = asRecord(args);
  if (!a) return '延长内容缺失';
  if (!text(a.reason)) return '请写明延长理由（如有异议、分户、跨地区申请、调查困难等）';
  if (!isStaffId(a.byStaffId)) return '缺少批准人';
  const r = recusal(a.byStaffId, ctx);
  if (r) return r;
  if (onBehalfOfInvalid(a)) return onBehalfOfInvalid(a);
  if (!actsAs(a, ctx.extensionApproverIds)) return '延长办理时限须由股室负责人或工作专班组长批准';
  return null;
}

export function checkRefusalNotice(args: unknown, ctx: ApplicationCheckContext): string | null {
  const p = phaseReason(ctx, 'awaitingRefusalNotice', '登记书面告知');
  if (p) return p;
  const a = asRecord(args);
  if (!a) return '书面告知内容缺失';
  if (typeof a.noticeDate !== 'string' || !isValidLocalDate(a.noticeDate)) {
    return `告知日期“${String(a.noticeDate)}”无效，应为 YYYY-MM-DD`;
  }
  if (a.noticeDate > ctx.today) return `告知日期 ${a.noticeDate} 晚于今天（${ctx.today}）`;
  if (ctx.decisionDate !== null && a.noticeDate < ctx.decisionDate) return `告知日期 ${a.noticeDate} 早于决定日期 ${ctx.decisionDate}`;
  if (a.note !== undefined && !text(a.note)) return '备注须为不超过 500 字的文字';
  if (a.method !== undefined && (typeof a.method !== 'string' || !(NOTICE_DELIVERY_METHODS as readonly string[]).includes(a.method))) {
    return `“送达方式”只能是：${NOTICE_DELIVERY_METHODS.join('、')}`;
  }
  if (a.receivedBy !== undefined && !text(a.receivedBy, 50)) return '“签收人”须为不超过 50 字的文字';
  if (!isStaffId(a.byStaffId)) return '缺少登记人';
  const r = recusal(a.byStaffId, ctx);
  if (r) return r;
  if (!ctx.townshipStaffIds.includes(a.byStaffId) && !ctx.countyDeciderIds.includes(a.byStaffId)) {
    return '书面告知须由乡镇或县民政局工作人员登记';
  }
  return null;
}

// ---------------------------------------------------------------- texts

export const APPLICATION_STEP_LABELS = {
  investigationStart: '启动入户调查',
  investigation: '调查核实并张贴公示',
  decision: '县级审核确认',
  refusalNotice: '不予批准书面告知',
} as const;
export type ApplicationStep = keyof typeof APPLICATION_STEP_LABELS;

export function applicationReminderText(subject: string, step: ApplicationStep, due: LocalDate, daysBefore: number): string {
  const when = daysBefore === 0 ? '今天是最后一天' : `还剩${daysBefore}天`;
  return `【申请审核确认提醒】${subject}的“${APPLICATION_STEP_LABELS[step]}”须于${formatDateZh(due)}前完成（${when}）。`;
}

export function applicationEscalationText(subject: string, step: ApplicationStep, due: LocalDate, levelLabel: string): string {
  return `【申请审核确认逾期·${levelLabel}】${subject}的“${APPLICATION_STEP_LABELS[step]}”应于${formatDateZh(due)}前完成，现已逾期，请督促办理。`;
}

export function applicationOverallOverdueText(subject: string, due: LocalDate, extended: boolean): string {
  return `【申请审核确认超时限】${subject}的审核确认${extended ? '（已延长）' : ''}总时限至${formatDateZh(due)}，现已超时限仍未作出决定（超时限办理），请督促办理。`;
}

export function refusalNoticeMissingText(subject: string, due: LocalDate): string {
  return `【未书面告知】${subject}的申请已决定不予批准，但至${formatDateZh(due)}仍未登记书面告知（应在决定后3个工作日内通过乡镇书面告知申请人并说明理由），请立即督办。`;
}

/** A filing workflow reported a change: fold it into the facts (pure; the signal handler's logic). */
export function applyFilingChange(
  facts: NearRelativeFacts,
  change: { filingId: number; staffId: number; status: FilingStatusCode; homeVisitDate: string | null },
): NearRelativeFacts {
  const filings = facts.filings.filter((f) => f.filingId !== change.filingId);
  filings.push({ filingId: change.filingId, staffId: change.staffId, status: change.status, homeVisitDate: change.homeVisitDate });
  filings.sort((a, b) => a.filingId - b.filingId);
  const relatedStaff = [...facts.relatedStaff];
  if (change.status !== 'REJECTED' && !relatedStaff.some((s) => s.id === change.staffId)) {
    relatedStaff.push({ id: change.staffId, name: `工作人员（编号 ${change.staffId}）` });
  }
  return { ...facts, filings, relatedStaff, required: facts.flagged || relatedStaff.length > 0 };
}

// ---------------------------------------------------------------- the written refusal notice

/** The legal basis a refusal notice cites, by track. */
export const REFUSAL_LEGAL_BASIS: Record<ApplicationTrack, string> = {
  dibao: '《社会救助暂行办法》第十一条、《最低生活保障审核确认办法》（民发〔2021〕57号）第二十一条',
  tekun: '《社会救助暂行办法》第十四条、《特困人员认定办法》（民发〔2021〕43号）第十八条',
};

/** What a 不予批准告知书 says, paragraph by paragraph (the activity renders it as a .docx). */
export interface RefusalNoticeContent {
  title: string;
  /** 「张三：」 */
  salutation: string;
  paragraphs: string[];
  /** Issuing authority and date, right-aligned at the end. */
  signature: string[];
}

export function refusalNoticeContent(input: {
  applicantName: string;
  track: ApplicationTrack;
  acceptedDate: LocalDate;
  decisionDate: LocalDate;
  reason: string;
  /** 「××县民政局」 */
  authority: string;
}): RefusalNoticeContent {
  return {
    title: '不予批准告知书',
    salutation: `${input.applicantName}：`,
    paragraphs: [
      `您于${formatDateZh(input.acceptedDate)}提出的${TRACK_LABELS[input.track]}申请，经入户调查、民主评议（公示）和审核确认，决定不予批准。`,
      `不予批准的理由：${input.reason}`,
      `依据：${REFUSAL_LEGAL_BASIS[input.track]}。`,
      '如对本决定有异议，可自收到本告知书之日起六十日内向本级人民政府或者上一级民政部门申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。',
    ],
    signature: [input.authority, formatDateZh(input.decisionDate)],
  };
}

export function refusalNoticeReadyText(subject: string, due: LocalDate): string {
  return `【不予批准告知书】${subject}的申请已决定不予批准，告知书已生成（见附件）。请于${formatDateZh(due)}前书面送达申请人，并登记送达情况。`;
}
