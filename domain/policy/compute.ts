/**
 * Deadlines and cycles derived from a county policy. Pure: the calendar is
 * passed in (see domain/time/work-calendar.ts), "now" is never read.
 */
import { DomainError, DomainInputError } from '../errors.js';
import { deadlineExpiry, chinaInstant, lastOnTimeDay, type TimeOfDay } from '../time/instants.js';
import {
  addCalendarDays,
  addMonthsClamped,
  assertLocalDate,
  compareLocalDates,
  dayOfMonthClamped,
  formatDateZh,
  isoWeekday,
  maxLocalDate,
  parseLocalDate,
  parseMonthKey,
  type LocalDate,
} from '../time/local-date.js';
import type { DeadlineUnit } from '../time/deadlines.js';
import type { WorkCalendar } from '../time/work-calendar.js';
import { COMPLAINT_CLOSE_RULE } from './presets.js';
import {
  DEADLINE_ANCHORS,
  ESCALATION_LEVELS,
  PAYMENT_KIND_LABELS,
  type CountyPolicy,
  type DeadlineAnchor,
  type DeadlineRule,
  type EscalationLevel,
  type NonWorkingDayRule,
  type PaymentKind,
} from './schema.js';

export type { DeadlineUnit };

/** "3个月", "10个工作日", "7个自然日". */
export function durationZh(unit: DeadlineUnit, amount: number): string {
  switch (unit) {
    case 'months':
      return `${amount}个月`;
    case 'workingDays':
      return `${amount}个工作日`;
    case 'calendarDays':
      return `${amount}个自然日`;
  }
}

export const UNIT_LABELS_ZH: Record<DeadlineUnit, string> = {
  calendarDays: '自然日',
  workingDays: '工作日',
  months: '月',
};

export class UnknownRuleError extends DomainError {
  readonly ruleId: string;
  readonly validIds: string[];
  constructor(ruleId: string, validIds: string[]) {
    super('UNKNOWN_RULE', `未知的期限规则“${ruleId}”。可用的规则编号：${validIds.join('、')}`);
    this.name = 'UnknownRuleError';
    this.ruleId = ruleId;
    this.validIds = validIds;
  }
}

/** All rule ids of a policy, sorted. */
export function ruleIds(policy: CountyPolicy): string[] {
  return Object.keys(policy.deadlines).sort();
}

export function getRule(policy: CountyPolicy, ruleId: string): DeadlineRule {
  const rule = Object.prototype.hasOwnProperty.call(policy.deadlines, ruleId) ? policy.deadlines[ruleId] : undefined;
  if (!rule) throw new UnknownRuleError(ruleId, ruleIds(policy));
  return rule;
}

function needCalendar(calendar: WorkCalendar | undefined, why: string): WorkCalendar {
  if (!calendar) throw new DomainInputError(`${why}需要节假日日历（calendar）`);
  return calendar;
}

/** Apply the non-working-day rule to a nominal date. */
export function adjustForNonWorkingDay(
  date: LocalDate,
  rule: NonWorkingDayRule,
  calendar: WorkCalendar | undefined,
): LocalDate {
  if (rule === 'keep') return date;
  const cal = needCalendar(calendar, '顺延或提前到工作日');
  return rule === 'nextWorkingDay' ? cal.nextWorkingDayOnOrAfter(date) : cal.previousWorkingDayOnOrBefore(date);
}

export interface ComputedDeadline {
  ruleId: string;
  title: string;
  /** The anchor date the clock started from (it does not count itself). */
  anchor: LocalDate;
  anchorKind: DeadlineAnchor;
  /** Chinese label of the anchor kind (e.g. '受理之日'). */
  anchorLabel: string;
  unit: DeadlineUnit;
  amount: number;
  inclusive: boolean;
  /** anchor + amount, after the non-working-day adjustment. */
  nominal: LocalDate;
  /** The last day on which the action is on time (nominal, or the day before when exclusive). */
  due: LocalDate;
  /** First instant that is late: end of `due` in Asia/Shanghai (next day 00:00 +08:00). */
  expiresAt: Date;
  legalBasis: string;
  origin: DeadlineRule['origin'];
}

/**
 * 办结 of a complaint after its feedback ('complaint-close'). A policy snapshot taken before the
 * rule existed (a running workflow's input) lacks it: the preset's rule stands in.
 */
