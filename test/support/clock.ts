/**
 * The tests' today: one pinned instant every test builds its dates from, never the machine's clock.
 *
 * - Default: 2026-12-07T02:00:00Z (a Monday, 10:00 Beijing time).
 * - `JIUZHU_TEST_TODAY=2027-03-01` runs the suite as of that Beijing date (10:00 Beijing time); a full
 *   ISO instant (`2028-12-30T01:30:00Z`) is taken as is.
 *
 * Every time-skipping server starts at this instant (test/support/temporal.ts), services the tests start
 * get a clock that starts there, and calendars come from `testCalendar()`: the holiday data of
 * `chinese-days` plus a fixture year (weekends and 元旦 only) for each year near the tests' today that the
 * package does not ship, so the suite runs the same as of a year with no published holiday notice yet.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chineseDaysCalendarData } from '../../domain/time/chinese-days-source.js';
import { chinaInstant, toChinaDate } from '../../domain/time/instants.js';
import { isValidLocalDate, makeLocalDate, yearOf, type LocalDate } from '../../domain/time/local-date.js';
import { createCalendarFromData, mergeCalendarData, type CalendarData, type WorkCalendar } from '../../domain/time/work-calendar.js';

export const DEFAULT_TEST_NOW = '2026-12-07T02:00:00Z';
/** The environment variable that moves the tests' today. */
export const TEST_TODAY_ENV = 'JIUZHU_TEST_TODAY';

/** Parses the setting: a Beijing date (10:00 that day) or an ISO instant with its offset. */
export function parseTestToday(value: string): number {
  const v = value.trim();
  if (isValidLocalDate(v)) return chinaInstant(v, '10:00').getTime();
  const ms = /T/.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(ms)) throw new Error(`${TEST_TODAY_ENV}=${value}: expected YYYY-MM-DD or an ISO instant like 2026-12-07T02:00:00Z`);
  return ms;
}

/** The tests' now, in epoch milliseconds. Fixed for the whole run (it does not advance). */
export const TEST_NOW_MS: number = parseTestToday(process.env[TEST_TODAY_ENV] || DEFAULT_TEST_NOW);

/** The tests' now as a fresh Date. */
export function testNow(): Date {
  return new Date(TEST_NOW_MS);
}

/** The tests' today: the Beijing date of `TEST_NOW_MS`. */
export function testToday(): LocalDate {
  return toChinaDate(testNow());
}

/** The year of the tests' today. */
export function testYear(): number {
  return yearOf(testToday());
}

/**
 * A clock a service under test reads (`now: clock.now`): starts at the tests' now and moves only when the
 * test moves it, e.g. in step with a time-skipping server (`clock.set(await env.currentTimeMs())`).
 */
export interface TestClock {
  now(): Date;
  ms(): number;
  set(ms: number): void;
  advance(ms: number): void;
}

export function createTestClock(startMs: number = TEST_NOW_MS): TestClock {
  let t = startMs;
  return {
    now: () => new Date(t),
    ms: () => t,
    set: (ms) => {
      t = ms;
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

/** The source label of a fixture year in `CalendarData.years`. */
export const FIXTURE_CALENDAR_SOURCE = '测试用虚构安排（仅周末与元旦）';

/**
 * A fixture calendar year: Saturdays and Sundays off, 1 January (元旦) a holiday, no other holiday and
 * no make-up workday. Working-day deadlines in such a year can be computed by hand (see
 * `fixtureHolidays`), so tests written against it need no knowledge of a State Council notice.
 */
export function fixtureCalendarYear(year: number): CalendarData {
  return { version: 1, years: { [String(year)]: { source: FIXTURE_CALENDAR_SOURCE } }, holidays: { [makeLocalDate(year, 1, 1)]: '元旦' }, workdays: {} };
}

/** Years around the tests' today that get a calendar: two before to three after (a case's deadlines reach that far). */
export function testCalendarYears(year: number = testYear()): number[] {
  return [year - 2, year - 1, year, year + 1, year + 2, year + 3];
}

const shippedYears = new Set(Object.keys(chineseDaysCalendarData().years).map(Number));

/** The years `testCalendar()` fills with a fixture year (not shipped by `chinese-days`). */
export function fixtureYears(years: readonly number[] = testCalendarYears()): number[] {
  return years.filter((y) => !shippedYears.has(y));
}

/** The holidays of the fixture years (1 January of each): for hand-computed working days. */
export function fixtureHolidays(years: readonly number[] = testCalendarYears()): LocalDate[] {
  return fixtureYears(years).map((y) => makeLocalDate(y, 1, 1));
}

/**
 * The tests' holiday data: `chinese-days` plus a fixture year for every year in `years` the package does
 * not ship (default: around the tests' today). Extra layers (a test's own holidays) go on top.
 */
export function testCalendarData(years: readonly number[] = testCalendarYears(), ...extra: CalendarData[]): CalendarData {
  return mergeCalendarData(chineseDaysCalendarData(), ...fixtureYears(years).map(fixtureCalendarYear), ...extra);
}

/** The tests' statutory calendar (see `testCalendarData`). */
export function testCalendar(years: readonly number[] = testCalendarYears(), ...extra: CalendarData[]): WorkCalendar {
  return createCalendarFromData(testCalendarData(years, ...extra));
}

/**
 * Registers the fixture years with a service the tests start, through the product's own door: the
 * `holiday-overrides.yaml` of its data folder (services/county.ts loadCalendar reads it). Returns the file.
 */
export function writeFixtureHolidayOverrides(dataDir: string, years: readonly number[] = testCalendarYears()): string {
  const lines = ['# Written by test/support/clock.ts: fixture years (weekends and 元旦 only) for the tests.', 'years:'];
  for (const y of fixtureYears(years)) {
    lines.push(`  ${y}:`, `    source: ${FIXTURE_CALENDAR_SOURCE}`, '    holidays:', `      - { name: 元旦, date: "${makeLocalDate(y, 1, 1)}" }`);
  }
  if (lines.length === 2) lines[1] = 'years: {}';
  const file = path.join(dataDir, 'holiday-overrides.yaml');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/**
 * For tests on the Temporal dev server, whose clock is the machine's and cannot be pinned: the tests'
 * calendar around the machine's year (fixture years where none is shipped). Such tests place their dates
 * relative to the server's own now; everything else uses the pinned clock above.
 */
export function devServerCalendar(): WorkCalendar {
  return testCalendar(testCalendarYears(new Date().getUTCFullYear()));
}
