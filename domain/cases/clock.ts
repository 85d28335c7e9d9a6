import type { LocalDate } from '../time/local-date.js';

/**
 * The civil date in Beijing of an instant, for workflow code.
 *
 * `toChinaDate` (domain/time/instants.ts, via @date-fns/tz) returns the UTC
 * date inside the Temporal workflow sandbox (seen 2026-11-22: 16:03Z gave
 * 11-22 instead of 11-23), so workflows use this fixed-offset version: China
 * has kept UTC+8 without DST since 1991, and workflow instants are current.
 */
export function beijingDateOf(ms: number): LocalDate {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
}
