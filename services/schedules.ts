/**
 * Temporal Schedules of the reporting cycles, created or updated from the
 * county policy at start-up.
 *
 * One schedule per county and cycle kind (`cycles:<code>:<regionId>:<kind>`),
 * so a restart finds and updates the existing one instead of adding another.
 * Each fires once a day in Asia/Shanghai and starts the `cycleTick`
 * workflow, which decides in code (policy + holiday calendar) which run is
 * due and starts it under its natural-key id. The schedule only says "every
 * morning"; 14th/29th, Thursdays, working days and holidays are the tick's
 * business. A schedule whose policy, calendar or task queue changed is
 * updated; one for a cycle the policy no longer has is deleted.
 *
 *   await ensureSchedules(client, policy, countyRegionId, taskQueue, { calendar });
 */
import { createHash } from 'node:crypto';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import { canonicalJson } from '../infra/audit-chain.js';
import { cycleScheduleId, type CycleKind } from '../domain/cycles/ids.js';
import { CYCLE_KINDS, cycleKindsOf, cycleScheduleSpec } from '../domain/cycles/schedule.js';
import type { CountyPolicy } from '../domain/policy/schema.js';
import { createCalendar } from '../domain/time/calendar.js';
import { yearOf } from '../domain/time/local-date.js';
import type { WorkCalendar } from '../domain/time/work-calendar.js';
import type { CycleTickInput, cycleTick } from '../workflows/cycle-tick.js';

export { CYCLE_KINDS, TICK_TIMES, SCHEDULE_TIMEZONE, cycleKindsOf } from '../domain/cycles/schedule.js';

export interface EnsureSchedulesOptions {
  /** Holiday calendar (default: chinese-days data); the campaign's years are handed to the tick. */
  calendar?: WorkCalendar;
}

export interface EnsuredSchedule {
  scheduleId: string;
  kind: CycleKind | null;
  action: 'created' | 'updated' | 'unchanged' | 'deleted';
}

type TickAction = ScheduleOptionsStartWorkflowAction<typeof cycleTick>;

function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

/** The schedule options of one kind (exported for tests and `doctor`). */
export function scheduleOptionsFor(
  policy: CountyPolicy,
  countyRegionId: number,
  taskQueue: string,
  kind: CycleKind,
  calendar: WorkCalendar,
): ScheduleOptions<TickAction> {
  const scheduleId = cycleScheduleId(policy.county.code, countyRegionId, kind);
  const window = policy.campaign.window;
  const calendarData = calendar.sliceData(yearOf(window.start), yearOf(window.end));
  const tickInput: CycleTickInput = { countyRegionId, kind, policy, calendarData };
  // Nothing opens before the campaign starts; the last tick runs on its last day (domain/cycles/schedule.ts,
  // also what `jiuzhu simulate` plays on the time-skipping server).
  const s = cycleScheduleSpec(policy, kind);
  const spec = {
    calendars: [{ hour: s.hour, minute: s.minute, comment: `${policy.county.name} ${kind} tick` }],
    timezone: s.timezone,
    startAt: s.startAt,
    endAt: s.endAt,
  };
  const config = fingerprint({ spec: { ...spec, startAt: spec.startAt.toISOString(), endAt: spec.endAt.toISOString() }, tickInput, taskQueue });
  return {
    scheduleId,
    spec,
    action: {
      type: 'startWorkflow',
      workflowType: 'cycleTick',
      workflowId: `tick:${scheduleId}`,
      taskQueue,
      args: [tickInput],
      memo: { cyclesConfig: config },
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
  };
}

/**
 * Creates the county's cycle schedules, updates those whose configuration
 * changed (policy, calendar, task queue, times) and deletes those of cycles
 * the policy no longer runs. Idempotent: calling it on every start-up is the
 * intended use.
 */
export async function ensureSchedules(
  client: Client,
  policy: CountyPolicy,
  countyRegionId: number,
  taskQueue: string,
  options: EnsureSchedulesOptions = {},
): Promise<EnsuredSchedule[]> {
  const calendar = options.calendar ?? createCalendar();
  const out: EnsuredSchedule[] = [];
  const wanted = new Set(cycleKindsOf(policy));
  for (const kind of CYCLE_KINDS) {
    const scheduleId = cycleScheduleId(policy.county.code, countyRegionId, kind);
    const handle = client.schedule.getHandle(scheduleId);
    let current: Awaited<ReturnType<typeof handle.describe>> | null = null;
    try {
      current = await handle.describe();
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
    if (!wanted.has(kind)) {
      if (current) {
        await handle.delete();
        out.push({ scheduleId, kind, action: 'deleted' });
      }
      continue;
    }
    const opts = scheduleOptionsFor(policy, countyRegionId, taskQueue, kind, calendar);
    if (!current) {
      try {
        await client.schedule.create(opts);
        out.push({ scheduleId, kind, action: 'created' });
        continue;
      } catch (error) {
        // Another instance created it meanwhile: fall through to the update check.
        if (!(error instanceof ScheduleAlreadyRunning)) throw error;
        current = await handle.describe();
      }
    }
    const stored = current.action.type === 'startWorkflow' ? (current.action.memo as Record<string, unknown> | undefined)?.cyclesConfig : undefined;
    if (stored === opts.action.memo?.cyclesConfig) {
      out.push({ scheduleId, kind, action: 'unchanged' });
      continue;
    }
    await handle.update((prev) => ({ ...prev, spec: opts.spec, action: opts.action, policies: { ...prev.policies, ...opts.policies } }));
    out.push({ scheduleId, kind, action: 'updated' });
  }
  return out;
}
