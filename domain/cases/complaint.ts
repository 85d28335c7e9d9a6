/**
 * Real-name complaints and reports (实名投诉举报, 信访; domain.md R21–R22,
 * §2.5): who may read a complaint, the checks of the workflow's update
 * validators and the notification texts. Pure and workflow-safe.
 *
 * Access (《信访工作条例》Art. 30 & 46: the accuser's materials never reach the
 * accused): nobody in the accused unit reads an accusation; an accusation
 * (accusedStaffId set) is read only by the county's 纪检联络 and 专班组长; an
 * ordinary complaint is read in full by county staff and, without the
 * complainant's identity, by the subject township's caseworker and head.
 * Notification texts never name the complainant at all.
 */
import { maskMobile } from '../identity/contact.js';
import { maskIdNumber } from '../identity/id-number.js';
import type { StaffRole } from '../roles.js';
import { formatDateZh, isValidLocalDate, type LocalDate } from '../time/local-date.js';
import { actsAs, onBehalfOfInvalid, type StepBy } from './delegation.js';

/** The database's StaffRole values (domain/roles.ts). */
export type StaffRoleCode = StaffRole;

/** A staff member with the regions resolved (township/county of their own region). */
export interface ComplaintReader {
  id: number;
  role: StaffRoleCode;
  active: boolean;
  /** 所属单位 as written. */
  unit: string;
  /** County of the staff member's region. */
  countyId: number | null;
  /** Township of the staff member's region (null for county-level staff). */
  townshipId: number | null;
}

/** What access decisions need to know about a complaint. */
export interface ComplaintAccessSubject {
  countyRegionId: number;
  /** Township the complaint is about (null: county-wide or unknown). */
  subjectTownshipId: number | null;
  accusedStaffId: number | null;
  /** The accused staff member's unit and township (null when no accusation). */
  accused: { unit: string; townshipId: number | null } | null;
}

export type ComplaintAccess = 'full' | 'redacted' | 'none';

/** Roles that read an accusation (检举控告): 纪检联络 and 专班组长 of the county. */
export const ACCUSATION_READER_ROLES: readonly StaffRoleCode[] = ['DISCIPLINE_LIAISON', 'TASKFORCE_LEADER'];
/** County roles that read ordinary complaints in full. */
export const COUNTY_COMPLAINT_ROLES: readonly StaffRoleCode[] = ['TASKFORCE_OFFICE', 'TASKFORCE_LEADER', 'DISCIPLINE_LIAISON', 'SECTION_HEAD', 'SECTION_CASEWORKER'];
/** Township roles that read an ordinary complaint about their township, without the complainant. */
export const TOWNSHIP_COMPLAINT_ROLES: readonly StaffRoleCode[] = ['TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD'];

function sameUnit(a: string, b: string): boolean {
  const x = a.trim();
  return x !== '' && x === b.trim();
}

/** True when the staff member is the accused or works in the accused unit (same unit, or same township). */
export function inAccusedUnit(staff: ComplaintReader, complaint: ComplaintAccessSubject): boolean {
  if (complaint.accusedStaffId === null) return false;
  if (staff.id === complaint.accusedStaffId) return true;
  const accused = complaint.accused;
  if (!accused) return false;
  if (sameUnit(staff.unit, accused.unit)) return true;
  return accused.townshipId !== null && staff.townshipId === accused.townshipId;
}

export function complaintAccess(staff: ComplaintReader, complaint: ComplaintAccessSubject): ComplaintAccess {
  if (!staff.active || staff.countyId !== complaint.countyRegionId) return 'none';
  if (inAccusedUnit(staff, complaint)) return 'none';
  const countyLevel = staff.townshipId === null;
  if (complaint.accusedStaffId !== null) {
    return countyLevel && ACCUSATION_READER_ROLES.includes(staff.role) ? 'full' : 'none';
  }
  if (countyLevel && COUNTY_COMPLAINT_ROLES.includes(staff.role)) return 'full';
  if (!countyLevel && complaint.subjectTownshipId !== null && staff.townshipId === complaint.subjectTownshipId && TOWNSHIP_COMPLAINT_ROLES.includes(staff.role)) {
    return 'redacted';
  }
  return 'none';
}

export function canReadComplaint(staff: ComplaintReader, complaint: ComplaintAccessSubject): boolean {
  return complaintAccess(staff, complaint) !== 'none';
}

