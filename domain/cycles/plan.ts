/**
 * What a daily tick opens, decided in code from the county policy and the
 * holiday calendar (the Temporal schedule only says "every morning"). Pure:
 * "today" is an argument (the tick passes its workflow time).
 */
import {
  campaignMonths,
  isWithinCampaign,
  paymentDeadline,
  phaseSummaryDeadlines,
  progressReportDueDates,
  villageChainDueDates,
  type PaymentDeadline,
  type PhaseSummaryDue,
  type ReportDue,
  type VillageChainDue,
} from '../policy/compute.js';
import { PAYMENT_KINDS, type CountyPolicy } from '../policy/schema.js';
import { compareLocalDates, diffCalendarDays, isoWeekday, monthKey, yearOf, type LocalDate } from '../time/local-date.js';
import type { WorkCalendar } from '../time/work-calendar.js';

/** The progress report now running: the first whose last on-time day is today or later (none after the campaign). */
export function progressCycleToOpen(policy: CountyPolicy, today: LocalDate, calendar?: WorkCalendar): ReportDue | null {
  if (compareLocalDates(today, policy.campaign.window.end) > 0) return null;
  return progressReportDueDates(policy, { calendar }).find((d) => compareLocalDates(d.due, today) >= 0) ?? null;
}

/** Days before its due day a phase summary opens (the units are prompted then). */
export const PHASE_SUMMARY_LEAD_DAYS = 30;

/** The next phase summary (by its due day, moved off holidays when a calendar is given) once it is at most 30 days away; none after the campaign. */
export function phaseSummaryToOpen(policy: CountyPolicy, today: LocalDate, calendar?: WorkCalendar): PhaseSummaryDue | null {
  if (compareLocalDates(today, policy.campaign.window.end) > 0) return null;
  const next = phaseSummaryDeadlines(policy, calendar).find((s) => compareLocalDates(s.due, today) >= 0);
  if (!next || diffCalendarDays(today, next.due) > PHASE_SUMMARY_LEAD_DAYS) return null;
  return next;
}

/**
 * The month's village chain, from the 1st until the villages' deadline (a
 * chain whose village deadline passed before the system ran is not opened
 * late), within the campaign.
 */
export function villageChainToOpen(policy: CountyPolicy, today: LocalDate, calendar?: WorkCalendar): VillageChainDue | null {
  if (!policy.villageMonthlyChain.enabled || !isWithinCampaign(policy, today)) return null;
  const month = monthKey(today);
  if (!campaignMonths(policy).includes(month)) return null;
  const due = villageChainDueDates(policy, month, calendar);
  if (!due || compareLocalDates(due.village.due, today) < 0) return null;
  return due;
}

/**
 * The payment deadlines to watch: per kind, the deadline of the schedule
 * period containing today, when it falls within the campaign and has not
 * expired yet (the watch waits for the expiry itself).
 */
export function paymentWatchesToOpen(policy: CountyPolicy, today: LocalDate, calendar?: WorkCalendar): PaymentDeadline[] {
  if (compareLocalDates(today, policy.campaign.window.end) > 0) return [];
  const out: PaymentDeadline[] = [];
  for (const kind of PAYMENT_KINDS) {
    const d = paymentDeadline(policy, kind, today, calendar);
    if (isWithinCampaign(policy, d.due) && compareLocalDates(d.due, today) >= 0) out.push(d);
  }
  return out;
}

/**
 * The digest goes out on working days (调休 Saturdays included, holidays
 * excluded), within the campaign. A year the calendar does not cover falls
 * back to Monday–Friday (and says so), rather than stopping the digest.
 */
export function digestDue(policy: CountyPolicy, today: LocalDate, calendar: WorkCalendar): { due: boolean; calendarCovered: boolean } {
  if (!isWithinCampaign(policy, today)) return { due: false, calendarCovered: true };
  if (!calendar.covers(yearOf(today))) return { due: isoWeekday(today) <= 5, calendarCovered: false };
  return { due: calendar.isWorkingDay(today), calendarCovered: true };
}
