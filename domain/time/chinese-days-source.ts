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
import chineseDaysModule from 'chinese-days';
import { addCalendarDays, makeLocalDate, type LocalDate } from './local-date.js';
import type { CalendarData } from './work-calendar.js';

interface ChineseDaysApi {
  getDayDetail(date: string): { work: boolean; name: string; date: string };
}

// The package is UMD/CommonJS; depending on the loader the functions sit on the
// default export or on its `default` property.
const api: ChineseDaysApi = (() => {
  const m = chineseDaysModule as unknown as Partial<ChineseDaysApi> & { default?: Partial<ChineseDaysApi> };
  if (typeof m.getDayDetail === 'function') return m as ChineseDaysApi;
  if (m.default && typeof m.default.getDayDetail === 'function') return m.default as ChineseDaysApi;
  throw new Error('chinese-days 加载失败：找不到 getDayDetail');
})();

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
  const jan1 = api.getDayDetail(makeLocalDate(year, 1, 1));
  if (jan1.work || !jan1.name.includes('元旦')) return false;
  // 春节 always falls between 21 Jan and 20 Feb; its rest days lie in Jan–Feb.
  let d: LocalDate = makeLocalDate(year, 1, 15);
  const end = makeLocalDate(year, 3, 1);
  for (; d < end; d = addCalendarDays(d, 1)) {
    const det = api.getDayDetail(d);
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
  if (cache) return JSON.parse(JSON.stringify(cache)) as CalendarData;
  const data: CalendarData = { version: 1, years: {}, holidays: {}, workdays: {} };
  for (let year = PROBE_FROM; year <= PROBE_TO; year++) {
    if (!chineseDaysCoversYear(year)) continue;
    data.years[String(year)] = { source: CHINESE_DAYS_SOURCE };
    const last = makeLocalDate(year, 12, 31);
    for (let d: LocalDate = makeLocalDate(year, 1, 1); d <= last; d = addCalendarDays(d, 1)) {
      const det = api.getDayDetail(d);
      if (!isNamed(det.name)) continue;
      if (det.work) data.workdays[d] = chineseName(det.name);
      else data.holidays[d] = chineseName(det.name);
    }
  }
  cache = data;
  return JSON.parse(JSON.stringify(cache)) as CalendarData;
}
