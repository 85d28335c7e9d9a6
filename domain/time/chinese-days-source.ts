/**
 * Holiday data from the `chinese-days` package, turned into plain `CalendarData`.
 *
 * The package bundles the State Council holiday notices up to its release
 * (1.5.7: 2004–2026). For a year it does not know it silently answers
 * "Friday, workday" (e.g. 2027-01-01), so coverage is detected here: a year
 * counts as covered only when its data names 1 January as 元旦 and contains a
 * 春节 holiday. Bump the package each winter after the notice is published,
 * or add the year to the holiday override file meanwhile.
 *
 * Not for Temporal workflow code: the package's data changes between
 * versions. Compute `CalendarData` in an activity (or at start) and pass it in.
 */
import { createRequire } from 'node:module';
import { addCalendarDays, makeLocalDate, type LocalDate } from './local-date.js';
import type { CalendarData } from './work-calendar.js';

interface ChineseDaysApi {
  getDayDetail(date: string): { work: boolean; name: string; date: string };
}

const require = createRequire(import.meta.url);

// The package is UMD/CommonJS; depending on the loader the functions sit on the
// default export or on its `default` property. Loaded on first use: evaluating
// the bundle costs start-up time that `chineseDaysCalendarData` does not need.
let apiLoaded: ChineseDaysApi | undefined;
function api(): ChineseDaysApi {
  if (apiLoaded) return apiLoaded;
  const m = require('chinese-days') as Partial<ChineseDaysApi> & { default?: Partial<ChineseDaysApi> };
  if (typeof m.getDayDetail === 'function') apiLoaded = m as ChineseDaysApi;
  else if (m.default && typeof m.default.getDayDetail === 'function') apiLoaded = m.default as ChineseDaysApi;
  else throw new Error('chinese-days 加载失败：找不到 getDayDetail');
  return apiLoaded;
}

/** The package's own tables (the data its functions answer from): date → "English,中文,n". */
interface ChineseDaysTables {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

/** Source label recorded in `CalendarData.years[y].source`. */
export const CHINESE_DAYS_SOURCE = 'chinese-days';

/** Years probed for coverage. */
const PROBE_FROM = 1990;
const PROBE_TO = 2100;

/** Chinese name from entries like "National Day,国庆节,3". */
function chineseName(raw: string): string {
  const parts = raw.split(',');
  return (parts[1] ?? parts[0] ?? raw).trim();
}

function isNamed(raw: string): boolean {
  return raw.includes(',');
}

/** Does the package hold the official arrangement for this year? */
export function chineseDaysCoversYear(year: number): boolean {
  const jan1 = api().getDayDetail(makeLocalDate(year, 1, 1));
  if (jan1.work || !jan1.name.includes('元旦')) return false;
  // 春节 always falls between 21 Jan and 20 Feb; its rest days lie in Jan–Feb.
  let d: LocalDate = makeLocalDate(year, 1, 15);
  const end = makeLocalDate(year, 3, 1);
  for (; d < end; d = addCalendarDays(d, 1)) {
    const det = api().getDayDetail(d);
    if (!det.work && det.name.includes('春节')) return true;
  }
  return false;
}

let cache: CalendarData | undefined;

/**
 * All years the installed `chinese-days` covers, as `CalendarData`.
 * Memoised: the package data cannot change within a process.
 */
export function chineseDaysCalendarData(): CalendarData {
  cache ??= fromTables(require('chinese-days/dist/chinese-days.json') as ChineseDaysTables);
  return JSON.parse(JSON.stringify(cache)) as CalendarData;
}

/**
 * The same data read from the package's tables instead of asking `getDayDetail` for every day of
 * 1990–2100 (that took ~0.1 s of every CLI start). Same coverage rule: 1 January a 元旦 rest day
 * and a 春节 rest day between 15 January and 1 March. A test compares it with the day-by-day probe.
 */
function fromTables(t: ChineseDaysTables): CalendarData {
  const data: CalendarData = { version: 1, years: {}, holidays: {}, workdays: {} };
  const rest = (d: string) => t.holidays[d] !== undefined && t.workdays[d] === undefined;
  const years = [...new Set(Object.keys(t.holidays).map((d) => Number(d.slice(0, 4))))].sort((a, b) => a - b);
  for (const year of years) {
    if (year < PROBE_FROM || year > PROBE_TO) continue;
    const jan1 = makeLocalDate(year, 1, 1);
    if (!rest(jan1) || !t.holidays[jan1]!.includes('元旦')) continue;
    const from = makeLocalDate(year, 1, 15);
    const to = makeLocalDate(year, 3, 1);
    if (!Object.keys(t.holidays).some((d) => d >= from && d < to && rest(d) && t.holidays[d]!.includes('春节'))) continue;
    data.years[String(year)] = { source: CHINESE_DAYS_SOURCE };
  }
  const covered = (d: string) => data.years[d.slice(0, 4)] !== undefined;
  for (const d of [...Object.keys(t.holidays), ...Object.keys(t.workdays)].sort()) {
    if (!covered(d)) continue;
    const work = t.workdays[d];
    if (work !== undefined) {
      if (isNamed(work)) data.workdays[d] = chineseName(work);
    } else if (isNamed(t.holidays[d]!)) data.holidays[d] = chineseName(t.holidays[d]!);
  }
  return data;
}

/** The reference: `getDayDetail` asked day by day for every covered year (slow; tests compare it with the tables). */
export function chineseDaysCalendarDataByProbe(): CalendarData {
  const data: CalendarData = { version: 1, years: {}, holidays: {}, workdays: {} };
  for (let year = PROBE_FROM; year <= PROBE_TO; year++) {
    if (!chineseDaysCoversYear(year)) continue;
    data.years[String(year)] = { source: CHINESE_DAYS_SOURCE };
    const last = makeLocalDate(year, 12, 31);
    for (let d: LocalDate = makeLocalDate(year, 1, 1); d <= last; d = addCalendarDays(d, 1)) {
      const det = api().getDayDetail(d);
      if (!isNamed(det.name)) continue;
      if (det.work) data.workdays[d] = chineseName(det.name);
      else data.holidays[d] = chineseName(det.name);
    }
  }
  return data;
}
