/**
 * `jiuzhu campaign start` against the run's database and Temporal dev server: the service's
 * schedules of a stale 2024 campaign have no next run; setting the campaign updates them in place
 * (no restart) so they fire in the future; the change is audited; an overlapping window and a window
 * that ends before it starts are refused in Chinese; `campaign show --json` shows the stored one.
 * The dev server runs in real time, so the window is placed around the real now here (the pure
 * placement is tested with pinned dates in test/unit/campaign.test.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCampaignShow, runCampaignStart, runPolicyInit } from '../../app/commands/campaign.js';
import { loadConfig } from '../../infra/config.js';
import { ensureSchedules } from '../../services/schedules.js';
import { cycleScheduleId } from '../../domain/cycles/ids.js';
import { loadPolicyYaml, presets } from '../../domain/policy/load.js';
import { addCalendarDays } from '../../domain/time/local-date.js';
import { toChinaDate } from '../../domain/time/instants.js';
import { policyToCommentedYaml } from '../../domain/policy/document.js';
import { testCalendar, testCalendarYears, writeFixtureHolidayOverrides } from '../support/clock.js';
import { createTestCounty } from '../support/county.js';
import { connectDevServer, uniqueTaskQueue, useTemporalTestContext } from '../support/temporal.js';
import { testDatabaseUrl } from '../support/database.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-campaign-'));
// The dev server's today is the machine's: the years around it get fixture holiday data where none is shipped.
const realYears = testCalendarYears(new Date().getUTCFullYear());
writeFixtureHolidayOverrides(dataDir, realYears);
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (d: Buffer) => out.push(d.toString()));
  stderr.on('data', (d: Buffer) => err.push(d.toString()));
  return { io: { stdout, stderr }, out: () => out.join(''), err: () => err.join('') };
}

describe('campaign start on a running service', () => {
  const ctx = useTemporalTestContext(connectDevServer);

  it('moves the schedules of a stale campaign into the future without a restart, audited; refuses overlaps and reversed windows', async () => {
    const county = await createTestCounty(ctx.prisma, { townships: 1, villagesPerTownship: 0 });
    const code = `zz${county.countyId}`;
    // The county's own policy file: the Zhangzi preset for this test county (what `policy init` writes, edited).
    const base = { ...structuredClone(presets.zhangzi), county: { ...presets.zhangzi.county, code, name: county.countyName } };
    const policyFile = path.join(dataDir, 'policy-test.yaml');
    fs.writeFileSync(policyFile, policyToCommentedYaml(loadPolicyYaml(JSON.stringify(base))));
    const taskQueue = uniqueTaskQueue('campaign');
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: testDatabaseUrl(),
      TEMPORAL_ADDRESS: inject('temporalDevAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      JIUZHU_DATA_DIR: dataDir,
    });
    // The run's payload key (test/support/temporal.ts), where the service keeps its own.
    fs.writeFileSync(path.join(dataDir, 'payload.key'), `${Buffer.alloc(32, 7).toString('base64')}\n`, { mode: 0o600 });
    const stale = loadPolicyYaml(fs.readFileSync(policyFile, 'utf8'));
    const calendar = testCalendar(realYears);
    // What `npm start` did before: the 2024 window as it is.
    await ensureSchedules(ctx.env.client, stale, county.countyId, taskQueue, { calendar });
    const progressId = cycleScheduleId(code, county.countyId, 'progress');
    const ids = ['progress', 'phase-summary', 'village-chain', 'payment-watch', 'daily-digest'].map((k) => cycleScheduleId(code, county.countyId, k as 'progress'));
    try {
      expect((await ctx.env.client.schedule.getHandle(progressId).describe()).info.nextActionTimes).toEqual([]);

      const today = toChinaDate(new Date());
      const from = addCalendarDays(today, -10);
      const to = addCalendarDays(today, 200);
      const started = io();
      expect(await runCampaignStart(config, { policy: policyFile, from, to, actor: 'test:campaign' }, started.io)).toBe(0);
      expect(started.out()).toContain(`已设定${county.countyName}专项行动`);
      expect(started.out()).toMatch(/运行中的服务（.*）已更新周期任务：progress updated/);
      for (const id of ids) {
        const d = await ctx.env.client.schedule.getHandle(id).describe();
        expect(d.info.nextActionTimes.length).toBeGreaterThan(0);
        expect(d.info.nextActionTimes[0]!.getTime()).toBeGreaterThan(Date.now());
      }

      const row = await ctx.prisma.campaign.findFirstOrThrow({ where: { countyCode: code } });
      const audit = await ctx.prisma.auditEntry.findFirstOrThrow({ where: { action: 'campaign.start', subjectType: 'Campaign', subjectId: String(row.id) } });
      expect(audit.actor).toBe('test:campaign');
      expect(audit.payload).toMatchObject({ countyCode: code, window: { start: from, end: to } });

      // Overlap: refused, nothing written.
      const overlap = io();
      expect(await runCampaignStart(config, { policy: policyFile, from: addCalendarDays(to, -5), to: addCalendarDays(to, 100), noSchedules: true }, overlap.io)).toBe(2);
      expect(overlap.err()).toContain('与已登记的专项行动重叠');
      expect(overlap.err()).toContain('--replace');
      expect(await ctx.prisma.campaign.count({ where: { countyCode: code } })).toBe(1);

      // Reversed window: refused before anything is read or written.
      const reversed = io();
      expect(await runCampaignStart(config, { policy: policyFile, from: to, to: from, noSchedules: true }, reversed.io)).toBe(2);
      expect(reversed.err()).toContain(`--to 结束日期 ${from} 早于 --from 开始日期 ${to}`);

      // campaign show --json: the stored campaign, running, with due instants after now.
      fs.copyFileSync(policyFile, path.join(dataDir, 'policy.yaml'));
      const shown = io();
      expect(await runCampaignShow(config, { json: true }, shown.io)).toBe(0);
      const view = JSON.parse(shown.out()) as { window: unknown; state: string; stored: { id: number }; cycles: Array<{ kind: string; next: Array<{ expiresAt: string }> }> };
      expect(view.window).toEqual({ start: from, end: to });
      expect(view.state).toBe('running');
      expect(view.stored.id).toBe(row.id);
      const progress = view.cycles.find((c) => c.kind === 'progress')!;
      expect(Date.parse(progress.next[0]!.expiresAt)).toBeGreaterThan(Date.now());
      fs.rmSync(path.join(dataDir, 'policy.yaml'));
    } finally {
      for (const id of ids) await ctx.env.client.schedule.getHandle(id).delete().catch(() => {});
    }
  });

  it('policy init writes a file that loads back, and will not overwrite one', async () => {
    const out = path.join(dataDir, 'init.yaml');
    const a = io();
    expect(await runPolicyInit(loadConfig({ ...process.env, JIUZHU_DATA_DIR: dataDir }), { preset: 'wenshui', out }, a.io)).toBe(0);
    expect(loadPolicyYaml(fs.readFileSync(out, 'utf8'))).toEqual(presets.wenshui);
    const b = io();
    expect(await runPolicyInit(loadConfig({ ...process.env, JIUZHU_DATA_DIR: dataDir }), { preset: 'wenshui', out }, b.io)).toBe(2);
    expect(b.err()).toContain('已存在');
    const c = io();
    expect(await runPolicyInit(loadConfig({ ...process.env, JIUZHU_DATA_DIR: dataDir }), { preset: 'nowhere', out: '-' }, c.io)).toBe(2);
    expect(c.err()).toContain('未知的县代码');
  });
});
