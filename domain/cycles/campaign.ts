/**
 * The campaign in force at a glance (pure): name, window, phases and, per
 * reporting cycle, its next due instants in Beijing time, from the same
 * rules the ticks use (policy/compute.ts, schedule.ts). What `jiuzhu campaign
 * show` prints. "Now" is an argument.
 */
import {
  campaignMonths,
  paymentDeadline,
  movedDueText,
  phaseSummaryDeadlines,
  phasesOn,
  progressReportDueDates,
  villageChainDueDates,
} from '../policy/compute.js';
import { PAYMENT_KIND_LABELS, PAYMENT_KINDS, type CountyPolicy, type DeadlineRule } from '../policy/schema.js';
import { formatChinaDateTime, toChinaDate } from '../time/instants.js';
import { compareLocalDates, monthKey, yearOf, type LocalDate } from '../time/local-date.js';
import type { WorkCalendar } from '../time/work-calendar.js';
import type { CycleKind } from './ids.js';
import { cycleKindsOf, cycleTickInstants } from './schedule.js';

export const CYCLE_KIND_LABELS: Record<CycleKind, string> = {
  progress: '工作进展报送',
  'phase-summary': '阶段总结',
  'village-chain': '村→乡镇→县月报告',
  'payment-watch': '资金发放到期检查',
  'daily-digest': '每日待办汇总',
};

export interface CycleDueView {
  /** What falls due, e.g. '第3期（2026-12-14）' or '城乡低保金'. */
  label: string;
  /** Last on-time day. */
  due: LocalDate;
  /** First late instant, Beijing time 'YYYY-MM-DD HH:mm', and ISO. */
  expiresAtBeijing: string;
  expiresAt: string;
}

export interface CycleView {
  kind: CycleKind;
  label: string;
  /** The schedule's next tick, Beijing time (null once the campaign is over). */
  nextTickBeijing: string | null;
  /** The next due instants (at most `limit`), after now. */
  next: CycleDueView[];
}

export interface CampaignView {
  county: string;
  title: string;
  window: { start: LocalDate; end: LocalDate };
  /** before | running | ended, relative to now. */
  state: 'before' | 'running' | 'ended';
  now: string;
  phases: Array<{ id: string; title: string; ranges: Array<{ start: LocalDate; end: LocalDate }>; current: boolean }>;
  cycles: CycleView[];
  /** Years of the window without holiday data (working-day limits estimated Monday–Friday). */
  uncoveredYears: number[];
}

function dueView(label: string, due: LocalDate, expiresAt: Date): CycleDueView {
  return { label, due, expiresAtBeijing: formatChinaDateTime(expiresAt), expiresAt: expiresAt.toISOString() };
}

/** Years of the campaign window the calendar has no State Council notice for. */
export function uncoveredCampaignYears(policy: CountyPolicy, calendar: Pick<WorkCalendar, 'covers'>): number[] {
  const out: number[] = [];
  for (let y = yearOf(policy.campaign.window.start); y <= yearOf(policy.campaign.window.end); y++) if (!calendar.covers(y)) out.push(y);
  return out;
}

/** A cycle rule that moves off non-working days needs the calendar; without data for that year it is kept as is. */
function calendarFor(calendar: WorkCalendar, date: LocalDate): WorkCalendar | undefined {
  return calendar.covers(yearOf(date)) ? calendar : undefined;
}

/** Deadline rules counted in working days (their limits are estimated in a year without holiday data). */
export function workingDayRules(policy: CountyPolicy): Array<{ id: string; rule: DeadlineRule }> {
  return Object.entries(policy.deadlines)
    .filter(([, r]) => r.unit === 'workingDays')
    .map(([id, rule]) => ({ id, rule }));
}

