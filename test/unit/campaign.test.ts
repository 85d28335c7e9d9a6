/**
 * Campaign set-up, pure parts: the window move (shared with the rehearsal), the demo county's
 * campaign around a pinned `today`, `campaign show`'s view, the commented policy.yaml. No clock read.
 */
import { describe, expect, it } from 'vitest';
import { scheduleOptionsFor } from '../../services/schedules.js';
import { campaignView, formatCampaignView } from '../../domain/cycles/campaign.js';
import { cycleKindsOf, cycleTickInstants } from '../../domain/cycles/schedule.js';
import { progressCycleToOpen } from '../../domain/cycles/plan.js';
import { policyToCommentedYaml } from '../../domain/policy/document.js';
import { loadPolicyYaml, presets } from '../../domain/policy/load.js';
import { demoCampaignPolicy, policyForWindow, shiftDateByMonths } from '../../domain/policy/shift.js';
import { createCalendar } from '../../domain/time/calendar.js';
import { chinaInstant, toChinaDate } from '../../domain/time/instants.js';
import { diffCalendarDays } from '../../domain/time/local-date.js';
import { holidayDataWarnings } from '../../services/campaign.js';

const calendar = createCalendar();

describe('policyForWindow: the dated rules move with the window', () => {
  it('moves a preset by whole years like the rehearsal (same window next year)', () => {
    const { policy, movedMonths, notes } = policyForWindow(presets.zhangzi, { start: '2027-04-01', end: '2027-10-31' });
    expect(movedMonths).toBe(36);
    expect(policy.campaign.window).toEqual({ start: '2027-04-01', end: '2027-10-31' });
    expect(policy.progressReport.firstDue).toBe('2027-05-14');
    expect(policy.phaseSummaries.map((s) => s.due)).toEqual(['2027-07-14', '2027-10-14']);
    expect(policy.campaign.phases.map((p) => p.ranges)).toEqual([
      [{ start: '2027-04-01', end: '2027-04-30' }],
      [{ start: '2027-04-01', end: '2027-10-31' }],
      [{ start: '2027-07-01', end: '2027-10-31' }],
    ]);
    expect(notes).toEqual([]);
    // Everything that is not a date is untouched.
    expect(policy.deadlines).toEqual(presets.zhangzi.deadlines);
  });

  it('moves by months for a window starting in another month; a month end stays a month end', () => {
    const { policy, movedMonths } = policyForWindow(presets.wenshui, { start: '2026-11-01', end: '2027-05-31' });
    expect(movedMonths).toBe(31);
    expect(policy.phaseSummaries.map((s) => s.due)).toEqual(['2027-02-10', '2027-05-10']);
    expect(policy.campaign.phases[0]!.ranges).toEqual([{ start: '2026-11-01', end: '2026-12-31' }]);
    expect(shiftDateByMonths('2024-04-30', 1)).toBe('2024-05-31');
    expect(shiftDateByMonths('2024-02-29', 12)).toBe('2025-02-28');
  });

  it('a shorter window drops the summaries outside it and says so', () => {
    const { policy, notes } = policyForWindow(presets.zhangzi, { start: '2027-04-01', end: '2027-08-31' });
    expect(policy.phaseSummaries.map((s) => s.due)).toEqual(['2027-07-14']);
    expect(policy.campaign.phases.find((p) => p.id === 'summary')!.ranges).toEqual([{ start: '2027-07-01', end: '2027-08-31' }]);
    expect(notes.join('\n')).toMatch(/2027-10-14 不在新的期间内/);
  });

  it('refuses a window that ends before it starts, in Chinese with what to do', () => {
    expect(() => policyForWindow(presets.zhangzi, { start: '2027-06-01', end: '2027-01-01' })).toThrow(/--to 结束日期 2027-01-01 早于 --from 开始日期 2027-06-01。请把 --to 改为不早于 2027-06-01/);
    expect(() => policyForWindow(presets.zhangzi, { start: '2027-02-30', end: '2027-06-01' })).toThrow(/--from 开始日期“2027-02-30”无效/);
  });

  it('warns about years without holiday data, naming the estimated limits and how to load the notice', () => {
    const covered = Math.max(...calendar.coveredYears);
    const y = covered + 1;
    const { policy } = policyForWindow(presets.zhangzi, { start: `${y}-04-01`, end: `${y}-10-31` });
    const text = holidayDataWarnings(policy, calendar).join('\n');
    expect(text).toContain(`${y}年`);
    expect(text).toContain('低保审核确认总时限（自受理之日起）（dibao-overall，30个工作日）');
    expect(text).toContain('holiday-overrides.yaml');
    const inside = policyForWindow(presets.zhangzi, { start: `${covered}-04-01`, end: `${covered}-10-31` }).policy;
    expect(holidayDataWarnings(inside, calendar)).toEqual([]);
  });
});

