/**
 * Watches the holiday data ahead of the county's clocks. Working-day clocks
 * (applications, filings, accusations) that run into a year whose State
 * Council notice is not loaded are estimated Monday–Friday by the case
 * workflows (domain/time/work-calendar.ts `estimateUncovered`); this tells
 * the 专班 office so, once per year, well before it matters, and says how to
 * load the notice. Checked at start-up and twice a day.
 */
import type { PrismaClient } from '../infra/db/client.js';
import { toChinaDate } from '../domain/time/instants.js';
import { uncoveredYearsAhead, type WorkCalendar } from '../domain/time/work-calendar.js';

/** How far ahead to look: the longest working-day clock (45 working days) with room to act. */
export const CALENDAR_LOOKAHEAD_DAYS = 90;
const CHECK_EVERY_MS = 12 * 3_600_000;

export function calendarGapText(year: number, coveredYears: readonly number[]): string {
  const last = coveredYears.length ? `${coveredYears[coveredYears.length - 1]}年` : '任何年份';
  return [
    `【节假日数据】${year}年的法定节假日安排尚未录入系统（当前数据截至${last}）。`,
    `跨入${year}年的按工作日计算的时限（申请审核、近亲属备案、检举控告等）暂按周一至周五估算，法定节假日按工作日计，时限可能早于法定时限。`,
    `国务院办公厅公布${year}年节假日安排后，请系统管理员在数据目录的 holiday-overrides.yaml 中录入并重启服务；此后新开启的时限按正式安排计算。`,
  ].join('\n');
}

export interface CalendarWatchOptions {
  prisma: PrismaClient;
  calendar: WorkCalendar;
  countyRegionId: number;
  now?: () => Date;
  log?: (line: string) => void;
}

/** One check: a notification per 专班 office member and uncovered year (once: dedupe key). Returns the uncovered years. */
export async function checkCalendarCoverage(opts: CalendarWatchOptions): Promise<number[]> {
  const now = (opts.now ?? (() => new Date()))();
  const years = uncoveredYearsAhead(opts.calendar, toChinaDate(now), CALENDAR_LOOKAHEAD_DAYS);
  if (years.length === 0) return [];
  const office = await opts.prisma.staff.findMany({ where: { role: 'TASKFORCE_OFFICE', active: true, regionId: opts.countyRegionId }, select: { id: true }, orderBy: { id: 'asc' } });
  for (const year of years) {
    opts.log?.(`节假日数据：${year}年的法定节假日安排尚未录入，跨入${year}年的工作日时限按周一至周五估算（见 holiday-overrides.yaml）。`);
    for (const s of office) {
      await opts.prisma.notification.upsert({
        where: { dedupeKey: `calendar-gap:${opts.countyRegionId}:${year}:staff:${s.id}` },
        create: { dedupeKey: `calendar-gap:${opts.countyRegionId}:${year}:staff:${s.id}`, recipientStaffId: s.id, kind: 'calendarGap', text: calendarGapText(year, opts.calendar.coveredYears), sentAt: now },
        update: {},
      });
    }
  }
  return years;
}

/** Checks now and every 12 hours; `stop()` ends it. Errors are logged, never thrown. */
export function watchCalendarCoverage(opts: CalendarWatchOptions): { stop(): void } {
  const run = () => void checkCalendarCoverage(opts).catch((err: unknown) => opts.log?.(`节假日数据检查失败：${err instanceof Error ? err.message : String(err)}`));
  run();
  const timer = setInterval(run, CHECK_EVERY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
