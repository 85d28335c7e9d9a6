/**
 * "When is this due?" — the pure core behind `jiuzhu deadline RULE DATE`.
 *
 *   const answer = answerDeadline({ policy, ruleId: 'death-review', date: '2024-11-30', now, calendar });
 *   console.log(formatDeadlineAnswer(answer));   // or JSON.stringify(answer)
 */
import { computeDeadline, durationZh, type DeadlineUnit } from './policy/compute.js';
import type { CountyPolicy } from './policy/schema.js';
import { formatChinaDateTime, toChinaDate } from './time/instants.js';
import { diffCalendarDays, weekdayNameZh, type LocalDate } from './time/local-date.js';
import { CalendarCoverageError, type WorkCalendar } from './time/work-calendar.js';

export type DeadlineStatus = 'pending' | 'dueToday' | 'overdue';

export interface DeadlineAnswer {
  county: { code: string; name: string };
  ruleId: string;
  title: string;
  legalBasis: string;
  /** 'county' when the number is a local choice rather than a statute. */
  origin: 'statutory' | 'county';
  anchor: LocalDate;
  anchorLabel: string;
  unit: DeadlineUnit;
  amount: number;
  /** "3个月", "10个工作日", "7个自然日". */
  durationText: string;
  inclusive: boolean;
  /** anchor + amount (before the exclusive reading). */
  nominal: LocalDate;
  /** Last on-time day. */
  due: LocalDate;
  dueWeekday: string;
  /** First late instant (UTC Date; Beijing end of `due`). */
  expiresAt: Date;
  /** `expiresAt` in Beijing time, 'YYYY-MM-DD HH:mm'. */
  expiresAtText: string;
  /** Beijing date of `now`. */
  today: LocalDate;
  status: DeadlineStatus;
  /** Calendar days from today to `due`; negative = overdue by that many days. */
  calendarDaysLeft: number;
  /**
   * Working days in (today, due]; negative = working days in (due, today].
   * null when the holiday data does not cover the span (see `notes`).
   */
  workingDaysLeft: number | null;
  /** Fingerprint of the holiday data used. */
  calendarFingerprint: string;
  /** Extra remarks in Chinese (e.g. why working days could not be counted). */
  notes: string[];
}

export interface AnswerDeadlineInput {
  policy: CountyPolicy;
  ruleId: string;
  /** The anchor date, 'YYYY-MM-DD'. */
  date: LocalDate;
  now: Date;
  calendar: WorkCalendar;
}

/**
 * Compute the deadline of `ruleId` from `date` and how much time is left at
 * `now`. Throws `UnknownRuleError` (Chinese, listing valid ids) for an unknown
 * rule, `CalendarCoverageError` when a working-day rule runs into a year whose
 * holidays are not loaded, and `DomainInputError` for a malformed date.
 */
export function answerDeadline({ policy, ruleId, date, now, calendar }: AnswerDeadlineInput): DeadlineAnswer {
  const d = computeDeadline(policy, ruleId, date, calendar);
  const today = toChinaDate(now);
  const notes: string[] = [];
  let workingDaysLeft: number | null = null;
  try {
    workingDaysLeft = calendar.countWorkingDays(today, d.due);
  } catch (e) {
    if (!(e instanceof CalendarCoverageError)) throw e;
    notes.push(`无法计算剩余工作日：${e.message}`);
  }
  const status: DeadlineStatus =
    now.getTime() >= d.expiresAt.getTime() ? 'overdue' : today === d.due ? 'dueToday' : 'pending';
  if (d.origin === 'county') notes.push('该时限为本县自行设定（上级文件只要求“及时”或未规定天数）。');
  return {
    county: { code: policy.county.code, name: policy.county.name },
    ruleId: d.ruleId,
    title: d.title,
    legalBasis: d.legalBasis,
    origin: d.origin,
    anchor: d.anchor,
    anchorLabel: d.anchorLabel,
    unit: d.unit,
    amount: d.amount,
    durationText: durationZh(d.unit, d.amount),
    inclusive: d.inclusive,
    nominal: d.nominal,
    due: d.due,
    dueWeekday: weekdayNameZh(d.due),
    expiresAt: d.expiresAt,
    expiresAtText: formatChinaDateTime(d.expiresAt),
    today,
    status,
    calendarDaysLeft: diffCalendarDays(today, d.due),
    workingDaysLeft,
    calendarFingerprint: calendar.fingerprint,
    notes,
  };
}

/** Staff-facing Chinese text for an answer. */
export function formatDeadlineAnswer(a: DeadlineAnswer): string {
  const lines: string[] = [];
  lines.push(`【${a.county.name}】${a.title}（${a.ruleId}）`);
  if (a.legalBasis) lines.push(`依据：${a.legalBasis}`);
  lines.push(`起算：${a.anchor}（${a.anchorLabel}，当日不计入）`);
  lines.push(
    `期限：${a.durationText}` +
      (a.inclusive ? '，截止日当天办结仍属按时' : `，按“${a.nominal}前”不含当日解读，须在前一日办结`),
  );
  lines.push(`截止日期：${a.due}（${a.dueWeekday}）`);
  lines.push(`到期时刻：${a.expiresAtText}（北京时间），此刻起即为逾期`);
  const wd = a.workingDaysLeft;
  let left: string;
  if (a.status === 'overdue') {
    const cd = -a.calendarDaysLeft;
    left = `已逾期 ${cd} 个自然日` + (wd !== null ? `（${Math.max(0, -wd)} 个工作日）` : '');
  } else if (a.status === 'dueToday') {
    left = '今天就是截止日，请于今日办结';
  } else {
    left = `还剩 ${a.calendarDaysLeft} 个自然日` + (wd !== null ? `、${wd} 个工作日` : '');
  }
  lines.push(`今天 ${a.today}：${left}`);
  for (const n of a.notes) lines.push(`注：${n}`);
  return lines.join('\n');
}
