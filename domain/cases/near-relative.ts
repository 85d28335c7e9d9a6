/**
 * Near-relative filing (近亲属备案, domain.md R19/R20, §2.3): who may approve,
 * who may record the county home visit, and the checks the workflow's update
 * validators run. Pure and synchronous; every rejection is a Chinese message.
 *
 * Approver (our reading of the plans): the filing is a conflict-of-interest
 * control of the county bureau, so it is approved at county level by the head
 * of the social-assistance section (股室负责人, "first responsible person" of
 * the 专班 office in 社会救助股) or a 专班 leader (组长/副组长, "approver,
 * escalation target" in R30). The 专班 office (TASKFORCE_OFFICE) collects and
 * chases, it does not approve; township staff and village cadres never
 * approve (they are the people the filing is about).
 */
import { DomainInputError } from '../errors.js';
import type { Relation } from '../policy/schema.js';
import { RELATIONS } from '../policy/schema.js';
import { formatDateZh, isValidLocalDate, type LocalDate } from '../time/local-date.js';
import type { StaffRoleCode } from './complaint.js';
import { actsAs, onBehalfOfInvalid } from './delegation.js';

export const FILING_APPROVER_ROLES: readonly StaffRoleCode[] = ['SECTION_HEAD', 'TASKFORCE_LEADER'];
/** County staff who may carry out and record the county home visit (县级入户调查). */
export const HOME_VISIT_ROLES: readonly StaffRoleCode[] = ['SECTION_CASEWORKER', 'SECTION_HEAD', 'TASKFORCE_OFFICE', 'TASKFORCE_LEADER'];
/** Staff whose relatives need a filing: case workers (经办人) and village cadres (村(居)委会成员). */
export const FILING_STAFF_ROLES: readonly StaffRoleCode[] = [
  'VILLAGE_COMMITTEE',
  'TOWNSHIP_CASEWORKER',
  'TOWNSHIP_HEAD',
  'SECTION_CASEWORKER',
  'SECTION_HEAD',
];

export interface StaffFacts {
  id: number;
  role: StaffRoleCode;
  /** The region the staff member works for. */
  regionId: number;
  active: boolean;
}

/** May this staff member approve near-relative filings of the county? */
export function isFilingApprover(staff: StaffFacts, countyRegionId: number): boolean {
  return staff.active && staff.regionId === countyRegionId && FILING_APPROVER_ROLES.includes(staff.role);
}

/** May this staff member record the county home visit? */
export function isHomeVisitStaff(staff: StaffFacts, countyRegionId: number): boolean {
  return staff.active && staff.regionId === countyRegionId && HOME_VISIT_ROLES.includes(staff.role);
}

export const FILING_DECISIONS = ['approve', 'reject', 'moreInfo'] as const;
export type FilingDecision = (typeof FILING_DECISIONS)[number];
export const FILING_DECISION_LABELS: Record<FilingDecision, string> = { approve: '批准', reject: '驳回', moreInfo: '补充材料' };

export interface FilingDecideArgs {
  decision: FilingDecision;
  note?: string;
  byStaffId: number;
  /** 代理审批: the approver `byStaffId` stands in for (checked by the front against the delegation). */
  onBehalfOfStaffId?: number;
}

export interface FilingSupplementArgs {
  note: string;
  byStaffId: number;
}

export interface HomeVisitArgs {
  /** 'YYYY-MM-DD' of the county home visit. */
  visitDate: LocalDate;
  /** What the visit found (Chinese free text). */
  result: string;
  /** Who visited (names). */
  visitors?: string;
  byStaffId: number;
}

export type FilingPhase = 'opening' | 'awaitingDecision' | 'awaitingSupplement' | 'approved' | 'rejected' | 'closed';

/** What the validators know (workflow state, loaded by the opening activity). */
export interface FilingCheckContext {
  phase: FilingPhase;
  /** A decision was accepted and is being written. */
  busy: boolean;
  /** Staff allowed by role and region to approve. */
  approverStaffIds: readonly number[];
  /** Staff allowed by role and region to record the home visit. */
  homeVisitStaffIds: readonly number[];
  /** Who submitted the filing (null: opened from a finding). */
  filedByStaffId: number | null;
  /** The staff member whose relative the filing is about. */
  subjectStaffId: number;
  /** Staff who declared the same relative (StaffRelative rows), including the subject. */
  conflictedStaffIds: readonly number[];
  homeVisitRecorded: boolean;
  /** Today in Asia/Shanghai (workflow time). */
  today: LocalDate;
}

function isStaffId(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x > 0;
}

function checkNote(note: unknown, required: boolean, what: string): string | null {
  if (note === undefined || note === null || note === '') return required ? `请填写${what}` : null;
  if (typeof note !== 'string' || note.length > 500) return `${what}须为不超过 500 字的文字`;
  if (required && note.trim() === '') return `请填写${what}`;
  return null;
}

/** Conflict-of-interest checks shared by every step an official takes on the filing. */
function conflictReason(staffId: number, ctx: FilingCheckContext, act: string): string | null {
  if (ctx.filedByStaffId !== null && staffId === ctx.filedByStaffId) return `不能${act}自己提交的近亲属备案`;
  if (staffId === ctx.subjectStaffId || ctx.conflictedStaffIds.includes(staffId)) {
    return `该备案涉及您本人的近亲属，您须回避，不能${act}`;
  }
  return null;
}