describe('the demo county campaign around its today', () => {
  for (const today of ['2026-12-07', '2027-03-20', '2026-06-30']) {
    for (const preset of ['zhangzi', 'wenshui'] as const) {
      it(`${preset}, today ${today}: live schedules with a future next run, first report due within 14 days`, () => {
        const policy = demoCampaignPolicy(presets[preset], today);
        const now = chinaInstant(today, '10:00');
        expect(policy.campaign.window.start <= today && today <= policy.campaign.window.end).toBe(true);
        for (const kind of cycleKindsOf(policy)) {
          const opts = scheduleOptionsFor(policy, 1, 'q', kind, calendar);
          expect(opts.spec.endAt!.getTime()).toBeGreaterThan(now.getTime() + 30 * 86_400_000);
          // What `temporal schedule describe` shows as the next run: in the future, within a day.
          const next = cycleTickInstants(policy, now.getTime(), now.getTime() + 2 * 86_400_000, [kind])[0]!;
          expect(next.atMs).toBeGreaterThan(now.getTime());
          expect(next.atMs - now.getTime()).toBeLessThanOrEqual(86_400_000);
        }
        const first = progressCycleToOpen(policy, today, calendar)!;
        expect(first).not.toBeNull();
        expect(diffCalendarDays(today, first.due)).toBeGreaterThanOrEqual(0);
        expect(diffCalendarDays(today, first.due)).toBeLessThanOrEqual(14);
        // The original preset on the same day: nothing at all.
        expect(progressCycleToOpen(presets[preset], today, calendar)).toBeNull();
      });
    }
  }
});

describe('campaign show', () => {
  it('lists the window, the current phase and each cycle with its next due instants in Beijing time', () => {
    const policy = policyForWindow(presets.zhangzi, { start: '2026-04-01', end: '2026-10-31' }).policy;
    const now = chinaInstant('2026-05-10', '09:00');
    const v = campaignView(policy, now, calendar);
    expect(v.state).toBe('running');
    expect(v.phases.filter((p) => p.current).map((p) => p.id)).toEqual(['rectification']);
    const progress = v.cycles.find((c) => c.kind === 'progress')!;
    expect(progress.next[0]!.due).toBe('2026-05-14');
    expect(progress.next[0]!.expiresAtBeijing).toBe('2026-05-15 00:00');
    expect(progress.nextTickBeijing).toBe('2026-05-11 07:00');
    expect(v.cycles.find((c) => c.kind === 'phase-summary')!.next.map((d) => d.due)).toEqual(['2026-07-14', '2026-10-14']);
    expect(v.cycles.find((c) => c.kind === 'village-chain')!.next[0]!.due).toBe('2026-05-20');
    expect(v.cycles.find((c) => c.kind === 'payment-watch')!.next[0]).toMatchObject({ label: '城乡低保金（2026-05）', due: '2026-05-10', expiresAtBeijing: '2026-05-11 00:00' });
    const pay = v.cycles.find((c) => c.kind === 'payment-watch')!.next;
    expect(pay.map((d) => `${d.label} ${d.due}`)).toEqual(['城乡低保金（2026-05） 2026-05-10', '城乡低保金（2026-06） 2026-06-10', '城乡低保金（2026-07） 2026-07-10']);
    const wide = campaignView(policy, now, calendar, 6).cycles.find((c) => c.kind === 'payment-watch')!.next;
    expect(wide.map((d) => d.label)).toContain('分散供养特困人员救助供养金（2026-07）');
    expect(new Set(wide.map((d) => d.label)).size).toBe(wide.length);
    const text = formatCampaignView(v);
    expect(text).toContain('专项行动期间：2026-04-01 至 2026-10-31（进行中');
    expect(text).toContain('▶ 整治阶段');
    expect(toChinaDate(now)).toBe('2026-05-10');
    const ended = formatCampaignView(campaignView(presets.zhangzi, now, calendar));
    expect(ended).toContain('已结束');
    expect(ended).toContain('jiuzhu campaign start');
  });
});

describe('policy init', () => {
  for (const code of ['zhangzi', 'wenshui'] as const) {
    it(`${code}: a commented policy.yaml that loads back to the same policy`, () => {
      const text = policyToCommentedYaml(presets[code]);
      expect(loadPolicyYaml(text)).toEqual(presets[code]);
      // Every setting line is preceded by a comment (a key line right after a comment line or a list item).
      const lines = text.split('\n');
      const keyLines = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^\s*[A-Za-z][\w-]*:/.test(l));
      const uncommented = keyLines.filter(({ i }) => !lines[i - 1]!.trim().startsWith('#') && !/^\s*-/.test(lines[i - 1]!) && !/^\s*- /.test(lines[i]!));
      // Keys of a map inside a list item follow the item's first key: allow those, nothing else.
      expect(uncommented.filter(({ l }) => !/^\s{2,}(start|end|code|title|level|afterHours|ranges|subtypes|inclusive|submittedBy|recipient|due)/.test(l))).toEqual([]);
      expect(text).toContain('# 专项行动期间');
      expect(text).toContain('出处 / source: 《最低生活保障审核确认办法》（民发〔2021〕57号）第二十二条');
      expect(text).toContain('本县自定 / county choice');
    });
  }
});