/** The complainant for a full reader: name, masked phone and ID number. */
export function complainantLabel(c: { name: string; phone?: string | null; idNumber?: string | null }): string {
  const parts = [c.phone ? `电话 ${maskMobile(c.phone)}` : null, c.idNumber ? `身份证 ${maskIdNumber(c.idNumber)}` : null].filter(Boolean);
  return parts.length ? `${c.name}（${parts.join('，')}）` : c.name;
}

// ---------------------------------------------------------------- update arguments and checks

/** The acceptance decision (受理 / 不予受理, 信访工作条例 Art. 31–32). */
export const ACCEPTANCE_DECISIONS = ['受理', '不予受理'] as const;
export type AcceptanceDecision = (typeof ACCEPTANCE_DECISIONS)[number];

export interface RecordAcceptanceNoticeArgs extends StepBy {
  /** 受理 (default) or 不予受理; the complainant is told either way. */
  decision?: AcceptanceDecision;
  /** Why (required when 不予受理; told to the complainant). */
  reason?: string;
  /** 'YYYY-MM-DD' the complainant was told (in writing or on the spot). */
  noticeOn: LocalDate;
  /** 'YYYY-MM-DD' of acceptance (受理之日, the handling clock's anchor); default noticeOn. */
  acceptedOn?: LocalDate;
  /** 书面 / 当面 / 电话 … */
  method: string;
}

export interface ExtendComplaintArgs extends StepBy {
  reason: string;
}

export interface RecordExtensionNoticeArgs extends StepBy {
  noticeOn: LocalDate;
  method: string;
}

export const VERIFICATION_FINDINGS = ['属实', '部分属实', '不属实'] as const;
export type VerificationFinding = (typeof VERIFICATION_FINDINGS)[number];

export interface RecordVerificationArgs extends StepBy {
  finding: VerificationFinding;
  /** 核实情况 (free text, no personal data of the complainant). */
  result: string;
}

export interface RecordFeedbackArgs extends StepBy {
  feedbackOn: LocalDate;
  method: string;
  /** What the complainant was told (办理结果), no personal data. */
  content?: string;
}

/** 办结: the handling unit or the 专班 closes the ledger entry after the feedback (and the clue's transfer). */
export interface CloseComplaintArgs extends StepBy {
  /** 办结意见: what was done, no personal data of the complainant. */
  note: string;
}

export interface TransferClueArgs extends StepBy {
  /** The receiving 纪检监察 body. */
  transferredTo: string;
  transferredOn: LocalDate;
  /** Receipt number (回执), if any. */
  receipt?: string;
}

/** Workflow state the validators read. */
export interface ComplaintCheckContext {
  opened: boolean;
  closed: boolean;
  accusation: boolean;
  receiptDate: LocalDate;
  today: LocalDate;
  /** Staff who may contact the complainant (acceptance, extension notice, feedback): full readers. */
  fullReaderIds: readonly number[];
  /** Staff who may record the verification: full readers and the subject township's readers. */
  verifierIds: readonly number[];
  /** 专班组长 who may approve an extension (full readers). */
  leaderIds: readonly number[];
  /** 纪检联络 / 专班组长 who may transfer the clue. */
  clueHandlerIds: readonly number[];
  /** The accused (an accusation): never acts on it, not even as a deputy. */
  accusedStaffId?: number | null;
  acceptanceRecorded: boolean;
  acceptedOn: LocalDate | null;
  /** The handling deadline (first late instant) has passed. */
  handlingExpired: boolean;
  extensionApproved: boolean;
  extensionNoticed: boolean;
  verified: boolean;
  fedBack: boolean;
  clueTransferred: boolean;
  /** Fed back (and the clue transferred): waiting for the explicit 办结 (runs since 'complaint-close-step'). */
  awaitingClose?: boolean;
  closeRecorded?: boolean;
}

function obj(args: unknown, ctx: ComplaintCheckContext): Record<string, unknown> | string {
  if (!ctx.opened) return '台账尚在登记中，请稍后再试';
  if (ctx.closed) return '该信访事项已办结';
  if (args === null || typeof args !== 'object') return '内容缺失';
  return args as Record<string, unknown>;
}

