/**
 * Prisoner exit (服刑退出, domain.md R14, §2.1 Art. 7, §2.4 Art. 24/26): the
 * pure rules and the checks the workflow's update validators run. Synchronous
 * and workflow-safe; every rejection is a Chinese message for staff.
 *
 * - 低保: a prisoner is not a household member (57号 Art. 7), so the household
 *   amount is recomputed without them (Update `decide`: a lower amount).
 * - 特困: support ends on imprisonment (特困办法 Art. 24) after a 7-day 公示
 *   (Art. 26, rule 'tekun-termination-publicity'); an objection during the
 *   公示 sends the case back to review; without objection support stops from
 *   the month after the 公示.
 * - Any payment for a month after the month of imprisonment is an
 *   over-payment (R14), computed by `computeOverpayment` as for a death.
 */
import type { CountyPolicy } from '../policy/schema.js';
import { formatDateZh, isValidLocalDate, monthKey, type LocalDate } from '../time/local-date.js';
import { nextMonth } from './overpayment.js';

/** Which exit procedure applies, from the household's active enrolments when the case opens. */
export type PrisonExitTrack = 'dibao' | 'tekun' | 'none';

export function prisonExitTrack(activeKinds: readonly string[]): PrisonExitTrack {
  if (activeKinds.some((k) => k.startsWith('TEKUN_'))) return 'tekun';
  if (activeKinds.some((k) => k.endsWith('_DIBAO'))) return 'dibao';
  return 'none';
}

/**
 * The deadline rule of a prisoner exit. The seeds give no number ("及时退出",
 * R14): the presets define 'prison-exit' as a county choice (origin 'county',
 * 3 months from the imprisonment date); a policy without it falls back to the
 * 'death-review' rule, counted from the imprisonment date like a death.
 */
export function prisonExitDeadlineRuleId(policy: CountyPolicy): string {
  return Object.prototype.hasOwnProperty.call(policy.deadlines, 'prison-exit') ? 'prison-exit' : 'death-review';
}

/** 特困 support stops from the month after the one in which the 公示 ended (特困办法 Art. 26). */
export function tekunTerminationEffectiveMonth(publicityLastDay: LocalDate): string {
  return nextMonth(monthKey(publicityLastDay));
}

// ---------------------------------------------------------------- update arguments

export interface PrisonDecideArgs {
  /** Household amount (yuan per month) without the prisoner; 0 ends the 低保. */
  newMonthlyAmount: number;
  /** 'YYYY-MM': first month paid at the new amount (after the imprisonment month). */
  effectiveMonth: string;
  byStaffId: number;
  note?: string;
}

export interface PostTerminationArgs {
  /** 'YYYY-MM-DD': the day the termination notice was posted (公示张贴之日). */
  postedOn: LocalDate;
  byStaffId: number;
  note?: string;
}

export interface TerminationObjectionArgs {
  /** 'YYYY-MM-DD' the objection was received. */
  receivedOn: LocalDate;
  /** What the objection says (no personal data of the objector). */
  summary: string;
  byStaffId: number;
}

export interface PrisonRecoveryArgs {
  amount: number;
  byStaffId: number;
}

export interface ReleasedArgs {
  /** 'YYYY-MM-DD' of the release (刑满释放). */
  releasedOn: LocalDate;
  byStaffId: number;
  note?: string;
}

/** What the validators know (workflow state). */
export interface PrisonExitCheckContext {
  imprisonmentDate: LocalDate;
  track: PrisonExitTrack;
  /** Household's active monthly amount (yuan) of the track's enrolments when the case opened. */
  currentMonthlyAmount: number;
  allowedStaffIds: readonly number[];
  opened: boolean;
  closed: boolean;
  /** 低保 decided, or 特困 terminated. */
  decided: boolean;
  /** A termination 公示 is running (特困). */
  publicityRunning: boolean;
  /** Today in Beijing (workflow time). */
  today: LocalDate;
}

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

function isMoney(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0 && Math.abs(Math.round(x * 100) - x * 100) < 1e-6;
}

function isStaffId(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x > 0;
}

function common(ctx: PrisonExitCheckContext, args: unknown): Record<string, unknown> | string {
  if (!ctx.opened) return '案件尚在建立中，请稍后再试';
  if (ctx.closed) return '案件已办结';
  if (args === null || typeof args !== 'object') return '内容缺失';
  return args as Record<string, unknown>;
}

function checkStaff(a: Record<string, unknown>, ctx: PrisonExitCheckContext, what: string): string | null {
  if (!isStaffId(a.byStaffId)) return '缺少办理的工作人员';
  if (!ctx.allowedStaffIds.includes(a.byStaffId)) {
    return `该工作人员无权${what}（须为本乡镇经办人、乡镇负责人或县级工作人员）`;
  }
  return null;
}

function checkNote(a: Record<string, unknown>): string | null {
  if (a.note !== undefined && (typeof a.note !== 'string' || a.note.length > 500)) return '备注须为不超过 500 字的文字';
  return null;
}

