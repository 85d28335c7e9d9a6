/**
 * Rectification items (整改清单, domain.md R29 and Zhangzi attachment 6):
 * types and the checks the workflow's update validators run. Pure and
 * synchronous; every rejection is a Chinese message for staff.
 */
import { formatDateZh, isValidLocalDate, type LocalDate } from '../time/local-date.js';
import type { CountyPolicy } from '../policy/schema.js';

/** Where the problem was found (自查/举报/大数据比对/督查). */
export const RECTIFICATION_SOURCES = ['自查', '举报', '大数据比对', '督查'] as const;
export type RectificationSource = (typeof RECTIFICATION_SOURCES)[number];

/** The database's RectificationStatus values (workflow code cannot import the Prisma enums). */
export type RectificationStatusCode = 'IN_PROGRESS' | 'AWAITING_CONFIRMATION' | 'COMPLETED';

export const RECTIFICATION_STATUS_ZH: Readonly<Record<RectificationStatusCode, string>> = {
  IN_PROGRESS: '整改中',
  AWAITING_CONFIRMATION: '待专班确认',
  COMPLETED: '已完成',
};

export interface RectificationItemInput {
  countyRegionId: number;
  problem: string;
  /** Focus-item code of the county policy (Z1…Z5, W1…W4). */
  focusItem?: string;
  source: RectificationSource;
  /** The finding or complaint it came from, e.g. 'finding:12' (natural key when given). */
  sourceRef?: string;
  /** 序号 in the county's list: the natural key when there is no source ref. */
  seq?: number;
  /** Township (or village) whose unit must rectify. */
  responsibleRegionId: number;
  /** Unit name as printed on the list (e.g. 'XX镇人民政府'). */
  responsibleUnit: string;
  responsibleStaffId: number;
  measures: string;
  /** 'YYYY-MM-DD' the problem was found (anchor of the default deadline). */
  discoveryDate: LocalDate;
  /** 'YYYY-MM-DD' last on-time day; default: the policy's 'rectification-default' rule. */
  deadline?: LocalDate;
}

export interface ReportProgressArgs {
  note: string;
  /** Yuan recovered since the last report (at most two decimals). */
  recoveredAmount?: number;
  byStaffId: number;
}

export interface ReportCompletedArgs {
  byStaffId: number;
  note?: string;
}

export interface ConfirmArgs {
  accepted: boolean;
  note?: string;
  byStaffId: number;
}

/** What the validators know (workflow state). */
export interface RectificationContext {
  opened: boolean;
  status: RectificationStatusCode;
  /** An accepted update is still being written. */
  busy: boolean;
  responsibleStaffId: number;
  /** Heads of the responsible unit (乡镇负责人). */
  unitHeadStaffIds: readonly number[];
  /** 专班办公室 and 专班组长 of the county. */
  confirmerStaffIds: readonly number[];
}

const SEQ_KEY_RE = /^[\w:.-]{1,80}$/;

function isStaffId(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x > 0;
}

function isMoney(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0 && Math.abs(Math.round(x * 100) - x * 100) < 1e-6;
}

function text(x: unknown, max: number): x is string {
  return typeof x === 'string' && x.trim().length > 0 && x.length <= max;
}

/** Workflow id: county + source ref, or county + 序号. Never personal data. */
export function rectificationWorkflowId(countyRegionId: number, key: { sourceRef?: string; seq?: number }): string {
  if (key.sourceRef !== undefined) return `rectification:${countyRegionId}:${key.sourceRef}`;
  if (key.seq !== undefined) return `rectification:${countyRegionId}:seq-${key.seq}`;
  throw new Error('整改事项须有来源编号或序号');
}

/** Chinese reason why the item cannot be opened, or null. */
export function checkRectificationInput(input: unknown, policy: CountyPolicy): string | null {
  if (input === null || typeof input !== 'object') return '整改事项内容缺失';
  const a = input as Record<string, unknown>;
  if (!isStaffId(a.countyRegionId)) return '缺少所属县';
  if (!text(a.problem, 1000)) return '问题描述不能为空，且不超过 1000 字';
  if (a.focusItem !== undefined && !policy.focusItems.some((f) => f.code === a.focusItem)) {
    return `未知的整治重点“${String(a.focusItem)}”，只能是：${policy.focusItems.map((f) => f.code).join('、')}`;
  }
  if (typeof a.source !== 'string' || !(RECTIFICATION_SOURCES as readonly string[]).includes(a.source)) {
    return `问题来源只能是：${RECTIFICATION_SOURCES.join('、')}`;
  }
  if (a.sourceRef !== undefined && (typeof a.sourceRef !== 'string' || !SEQ_KEY_RE.test(a.sourceRef))) {
    return '来源编号只能包含字母、数字和 : . - _，且不超过 80 个字符';
  }
  if (a.seq !== undefined && !isStaffId(a.seq)) return '序号须为正整数';
  if (a.sourceRef === undefined && a.seq === undefined) return '整改事项须有来源编号或序号';
  if (!isStaffId(a.responsibleRegionId)) return '缺少责任单位所在乡镇';
  if (!text(a.responsibleUnit, 100)) return '责任单位不能为空';
  if (!isStaffId(a.responsibleStaffId)) return '缺少责任人';
  if (!text(a.measures, 2000)) return '整改措施不能为空，且不超过 2000 字';
  if (!isValidLocalDate(a.discoveryDate)) return `发现日期“${String(a.discoveryDate)}”格式不正确，应为 YYYY-MM-DD`;
  if (a.deadline !== undefined) {
    if (!isValidLocalDate(a.deadline)) return `整改时限“${String(a.deadline)}”格式不正确，应为 YYYY-MM-DD`;
    if (a.deadline < a.discoveryDate) return `整改时限 ${a.deadline} 早于发现日期 ${a.discoveryDate}`;
  }
  return null;
}

