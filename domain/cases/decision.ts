/**
 * Death-review decisions (增发、减发、停发) and recoveries: types and the
 * checks the workflow's update validators run. Pure and synchronous (update
 * validators cannot await); every rejection is a Chinese message for staff.
 */
import { actsAs, onBehalfOfInvalid } from './delegation.js';

/** 维持: the household's amount stays as it is (the deceased was not counted, or another rule applies). */
export const DEATH_REVIEW_DECISIONS = ['停发', '减发', '增发', '维持'] as const;
export type DeathReviewDecision = (typeof DEATH_REVIEW_DECISIONS)[number];

export interface DecideArgs {
  decision: DeathReviewDecision;
  /** 'YYYY-MM': first month the change applies to. */
  effectiveMonth: string;
  /** Yuan per month after the change (减发: required and lower; 增发: if given, higher). */
  newMonthlyAmount?: number;
  decidedByStaffId: number;
  note?: string;
}

export interface RecordRecoveryArgs {
  /** Yuan recovered (at most two decimals). */
  amount: number;
  recordedByStaffId: number;
  /** 'YYYY-MM-DD' the money came back. */
  recoveredOn?: string;
  /** The receipt number (收据编号). */
  receiptNo?: string;
}

/** What the validators know about the case (workflow state). */
export interface DecisionContext {
  /** 'YYYY-MM' of the death. */
  deathMonth: string;
  /** Sum of the household's active monthly amounts (yuan) when the case opened. */
  currentMonthlyAmount: number;
  /** Staff allowed to decide and to record recoveries (looked up when the case opened). */
  allowedStaffIds: readonly number[];
  opened: boolean;
  decided: boolean;
  closed: boolean;
}

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

function isMoney(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0 && Math.abs(Math.round(x * 100) - x * 100) < 1e-6;
}

function isStaffId(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x > 0;
}

/** Chinese reason why the decision cannot be taken, or null when it can. */
export function checkDecision(args: unknown, ctx: DecisionContext): string | null {
  if (!ctx.opened) return '案件尚在建立中，请稍后再试';
  if (ctx.closed) return '案件已办结，不能再作出决定';
  if (ctx.decided) return '本案已作出决定，不能重复决定';
  if (args === null || typeof args !== 'object') return '决定内容缺失';
  const a = args as Record<string, unknown>;
  if (typeof a.decision !== 'string' || !(DEATH_REVIEW_DECISIONS as readonly string[]).includes(a.decision)) {
    return `未知的决定“${String(a.decision)}”，只能是：${DEATH_REVIEW_DECISIONS.join('、')}`;
  }
  if (typeof a.effectiveMonth !== 'string' || !MONTH_RE.test(a.effectiveMonth)) {
    return `生效月份“${String(a.effectiveMonth)}”格式不正确，应为 YYYY-MM（如 2026-12）`;
  }
  if (a.effectiveMonth < ctx.deathMonth) {
    return `生效月份 ${a.effectiveMonth} 早于死亡月份 ${ctx.deathMonth}`;
  }
  if (a.newMonthlyAmount !== undefined && !isMoney(a.newMonthlyAmount)) {
    return '新的月保障金额必须是不小于 0、最多两位小数的数字';
  }
  if (a.decision === '减发') {
    if (a.newMonthlyAmount === undefined) return '减发须填写减发后的月保障金额';
    if (a.newMonthlyAmount >= ctx.currentMonthlyAmount) {
      return `减发后的月保障金额（${a.newMonthlyAmount}元）必须低于现金额（${ctx.currentMonthlyAmount}元）`;
    }
  }
  if (a.decision === '增发' && a.newMonthlyAmount !== undefined && a.newMonthlyAmount <= ctx.currentMonthlyAmount) {
    return `增发后的月保障金额（${a.newMonthlyAmount}元）必须高于现金额（${ctx.currentMonthlyAmount}元）`;
  }
  if (!isStaffId(a.decidedByStaffId)) return '缺少作出决定的工作人员';
  if (!ctx.allowedStaffIds.includes(a.decidedByStaffId)) {
    return '该工作人员无权对本案作出决定（须为本乡镇经办人、乡镇负责人或县级工作人员）';
  }
  if (a.note !== undefined && (typeof a.note !== 'string' || a.note.length > 500)) return '备注须为不超过 500 字的文字';
  return null;
}

/** 确认超发金额: the over-payment the decision computed, confirmed by someone other than the decider. */
export interface ConfirmOverpaymentArgs {
  /** Yuan, as read on the card: must equal the computed over-payment. */
  amount: number;
  note?: string;
  byStaffId: number;
  /** 代理审批: the leader `byStaffId` stands in for. */
  onBehalfOfStaffId?: number;
}

/** Until then (runs since 'death-review-overpayment-confirm') no recovery or write-off is recorded. */
const UNCONFIRMED = '超发金额尚未确认，请先办理“确认超发金额”';

