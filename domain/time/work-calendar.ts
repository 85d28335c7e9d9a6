/**
 * The statutory working-day calendar (法定节假日 + 调休), built from explicit data.
 *
 * This module imports no holiday package: a calendar is a value made from a
 * `CalendarData` object, and `calendar.toData()` gives that object back. A
 * Temporal workflow therefore receives the data it computes with (as workflow
 * input, or from an activity) and cannot change its mind on replay when the
 * holiday package or the override file is updated later. Workflow code should
 * import this file (or `domain/time/core.js`), not `calendar.ts`, which pulls
 * in `chinese-days`.
 *
 * Rules
 * - A date is a working day when it is listed as a make-up workday (调休上班),
 *   or it is Monday–Friday and not listed as a statutory holiday.
 * - Every question about a date needs that date's year to be covered by the
 *   data (the State Council notice for that year is loaded). Otherwise a
 *   `CalendarCoverageError` is thrown with a Chinese message: no silent guess.
 */
import { DomainError, DomainInputError } from '../errors.js';
import {
  addCalendarDays,
  assertLocalDate,
  compareLocalDates,
  isWeekend,
  isValidLocalDate,
  yearOf,
  type LocalDate,
} from './local-date.js';

/** Plain, JSON-serialisable holiday data (safe as Temporal workflow input). */
export interface CalendarData {
  /** Format version of this object. */
  version: 1;
  /** Years whose official arrangement is present, with where it came from. */
  years: Record<string, { source: string }>;
  /** Statutory rest days (法定节假日, including those falling on weekends) → holiday name. */
  holidays: Record<LocalDate, string>;
  /** Make-up workdays (调休上班日, usually a Saturday or Sunday) → holiday name. */
  workdays: Record<LocalDate, string>;
}

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeUpWorkday';

export interface DayInfo {
  date: LocalDate;
  working: boolean;
  kind: DayKind;
  /** Holiday name for `holiday` and `makeUpWorkday` (e.g. '国庆节'). */
  name?: string;
}

/** Thrown when a date's year has no holiday arrangement in the data. */
export class CalendarCoverageError extends DomainError {
  readonly year: number;
  readonly coveredYears: number[];
  constructor(year: number, coveredYears: number[]) {
    const range = describeYears(coveredYears);
    super(
      'CALENDAR_YEAR_NOT_COVERED',
      `${year}年的法定节假日安排尚未录入，无法按工作日计算。` +
        `请在节假日覆盖文件（holiday-overrides.yaml）中按国务院办公厅公布的${year}年节假日安排补录，` +
        `或升级 chinese-days 数据包。当前已录入的年份：${range}。`,
    );
    this.name = 'CalendarCoverageError';
    this.year = year;
    this.coveredYears = coveredYears;
  }
}

function describeYears(years: number[]): string {
  if (years.length === 0) return '无';
  const sorted = [...years].sort((a, b) => a - b);
  const parts: string[] = [];
  let start = sorted[0]!;
  let prev = start;
  for (const y of sorted.slice(1).concat(Number.NaN)) {
    if (y === prev + 1) {
      prev = y;
      continue;
    }
    parts.push(start === prev ? `${start}` : `${start}–${prev}`);
    start = y;
    prev = y;
  }
  return parts.join('、');
}

export interface WorkCalendar {
  /** The data this calendar was built from (a defensive copy). */
  toData(): CalendarData;
  /** The same data restricted to the given years (inclusive), e.g. to hand to a workflow. */
  sliceData(fromYear: number, toYear: number): CalendarData;
  /** Short stable hash of the data, for logs and audit ("which holiday data was used"). */
  readonly fingerprint: string;
  /** Covered years, ascending. */
  readonly coveredYears: readonly number[];
  /**
   * Years this calendar had to estimate so far (only with `estimateUncovered`):
   * asked about a date of a year without data, it counted Monday–Friday as
   * working days. Ascending.
   */
  readonly estimatedYears: readonly number[];
  covers(year: number): boolean;
  /** Throws `CalendarCoverageError` when `date`'s year is not covered. */
  assertCovered(date: LocalDate): void;
  dayInfo(date: LocalDate): DayInfo;
  isWorkingDay(date: LocalDate): boolean;
  /** A statutory holiday rest day (not an ordinary weekend). */
  isStatutoryHoliday(date: LocalDate): boolean;
  /** A weekend day on which people work (调休上班). */
  isMakeUpWorkday(date: LocalDate): boolean;
  /**
   * The date N working days after `anchor`. The anchor day itself never counts
   * (期间开始的当日不计入, 民法典 Art. 201): accepted on Monday 2024-09-02,
   * 3 working days → Thursday 2024-09-05. N = 0 returns the anchor unchanged;
   * a negative N counts backwards (N working days before the anchor).
   */
  addWorkingDays(anchor: LocalDate, n: number): LocalDate;
  /**
   * Signed count of working days in the half-open interval (from, to]:
   * positive when `to` is later, negative when earlier, 0 when equal.
   * Consistent with `addWorkingDays`: countWorkingDays(a, addWorkingDays(a, n)) === n.
   */
  countWorkingDays(from: LocalDate, to: LocalDate): number;
  /** `date` itself if it is a working day, else the next working day. */
  nextWorkingDayOnOrAfter(date: LocalDate): LocalDate;
  /** `date` itself if it is a working day, else the previous working day. */
  previousWorkingDayOnOrBefore(date: LocalDate): LocalDate;
}

