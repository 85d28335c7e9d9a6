/**
 * Plain calendar dates (`'YYYY-MM-DD'`), free of time zones.
 *
 * A `LocalDate` is a civil date in China (Asia/Shanghai). It is not an
 * instant: `'2024-10-10'` means the whole of 10 October in Beijing time.
 * All arithmetic here is done on day numbers (days since 1970-01-01 in the
 * proleptic Gregorian calendar via `Date.UTC`), so the result never depends on
 * the machine's time zone. Instants live in `instants.ts`.
 */
import { DomainInputError } from '../errors.js';

/** A civil date written `'YYYY-MM-DD'`. Validated at every public entry point. */
export type LocalDate = string;

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

export interface DateParts {
  year: number;
  /** 1-12 */
  month: number;
  /** 1-31 */
  day: number;
}

/** Days in a month (month 1-12). */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** True for a real calendar date written exactly `YYYY-MM-DD` (e.g. not `2023-02-29`). */
export function isValidLocalDate(value: unknown): value is LocalDate {
  if (typeof value !== 'string') return false;
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Split a date into numbers; throws a Chinese error for anything else. */
export function parseLocalDate(value: LocalDate): DateParts {
  if (!isValidLocalDate(value)) {
    throw new DomainInputError(`日期格式无效：“${String(value)}”，应为 YYYY-MM-DD 格式的真实日期（如 2024-10-10）`);
  }
  return { year: Number(value.slice(0, 4)), month: Number(value.slice(5, 7)), day: Number(value.slice(8, 10)) };
}

/** Assert and return the value (for boundaries). */
export function assertLocalDate(value: LocalDate): LocalDate {
  parseLocalDate(value);
  return value;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Build `'YYYY-MM-DD'` from numbers; throws for impossible dates. */
export function makeLocalDate(year: number, month: number, day: number): LocalDate {
  const s = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
  return assertLocalDate(s);
}

/** Days since 1970-01-01 (may be negative). */
export function toEpochDay(date: LocalDate): number {
  const { year, month, day } = parseLocalDate(date);
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day); // setUTCFullYear keeps years < 100 literal
  return Math.round(d.getTime() / MS_PER_DAY);
}

/** Inverse of `toEpochDay`. */
export function fromEpochDay(epochDay: number): LocalDate {
  const d = new Date(epochDay * MS_PER_DAY);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** `date` + `days` calendar days (days may be negative). */
export function addCalendarDays(date: LocalDate, days: number): LocalDate {
  if (!Number.isInteger(days)) throw new DomainInputError(`天数必须为整数：${days}`);
  return fromEpochDay(toEpochDay(date) + days);
}

/**
 * Add calendar months, clamping to the end of the target month
 * (民法典 Art. 202: "到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的最后一日").
 *
 * - 2024-01-31 + 1 → 2024-02-29 (leap year); 2023-01-31 + 1 → 2023-02-28
 * - 2024-11-30 + 3 → 2025-02-28
 * - 2024-03-31 + 3 → 2024-06-30
 * - 2024-02-29 + 12 → 2025-02-28
 *
 * Months may be negative (2024-03-31 − 1 → 2024-02-29).
 */
export function addMonthsClamped(date: LocalDate, months: number): LocalDate {
  if (!Number.isInteger(months)) throw new DomainInputError(`月数必须为整数：${months}`);
  const { year, month, day } = parseLocalDate(date);
  const total = year * 12 + (month - 1) + months;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  return makeLocalDate(y, m, Math.min(day, daysInMonth(y, m)));
}

/** `b − a` in calendar days (positive when b is later). */
export function diffCalendarDays(a: LocalDate, b: LocalDate): number {
  return toEpochDay(b) - toEpochDay(a);
}

/** Negative, zero or positive like a comparator. */
export function compareLocalDates(a: LocalDate, b: LocalDate): number {
  return Math.sign(toEpochDay(a) - toEpochDay(b));
}

export function maxLocalDate(a: LocalDate, b: LocalDate): LocalDate {
  return compareLocalDates(a, b) >= 0 ? a : b;
}

export function minLocalDate(a: LocalDate, b: LocalDate): LocalDate {
  return compareLocalDates(a, b) <= 0 ? a : b;
}

/** ISO weekday of a date (1 = Monday … 7 = Sunday). */
export function isoWeekday(date: LocalDate): IsoWeekday {
  // 1970-01-01 was a Thursday (ISO 4).
  const n = (((toEpochDay(date) + 3) % 7) + 7) % 7; // 0 = Monday
  return (n + 1) as IsoWeekday;
}

export function isWeekend(date: LocalDate): boolean {
  return isoWeekday(date) >= 6;
}

const WEEKDAY_ZH = ['', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六', '星期日'] as const;

/** `'星期四'` etc. */
export function weekdayNameZh(date: LocalDate): string {
  return WEEKDAY_ZH[isoWeekday(date)] ?? '';
}

/** `'2024年10月10日'`. */
export function formatDateZh(date: LocalDate): string {
  const { year, month, day } = parseLocalDate(date);
  return `${year}年${month}月${day}日`;
}

/** Year of a date. */
export function yearOf(date: LocalDate): number {
  return parseLocalDate(date).year;
}

/** Inclusive list of dates from `from` to `to` (empty when to < from). */
export function eachDay(from: LocalDate, to: LocalDate): LocalDate[] {
  const a = toEpochDay(from);
  const b = toEpochDay(to);
  const out: LocalDate[] = [];
  for (let d = a; d <= b; d++) out.push(fromEpochDay(d));
  return out;
}

/** `'YYYY-MM'` month key of a date. */
export function monthKey(date: LocalDate): string {
  return date.slice(0, 7);
}

/** Parse `'YYYY-MM'`; throws a Chinese error otherwise. */
export function parseMonthKey(value: string): { year: number; month: number } {
  const m = /^(\d{4})-(\d{2})$/.exec(value);
  const month = m ? Number(m[2]) : 0;
  if (!m || month < 1 || month > 12) {
    throw new DomainInputError(`月份格式无效：“${value}”，应为 YYYY-MM（如 2024-05）`);
  }
  return { year: Number(m[1]), month };
}

/**
 * Day `day` of a month, or the last day of that month when it is shorter
 * (used for "the 29th" in February and "the 31st" in 30-day months).
 */
export function dayOfMonthClamped(year: number, month: number, day: number): LocalDate {
  return makeLocalDate(year, month, Math.min(day, daysInMonth(year, month)));
}
