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
import { compareLocalDates, monthKey, type LocalDate } from '../time/local-date.js';
import type { WorkCalendar } from '../time/work-calendar.js';

/** The progress report now running: the first whose last on-time day is today or later (none after the campaign). */
export function progressCycleToOpen(policy: CountyPolicy, today: LocalDate, calendar?: WorkCalendar): ReportDue | null {
  if (compareLocalDates(today, policy.campaign.window.end) > 0) return null;
  return progressReportDueDates(policy, { calendar }).find((d) => compareLocalDates(d.due, today) >= 0) ?? null;
}

/** The next phase summary (by its due day), none after the campaign. */
export function phaseSummaryToOpen(policy: CountyPolicy, today: LocalDate): PhaseSummaryDue | null {
  if (compareLocalDates(today, policy.campaign.window.end) > 0) return null;
  return phaseSummaryDeadlines(policy).find((s) => compareLocalDates(s.due, today) >= 0) ?? null;
}

/** The month's village chain while its township deadline has not passed, within the campaign. */
export function villageChainToOpen(policy: CountyPolicy, today: LocalDate, calendar?: WorkCalendar): VillageChainDue | null {
  if (!policy.villageMonthlyChain.enabled || !isWithinCampaign(policy, today)) return null;
  const month = monthKey(today);
  if (!campaignMonths(policy).includes(month)) return null;
  const due = villageChainDueDates(policy, month, calendar);
  if (!due || compareLocalDates(due.township.due, today) < 0) return null;
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

/** The digest goes out on working days (调休 Saturdays included, holidays excluded), within the campaign. */
export function digestDue(policy: CountyPolicy, today: LocalDate, calendar: WorkCalendar): boolean {
  return isWithinCampaign(policy, today) && calendar.isWorkingDay(today);
}