/** FNV-1a 32-bit over a canonical JSON string; pure and deterministic. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

function sortedRecord<T>(rec: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(rec).sort()) out[k] = rec[k]!;
  return out;
}

/** Canonical copy: sorted keys, validated entries. */
export function normalizeCalendarData(data: CalendarData): CalendarData {
  if (!data || typeof data !== 'object' || data.version !== 1) {
    throw new DomainInputError('节假日数据格式无效：缺少 version: 1');
  }
  const years: Record<string, { source: string }> = {};
  for (const [y, v] of Object.entries(data.years ?? {})) {
    if (!/^\d{4}$/.test(y)) throw new DomainInputError(`节假日数据中的年份无效：“${y}”`);
    years[y] = { source: String(v?.source ?? '') };
  }
  const check = (rec: Record<string, string>, what: string) => {
    for (const d of Object.keys(rec ?? {})) {
      if (!isValidLocalDate(d)) throw new DomainInputError(`节假日数据中的${what}日期无效：“${d}”`);
    }
  };
  check(data.holidays, '假日');
  check(data.workdays, '调休上班');
  for (const d of Object.keys(data.holidays ?? {})) {
    if (data.workdays?.[d] !== undefined) {
      throw new DomainInputError(`节假日数据冲突：${d} 同时被列为假日和调休上班日`);
    }
  }
  return {
    version: 1,
    years: sortedRecord(years),
    holidays: sortedRecord({ ...(data.holidays ?? {}) }),
    workdays: sortedRecord({ ...(data.workdays ?? {}) }),
  };
}

/**
 * Overlay calendar data: later layers win date by date (a date listed as a
 * holiday in a later layer stops being a make-up workday, and vice versa);
 * covered years are the union, the later source wins.
 */
export function mergeCalendarData(...layers: CalendarData[]): CalendarData {
  const years: Record<string, { source: string }> = {};
  const holidays: Record<string, string> = {};
  const workdays: Record<string, string> = {};
  for (const layer of layers) {
    for (const [y, v] of Object.entries(layer.years)) years[y] = { source: v.source };
    for (const [d, name] of Object.entries(layer.holidays)) {
      holidays[d] = name;
      delete workdays[d];
    }
    for (const [d, name] of Object.entries(layer.workdays)) {
      workdays[d] = name;
      delete holidays[d];
    }
  }
  return normalizeCalendarData({ version: 1, years, holidays, workdays });
}

/** An empty data set (covers no year). */
export function emptyCalendarData(): CalendarData {
  return { version: 1, years: {}, holidays: {}, workdays: {} };
}

export interface CalendarOptions {
  /**
   * A date of a year without holiday data counts Monday–Friday as working
   * days (and the year is listed in `estimatedYears`) instead of throwing
   * `CalendarCoverageError`. For running cases, whose clocks must go on when
   * a deadline reaches a year whose State Council notice is not loaded yet;
   * whoever uses it must say so to people. Statutory holidays are then
   * counted as working days, so an estimated deadline is usually earlier than
   * the legal one, never much later.
   */
  estimateUncovered?: boolean;
}