export function complaintCloseDeadline(policy: CountyPolicy, feedbackOn: LocalDate, calendar: WorkCalendar): ComputedDeadline {
  const withRule = policy.deadlines['complaint-close'] ? policy : { ...policy, deadlines: { ...policy.deadlines, 'complaint-close': COMPLAINT_CLOSE_RULE } };
  return computeDeadline(withRule, 'complaint-close', feedbackOn, calendar);
}

/**
 * The deadline of a rule for an anchor date.
 *
 * due = anchor + amount (calendar days, working days or clamped months; the
 * anchor day itself does not count), moved per `ifNonWorkingDay`, minus one
 * day when the rule is exclusive. The calendar is required for working-day
 * rules and for rules that move off non-working days.
 */
export function computeDeadline(
  policy: CountyPolicy,
  ruleId: string,
  anchorDate: LocalDate,
  calendar?: WorkCalendar,
): ComputedDeadline {
  const rule = getRule(policy, ruleId);
  assertLocalDate(anchorDate);
  let raw: LocalDate;
  switch (rule.unit) {
    case 'calendarDays':
      raw = addCalendarDays(anchorDate, rule.amount);
      break;
    case 'months':
      raw = addMonthsClamped(anchorDate, rule.amount);
      break;
    case 'workingDays':
      raw = needCalendar(calendar, `按工作日计算“${rule.title}”`).addWorkingDays(anchorDate, rule.amount);
      break;
  }
  const nominal = adjustForNonWorkingDay(raw, rule.ifNonWorkingDay, calendar);
  const opts = { inclusive: rule.inclusive };
  return {
    ruleId,
    title: rule.title,
    anchor: anchorDate,
    anchorKind: rule.anchor,
    anchorLabel: DEADLINE_ANCHORS[rule.anchor],
    unit: rule.unit,
    amount: rule.amount,
    inclusive: rule.inclusive,
    nominal,
    due: lastOnTimeDay(nominal, opts),
    expiresAt: deadlineExpiry(nominal, opts),
    legalBasis: rule.legalBasis,
    origin: rule.origin,
  };
}

// ---------------------------------------------------------------- payments

export interface PaymentDeadline {
  kind: PaymentKind;
  label: string;
  /** 'YYYY-MM' of the schedule month the payment belongs to (for quarterly: the quarter's first month). */
  periodMonth: string;
  nominal: LocalDate;
  due: LocalDate;
  expiresAt: Date;
  inclusive: boolean;
}

