/**
 * The small workflow a Temporal Schedule starts every morning (see
 * services/schedules.ts). It decides in code, from the county policy and the
 * holiday calendar it carries, which cycle run is due today, and starts it as
 * a workflow of its own (through an activity) with its natural-key id: a second tick the same day, a
 * restarted schedule or a catch-up run finds the run already there and starts
 * nothing. Nothing opens after the campaign window closes.
 */
import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { CycleActivities } from '../activities/cycles.js';
import {
  chinaDateOf,
  dailyDigestWorkflowId,
  digestDue,
  paymentWatchesToOpen,
  paymentWatchWorkflowId,
  phaseSummaryToOpen,
  phaseSummaryWorkflowId,
  progressCycleToOpen,
  progressCycleWorkflowId,
  villageChainToOpen,
  villageChainWorkflowId,
  type CycleKind,
} from '../domain/cycles/index.js';
import type { CountyPolicy } from '../domain/policy/schema.js';
import { movedDueText } from '../domain/policy/compute.js';
import { createCalendarFromData, type CalendarData } from '../domain/time/work-calendar.js';
import type { DailyDigestInput } from './daily-digest.js';
import type { PaymentWatchInput } from './payment-deadline-watch.js';
import type { ProgressCycleInput } from './progress-report-cycle.js';
import type { VillageChainInput } from './village-monthly-chain.js';

const { startCycleRun } = proxyActivities<CycleActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export interface CycleTickInput {
  countyRegionId: number;
  kind: CycleKind;
  policy: CountyPolicy;
  /** Holiday data for the campaign's years (built outside the workflow). */
  calendarData: CalendarData;
  /** Overrides today's date (tests and manual runs); default: today in Asia/Shanghai, workflow time. */
  today?: string;
}

export interface CycleTickResult {
  today: string;
  /** Workflow ids started by this tick. */
  started: string[];
  /** Workflow ids that already existed (running or finished). */
  existing: string[];
  note?: string;
}

export async function cycleTick(input: CycleTickInput): Promise<CycleTickResult> {
  const today = input.today ?? chinaDateOf(Date.now());
  const calendar = createCalendarFromData(input.calendarData);
  const { policy, countyRegionId } = input;
  const out: CycleTickResult = { today, started: [], existing: [] };

  type Run =
    | { workflowType: 'progressReportCycle'; args: [ProgressCycleInput] }
    | { workflowType: 'villageMonthlyChain'; args: [VillageChainInput] }
    | { workflowType: 'paymentDeadlineWatch'; args: [PaymentWatchInput] }
    | { workflowType: 'dailyDigest'; args: [DailyDigestInput] };
  const start = async (workflowId: string, run: Run) => {
    const r = await startCycleRun({ workflowId, ...run });
    (r.started ? out.started : out.existing).push(workflowId);
  };

  switch (input.kind) {
    case 'progress': {
      const d = progressCycleToOpen(policy, today, calendar);
      if (!d) break;
      const id = progressCycleWorkflowId(countyRegionId, d.nominal);
      await start(id, {
          workflowType: 'progressReportCycle',
          args: [{ countyRegionId, kind: 'progress', period: d.nominal, title: `进展情况报告（第${d.seq}期${d.movedFrom ? `，${movedDueText(d)}` : ''}）`, due: d.due, expiresAt: d.expiresAt.toISOString(), periodStart: d.periodStart, periodEnd: d.periodEnd, policy }],
        });
      break;
    }
    case 'phase-summary': {
      // A summary due on a holiday moves to the next working day and says so (added after the tick shipped).
      const moves = patched('phase-summary-moves-off-holidays');
      const s = phaseSummaryToOpen(policy, today, moves ? calendar : undefined);
      if (!s) break;
      const id = phaseSummaryWorkflowId(countyRegionId, s.id);
      await start(id, {
          workflowType: 'progressReportCycle',
          args: [{ countyRegionId, kind: 'phase-summary', period: s.id, title: s.movedFrom ? `${s.title}（${movedDueText(s)}）` : s.title, due: s.due, expiresAt: s.expiresAt.toISOString(), policy }],
        });
      break;
    }
    case 'village-chain': {
      const c = villageChainToOpen(policy, today, calendar);
      if (!c) break;
      const id = villageChainWorkflowId(countyRegionId, c.month);
      await start(id, {
          workflowType: 'villageMonthlyChain',
          args: [{ countyRegionId, month: c.month, village: { due: c.village.due, expiresAt: c.village.expiresAt.toISOString() }, township: { due: c.township.due, expiresAt: c.township.expiresAt.toISOString() }, policy }],
        });
      break;
    }
    case 'payment-watch': {
      for (const p of paymentWatchesToOpen(policy, today, calendar)) {
        const id = paymentWatchWorkflowId(countyRegionId, p.kind, p.periodMonth);
        await start(id, {
            workflowType: 'paymentDeadlineWatch',
            args: [{ countyRegionId, kind: p.kind, periodMonth: p.periodMonth, due: p.due, expiresAt: p.expiresAt.toISOString(), policy }],
          });
      }
      break;
    }
    case 'daily-digest': {
      const d = digestDue(policy, today, calendar);
      if (!d.calendarCovered) {
        out.note = `${today.slice(0, 4)}年节假日安排未录入，按周一至周五判断工作日`;
        log.warn('holiday calendar does not cover the year; digest uses Monday–Friday', { today });
      }
      if (!d.due) break;
      const id = dailyDigestWorkflowId(countyRegionId, today);
      await start(id, { workflowType: 'dailyDigest', args: [{ countyRegionId, date: today }] });
      break;
    }
  }
  return out;
}