export function campaignView(policy: CountyPolicy, now: Date, calendar: WorkCalendar, limit = 3): CampaignView {
  const today = toChinaDate(now);
  const w = policy.campaign.window;
  const state = compareLocalDates(today, w.start) < 0 ? 'before' : compareLocalDates(today, w.end) > 0 ? 'ended' : 'running';
  const after = (d: { expiresAt: Date }) => d.expiresAt.getTime() > now.getTime();
  const safe = <T>(f: () => T[]): T[] => {
    try {
      return f();
    } catch {
      return []; // a rule that needs holiday data of an uncovered year: shown without it
    }
  };
  const cycles: CycleView[] = cycleKindsOf(policy).map((kind) => {
    const tick = cycleTickInstants(policy, now.getTime(), now.getTime() + 400 * 86_400_000, [kind])[0];
    let next: CycleDueView[] = [];
    switch (kind) {
      case 'progress': {
        const cal = policy.progressReport.ifNonWorkingDay === 'keep' ? undefined : calendarFor(calendar, today);
        next = safe(() => progressReportDueDates(policy, { calendar: cal }))
          .filter(after)
          .slice(0, limit)
          .map((d) => dueView(`第${d.seq}期（${d.periodStart}至${d.periodEnd}）`, d.due, d.expiresAt));
        break;
      }
      case 'phase-summary':
        next = phaseSummaryDeadlines(policy, calendar)
          .filter(after)
          .slice(0, limit)
          .map((s) => dueView(`${s.title}（${s.submittedBy}→${s.recipient}${s.movedFrom ? `；${movedDueText(s)}` : ''}）`, s.due, s.expiresAt));
        break;
      case 'village-chain':
        next = safe(() =>
          campaignMonths(policy).flatMap((m) => {
            const d = villageChainDueDates(policy, m, policy.villageMonthlyChain.enabled && policy.villageMonthlyChain.ifNonWorkingDay !== 'keep' ? calendarFor(calendar, `${m}-01`) : undefined);
            return d ? [dueView(`${m} 村（居）委会报乡镇`, d.village.due, d.village.expiresAt), dueView(`${m} 乡镇报县民政局`, d.township.due, d.township.expiresAt)] : [];
          }),
        )
          .filter((d) => Date.parse(d.expiresAt) > now.getTime() && compareLocalDates(d.due, w.end) <= 0)
          .slice(0, limit);
        break;
      case 'payment-watch': {
        // One deadline per kind and schedule period (monthly 低保, quarterly 特困), within the window, not yet expired.
        next = PAYMENT_KINDS.flatMap((k) =>
          safe(() => {
            const seen = new Set<string>();
            const out = [];
            for (const m of campaignMonths(policy)) {
              if (m < monthKey(today)) continue;
              const p = paymentDeadline(policy, k, `${m}-01`, policy.payments[k].ifNonWorkingDay === 'keep' ? undefined : calendarFor(calendar, `${m}-01`));
              if (seen.has(p.due)) continue;
              seen.add(p.due);
              if (compareLocalDates(p.due, w.end) <= 0 && compareLocalDates(p.due, w.start) >= 0 && after(p)) out.push(dueView(`${PAYMENT_KIND_LABELS[k]}（${monthKey(p.due)}）`, p.due, p.expiresAt));
              if (out.length >= limit) break;
            }
            return out;
          }),
        )
          .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt))
          .slice(0, limit);
        break;
      }
      case 'daily-digest':
        next = [];
        break;
    }
    return { kind, label: CYCLE_KIND_LABELS[kind], nextTickBeijing: tick ? formatChinaDateTime(new Date(tick.atMs)) : null, next };
  });
  const current = new Set(state === 'running' ? phasesOn(policy, today) : []);
  return {
    county: policy.county.name,
    title: policy.campaign.title,
    window: { start: w.start, end: w.end },
    state,
    now: formatChinaDateTime(now),
    phases: policy.campaign.phases.map((p) => ({ id: p.id, title: p.title, ranges: p.ranges.map((r) => ({ ...r })), current: current.has(p.title) || current.has(p.id) })),
    cycles,
    uncoveredYears: uncoveredCampaignYears(policy, calendar),
  };
}

const STATE_ZH = { before: '尚未开始', running: '进行中', ended: '已结束' } as const;

/** The Chinese text `jiuzhu campaign show` prints. */
export function formatCampaignView(v: CampaignView): string {
  const lines = [
    `${v.county}\u3000${v.title}`,
    `专项行动期间：${v.window.start} 至 ${v.window.end}（${STATE_ZH[v.state]}；现在 ${v.now} 北京时间）`,
    '阶段：',
    ...v.phases.map((p) => `  ${p.current ? '▶' : '·'} ${p.title}：${p.ranges.map((r) => `${r.start}至${r.end}`).join('、')}`),
    '周期任务（时间均为北京时间；“截止”为逾期起算时刻）：',
  ];
  for (const c of v.cycles) {
    lines.push(`  ${c.label}（${c.kind}）：下次检查 ${c.nextTickBeijing ?? '无（专项行动已结束）'}`);
    for (const d of c.next) lines.push(`      ${d.label}\u3000应于 ${d.due} 前完成，截止 ${d.expiresAtBeijing}`);
    if (c.kind === 'daily-digest' && c.nextTickBeijing) lines.push('      工作日 08:30 发送待办汇总');
  }
  if (v.state === 'ended') lines.push('提示：专项行动已结束，周期任务不再开启。用 jiuzhu campaign start --preset … --from YYYY-MM-DD --to YYYY-MM-DD 设定新的专项行动期间。');
  if (v.uncoveredYears.length) lines.push(`提示：${v.uncoveredYears.join('、')}年的法定节假日安排尚未录入，按工作日计算的时限暂按周一至周五估算（录入方法见 README “Configuration”：数据目录下的 holiday-overrides.yaml）。`);
  return lines.join('\n');
}
