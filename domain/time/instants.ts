/**
 * Instants (JS `Date`, i.e. UTC milliseconds) for civil dates in Asia/Shanghai.
 *
 * Uses @date-fns/tz so that historical offsets (China observed DST 1986-1991)
 * are right; for current dates the offset is always +08:00.
 */
import { TZDate } from '@date-fns/tz';
import { DomainInputError } from '../errors.js';
import { addCalendarDays, makeLocalDate, parseLocalDate, type LocalDate } from './local-date.js';

/** The statutory zone of every deadline. */
export const CHINA_TZ = 'Asia/Shanghai';

/** `'HH:mm'`, 00:00–23:59. */
export type TimeOfDay = string;

const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isValidTimeOfDay(value: unknown): value is TimeOfDay {
  return typeof value === 'string' && TIME_RE.test(value);
}

function parseTime(value: TimeOfDay): { hour: number; minute: number } {
  const m = TIME_RE.exec(value);
  if (!m) throw new DomainInputError(`时间格式无效：“${value}”，应为 HH:mm（如 12:00）`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/** The instant `date` at `time` (default 00:00) in Beijing time, as a plain `Date`. */
export function chinaInstant(date: LocalDate, time: TimeOfDay = '00:00'): Date {
  const { year, month, day } = parseLocalDate(date);
  const { hour, minute } = parseTime(time);
  return new Date(new TZDate(year, month - 1, day, hour, minute, CHINA_TZ).getTime());
}

/** Start of a civil day: `date` 00:00 +08:00. */
export function startOfChinaDay(date: LocalDate): Date {
  return chinaInstant(date);
}

/**
 * End of a civil day, as the exclusive bound: the next day 00:00 +08:00.
 * A deadline "by 2024-10-10" expires at 2024-10-11T00:00+08:00
 * (= 2024-10-10T16:00:00Z); anything strictly before that instant is on time.
 */
export function endOfChinaDay(date: LocalDate): Date {
  return chinaInstant(addCalendarDays(date, 1));
}

/** The civil date in Beijing of an instant. */
export function toChinaDate(instant: Date): LocalDate {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new DomainInputError('时间无效：需要一个有效的时刻');
  }
  const ms = instant.getTime();
  if (ms >= NO_DST_SINCE_MS) {
    // Fixed UTC+8 since China's last DST period (1991). Also what workflows rely on: inside the
    // Temporal sandbox TZDate returned the UTC date (16:03Z gave the previous Beijing day).
    const d = new Date(ms + 8 * 3_600_000);
    return makeLocalDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
  }
  const t = new TZDate(ms, CHINA_TZ);
  return makeLocalDate(t.getFullYear(), t.getMonth() + 1, t.getDate());
}

/** China observed DST until 1991-09-15 (01:00 local); the zone has been UTC+8 all year since. */
const NO_DST_SINCE_MS = Date.UTC(1991, 8, 14, 17, 0, 0);

/** `'2024-10-11 00:00'` in Beijing time. */
export function formatChinaDateTime(instant: Date): string {
  const ms = instant.getTime();
  // Fixed UTC+8 since 1991 (and workflow-safe, as in toChinaDate); TZDate for the DST years before.
  if (ms >= NO_DST_SINCE_MS) return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
  const t = new TZDate(ms, CHINA_TZ);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())} ${p(t.getHours())}:${p(t.getMinutes())}`;
}

export interface ExpiryOptions {
  /**
   * Whether the nominal day itself is still on time. "10日前" read inclusively
   * (≤ the 10th) → true; read strictly (< the 10th) → false.
   */
  inclusive: boolean;
  /**
   * A cut-off time on the due day ("每周星期四上午" → '12:00'). When set, the
   * deadline expires on the due day at that time and `inclusive` is ignored.
   */
  cutoffTime?: TimeOfDay | null;
}

/**
 * The last day that is still on time for a nominal date:
 * inclusive → the date itself; exclusive → the day before.
 * With a cut-off time the due day is the nominal date.
 */
export function lastOnTimeDay(nominal: LocalDate, opts: ExpiryOptions): LocalDate {
  if (opts.cutoffTime) return nominal;
  return opts.inclusive ? nominal : addCalendarDays(nominal, -1);
}

/**
 * The instant a deadline expires. Action at any instant strictly before it is
 * on time; at or after it the matter is overdue.
 * - inclusive (default reading): `nominal` + 1 day, 00:00 +08:00
 * - exclusive: `nominal` 00:00 +08:00
 * - cut-off time: `nominal` at that time +08:00
 */
export function deadlineExpiry(nominal: LocalDate, opts: ExpiryOptions): Date {
  if (opts.cutoffTime) return chinaInstant(nominal, opts.cutoffTime);
  return endOfChinaDay(lastOnTimeDay(nominal, opts));
}
