/**
 * Moving a policy's dated rules with its campaign window (pure).
 *
 * The presets describe the 2024 campaign (2024-04-01..2024-10-31). A county
 * that runs the campaign in another year, or with another window, needs the
 * same rules at the same places in its own window: the first report "5月14日前"
 * one month and 13 days after the start, the summaries "7月10日前" and
 * "10月10日前", the phases. Every calendar date of the policy moves by the
 * whole months between the two window starts (whole years when only the year
 * differs, which is what the rehearsal `jiuzhu simulate` does), so a rule
 * fixed on the 14th stays on the 14th. Used by the rehearsal
 * (demo/rehearsal/policy.ts) and the campaign set-up (services/campaign.ts).
 */
import { DomainInputError } from '../errors.js';
import {
  addMonthsClamped,
  compareLocalDates,
  daysInMonth,
  diffCalendarDays,
  isValidLocalDate,
  makeLocalDate,
  maxLocalDate,
  minLocalDate,
  parseLocalDate,
  type LocalDate,
} from '../time/local-date.js';
import { loadPolicy } from './load.js';
import type { CountyPolicy, DateRange } from './schema.js';

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * One date moved by whole months. A move by whole years keeps the day (29
 * February → 28 February in a common year); otherwise a month's last day stays
 * its last day (30 April + 1 month → 31 May), other days are clamped.
 */
export function shiftDateByMonths(date: LocalDate, months: number): LocalDate {
  if (months % 12 === 0) return addMonthsClamped(date, months);
  const { year, month, day } = parseLocalDate(date);
  if (day !== daysInMonth(year, month)) return addMonthsClamped(date, months);
  const total = year * 12 + (month - 1) + months;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  return makeLocalDate(y, m, daysInMonth(y, m));
}

function shiftAll(value: unknown, months: number): unknown {
  if (typeof value === 'string') return DATE_RE.test(value) && isValidLocalDate(value) ? shiftDateByMonths(value, months) : value;
  if (Array.isArray(value)) return value.map((v) => shiftAll(v, months));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shiftAll(v, months)]));
  return value;
}

/** Whole months from `a`'s month to `b`'s month. */
export function monthsBetween(a: LocalDate, b: LocalDate): number {
  const pa = parseLocalDate(a);
  const pb = parseLocalDate(b);
  return (pb.year - pa.year) * 12 + (pb.month - pa.month);
}

/** Every calendar date of the policy (window, phases, first report, summaries) moved by whole months, validated again. */
export function shiftPolicyByMonths(policy: CountyPolicy, months: number, sourceName = '平移后的政策'): CountyPolicy {
  if (months === 0) return policy;
  return loadPolicy(shiftAll(structuredClone(policy), months), sourceName);
}

export interface PolicyForWindow {
  policy: CountyPolicy;
  /** Whole months every dated rule moved by. */
  movedMonths: number;
  /** What changed beyond the move (dropped summaries, clamped phases …), Chinese, for the operator. */
  notes: string[];
}

function clampRange(r: DateRange, w: DateRange): DateRange | null {
  const start = maxLocalDate(r.start, w.start);
  const end = minLocalDate(r.end, w.end);
  return compareLocalDates(start, end) <= 0 ? { start, end } : null;
}

/**
 * The policy set on the window [start, end]: its dated rules moved by the
 * whole months between the two starts, the window set exactly, phases clipped
 * to the window, and a first report or summary date that the new window no
 * longer contains dropped (said in `notes`). Refuses (Chinese) a window that
 * ends before it starts.
 */
export function policyForWindow(policy: CountyPolicy, window: DateRange): PolicyForWindow {
  for (const [flag, d] of [['--from 开始日期', window.start], ['--to 结束日期', window.end]] as const) {
    if (!isValidLocalDate(d)) throw new DomainInputError(`${flag}“${d}”无效：应为 YYYY-MM-DD 格式的真实日期，如 2027-04-01`);
  }
  if (compareLocalDates(window.end, window.start) < 0) {
    throw new DomainInputError(
      `专项行动期间无效：--to 结束日期 ${window.end} 早于 --from 开始日期 ${window.start}。请把 --to 改为不早于 ${window.start} 的日期（原方案期间为 ${policy.campaign.window.start}至${policy.campaign.window.end}，共 ${diffCalendarDays(policy.campaign.window.start, policy.campaign.window.end) + 1} 天）。`,
    );
  }
  const movedMonths = monthsBetween(policy.campaign.window.start, window.start);
  const moved = structuredClone(movedMonths === 0 ? policy : (shiftAll(structuredClone(policy), movedMonths) as CountyPolicy));
  const notes: string[] = [];
  const w = { start: window.start, end: window.end };
  moved.campaign.window = w;
  moved.campaign.phases = moved.campaign.phases
    .map((p) => ({ ...p, ranges: p.ranges.map((r) => clampRange(r, w)).filter((r): r is DateRange => r !== null) }))
    .filter((p) => {
      if (p.ranges.length === 0) notes.push(`“${p.title}”不在新的期间内，已省略`);
      return p.ranges.length > 0;
    });
  moved.phaseSummaries = moved.phaseSummaries.filter((s) => {
    const inside = compareLocalDates(s.due, w.start) >= 0 && compareLocalDates(s.due, w.end) <= 0;
    if (!inside) notes.push(`“${s.title}”的报送日期 ${s.due} 不在新的期间内，已省略（如需保留，请用 --policy 文件自行设定日期）`);
    return inside;
  });
  const first = moved.progressReport.firstDue;
  if (first !== undefined && (compareLocalDates(first, w.start) < 0 || compareLocalDates(first, w.end) > 0)) {
    delete (moved.progressReport as { firstDue?: string }).firstDue;
    notes.push(`首次报送日期 ${first} 不在新的期间内，改为期间内的第一个报送日`);
  }
  return { policy: loadPolicy(moved, '按新期间设定的政策'), movedMonths, notes };
}

/**
 * The demo county's campaign around its `today`: the preset's window length
 * (in months) starting on the first day of the month before `today`'s, so
 * `today` lies in the rectification phase, the cycles are live and the first
 * progress report falls due within about two weeks (a first report date the
 * move puts further away is dropped; the cadence's next day is used).
 */
export function demoCampaignPolicy(preset: CountyPolicy, today: LocalDate): CountyPolicy {
  const { year, month } = parseLocalDate(today);
  const start = addMonthsClamped(makeLocalDate(year, month, 1), -1);
  const span = monthsBetween(preset.campaign.window.start, preset.campaign.window.end);
  const last = parseLocalDate(addMonthsClamped(start, span));
  const end = makeLocalDate(last.year, last.month, daysInMonth(last.year, last.month));
  const placed = policyForWindow(preset, { start, end }).policy;
  const first = placed.progressReport.firstDue;
  if (first !== undefined && (compareLocalDates(first, today) < 0 || diffCalendarDays(today, first) > 14)) {
    const copy = structuredClone(placed);
    delete (copy.progressReport as { firstDue?: string }).firstDue;
    return loadPolicy(copy, '演示县专项行动');
  }
  return placed;
}
