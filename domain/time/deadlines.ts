/**
 * Deadline arithmetic on civil dates plus "how long is left".
 *
 * Counting convention (one rule for every unit): the anchor day does not count
 * (民法典 Art. 201, "开始的当日不计入，自下一日开始计算"). So
 * - N calendar days after D is D + N (公示 7 days posted on 05-01 → ends 05-08);
 * - N working days after D is the N-th working day strictly after D;
 * - N months after D is the same day N months later, clamped to the month end
 *   (民法典 Art. 202).
 * Whether the resulting day itself is still on time is the `inclusive` flag
 * (see `deadlineExpiry` in instants.ts).
 */
import { DomainInputError } from '../errors.js';
import { addCalendarDays, addMonthsClamped, diffCalendarDays, type LocalDate } from './local-date.js';
import { toChinaDate } from './instants.js';
import type { WorkCalendar } from './work-calendar.js';

export { addCalendarDays, addMonthsClamped } from './local-date.js';

export type DeadlineUnit = 'calendarDays' | 'workingDays' | 'months';

/** N working days after `anchor` (anchor excluded). See `WorkCalendar.addWorkingDays`. */
export function addWorkingDays(anchor: LocalDate, n: number, calendar: WorkCalendar): LocalDate {
  return calendar.addWorkingDays(anchor, n);
}

/** Add an amount in any unit (calendar is needed for working days only). */
export function addDuration(anchor: LocalDate, unit: DeadlineUnit, amount: number, calendar?: WorkCalendar): LocalDate {
  switch (unit) {
    case 'calendarDays':
      return addCalendarDays(anchor, amount);
    case 'months':
      return addMonthsClamped(anchor, amount);
    case 'workingDays':
      if (!calendar) throw new DomainInputError('按工作日计算期限需要节假日日历');
      return calendar.addWorkingDays(anchor, amount);
    default: {
      const never: never = unit;
      throw new DomainInputError(`未知的期限单位：${String(never)}`);
    }
  }
}

/** The reference "today" for an instant: its civil date in Beijing. */
export function todayInChina(now: Date): LocalDate {
  return toChinaDate(now);
}

/**
 * Calendar days from today (Beijing date of `now`) to the last on-time day.
 * 0 = due today, 3 = three days left, −2 = overdue by two days.
 */
export function daysLeft(due: LocalDate, now: Date): number {
  return diffCalendarDays(todayInChina(now), due);
}

/**
 * Working days from today to the last on-time day, counting working days in
 * (today, due] (same convention as `addWorkingDays`: if addWorkingDays(today, n)
 * is the due day, n are left). Negative when overdue: −(working days in (due, today]).
 * 0 means due today, or overdue by weekend/holiday days only.
 */
export function workingDaysLeft(due: LocalDate, now: Date, calendar: WorkCalendar): number {
  return calendar.countWorkingDays(todayInChina(now), due);
}