function checkPastDate(value: unknown, what: string, ctx: PrisonExitCheckContext): string | null {
  if (typeof value !== 'string' || !isValidLocalDate(value)) return `${what}“${String(value)}”格式不正确，应为 YYYY-MM-DD`;
  if (value < ctx.imprisonmentDate) return `${what}不能早于服刑日期（${formatDateZh(ctx.imprisonmentDate)}）`;
  if (value > ctx.today) return `${what}不能晚于今天`;
  return null;
}

/** 低保: the household amount without the prisoner. */
export function checkPrisonDecision(args: unknown, ctx: PrisonExitCheckContext): string | null {
  const a = common(ctx, args);
  if (typeof a === 'string') return a;
  if (ctx.track !== 'dibao') return '本案为特困人员终止供养，请先张贴终止供养公示，不适用低保金额调整';
  if (ctx.decided) return '本案已作出决定，不能重复决定';
  if (!isMoney(a.newMonthlyAmount)) return '调整后的月保障金额必须是不小于 0、最多两位小数的数字';
  if (a.newMonthlyAmount >= ctx.currentMonthlyAmount) {
    return `剔除服刑人员后的月保障金额（${a.newMonthlyAmount}元）必须低于现金额（${ctx.currentMonthlyAmount}元）`;
  }
  if (typeof a.effectiveMonth !== 'string' || !MONTH_RE.test(a.effectiveMonth)) {
    return `生效月份“${String(a.effectiveMonth)}”格式不正确，应为 YYYY-MM（如 2026-12）`;
  }
  const first = nextMonth(monthKey(ctx.imprisonmentDate));
  if (a.effectiveMonth < first) return `生效月份 ${a.effectiveMonth} 不能早于服刑次月（${first}）`;
  return checkStaff(a, ctx, '对本案作出决定') ?? checkNote(a);
}

/** 特困: posting the termination notice starts the 7-day 公示. */
export function checkTerminationPosting(args: unknown, ctx: PrisonExitCheckContext): string | null {
  const a = common(ctx, args);
  if (typeof a === 'string') return a;
  if (ctx.track !== 'tekun') return '本案不是特困人员终止供养，无需公示';
  if (ctx.decided) return '已终止供养，不能再次公示';
  if (ctx.publicityRunning) return '终止供养公示正在进行中，不能重复张贴';
  return checkPastDate(a.postedOn, '公示张贴日期', ctx) ?? checkStaff(a, ctx, '张贴终止供养公示') ?? checkNote(a);
}

/** An objection is only possible while the 公示 runs. */
export function checkTerminationObjection(args: unknown, ctx: PrisonExitCheckContext): string | null {
  const a = common(ctx, args);
  if (typeof a === 'string') return a;
  if (ctx.track !== 'tekun') return '本案不是特困人员终止供养，无公示可提异议';
  if (!ctx.publicityRunning) return '当前没有进行中的终止供养公示，不能登记异议';
  if (typeof a.summary !== 'string' || a.summary.trim() === '' || a.summary.length > 500) return '异议内容不能为空，且不超过 500 字';
  return checkPastDate(a.receivedOn, '收到异议日期', ctx) ?? checkStaff(a, ctx, '登记异议');
}

export function checkPrisonRecovery(
  args: unknown,
  ctx: PrisonExitCheckContext & { overpaidCents: number | null; recoveredCents: number },
): string | null {
  const a = common(ctx, args);
  if (typeof a === 'string') return a;
  if (!ctx.decided || ctx.overpaidCents === null) return '本案尚未作出决定，无需登记追回';
  if (!isMoney(a.amount) || a.amount <= 0) return '追回金额必须是大于 0、最多两位小数的数字';
  const remaining = ctx.overpaidCents - ctx.recoveredCents;
  if (Math.round(a.amount * 100) > remaining) return `追回金额超过尚未追回的金额（${(remaining / 100).toFixed(2)}元）`;
  return checkStaff(a, ctx, '登记本案的追回');
}

export function checkRelease(args: unknown, ctx: PrisonExitCheckContext & { released: boolean }): string | null {
  const a = common(ctx, args);
  if (typeof a === 'string') return a;
  if (ctx.released) return '已登记过刑满释放，不能重复登记';
  return checkPastDate(a.releasedOn, '释放日期', ctx) ?? checkStaff(a, ctx, '登记刑满释放') ?? checkNote(a);
}

// ---------------------------------------------------------------- texts (subject = name + masked ID)

export function prisonExitReminderText(subject: string, due: LocalDate, daysBefore: number): string {
  const when = daysBefore === 0 ? '今天是最后一天' : `还剩${daysBefore}天`;
  return `【服刑退出提醒】${subject}服刑，须于${formatDateZh(due)}前办结退出保障手续（${when}）。`;
}

export function prisonExitEscalationText(subject: string, due: LocalDate, levelLabel: string): string {
  return `【服刑退出逾期·${levelLabel}】${subject}服刑后应于${formatDateZh(due)}前办结退出保障手续，现已逾期仍未办结，请督促办理。`;
}

export function prisonReleaseText(subject: string, releasedOn: LocalDate): string {
  return `【刑满释放】${subject}已于${formatDateZh(releasedOn)}释放，请重新开展救助资格审核。`;
}