function common(ctx: RectificationContext): string | null {
  if (!ctx.opened) return '整改事项尚在建立中，请稍后再试';
  if (ctx.status === 'COMPLETED') return '该整改事项已完成销号，不能再操作';
  if (ctx.busy) return '上一项操作正在办理，请稍后再试';
  return null;
}

function isResponsible(staffId: number, ctx: RectificationContext): boolean {
  return staffId === ctx.responsibleStaffId || ctx.unitHeadStaffIds.includes(staffId);
}

export function checkReportProgress(args: unknown, ctx: RectificationContext): string | null {
  const c = common(ctx);
  if (c) return c;
  if (args === null || typeof args !== 'object') return '进展内容缺失';
  const a = args as Record<string, unknown>;
  if (!text(a.note, 1000)) return '进展情况不能为空，且不超过 1000 字';
  if (a.recoveredAmount !== undefined && !isMoney(a.recoveredAmount)) return '追回金额必须是不小于 0、最多两位小数的数字';
  if (!isStaffId(a.byStaffId) || !isResponsible(a.byStaffId, ctx)) {
    return '只有该事项的责任人或责任单位负责人可以报告整改进展';
  }
  return null;
}

export function checkReportCompleted(args: unknown, ctx: RectificationContext): string | null {
  const c = common(ctx);
  if (c) return c;
  if (ctx.status === 'AWAITING_CONFIRMATION') return '已报告整改完成，正在等待专班确认';
  if (args === null || typeof args !== 'object') return '内容缺失';
  const a = args as Record<string, unknown>;
  if (a.note !== undefined && (typeof a.note !== 'string' || a.note.length > 1000)) return '说明须为不超过 1000 字的文字';
  if (!isStaffId(a.byStaffId) || !isResponsible(a.byStaffId, ctx)) {
    return '只有该事项的责任人或责任单位负责人可以报告整改完成';
  }
  return null;
}

export function checkConfirm(args: unknown, ctx: RectificationContext): string | null {
  const c = common(ctx);
  if (c) return c;
  if (ctx.status !== 'AWAITING_CONFIRMATION') return '责任单位尚未报告整改完成，不能确认';
  if (args === null || typeof args !== 'object') return '确认内容缺失';
  const a = args as Record<string, unknown>;
  if (typeof a.accepted !== 'boolean') return '须说明是否同意销号';
  if (a.note !== undefined && (typeof a.note !== 'string' || a.note.length > 1000)) return '意见须为不超过 1000 字的文字';
  if (!a.accepted && !text(a.note, 1000)) return '不同意销号时须写明理由';
  if (!isStaffId(a.byStaffId) || !ctx.confirmerStaffIds.includes(a.byStaffId)) {
    return '只有本县专班办公室或专班组长可以确认整改结果';
  }
  if (a.byStaffId === ctx.responsibleStaffId) return '责任人不能确认自己负责的整改事项';
  return null;
}

export function rectificationReminderText(problem: string, seq: number, due: LocalDate, daysBefore: number): string {
  const when = daysBefore === 0 ? '今天是最后一天' : `还剩${daysBefore}天`;
  return `【整改提醒】整改清单第${seq}项“${short(problem)}”须于${formatDateZh(due)}前整改到位（${when}）。`;
}

export function rectificationEscalationText(problem: string, seq: number, due: LocalDate, levelLabel: string): string {
  return `【整改逾期·${levelLabel}】整改清单第${seq}项“${short(problem)}”应于${formatDateZh(due)}前整改到位，现已逾期仍未完成，请督促办理。`;
}

export function rectificationRejectedText(problem: string, seq: number, note: string): string {
  return `【整改未通过确认】整改清单第${seq}项“${short(problem)}”未通过专班确认，已退回继续整改。意见：${note}`;
}

export function rectificationConfirmRequestText(problem: string, seq: number, unit: string): string {
  return `【整改待确认】${unit}报告整改清单第${seq}项“${short(problem)}”已完成，请专班核实后确认。如需退回，请发送 /整改退回 ${seq} <意见>。`;
}

function short(s: string): string {
  return s.length > 30 ? `${s.slice(0, 30)}…` : s;
}