function monthKeyOf(year: number, month: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

/**
 * The payment deadline for the schedule period containing `month`
 * ('YYYY-MM' or any date in it). 低保 2024-05 → 2024-05-10; 分散特困 2024-05 →
 * the quarter starting 2024-04 → 2024-04-10. Inclusive: paid on the 10th is on
 * time and the household is overdue from the 11th 00:00 (domain.md R6).
 */
export function paymentDeadline(
  policy: CountyPolicy,
  kind: PaymentKind,
  month: string,
  calendar?: WorkCalendar,
): PaymentDeadline {
  const schedule = policy.payments[kind];
  const { year, month: m } = /^\d{4}-\d{2}-\d{2}$/.test(month) ? parseLocalDate(month) : parseMonthKey(month);
  // Latest schedule month ≤ m, else the last one of the previous year.
  const months = schedule.months;
  let sy = year;
  let sm = [...months].reverse().find((x) => x <= m);
  if (sm === undefined) {
    sy = year - 1;
    sm = months[months.length - 1]!;
  }
  const raw = dayOfMonthClamped(sy, sm, schedule.dayOfMonth);
  const nominal = adjustForNonWorkingDay(raw, schedule.ifNonWorkingDay, calendar);
  const opts = { inclusive: schedule.inclusive };
  return {
    kind,
    label: PAYMENT_KIND_LABELS[kind],
    periodMonth: monthKeyOf(sy, sm),
    nominal,
    due: lastOnTimeDay(nominal, opts),
    expiresAt: deadlineExpiry(nominal, opts),
    inclusive: schedule.inclusive,
  };
}

/** Payment deadlines whose schedule month lies between `from` and `to` (inclusive, 'YYYY-MM'). */
export function paymentDeadlines(
  policy: CountyPolicy,
  kind: PaymentKind,
  from: string,
  to: string,
  calendar?: WorkCalendar,
): PaymentDeadline[] {
  const a = parseMonthKey(from);
  const b = parseMonthKey(to);
  const out: PaymentDeadline[] = [];
  const months = new Set(policy.payments[kind].months);
  for (let t = a.year * 12 + a.month - 1; t <= b.year * 12 + b.month - 1; t++) {
    const y = Math.floor(t / 12);
    const m = (t % 12) + 1;
    if (months.has(m)) out.push(paymentDeadline(policy, kind, monthKeyOf(y, m), calendar));
  }
  return out;
}

// ---------------------------------------------------------------- progress reports

export interface ReportDue {
  /** 1-based sequence number within the campaign. */
  seq: number;
  nominal: LocalDate;
  due: LocalDate;
  expiresAt: Date;
  /** Period the report covers: from the day after the previous due date (or the campaign start) to the day before this one. */
  periodStart: LocalDate;
  periodEnd: LocalDate;
  /** The day the cadence gives, when the policy moved it off a non-working day (the prompt says so). */
  movedFrom?: LocalDate;
}

/** Text for a prompt: '原定2024年10月3日为法定节假日或休息日，顺延至2024年10月8日' ('' when not moved). */
export function movedDueText(d: { movedFrom?: LocalDate; nominal: LocalDate }): string {
  if (!d.movedFrom || d.movedFrom === d.nominal) return '';
  const later = compareLocalDates(d.nominal, d.movedFrom) > 0;
  return `原定${formatDateZh(d.movedFrom)}为法定节假日或休息日，依本县政策${later ? '顺延' : '提前'}至${formatDateZh(d.nominal)}`;
}

function expiryOf(nominal: LocalDate, inclusive: boolean, cutoffTime: TimeOfDay | null) {
  const opts = { inclusive, cutoffTime };
  return { due: lastOnTimeDay(nominal, opts), expiresAt: deadlineExpiry(nominal, opts) };
}

/**
 * Due dates of the progress report within the campaign window (or [from, to]).
 * Weekly (文水: Thursday, cut-off 12:00) or fixed days of the month (长子: 14th
 * and 29th from 2024-05-14; a day missing in a short month becomes its last day).
 */
export function progressReportDueDates(
  policy: CountyPolicy,
  options: { from?: LocalDate; to?: LocalDate; calendar?: WorkCalendar } = {},
): ReportDue[] {
  const pr = policy.progressReport;
  const window = policy.campaign.window;
  const start = maxLocalDate(options.from ?? window.start, pr.firstDue ?? window.start);
  const end = options.to ?? window.end;
  const nominals: LocalDate[] = [];
  if (pr.cadence === 'weekly') {
    let d = pr.firstDue ?? window.start;
    const shift = (pr.weekday - isoWeekday(d) + 7) % 7;
    d = addCalendarDays(d, shift);
    for (; compareLocalDates(d, end) <= 0; d = addCalendarDays(d, 7 * pr.everyWeeks)) {
      if (compareLocalDates(d, start) >= 0) nominals.push(d);
    }
  } else {
    const s = parseLocalDate(start);
    const e = parseLocalDate(end);
    for (let t = s.year * 12 + s.month - 1; t <= e.year * 12 + e.month - 1; t++) {
      const y = Math.floor(t / 12);
      const m = (t % 12) + 1;
      for (const day of pr.daysOfMonth) {
        const d = dayOfMonthClamped(y, m, day);
        if (compareLocalDates(d, start) >= 0 && compareLocalDates(d, end) <= 0 && nominals.at(-1) !== d) nominals.push(d);
      }
    }
  }
  const out: ReportDue[] = [];
  let periodStart = window.start;
  nominals.forEach((raw, i) => {
    // A year the holiday data does not cover keeps the cadence's day (the calendar watch tells the office).
    const cal = options.calendar;
    const nominal = pr.ifNonWorkingDay !== 'keep' && cal && !cal.covers(parseLocalDate(raw).year) ? raw : adjustForNonWorkingDay(raw, pr.ifNonWorkingDay, cal);
    const periodEnd = maxLocalDate(periodStart, addCalendarDays(nominal, -1));
    out.push({ seq: i + 1, nominal, ...expiryOf(nominal, pr.inclusive, pr.cutoffTime), periodStart, periodEnd, ...(nominal !== raw ? { movedFrom: raw } : {}) });
    periodStart = addCalendarDays(periodEnd, 1);
  });
  return out;
}

// ---------------------------------------------------------------- village chain (长子)

export interface VillageChainDue {
  month: string;
  village: { nominal: LocalDate; due: LocalDate; expiresAt: Date };
  township: { nominal: LocalDate; due: LocalDate; expiresAt: Date };
}

/** The village (20th) and township (25th) deadlines of a month, or null when the county has no such chain. */
export function villageChainDueDates(
  policy: CountyPolicy,
  month: string,
  calendar?: WorkCalendar,
): VillageChainDue | null {
  const chain = policy.villageMonthlyChain;
  if (!chain.enabled) return null;
  const { year, month: m } = parseMonthKey(month);
  const mk = (day: number) => {
    const nominal = adjustForNonWorkingDay(dayOfMonthClamped(year, m, day), chain.ifNonWorkingDay, calendar);
    return { nominal, ...expiryOf(nominal, chain.inclusive, null) };
  };
  return { month: monthKeyOf(year, m), village: mk(chain.villageDay), township: mk(chain.townshipDay) };
}

// ---------------------------------------------------------------- phase summaries, reminders, escalation

export interface PhaseSummaryDue {
  id: string;
  title: string;
  /** The day the summary is due after the non-working-day rule (equals the plan's day unless moved). */
  nominal: LocalDate;
  due: LocalDate;
  expiresAt: Date;
  submittedBy: string;
  recipient: string;
  /** The plan's day, when the policy moved it off a non-working day (the prompt says so). */
  movedFrom?: LocalDate;
}

/**
 * The phase summaries' due days. With a calendar, a day on a statutory
 * holiday or rest day moves per `ifNonWorkingDay` (as the progress report's);
 * without one, or in a year the holiday data does not cover, the plan's day stays.
 */
export function phaseSummaryDeadlines(policy: CountyPolicy, calendar?: WorkCalendar): PhaseSummaryDue[] {
  return policy.phaseSummaries.map((s) => {
    const nominal = !calendar || !calendar.covers(parseLocalDate(s.due).year) ? s.due : adjustForNonWorkingDay(s.due, s.ifNonWorkingDay, calendar);
    return {
      id: s.id,
      title: s.title,
      nominal,
      ...expiryOf(nominal, s.inclusive, null),
      submittedBy: s.submittedBy,
      recipient: s.recipient,
      ...(nominal !== s.due ? { movedFrom: s.due } : {}),
    };
  });
}

export interface Reminder {
  /** Calendar days before the last on-time day (0 = on the day). */
  daysBefore: number;
  date: LocalDate;
  /** Send instant (date at `reminders.sendAt`, Beijing time). */
  at: Date;
}

/**
 * Reminders for a last on-time day, earliest first. Offsets are calendar days
 * ([7, 3, 1] → a week, three days and one day before), plus the due day itself
 * when `onDueDay`. Reminders dated before `notBefore` are dropped.
 */
export function reminderSchedule(policy: CountyPolicy, due: LocalDate, notBefore?: LocalDate): Reminder[] {
  const offsets = new Set(policy.reminders.daysBefore);
  if (policy.reminders.onDueDay) offsets.add(0);
  return [...offsets]
    .sort((a, b) => b - a)
    .map((daysBefore) => {
      const date = addCalendarDays(due, -daysBefore);
      return { daysBefore, date, at: chinaInstant(date, policy.reminders.sendAt) };
    })
    .filter((r) => notBefore === undefined || compareLocalDates(r.date, notBefore) >= 0);
}

export interface EscalationStep {
  level: EscalationLevel;
  label: string;
  at: Date;
}

/** When each level of the ladder is notified, counted from the expiry instant. */
export function escalationSchedule(policy: CountyPolicy, expiresAt: Date): EscalationStep[] {
  return policy.escalation.map((s) => ({
    level: s.level,
    label: ESCALATION_LEVELS[s.level],
    at: new Date(expiresAt.getTime() + s.afterHours * 3_600_000),
  }));
}

// ---------------------------------------------------------------- campaign

export function isWithinCampaign(policy: CountyPolicy, date: LocalDate): boolean {
  const w = policy.campaign.window;
  return compareLocalDates(date, w.start) >= 0 && compareLocalDates(date, w.end) <= 0;
}

/** Phases running on a date (they may overlap). */
export function phasesOn(policy: CountyPolicy, date: LocalDate): string[] {
  assertLocalDate(date);
  return policy.campaign.phases
    .filter((p) => p.ranges.some((r) => compareLocalDates(date, r.start) >= 0 && compareLocalDates(date, r.end) <= 0))
    .map((p) => p.id);
}

/** Months ('YYYY-MM') of the campaign window, for monthly cycles. */
export function campaignMonths(policy: CountyPolicy): string[] {
  const s = parseLocalDate(policy.campaign.window.start);
  const e = parseLocalDate(policy.campaign.window.end);
  const out: string[] = [];
  for (let t = s.year * 12 + s.month - 1; t <= e.year * 12 + e.month - 1; t++) {
    out.push(monthKeyOf(Math.floor(t / 12), (t % 12) + 1));
  }
  return out;
}