/** On the step's list, or a deputy (代理审批) standing in for someone on it; the accused never acts. */
function staffIn(a: Record<string, unknown>, ids: readonly number[], what: string, ctx: ComplaintCheckContext): string | null {
  if (typeof a.byStaffId !== 'number' || !Number.isInteger(a.byStaffId) || a.byStaffId <= 0) return '缺少办理的工作人员';
  const invalid = onBehalfOfInvalid(a);
  if (invalid) return invalid;
  if (ctx.accusedStaffId !== undefined && ctx.accusedStaffId !== null && a.byStaffId === ctx.accusedStaffId) return '被举报人须回避，不能办理本事项';
  if (!actsAs(a, ids)) return `该工作人员无权${what}`;
  return null;
}

function text(value: unknown, what: string, max = 500): string | null {
  if (typeof value !== 'string' || value.trim() === '') return `${what}不能为空`;
  if (value.length > max) return `${what}不能超过 ${max} 字`;
  return null;
}

function date(value: unknown, what: string, ctx: ComplaintCheckContext, notBefore?: LocalDate | null): string | null {
  if (typeof value !== 'string' || !isValidLocalDate(value)) return `${what}“${String(value)}”格式不正确，应为 YYYY-MM-DD`;
  const floor = notBefore ?? ctx.receiptDate;
  if (value < floor) return `${what}不能早于${formatDateZh(floor)}`;
  if (value > ctx.today) return `${what}不能晚于今天`;
  return null;
}

export function checkAcceptanceNotice(args: unknown, ctx: ComplaintCheckContext): string | null {
  const a = obj(args, ctx);
  if (typeof a === 'string') return a;
  if (ctx.acceptanceRecorded) return '已登记受理告知，不能重复登记';
  const who = staffIn(a, ctx.fullReaderIds, '登记受理告知', ctx);
  if (who) return who;
  const d = date(a.noticeOn, '告知日期', ctx);
  if (d) return d;
  if (a.decision !== undefined && (typeof a.decision !== 'string' || !(ACCEPTANCE_DECISIONS as readonly string[]).includes(a.decision))) {
    return `受理决定只能是：${ACCEPTANCE_DECISIONS.join('、')}`;
  }
  if (a.decision === '不予受理') {
    const why = text(a.reason, '不予受理理由');
    if (why) return why;
    if (ctx.accusation) return '检举控告须移交纪检监察机关处理，不能不予受理';
  } else if (a.reason !== undefined) {
    const why = text(a.reason, '受理意见');
    if (why) return why;
  }
  if (a.acceptedOn !== undefined) {
    const acc = date(a.acceptedOn, '受理日期', ctx);
    if (acc) return acc;
    if ((a.acceptedOn as string) > (a.noticeOn as string)) return '受理日期不能晚于告知日期';
  }
  return text(a.method, '告知方式', 50);
}

export function checkExtension(args: unknown, ctx: ComplaintCheckContext): string | null {
  const a = obj(args, ctx);
  if (typeof a === 'string') return a;
  const who = staffIn(a, ctx.leaderIds, '批准延期（须为工作专班组长）', ctx);
  if (who) return who;
  if (!ctx.acceptanceRecorded) return '尚未受理，不能延期';
  if (ctx.fedBack) return '已反馈办理结果，无需延期';
  if (ctx.extensionApproved) return '办理期限只能延长一次';
  if (ctx.handlingExpired) return '办理期限已过，不能再批准延期';
  return text(a.reason, '延期理由');
}

export function checkExtensionNotice(args: unknown, ctx: ComplaintCheckContext): string | null {
  const a = obj(args, ctx);
  if (typeof a === 'string') return a;
  if (!ctx.extensionApproved) return '延期尚未经工作专班组长批准';
  if (ctx.extensionNoticed) return '已登记延期告知，不能重复登记';
  const who = staffIn(a, ctx.fullReaderIds, '登记延期告知', ctx);
  if (who) return who;
  return date(a.noticeOn, '告知日期', ctx, ctx.acceptedOn) ?? text(a.method, '告知方式', 50);
}

export function checkVerification(args: unknown, ctx: ComplaintCheckContext): string | null {
  const a = obj(args, ctx);
  if (typeof a === 'string') return a;
  const who = staffIn(a, ctx.verifierIds, '登记核实结果', ctx);
  if (who) return who;
  if (!ctx.acceptanceRecorded) return '尚未登记受理告知，不能登记核实结果';
  if (ctx.verified) return '已登记核实结果，不能重复登记';
  if (typeof a.finding !== 'string' || !(VERIFICATION_FINDINGS as readonly string[]).includes(a.finding)) {
    return `核实结论只能是：${VERIFICATION_FINDINGS.join('、')}`;
  }
  return text(a.result, '核实情况', 2000);
}

