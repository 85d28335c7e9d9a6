import { describe, expect, it } from 'vitest';
import { cycleKindsOf, cycleScheduleSpec, cycleTickInstants, TICK_TIMES } from '../../domain/cycles/schedule.js';
import { presets } from '../../domain/policy/load.js';
import { scheduleOptionsFor } from '../../services/schedules.js';
import { createCalendar } from '../../domain/time/calendar.js';
import { chinaInstant } from '../../domain/time/instants.js';

const shanghai = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('cycle schedule instants (shared by ensureSchedules and simulate)', () => {
  const zhangzi = presets.zhangzi; // campaign 2024-04-01 … 2024-10-31, village chain on
  const wenshui = presets.wenshui; // no village chain

  it('ensureSchedules hands Temporal exactly the shared spec', () => {
    for (const kind of cycleKindsOf(zhangzi)) {
      const spec = cycleScheduleSpec(zhangzi, kind);
      const opts = scheduleOptionsFor(zhangzi, 42, 'q', kind, createCalendar());
      expect(opts.spec.calendars).toEqual([expect.objectContaining({ hour: spec.hour, minute: spec.minute })]);
      expect(opts.spec.timezone).toBe('Asia/Shanghai');
      expect(opts.spec.startAt).toEqual(chinaInstant('2024-04-01'));
      expect(opts.spec.endAt).toEqual(chinaInstant('2024-11-01'));
      expect(spec.startAt).toEqual(opts.spec.startAt);
    }
  });

  it('fires every kind once a day at its Asia/Shanghai tick time, within the campaign only', () => {
    const all = cycleTickInstants(zhangzi, chinaInstant('2024-03-30').getTime(), chinaInstant('2024-11-03').getTime());
    const days = 214; // April–October 2024
    expect(all).toHaveLength(days * 5);
    expect(shanghai(all[0]!.atMs)).toBe('2024-04-01 00:05');
    expect(all[0]!.kind).toBe('payment-watch');
    expect(all.slice(0, 5).map((t) => `${t.kind} ${shanghai(t.atMs)}`)).toEqual([
      'payment-watch 2024-04-01 00:05',
      'progress 2024-04-01 07:00',
      'phase-summary 2024-04-01 07:10',
      'village-chain 2024-04-01 07:20',
      'daily-digest 2024-04-01 08:30',
    ]);
    expect(shanghai(all.at(-1)!.atMs)).toBe('2024-10-31 08:30');
    for (const t of all) {
      const { hour, minute } = TICK_TIMES[t.kind];
      expect(shanghai(t.atMs)).toBe(`${t.date} ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`);
    }
    // Sorted by time.
    expect(all.every((t, i) => i === 0 || all[i - 1]!.atMs <= t.atMs)).toBe(true);
  });

  it('honours the requested range (half-open) and the policy kinds', () => {
    const from = chinaInstant('2024-05-14', '07:00').getTime();
    const to = chinaInstant('2024-05-15', '07:00').getTime();
    const got = cycleTickInstants(zhangzi, from, to).map((t) => `${t.kind} ${shanghai(t.atMs)}`);
    expect(got).toEqual(['progress 2024-05-14 07:00', 'phase-summary 2024-05-14 07:10', 'village-chain 2024-05-14 07:20', 'daily-digest 2024-05-14 08:30', 'payment-watch 2024-05-15 00:05']);
    const w = cycleTickInstants(wenshui, chinaInstant('2024-04-01').getTime(), chinaInstant('2024-04-02').getTime());
    expect(w.map((t) => t.kind)).toEqual(['payment-watch', 'progress', 'phase-summary', 'daily-digest']);
    expect(cycleTickInstants(zhangzi, chinaInstant('2024-11-01').getTime(), chinaInstant('2024-12-01').getTime())).toEqual([]);
  });
});
