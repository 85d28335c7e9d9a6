/**
 * When the cycle schedules fire (pure, shared by `ensureSchedules` and the
 * campaign rehearsal `jiuzhu simulate`, which plays the schedules itself on
 * the time-skipping test server that has none).
 *
 * Each cycle kind has one Temporal Schedule per county: every day at its tick
 * time in Asia/Shanghai, from the campaign's first day 00:00 until the end of
 * its last day. What a tick opens is decided by `cycleTick` (plan.ts).
 */
import type { CountyPolicy } from '../policy/schema.js';
import { addCalendarDays, type LocalDate } from '../time/local-date.js';
import type { CycleKind } from './ids.js';

export const CYCLE_KINDS: readonly CycleKind[] = ['progress', 'phase-summary', 'village-chain', 'payment-watch', 'daily-digest'];

/** When each tick fires, Asia/Shanghai. Payment watches open early (they sleep until the deadline expires). */
export const TICK_TIMES: Record<CycleKind, { hour: number; minute: number }> = {
  'payment-watch': { hour: 0, minute: 5 },
  progress: { hour: 7, minute: 0 },
  'phase-summary': { hour: 7, minute: 10 },
  'village-chain': { hour: 7, minute: 20 },
  'daily-digest': { hour: 8, minute: 30 },
};

export const SCHEDULE_TIMEZONE = 'Asia/Shanghai';

const CHINA_OFFSET_MS = 8 * 3_600_000;

/** `date` 00:00 in Asia/Shanghai (fixed +08:00; China has had no DST since 1991). */
function chinaMidnightMs(date: LocalDate): number {
  return Date.parse(`${date}T00:00:00Z`) - CHINA_OFFSET_MS;
}

/** The cycle kinds a policy runs (the village chain only where it is enabled). */
export function cycleKindsOf(policy: CountyPolicy): CycleKind[] {
  return CYCLE_KINDS.filter((k) => k !== 'village-chain' || policy.villageMonthlyChain.enabled);
}

export interface CycleScheduleSpec {
  kind: CycleKind;
  /** Daily at this time, Asia/Shanghai. */
  hour: number;
  minute: number;
  timezone: typeof SCHEDULE_TIMEZONE;
  /** Nothing fires before the campaign's first day 00:00 … */
  startAt: Date;
  /** … nor after the end of its last day (exclusive). */
  endAt: Date;
}

/** The schedule spec of one cycle kind (what `ensureSchedules` hands to Temporal). */
export function cycleScheduleSpec(policy: CountyPolicy, kind: CycleKind): CycleScheduleSpec {
  const window = policy.campaign.window;
  return {
    kind,
    ...TICK_TIMES[kind],
    timezone: SCHEDULE_TIMEZONE,
    startAt: new Date(chinaMidnightMs(window.start)),
    endAt: new Date(chinaMidnightMs(addCalendarDays(window.end, 1))),
  };
}

export interface TickInstant {
  kind: CycleKind;
  /** Civil date of the tick, Asia/Shanghai. */
  date: LocalDate;
  atMs: number;
}

/**
 * Every instant the county's schedules fire in [fromMs, toMs), in time order
 * (ties in CYCLE_KINDS order), as Temporal would fire them from the specs.
 */
export function cycleTickInstants(policy: CountyPolicy, fromMs: number, toMs: number, kinds: readonly CycleKind[] = cycleKindsOf(policy)): TickInstant[] {
  const out: TickInstant[] = [];
  for (const kind of kinds) {
    const spec = cycleScheduleSpec(policy, kind);
    const lo = Math.max(fromMs, spec.startAt.getTime());
    const hi = Math.min(toMs, spec.endAt.getTime());
    if (lo >= hi) continue;
    const firstDay = new Date(lo + CHINA_OFFSET_MS).toISOString().slice(0, 10);
    for (let date = firstDay; ; date = addCalendarDays(date, 1)) {
      const atMs = chinaMidnightMs(date) + (spec.hour * 60 + spec.minute) * 60_000;
      if (atMs >= hi) break;
      if (atMs >= lo) out.push({ kind, date, atMs });
    }
  }
  const order = new Map(CYCLE_KINDS.map((k, i) => [k, i]));
  return out.sort((a, b) => a.atMs - b.atMs || order.get(a.kind)! - order.get(b.kind)!);
}
