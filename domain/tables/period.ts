/**
 * The period of a report: 'YYYY-MM' (a month), 'YYYY-MM-DD..YYYY-MM-DD' (a
 * date range, inclusive) or a report-cycle period key ('2024-05-14',
 * 'phase-1' …), which the caller resolves against ReportCycle.
 */
import { compareLocalDates, daysInMonth, isValidLocalDate, makeLocalDate, type LocalDate } from '../time/local-date.js';

export type ParsedPeriod =
  | { kind: 'range'; key: string; start: LocalDate; end: LocalDate; label: string }
  | { kind: 'cycle'; key: string };

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
const RANGE_RE = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/;
const CYCLE_KEY_RE = /^[\w.-]{1,40}$/;

export function rangeLabel(start: LocalDate, end: LocalDate): string {
  const f = (d: LocalDate) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
  return `${f(start)}至${f(end)}`;
}

/** The parsed period, or a Chinese error message. */
export function parsePeriod(text: string): ParsedPeriod | { error: string } {
  const t = text.trim();
  const m = MONTH_RE.exec(t);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const start = makeLocalDate(year, month, 1);
    const end = makeLocalDate(year, month, daysInMonth(year, month));
    return { kind: 'range', key: t, start, end, label: `${year}年${month}月` };
  }
  const r = RANGE_RE.exec(t);
  if (r) {
    // Both groups are not optional: a match has them.
    const [start, end] = [r[1]!, r[2]!];
    if (!isValidLocalDate(start) || !isValidLocalDate(end)) return { error: `统计期间“${t}”中的日期无效` };
    if (compareLocalDates(start, end) > 0) return { error: `统计期间“${t}”的起始日晚于截止日` };
    return { kind: 'range', key: t, start, end, label: rangeLabel(start, end) };
  }
  if (t.includes('..') || /^\d{4}-\d{1,2}$/.test(t)) {
    return { error: `统计期间“${t}”格式不正确，应为 YYYY-MM、YYYY-MM-DD..YYYY-MM-DD 或报送期次（如 2024-05-14）` };
  }
  if (CYCLE_KEY_RE.test(t)) return { kind: 'cycle', key: t };
  return { error: `统计期间“${t}”格式不正确，应为 YYYY-MM、YYYY-MM-DD..YYYY-MM-DD 或报送期次（如 2024-05-14）` };
}