/** Chinese reason why the decision cannot be taken, or null. */
export function checkFilingDecision(args: unknown, ctx: FilingCheckContext): string | null {
  if (ctx.phase === 'opening') return '备案尚在登记中，请稍后再试';
  if (ctx.phase === 'awaitingSupplement') return '已要求备案人补充材料，须待补充后再审批';
  if (ctx.phase !== 'awaitingDecision' || ctx.busy) return '该备案已审批，不能重复审批';
  if (args === null || typeof args !== 'object') return '审批内容缺失';
  const a = args as Record<string, unknown>;
  if (typeof a.decision !== 'string' || !(FILING_DECISIONS as readonly string[]).includes(a.decision)) {
    return `未知的审批结果“${String(a.decision)}”，只能是：批准、驳回或补充材料`;
  }
  const noteReason = checkNote(a.note, false, '审批意见');
  if (noteReason) return noteReason;
  if (!isStaffId(a.byStaffId)) return '缺少审批人';
  const conflict = conflictReason(a.byStaffId, ctx, '审批');
  if (conflict) return conflict;
  const invalid = onBehalfOfInvalid(a);
  if (invalid) return invalid;
  if (!actsAs(a, ctx.approverStaffIds)) {
    return '您无权审批本县的近亲属备案（须为县民政局股室负责人或工作专班组长）';
  }
  return null;
}

/** Chinese reason why the supplement cannot be accepted, or null. */
export function checkFilingSupplement(args: unknown, ctx: FilingCheckContext): string | null {
  if (ctx.phase !== 'awaitingSupplement' || ctx.busy) return '该备案当前不需要补充材料';
  if (args === null || typeof args !== 'object') return '补充内容缺失';
  const a = args as Record<string, unknown>;
  const noteReason = checkNote(a.note, true, '补充说明');
  if (noteReason) return noteReason;
  if (!isStaffId(a.byStaffId)) return '缺少补充人';
  const allowed = ctx.filedByStaffId === null ? [ctx.subjectStaffId] : [ctx.filedByStaffId, ctx.subjectStaffId];
  if (!allowed.includes(a.byStaffId)) return '只有备案人本人可以补充材料';
  return null;
}

/** Chinese reason why the home visit cannot be recorded, or null. */
export function checkHomeVisit(args: unknown, ctx: FilingCheckContext): string | null {
  if (ctx.phase === 'opening') return '备案尚在登记中，请稍后再试';
  if (ctx.phase === 'rejected' || ctx.phase === 'closed') return '该备案已办结，不能再登记入户调查';
  if (ctx.homeVisitRecorded) return '该备案已登记县级入户调查结果';
  if (args === null || typeof args !== 'object') return '入户调查内容缺失';
  const a = args as Record<string, unknown>;
  if (typeof a.visitDate !== 'string' || !isValidLocalDate(a.visitDate)) {
    return `入户调查日期“${String(a.visitDate)}”无效，应为 YYYY-MM-DD`;
  }
  if (a.visitDate > ctx.today) return `入户调查日期 ${a.visitDate} 晚于今天（${ctx.today}）`;
  const noteReason = checkNote(a.result, true, '入户调查结果');
  if (noteReason) return noteReason;
  if (a.visitors !== undefined && (typeof a.visitors !== 'string' || a.visitors.trim() === '' || a.visitors.length > 100)) {
    return '“入户人员”须为不超过 100 字的文字';
  }
  if (!isStaffId(a.byStaffId)) return '缺少登记人';
  const conflict = conflictReason(a.byStaffId, ctx, '登记入户调查');
  if (conflict) return conflict;
  if (!ctx.homeVisitStaffIds.includes(a.byStaffId)) return '县级入户调查须由县民政局工作人员登记';
  return null;
}

/** Is the relation one the county counts as near relatives? */
export function isNearRelation(relation: string, relations: readonly Relation[]): boolean {
  return relations.some((r) => r === relation || RELATIONS[r] === relation);
}

/** Chinese label of a relation code ('spouse' → '配偶'); unknown codes are returned as written. */
export function relationLabel(relation: string): string {
  return (RELATIONS as Record<string, string>)[relation] ?? relation;
}

// ---------------------------------------------------------------- texts

export function filingDecisionRequestText(subject: string, due: string, resubmitted: boolean): string {
  return `【近亲属备案待审批】${subject}${resubmitted ? '（已补充材料）' : ''}，请于${formatDateZh(due)}前审批。`;
}

export function filingReminderText(subject: string, due: string, daysBefore: number): string {
  const when = daysBefore === 0 ? '今天是最后一天' : `还剩${daysBefore}天`;
  return `【近亲属备案审批提醒】${subject}须于${formatDateZh(due)}前审批（${when}）。`;
}

export function filingEscalationText(subject: string, due: string, levelLabel: string): string {
  return `【近亲属备案审批逾期·${levelLabel}】${subject}应于${formatDateZh(due)}前审批，现已逾期，请督促办理。`;
}

export function filingMoreInfoText(subject: string, note: string | undefined): string {
  return `【近亲属备案需补充材料】${subject}：${note && note.trim() !== '' ? note : '审批人要求补充材料'}。请补充后重新提交。`;
}

export function filingOutcomeText(subject: string, decision: 'approve' | 'reject', note: string | undefined): string {
  const what = decision === 'approve' ? '已批准' : '已驳回';
  return `【近亲属备案${what}】${subject}${note && note.trim() !== '' ? `：${note}` : ''}。`;
}

/**
 * The relative an `undeclared_near_relative` finding asks a filing about: its first application, else the
 * roster member (`memberId`, looked up by the caller by the finding's ID number and household).
 */
export function nearRelativeOfFinding(evidence: { applicationIds: readonly number[] }, memberId: number | null): { memberId: number } | { applicationId: number } {
  const applicationId = evidence.applicationIds[0];
  if (applicationId !== undefined) return { applicationId };
  if (memberId === null) throw new DomainInputError('比对结果中的亲属不在花名册中，无法建立备案');
  return { memberId };
}