export function checkFeedback(args: unknown, ctx: ComplaintCheckContext): string | null {
  const a = obj(args, ctx);
  if (typeof a === 'string') return a;
  const who = staffIn(a, ctx.fullReaderIds, '登记反馈', ctx);
  if (who) return who;
  if (!ctx.verified) return '尚未登记核实结果，不能反馈';
  if (ctx.fedBack) return '已登记反馈，不能重复登记';
  return (
    date(a.feedbackOn, '反馈日期', ctx, ctx.acceptedOn) ??
    text(a.method, '反馈方式', 50) ??
    (a.content !== undefined ? text(a.content, '反馈内容', 2000) : null)
  );
}

export function checkClueTransfer(args: unknown, ctx: ComplaintCheckContext): string | null {
  if (!ctx.opened) return '台账尚在登记中，请稍后再试';
  if (args === null || typeof args !== 'object') return '内容缺失';
  const a = args as Record<string, unknown>;
  if (!ctx.accusation) return '该信访事项不涉及工作人员，没有问题线索';
  const who = staffIn(a, ctx.clueHandlerIds, '移交问题线索（须为纪检联络人或工作专班组长）', ctx);
  if (who) return who;
  if (ctx.clueTransferred) return '问题线索已移交，不能重复移交';
  return text(a.transferredTo, '接收单位', 100) ?? date(a.transferredOn, '移交日期', ctx) ?? (a.receipt !== undefined ? text(a.receipt, '回执编号', 100) : null);
}

/** 办结 after the feedback (and, for an accusation, the clue's transfer), by a verifier (handling unit or 专班). */
export function checkClose(args: unknown, ctx: ComplaintCheckContext): string | null {
  const a = obj(args, ctx);
  if (typeof a === 'string') return a;
  if (ctx.closeRecorded) return '该信访事项已办结，不能重复办结';
  const who = staffIn(a, ctx.verifierIds, '办结本信访事项', ctx);
  if (who) return who;
  if (!ctx.fedBack) return '尚未向信访人反馈办理结果，不能办结';
  if (ctx.accusation && !ctx.clueTransferred) return '问题线索尚未移交纪检监察机关，不能办结';
  if (!ctx.awaitingClose) return '该信访事项当前不能办结，请稍后再试';
  return text(a.note, '办结意见');
}

// ---------------------------------------------------------------- texts (no complainant, no content)

/** The card asking the handling unit to close (办结) once the complainant has been told the result. */
export function complaintCloseRequestText(accusation: boolean, ledgerNo: string): string {
  return `${accusation ? '检举控告' : '实名举报'} ${ledgerNo} 已反馈办理结果，请登记办结`;
}

/** 'close': 办结 after the feedback (its ladder since 'complaint-close-ladder'). */
export type ComplaintStage = 'acceptance' | 'handling' | 'handling-extended' | 'clue' | 'close';

const STAGE_ZH: Record<ComplaintStage, string> = {
  acceptance: '告知信访人是否受理',
  handling: '办结并反馈信访人',
  'handling-extended': '在延长期限内办结并反馈信访人',
  clue: '将问题线索移交纪检监察机关',
  close: '登记办结（已反馈信访人）',
};

function head(accusation: boolean): string {
  return accusation ? '检举控告' : '实名举报';
}

export function complaintReminderText(accusation: boolean, ledgerNo: string, stage: ComplaintStage, due: LocalDate, daysBefore: number): string {
  const when = daysBefore === 0 ? '今天是最后一天' : `还剩${daysBefore}天`;
  return `【${head(accusation)}提醒】台账编号 ${ledgerNo}：须于${formatDateZh(due)}前${STAGE_ZH[stage]}（${when}）。`;
}

export function complaintEscalationText(accusation: boolean, ledgerNo: string, stage: ComplaintStage, due: LocalDate, levelLabel: string): string {
  return `【${head(accusation)}逾期·${levelLabel}】台账编号 ${ledgerNo}：应于${formatDateZh(due)}前${STAGE_ZH[stage]}，现已逾期，请督促办理。`;
}

/** The accused staff member's unit and township must never see this: sent only to readers. */
export function complaintRegisteredText(accusation: boolean, ledgerNo: string): string {
  return accusation
    ? `【检举控告】已登记台账编号 ${ledgerNo} 的检举控告，并生成问题线索，请及时移交纪检监察机关。`
    : `【实名举报】已登记台账编号 ${ledgerNo} 的实名举报，请按期告知受理情况并逐一核实。`;
}