/** Build a calendar from explicit data. Pure; no package data is consulted. */
export function createCalendarFromData(input: CalendarData, options: CalendarOptions = {}): WorkCalendar {
  const data = normalizeCalendarData(input);
  const covered = new Set(Object.keys(data.years).map(Number));
  const coveredYears = Object.freeze([...covered].sort((a, b) => a - b));
  const fingerprint = fnv1a(JSON.stringify(data));
  const estimated = new Set<number>();

  const assertCovered = (date: LocalDate): void => {
    const y = yearOf(date);
    if (!covered.has(y)) throw new CalendarCoverageError(y, [...coveredYears]);
  };

  const dayInfo = (date: LocalDate): DayInfo => {
    assertLocalDate(date);
    if (options.estimateUncovered && !covered.has(yearOf(date))) {
      estimated.add(yearOf(date));
      return isWeekend(date) ? { date, working: false, kind: 'weekend' } : { date, working: true, kind: 'workday' };
    }
    assertCovered(date);
    const w = data.workdays[date];
    if (w !== undefined) return { date, working: true, kind: isWeekend(date) ? 'makeUpWorkday' : 'workday', name: w };
    const h = data.holidays[date];
    if (h !== undefined) return { date, working: false, kind: 'holiday', name: h };
    return isWeekend(date) ? { date, working: false, kind: 'weekend' } : { date, working: true, kind: 'workday' };
  };

  const isWorkingDay = (date: LocalDate): boolean => dayInfo(date).working;

  const addWorkingDays = (anchor: LocalDate, n: number): LocalDate => {
    assertLocalDate(anchor);
    if (!Number.isInteger(n)) throw new DomainInputError(`工作日数必须为整数：${n}`);
    const step = n >= 0 ? 1 : -1;
    let left = Math.abs(n);
    let d = anchor;
    while (left > 0) {
      d = addCalendarDays(d, step);
      if (isWorkingDay(d)) left--;
    }
    return d;
  };

  const countWorkingDays = (from: LocalDate, to: LocalDate): number => {
    const cmp = compareLocalDates(from, to);
    if (cmp === 0) return 0;
    const [a, b, sign] = cmp < 0 ? [from, to, 1] : [to, from, -1];
    let count = 0;
    for (let d = addCalendarDays(a, 1); compareLocalDates(d, b) <= 0; d = addCalendarDays(d, 1)) {
      if (isWorkingDay(d)) count++;
    }
    return sign * count;
  };

  const calendar: WorkCalendar = {
    toData: () => structuredCloneData(data),
    sliceData: (fromYear, toYear) => {
      const inRange = (d: string) => {
        const y = Number(d.slice(0, 4));
        return y >= fromYear && y <= toYear;
      };
      const pick = (rec: Record<string, string>) =>
        Object.fromEntries(Object.entries(rec).filter(([d]) => inRange(d)));
      const years = Object.fromEntries(
        Object.entries(data.years).filter(([y]) => Number(y) >= fromYear && Number(y) <= toYear),
      );
      return normalizeCalendarData({ version: 1, years, holidays: pick(data.holidays), workdays: pick(data.workdays) });
    },
    fingerprint,
    coveredYears,
    get estimatedYears() {
      return [...estimated].sort((a, b) => a - b);
    },
    covers: (year) => covered.has(year),
    assertCovered,
    dayInfo,
    isWorkingDay,
    isStatutoryHoliday: (date) => dayInfo(date).kind === 'holiday',
    isMakeUpWorkday: (date) => dayInfo(date).kind === 'makeUpWorkday',
    addWorkingDays,
    countWorkingDays,
    nextWorkingDayOnOrAfter: (date) => (isWorkingDay(date) ? date : addWorkingDays(date, 1)),
    previousWorkingDayOnOrBefore: (date) => (isWorkingDay(date) ? date : addWorkingDays(date, -1)),
  };
  return Object.freeze(calendar);
}

function structuredCloneData(data: CalendarData): CalendarData {
  return JSON.parse(JSON.stringify(data)) as CalendarData;
}

/**
 * Years without holiday data that a working-day clock started on `today`
 * could reach within `days` calendar days (e.g. a case's 30 working days),
 * ascending. Empty when every such year is covered.
 */
export function uncoveredYearsAhead(calendar: Pick<WorkCalendar, 'covers'>, today: LocalDate, days: number): number[] {
  const out: number[] = [];
  for (let y = yearOf(today); y <= yearOf(addCalendarDays(today, days)); y++) if (!calendar.covers(y)) out.push(y);
  return out;
}
