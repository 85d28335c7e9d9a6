/**
 * The small workflow a Temporal Schedule starts every morning (see
 * app/schedules.ts). It decides in code, from the county policy and the
 * holiday calendar it carries, which cycle run is due today, and starts it as
 * an abandoned child with its natural-key id: a second tick the same day, a
 * restarted schedule or a catch-up run finds the run already there and starts
 * nothing. Nothing opens after the campaign window closes.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, log, startChild, type ChildWorkflowOptions } from '@temporalio/workflow';
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
import { createCalendarFromData, type CalendarData } from '../domain/time/work-calendar.js';
import { dailyDigest } from './daily-digest.js';
import { paymentDeadlineWatch } from './payment-deadline-watch.js';
import { progressReportCycle } from './progress-report-cycle.js';
import { villageMonthlyChain } from './village-monthly-chain.js';

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

const childOptions = (workflowId: string): Pick<ChildWorkflowOptions, 'workflowId' | 'parentClosePolicy' | 'workflowIdReusePolicy'> => ({
  workflowId,
  parentClosePolicy: ParentClosePolicy.ABANDON,
  // A finished cycle is never run again for the same period.
  workflowIdReusePolicy: 'REJECT_DUPLICATE',
});

export async function cycleTick(input: CycleTickInput): Promise<CycleTickResult> {
  const today = input.today ?? chinaDateOf(Date.now());
  const calendar = createCalendarFromData(input.calendarData);
  const { policy, countyRegionId } = input;
  const out: CycleTickResult = { today, started: [], existing: [] };

  const start = async (workflowId: string, run: () => Promise<unknown>) => {
    try {
      await run();
      out.started.push(workflowId);
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      out.existing.push(workflowId);
    }
  };

  switch (input.kind) {
    case 'progress': {
      const d = progressCycleToOpen(policy, today, calendar);
      if (!d) break;
      const id = progressCycleWorkflowId(countyRegionId, d.nominal);
      await start(id, () =>
        startChild(progressReportCycle, {
          ...childOptions(id),
          args: [{ countyRegionId, kind: 'progress', period: d.nominal, title: `进展情况报告（第${d.seq}期）`, due: d.due, expiresAt: d.expiresAt.toISOString(), periodStart: d.periodStart, periodEnd: d.periodEnd, policy }],
        }),
      );
      break;
    }
    case 'phase-summary': {
      const s = phaseSummaryToOpen(policy, today);
      if (!s) break;
      const id = phaseSummaryWorkflowId(countyRegionId, s.id);
      await start(id, () =>
        startChild(progressReportCycle, {
          ...childOptions(id),
          args: [{ countyRegionId, kind: 'phase-summary', period: s.id, title: s.title, due: s.due, expiresAt: s.expiresAt.toISOString(), policy }],
        }),
      );
      break;
    }
    case 'village-chain': {
      const c = villageChainToOpen(policy, today, calendar);
      if (!c) break;
      const id = villageChainWorkflowId(countyRegionId, c.month);
      await start(id, () =>
        startChild(villageMonthlyChain, {
          ...childOptions(id),
          args: [{ countyRegionId, month: c.month, village: { due: c.village.due, expiresAt: c.village.expiresAt.toISOString() }, township: { due: c.township.due, expiresAt: c.township.expiresAt.toISOString() }, policy }],
        }),
      );
      break;
    }
    case 'payment-watch': {
      for (const p of paymentWatchesToOpen(policy, today, calendar)) {
        const id = paymentWatchWorkflowId(countyRegionId, p.kind, p.periodMonth);
        await start(id, () =>
          startChild(paymentDeadlineWatch, {
            ...childOptions(id),
            args: [{ countyRegionId, kind: p.kind, periodMonth: p.periodMonth, due: p.due, expiresAt: p.expiresAt.toISOString(), policy }],
          }),
        );
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
      await start(id, () => startChild(dailyDigest, { ...childOptions(id), args: [{ countyRegionId, date: today }] }));
      break;
    }
  }
  return out;
}
