/**
 * `jiuzhu simulate` for five weeks of 文水's weekly progress reports on a
 * small county: the rehearsal starts its own time-skipping server in April
 * 2024, plays the schedules, and synthetic units answer on time, late or
 * never. The timeline and the produced table are checked against the policy.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createPrismaClient } from '../../infra/db/client.js';
import { runRehearsal, type RehearsalResult } from '../../demo/rehearsal/run.js';
import { formatTimeline } from '../../app/commands/simulate.js';
import { chinaDateTimeText, progressCycleWorkflowId } from '../../domain/cycles/index.js';
import { loadPolicy, presets } from '../../domain/policy/load.js';
import { progressReportDueDates, reminderSchedule, escalationSchedule } from '../../domain/policy/compute.js';
import { chinaInstant } from '../../domain/time/instants.js';
import { testDatabaseUrl } from '../support/database.js';

const MINUTE = 60_000;
const FROM = '2024-04-01';
const TO = '2024-05-05';

describe('campaign rehearsal (jiuzhu simulate)', () => {
  const prisma = createPrismaClient(testDatabaseUrl());
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-simulate-test-'));
  afterAll(async () => {
    await prisma.$disconnect();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('runs five weeks: every progress deadline at its Asia/Shanghai instant, the silent unit escalated once per level and missing in the table, the punctual unit never reminded', async () => {
    // Weekly, Thursday 12:00; campaign 2024-04-01 … 2024-10-31. The literal reading (a holiday Thursday kept),
    // so the five Thursdays are five deadlines; the move to the next working day is tested in test/unit/policy.test.ts.
    const policy = loadPolicy({ ...structuredClone(presets.wenshui), progressReport: { ...structuredClone(presets.wenshui.progressReport), ifNonWorkingDay: 'keep' } });
    const r: RehearsalResult = await runRehearsal({
      policy,
      from: FROM,
      to: TO,
      seed: 7,
      outDir: out,
      deaths: 6,
      // Found late (85 days after the death): the 3-month deadline falls within the five weeks.
      deathLagDays: 85,
      county: 'small',
      databaseUrl: testDatabaseUrl(),
      testServerPath: path.join(path.dirname(inject('temporalTestServerPath')), 'temporal-test-server-at'),
      workflowBundlePath: inject('workflowBundlePath'),
    });
    const county = r.county.countyRegionId;
    const units = await prisma.reportingUnit.findMany({ where: { countyRegionId: county }, orderBy: { id: 'asc' } });
    expect(units.map((u) => u.kind)).toEqual(['SECTION', 'SECTION', 'SECTION', 'SECTION']);
    const byBehaviour = (b: string) => units.filter((u) => r.behaviours.units[u.name] === b);
    const [never] = byBehaviour('never');
    const [late] = byBehaviour('late');
    const onTime = byBehaviour('onTime');
    expect(never && late && onTime.length > 0).toBeTruthy();

    // The deadlines of the period, from the policy.
    const fromMs = chinaInstant(FROM).getTime();
    const toMs = chinaInstant('2024-05-06').getTime();
    const dues = progressReportDueDates(policy).filter((d) => d.expiresAt.getTime() >= fromMs && d.expiresAt.getTime() < toMs);
    expect(dues.map((d) => chinaDateTimeText(d.expiresAt.getTime()))).toEqual(['2024-04-04 12:00', '2024-04-11 12:00', '2024-04-18 12:00', '2024-04-25 12:00', '2024-05-02 12:00']);
    expect(r.summary.cycles).toBe(dues.length);
    expect(r.summary.due).toBe(dues.length * units.length);

    const notes = await prisma.notification.findMany({ where: { workflowId: { startsWith: `progress:${county}:` } }, orderBy: { id: 'asc' } });
    for (const d of dues) {
      const wf = progressCycleWorkflowId(county, d.nominal);
      const exp = d.expiresAt.getTime();
      // Due in the timeline at the cut-off, and the aggregate to the 专班 office then.
      expect(r.timeline.filter((e) => e.type === 'due' && e.workflowId === wf).map((e) => e.local)).toEqual([chinaDateTimeText(exp)]);
      const agg = notes.find((n) => n.dedupeKey === `${wf}:aggregate`)!;
      expect(agg.sentAt.getTime()).toBeGreaterThanOrEqual(exp);
      expect(agg.sentAt.getTime()).toBeLessThan(exp + MINUTE);
      expect(agg.text).toContain(`未报单位：`);
      expect(agg.text).toContain(never!.name);
      const cycle = await prisma.reportCycle.findUniqueOrThrow({ where: { workflowId: wf }, include: { submissions: true } });
      expect(cycle.dueAt.getTime()).toBe(exp);

      // The silent unit: every reminder after the cycle opened, each escalation level exactly once, at its instant.
      const mine = (u: number) => notes.filter((n) => n.workflowId === wf && n.dedupeKey.endsWith(`:unit:${u}`));
      for (const rem of reminderSchedule(policy, d.due)) {
        const got = mine(never!.id).filter((n) => n.dedupeKey === `${wf}:reminder:${rem.daysBefore}:unit:${never!.id}`);
        expect(got.length, `reminder ${rem.daysBefore} ${wf}`).toBe(rem.at.getTime() >= cycle.openedAt.getTime() ? 1 : 0);
        if (got[0]) expect(chinaDateTimeText(got[0].sentAt.getTime())).toBe(chinaDateTimeText(rem.at.getTime()));
      }
      for (const esc of escalationSchedule(policy, d.expiresAt)) {
        const got = mine(never!.id).filter((n) => n.dedupeKey === `${wf}:escalation:${esc.level}:unit:${never!.id}`);
        expect(got, `${esc.level} ${wf}`).toHaveLength(1);
        expect(chinaDateTimeText(got[0]!.sentAt.getTime())).toBe(chinaDateTimeText(esc.at.getTime()));
        expect(r.timeline.filter((e) => e.type === 'escalation' && e.workflowId === wf && e.subject === never!.name && e.local === chinaDateTimeText(esc.at.getTime()))).toHaveLength(1);
      }
      // The punctual units: never reminded nor escalated; submitted on time. The late one: after the cut-off.
      for (const u of onTime) expect(mine(u.id).map((n) => n.kind)).toEqual(['reportPrompt']);
      const subs = new Map(cycle.submissions.map((s) => [s.unitId, s]));
      for (const u of onTime) expect(subs.get(u.id)?.late).toBe(false);
      expect(subs.get(late!.id)?.late).toBe(true);
      expect(subs.has(never!.id)).toBe(false);
      expect(mine(late!.id).some((n) => n.dedupeKey === `${wf}:escalation:assignee:unit:${late!.id}`)).toBe(true);
    }
    expect(r.summary.onTime).toBe(dues.length * onTime.length);
    const silent = byBehaviour('never').length;
    const tardy = byBehaviour('late').length;
    expect(silent + tardy + onTime.length).toBe(units.length);
    expect(r.summary.late).toBe(dues.length * tardy);
    expect(r.summary.never).toBe(dues.length * silent);
    expect(r.summary.escalated).toBe(dues.length * (silent + tardy));
    expect(r.summary.reminded).toBe(dues.length * (silent + tardy));

    // The statutory table of the period: the silent unit 未报送 in every cycle, the late one marked late.
    expect(r.tables).toHaveLength(1);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(r.tables[0]!);
    const rows: string[][] = [];
    wb.worksheets[0]!.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
    const rowsOf = (name: string) => rows.filter((cells) => cells.includes(name));
    expect(rowsOf(never!.name).filter((cells) => cells.includes('未报送'))).toHaveLength(dues.length);
    expect(rowsOf(late!.name).filter((cells) => cells.includes('是')).length).toBeGreaterThanOrEqual(dues.length);
    expect(rowsOf(onTime[0]!.name).some((cells) => cells.includes('未报送'))).toBe(false);

    // Planted deaths opened their reviews; each caseworker acted after its behaviour.
    expect(r.summary.deaths).toBe(6);
    const deaths = r.timeline.filter((e) => e.type === 'death');
    expect(deaths).toHaveLength(6);
    const counted = { onTime: 0, late: 0, never: 0 };
    for (const d of deaths) {
      const c = await prisma.case.findUniqueOrThrow({ where: { workflowId: d.workflowId! } });
      const assignee = await prisma.staff.findUniqueOrThrow({ where: { id: c.assigneeStaffId! } });
      const township = await prisma.region.findUniqueOrThrow({ where: { id: assignee.regionId } });
      const b = r.behaviours.caseworkers[`${township.name}${assignee.name}`]!;
      counted[b]++;
      const decided = r.timeline.filter((e) => e.type === 'decided' && e.workflowId === c.workflowId);
      const ladder = await prisma.notification.findMany({ where: { caseId: c.id, kind: { in: ['reminder', 'escalation'] } } });
      expect(ladder.length, c.workflowId).toBeGreaterThan(0);
      expect(new Set(ladder.map((n) => n.dedupeKey)).size).toBe(ladder.length);
      if (b === 'never') expect(decided).toHaveLength(0);
      else {
        expect(decided, c.workflowId).toHaveLength(1);
        expect(Date.parse(decided[0]!.at) < c.dueAt!.getTime()).toBe(b === 'onTime');
        // Decided on time: reminded, never escalated.
        if (b === 'onTime') expect(ladder.every((n) => n.kind === 'reminder')).toBe(true);
        // An over-payment is confirmed by someone other than the decider before it is recovered; nothing refused.
        const mine = r.timeline.filter((e) => e.workflowId === c.workflowId);
        expect(mine.filter((e) => e.type === 'refused'), c.workflowId).toEqual([]);
        const recovered = mine.findIndex((e) => e.type === 'recovered');
        const confirmed = mine.findIndex((e) => e.type === 'confirmed');
        if (recovered >= 0) {
          expect(confirmed, c.workflowId).toBeGreaterThanOrEqual(0);
          expect(confirmed).toBeLessThan(recovered);
          expect(mine[confirmed]!.staff).not.toBe(decided[0]!.staff);
        }
      }
    }
    // Seed 7: the six deaths fall to caseworkers of every behaviour (1 on time, 3 late, 2 never).
    expect(counted.onTime * counted.late * counted.never).toBeGreaterThan(0);
    expect(r.summary.casesDecidedOnTime).toBe(counted.onTime);
    expect(r.summary.casesDecidedLate).toBe(counted.late);
    expect(r.summary.casesUndecided).toBe(counted.never);
    expect(r.summary.caseReminders).toBeGreaterThan(0);
    const text = formatTimeline(r);
    expect(text).toContain('2024-04-04 12:00  截止');
    expect(text).toContain(`督办  ${never!.name}`);
    for (const d of deaths) expect(d.subject).toMatch(/^.\*+$/);
  }, 900_000);
});
