// `jiuzhu simulate` starts a tick only when it would start a run no earlier tick started
// (demo/rehearsal/run.ts `runsOpenedByTick`). That planner must name exactly the runs the real
// `cycleTick` workflow asks `startCycleRun` for: checked here on days where each kind opens something
// and days where it does not (holidays, weekends, month ends, the last day, after the campaign).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CycleActivities } from '../../../activities/cycles.js';
import { runsOpenedByTick } from '../../../demo/rehearsal/run.js';
import { policyForYear } from '../../../demo/rehearsal/policy.js';
import type { CycleKind } from '../../../domain/cycles/index.js';
import { presets } from '../../../domain/policy/load.js';
import { createCalendar } from '../../../domain/time/calendar.js';
import { createCalendarFromData } from '../../../domain/time/work-calendar.js';
import type { cycleTick } from '../../../workflows/cycle-tick.js';
import { connectTimeSkipping } from '../../support/temporal.js';
import { callArgs, completedResult, mockActivities, mockedWorker } from './support.js';

const KINDS: CycleKind[] = ['payment-watch', 'progress', 'phase-summary', 'village-chain', 'daily-digest'];
const DATES = ['2026-04-01', '2026-04-04', '2026-04-10', '2026-05-01', '2026-05-13', '2026-05-14', '2026-05-15', '2026-06-14', '2026-06-15', '2026-07-01', '2026-07-10', '2026-07-11', '2026-09-30', '2026-10-01', '2026-10-09', '2026-10-14', '2026-10-31', '2026-11-01'];

describe('rehearsal: the runs a tick opens (mocked startCycleRun, time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await connectTimeSkipping();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('names the same runs as the cycleTick workflow, every kind, on opening and idle days', async () => {
    const { policy } = policyForYear(presets.zhangzi, '2026-04-01');
    const calendarData = createCalendar().sliceData(2026, 2026);
    const calendar = createCalendarFromData(calendarData);
    const acts = mockActivities<Pick<CycleActivities, 'startCycleRun'>>({ startCycleRun: async () => ({ started: true }) });
    const { worker, taskQueue } = await mockedWorker(env, 'rehearsal-ticks', acts);
    let seq = 0;
    const expected: string[][] = [];
    const actual: string[][] = [];
    await worker.runUntil(async () => {
      for (const kind of KINDS) {
        for (const today of DATES) {
          const before = acts.startCycleRun.mock.calls.length;
          const h = await env.client.workflow.start<typeof cycleTick>('cycleTick', { taskQueue, workflowId: `rehearsal-tick:${seq++}:${taskQueue}`, args: [{ countyRegionId: 7, kind, policy, calendarData, today }] });
          await completedResult(env, h);
          actual.push([kind, today, ...callArgs(acts.startCycleRun).slice(before).map((c) => c.workflowId)]);
          expected.push([kind, today, ...runsOpenedByTick(policy, 7, kind, today, calendar)]);
        }
      }
    });
    expect(actual).toEqual(expected);
    // Both kinds of day are covered: some ticks open runs, some open none.
    expect(expected.some((e) => e.length > 2)).toBe(true);
    expect(expected.some((e) => e.length === 2)).toBe(true);
  });
});