/** Chinese reason why the over-payment cannot be confirmed, or null. Amounts in cents. */
export function checkOverpaymentConfirm(
  args: unknown,
  ctx: DecisionContext & { overpaidCents: number | null; confirming: boolean; decidedByStaffId: number | null },
): string | null {
  if (ctx.closed) return '案件已办结，不能再确认超发金额';
  if (!ctx.decided || ctx.overpaidCents === null) return '本案尚未作出决定，无超发金额可确认';
  if (!ctx.confirming) return '超发金额已确认或无需确认';
  if (args === null || typeof args !== 'object') return '确认内容缺失';
  const a = args as Record<string, unknown>;
  if (!isMoney(a.amount)) return '“确认超发金额（元）”必须是不小于 0、最多两位小数的数字';
  if (Math.round(a.amount * 100) !== ctx.overpaidCents) {
    return `“确认超发金额（元）”${a.amount} 元与计算的超发金额 ${(ctx.overpaidCents / 100).toFixed(2)} 元不一致`;
  }
  if (a.note !== undefined && (typeof a.note !== 'string' || a.note.length > 500)) return '“意见”须为不超过 500 字的文字';
  if (onBehalfOfInvalid(a)) return onBehalfOfInvalid(a);
  if (!isStaffId(a.byStaffId) || !actsAs(a, ctx.allowedStaffIds)) return '该工作人员无权确认本案的超发金额';
  if (a.byStaffId === ctx.decidedByStaffId) return '超发金额须由作出决定以外的工作人员确认';
  return null;
}

/** Chinese reason why the recovery cannot be recorded, or null. Amounts in cents. */
export function checkRecovery(
  args: unknown,
  ctx: DecisionContext & { overpaidCents: number | null; recoveredCents: number; confirming?: boolean },
): string | null {
  if (ctx.closed) return '案件已办结，不能再登记追回';
  if (!ctx.decided || ctx.overpaidCents === null) return '本案尚未作出决定，无需登记追回';
  if (ctx.confirming) return UNCONFIRMED;
  if (args === null || typeof args !== 'object') return '追回内容缺失';
  const a = args as Record<string, unknown>;
  if (!isMoney(a.amount) || a.amount <= 0) return '追回金额必须是大于 0、最多两位小数的数字';
  const remaining = ctx.overpaidCents - ctx.recoveredCents;
  if (Math.round(a.amount * 100) > remaining) {
    return `追回金额超过尚未追回的金额（${(remaining / 100).toFixed(2)}元）`;
  }
  if (!isStaffId(a.recordedByStaffId) || !ctx.allowedStaffIds.includes(a.recordedByStaffId)) {
    return '该工作人员无权登记本案的追回';
  }
  return null;
}

/** Chinese reason why the household check (入户核查) cannot be recorded, or null. */
export function checkHouseholdCheck(args: unknown, ctx: DecisionContext & { checked: boolean; today: string }): string | null {
  if (!ctx.opened) return '案件尚在建立中，请稍后再试';
  if (ctx.closed) return '案件已办结，不能再登记核查';
  if (ctx.decided) return '本案已作出决定，不能再登记核查';
  if (ctx.checked) return '本案已登记入户核查，不能重复登记';
  if (args === null || typeof args !== 'object') return '核查内容缺失';
  const a = args as Record<string, unknown>;
  if (typeof a.visitedOn !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(a.visitedOn)) return '“核查日期”格式不正确，应为 YYYY-MM-DD';
  if (a.visitedOn > ctx.today) return `“核查日期”${a.visitedOn} 晚于今天（${ctx.today}）`;
  if (a.visitedOn.slice(0, 7) < ctx.deathMonth) return `“核查日期”${a.visitedOn} 早于死亡月份 ${ctx.deathMonth}`;
  if (typeof a.visitors !== 'string' || !a.visitors.trim() || a.visitors.length > 100) return '请填写“核查人员”（不超过 100 字）';
  if (typeof a.findings !== 'string' || !a.findings.trim() || a.findings.length > 500) return '请填写“核查情况”（不超过 500 字）';
  if (!isStaffId(a.byStaffId) || !ctx.allowedStaffIds.includes(a.byStaffId)) return '该工作人员无权登记本案的核查';
  return null;
}

/** Chinese reason why the write-off (核销) cannot be approved, or null. Amounts in cents. */
export function checkWriteOff(
  args: unknown,
  ctx: DecisionContext & { overpaidCents: number | null; recoveredCents: number; leaderStaffIds: readonly number[]; writtenOff: boolean; confirming?: boolean },
): string | null {
  if (ctx.closed) return '案件已办结，不能再核销';
  if (!ctx.decided || ctx.overpaidCents === null) return '本案尚未作出决定，无需核销';
  if (ctx.confirming) return UNCONFIRMED;
  if (ctx.writtenOff) return '本案已批准核销，不能重复核销';
  if (ctx.overpaidCents - ctx.recoveredCents <= 0) return '超发资金已全部追回，无需核销';
  if (args === null || typeof args !== 'object') return '核销内容缺失';
  const a = args as Record<string, unknown>;
  if (typeof a.reason !== 'string' || a.reason.trim().length < 2 || a.reason.length > 500) return '请填写“核销理由”（2 至 500 字）';
  if (onBehalfOfInvalid(a)) return onBehalfOfInvalid(a);
  if (!actsAs(a, ctx.leaderStaffIds)) return '核销须由本县专班组长批准';
  return null;
}
