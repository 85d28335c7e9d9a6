/**
 * Phase summaries (阶段总结) as the plans mean them: 文水's 股室 submit their
 * texts, the 专班 office gets the compiled .docx (texts + the progress table)
 * and records 「已上报」; 长子's townships' texts reach the 专班 in the document
 * it downloads; a due day on a non-working day moves and the prompt says so.
 */
import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { phaseSummaryWorkflowId, type CompiledSummary } from '../../domain/cycles/index.js';
import { loadPolicy, presetInputs } from '../../domain/policy/load.js';
import type { CountyPolicy, CountyPolicyInput } from '../../domain/policy/schema.js';
import { createCalendarFromData, type CalendarData } from '../../domain/time/work-calendar.js';
import { cycleTick } from '../../workflows/cycle-tick.js';
import { progressCycleStatusQuery, progressReportCycle, reportUpwardUpdate, submitSummaryUpdate } from '../../workflows/progress-report-cycle.js';
import { connectTimeSkipping, createTestWorker, uniqueTaskQueue, useTemporalTestContext, resultWithoutSkipping } from '../support/temporal.js';
import { freshIdNumber } from '../support/ids.js';
import { DAY, addDays, chinaDate, chinaInstantMs, eventually } from './fixtures/death-review.js';
import { createCycleFixture, progressItems } from './fixtures/cycles.js';

/** A preset with its window around `today` and one summary due on `due`. */
function summaryPolicy(preset: 'wenshui' | 'zhangzi', today: string, due: string, extra: Partial<NonNullable<CountyPolicyInput['phaseSummaries']>[number]> = {}): CountyPolicy {
  const input = structuredClone(presetInputs[preset]) as CountyPolicyInput;
  input.campaign = { ...input.campaign, window: { start: addDays(today, -20), end: addDays(today, 60) }, phases: [] };
  input.progressReport = { ...input.progressReport, firstDue: undefined };
  const base = input.phaseSummaries![0]!;
  input.phaseSummaries = [{ ...base, due, ...extra }];
  return loadPolicy(input, '测试配置');
}

async function docxText(dataDir: string, rel: string): Promise<string> {
  const zip = await JSZip.loadAsync(fs.readFileSync(path.join(dataDir, ...rel.split('/'))));
  const xml = await zip.file('word/document.xml')!.async('string');
  return xml.replace(/<\/w:p>/g, '\n').replace(/<[^>]+>/g, '');
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    return (error as WorkflowUpdateFailedError).cause?.message ?? '';
  }
  throw new Error('the update was accepted');
}

describe('phase summaries (time-skipping server)', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;

  it('文水: the sections submit texts, the office gets the compiled document with the progress table and records 「已上报」 (audited)', async () => {
    const dataDir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'jiuzhu-summary-'));
    const today = chinaDate(await ctx.env.currentTimeMs());
    const policy = summaryPolicy('wenshui', today, addDays(today, 10), { ifNonWorkingDay: 'keep' });
    const fx = await createCycleFixture(prisma, { townships: 1, villagesPerTownship: 0 });
    const section = async (name: string) => {
      const reporter = (await prisma.staff.create({ data: { name: `${name}经办`, idNumber: freshIdNumber(), role: 'SECTION_CASEWORKER', unit: name, regionId: fx.countyId } })).id;
      const unit = await prisma.reportingUnit.create({ data: { countyRegionId: fx.countyId, kind: 'SECTION', name, reporterStaffId: reporter } });
      return { unitId: unit.id, reporter, name };
    };
    const a = await section('社会救助股');
    const b = await section('财务股');
    // One weekly progress report inside the phase: its figures belong in the compiled document.
    const progress = await prisma.reportCycle.create({
      data: { countyRegionId: fx.countyId, kind: 'progress', period: addDays(today, -2), workflowId: `progress:${fx.countyId}:${addDays(today, -2)}`, periodStart: new Date(`${addDays(today, -20)}T00:00:00Z`), periodEnd: new Date(`${addDays(today, -3)}T00:00:00Z`), dueAt: new Date(chinaInstantMs(addDays(today, -2), '12:00')), openedAt: new Date(chinaInstantMs(addDays(today, -9), '08:00')) },
    });
    await prisma.reportSubmission.create({ data: { cycleId: progress.id, unitId: a.unitId, submittedByStaffId: a.reporter, submittedAt: new Date(chinaInstantMs(addDays(today, -3), '10:00')), late: false, data: { items: progressItems(policy, 7) }, updateId: `seed-${progress.id}` } });

    const s = policy.phaseSummaries[0]!;
    const workflowId = phaseSummaryWorkflowId(fx.countyId, s.id);
    const taskQueue = uniqueTaskQueue('summary');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma, dataDir } });
    const expiresAt = new Date(chinaInstantMs(addDays(s.due, 1), '00:00')).toISOString();
    await worker.runUntil(async () => {
      const handle = await ctx.env.client.workflow.start(progressReportCycle, {
        taskQueue,
        workflowId,
        args: [{ countyRegionId: fx.countyId, kind: 'phase-summary', period: s.id, title: s.title, due: s.due, expiresAt, policy }],
      });
      await eventually(async () => ((await handle.query(progressCycleStatusQuery)).phase === 'collecting' ? true : null));
      const prompt = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${workflowId}:prompt:unit:${a.unitId}` } }));
      expect(prompt.text).toContain('工作总结');

      // Refusals name the field; nothing is compiled before the sections are in.
      expect(await rejection(handle.executeUpdate(submitSummaryUpdate, { args: [{ unitId: a.unitId, byStaffId: a.reporter, text: '  ' }], updateId: 'bad-empty' }))).toContain('工作总结');
      expect(await rejection(handle.executeUpdate(submitSummaryUpdate, { args: [{ unitId: a.unitId, byStaffId: b.reporter, text: '代报' }], updateId: 'bad-who' }))).toContain('无权代为报送');
      expect(await rejection(handle.executeUpdate(reportUpwardUpdate, { args: [{ byStaffId: fx.office, recipient: '吕梁市民政局' }], updateId: 'bad-early' }))).toContain('尚未汇编');

      await handle.executeUpdate(submitSummaryUpdate, { args: [{ unitId: a.unitId, byStaffId: a.reporter, text: '社会救助股开展入户核查1200户。\n清退不符合条件对象15户。' }], updateId: 'fs-a' });
      await handle.executeUpdate(submitSummaryUpdate, { args: [{ unitId: b.unitId, byStaffId: b.reporter, text: '财务股核对发放资金，追回3.2万元。' }], updateId: 'fs-b' });

      // Both sections in: compiled at once (before the due day), sent to the office with the .docx.
      const msg = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${workflowId}:compiled` } }));
      expect(msg.recipientStaffId).toBe(fx.office);
      expect(msg.sentAt!.getTime()).toBeLessThan(Date.parse(expiresAt) - 9 * DAY);
      expect(msg.text).toContain('2/2个单位');
      expect(msg.text).toContain('已上报');
      const att = (msg.attachments as Array<{ path: string; mime: string }>)[0]!;
      expect(att.mime).toContain('wordprocessingml');
      const doc = await docxText(dataDir, att.path);
      expect(doc).toContain('社会救助股开展入户核查1200户。');
      expect(doc).toContain('清退不符合条件对象15户。');
      expect(doc).toContain('财务股核对发放资金，追回3.2万元。');
      expect(doc).toContain(policy.focusItems[0]!.title);
      expect(doc).toContain('整治工作进展情况');
      expect(doc).toMatch(/703\.5|703\.50/); // 100.5 × 7 from the seeded weekly report

      const status = await handle.query(progressCycleStatusQuery);
      expect((status.compiled as CompiledSummary).unitIds.sort()).toEqual([a.unitId, b.unitId].sort());
      expect(await rejection(handle.executeUpdate(reportUpwardUpdate, { args: [{ byStaffId: fx.office, recipient: ' ' }], updateId: 'bad-to' }))).toContain('报送单位');

      const sent = await handle.executeUpdate(reportUpwardUpdate, { args: [{ byStaffId: fx.office, recipient: '吕梁市民政局', sentOn: today }], updateId: 'fs-sent' });
      expect(sent).toMatchObject({ byStaffId: fx.office, recipient: '吕梁市民政局', sentOn: today });
      // A second 「已上报」 is refused: by the validator while the run is still open, or because 「已上报」 closed it.
      const again = await handle.executeUpdate(reportUpwardUpdate, { args: [{ byStaffId: fx.office, recipient: '吕梁市民政局' }], updateId: 'fs-sent-2' }).then(
        () => new Error('the update was accepted'),
        (error: unknown) => error,
      );
      if (!(again instanceof WorkflowNotFoundError)) {
        expect(again).toBeInstanceOf(WorkflowUpdateFailedError);
        expect((again as WorkflowUpdateFailedError).cause?.message).toContain('不能重复登记');
      }
      const final = await resultWithoutSkipping(ctx.env, handle);
      expect(final.phase).toBe('closed');
      expect(final.sentUpward).toMatchObject({ recipient: '吕梁市民政局', sentOn: today });
    });
    const cycle = await prisma.reportCycle.findUniqueOrThrow({ where: { workflowId } });
    const audit = await prisma.auditEntry.findMany({ where: { subjectType: 'ReportCycle', subjectId: String(cycle.id) }, orderBy: { id: 'asc' } });
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['phase-summary.compiled', 'phase-summary.sent-upward']));
    const sentEntry = audit.find((e) => e.action === 'phase-summary.sent-upward')!;
    expect(sentEntry.actor).toBe(`staff:${fx.office}`);
    expect(sentEntry.payload).toMatchObject({ recipient: '吕梁市民政局', sentOn: today });
  });

  it('长子: at the due day the townships\' texts (and who is missing) reach the 专班 in the document it downloads', async () => {
    const dataDir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'jiuzhu-summary-'));
    const today = chinaDate(await ctx.env.currentTimeMs());
    const policy = summaryPolicy('zhangzi', today, addDays(today, 5), { ifNonWorkingDay: 'keep' });
    const fx = await createCycleFixture(prisma, { townships: 2, villagesPerTownship: 0 });
    const [a, b] = fx.townships as [(typeof fx.townships)[0], (typeof fx.townships)[0]];
    const s = policy.phaseSummaries[0]!;
    const workflowId = phaseSummaryWorkflowId(fx.countyId, s.id);
    const taskQueue = uniqueTaskQueue('summary-z');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma, dataDir } });
    const expiresAtMs = chinaInstantMs(addDays(s.due, 1), '00:00');
    await worker.runUntil(async () => {
      const handle = await ctx.env.client.workflow.start(progressReportCycle, {
        taskQueue,
        workflowId,
        args: [{ countyRegionId: fx.countyId, kind: 'phase-summary', period: s.id, title: s.title, due: s.due, expiresAt: new Date(expiresAtMs).toISOString(), policy }],
      });
      await eventually(async () => ((await handle.query(progressCycleStatusQuery)).phase === 'collecting' ? true : null));
      await handle.executeUpdate(submitSummaryUpdate, { args: [{ unitId: a.unitId, byStaffId: a.head, text: '本镇排查低保对象386户，整改问题9个。' }], updateId: 'tg-a' });
      expect(await prisma.notification.findUnique({ where: { dedupeKey: `${workflowId}:compiled` } })).toBeNull();
      await ctx.env.sleep(expiresAtMs + 60_000 - (await ctx.env.currentTimeMs()));
      const msg = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${workflowId}:compiled` } }));
      expect(msg.recipientStaffId).toBe(fx.office);
      expect(msg.sentAt!.getTime()).toBeGreaterThanOrEqual(expiresAtMs);
      expect(msg.text).toContain(`未报送：${b.name}`);
      const att = (msg.attachments as Array<{ path: string }>)[0]!;
      const doc = await docxText(dataDir, att.path);
      expect(doc).toContain('本镇排查低保对象386户，整改问题9个。');
      expect(doc).toContain(a.name);
      expect(doc).toMatch(new RegExp(`${b.name}[\\s\\S]*未报送工作总结`));
      await handle.terminate('test done');
    });
  });

  it('a summary due on a statutory holiday moves to the next working day and the prompt says so; keep leaves it', async () => {
    const now = await ctx.env.currentTimeMs();
    const today = chinaDate(now);
    // The tests' clock (JIUZHU_TEST_TODAY) may be in a year without published holiday data: the State Council's notice
    // for it is given here, with a statutory holiday on a weekday at least three days ahead.
    let rest = addDays(today, 3);
    while ([0, 6].includes(new Date(`${rest}T00:00:00Z`).getUTCDay())) rest = addDays(rest, 1);
    const years = [...new Set([today, addDays(today, 90)].map((d) => d.slice(0, 4)))];
    const calendarData: CalendarData = { version: 1, years: Object.fromEntries(years.map((y) => [y, { source: '测试通知' }])), holidays: { [rest]: '测试假日' }, workdays: {} };
    const calendar = createCalendarFromData(calendarData);
    expect(calendar.isWorkingDay(rest)).toBe(false);
    const next = calendar.nextWorkingDayOnOrAfter(rest);
    expect(next).toBe(addDays(rest, new Date(`${rest}T00:00:00Z`).getUTCDay() === 5 ? 3 : 1));
    const fx = await createCycleFixture(prisma, { townships: 1, villagesPerTownship: 0 });
    const [a] = fx.townships as [(typeof fx.townships)[0]];
    const taskQueue = uniqueTaskQueue('summary-move');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    await worker.runUntil(async () => {
      const policy = summaryPolicy('zhangzi', today, rest);
      const tick = await ctx.env.client.workflow.execute(cycleTick, { taskQueue, workflowId: `tick:${fx.countyId}:phase-summary:${today}`, args: [{ countyRegionId: fx.countyId, kind: 'phase-summary', policy, calendarData }] });
      const workflowId = phaseSummaryWorkflowId(fx.countyId, policy.phaseSummaries[0]!.id);
      expect(tick.started).toEqual([workflowId]);
      const prompt = await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${workflowId}:prompt:unit:${a.unitId}` } }));
      const zh = (d: string) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
      expect(prompt.text).toContain(`原定${zh(rest)}为法定节假日或休息日，依本县政策顺延至${zh(next)}`);
      const cycle = await prisma.reportCycle.findUniqueOrThrow({ where: { workflowId } });
      expect(cycle.dueAt.getTime()).toBe(chinaInstantMs(addDays(next, 1), '00:00'));
      await ctx.env.client.workflow.getHandle(workflowId).terminate('test done');

      // 'keep' reads the plan literally: the due day stays on the rest day.
      const fx2 = await createCycleFixture(prisma, { townships: 1, villagesPerTownship: 0 });
      const kept = summaryPolicy('zhangzi', today, rest, { ifNonWorkingDay: 'keep' });
      await ctx.env.client.workflow.execute(cycleTick, { taskQueue, workflowId: `tick:${fx2.countyId}:phase-summary:${today}`, args: [{ countyRegionId: fx2.countyId, kind: 'phase-summary', policy: kept, calendarData }] });
      const id2 = phaseSummaryWorkflowId(fx2.countyId, kept.phaseSummaries[0]!.id);
      const cycle2 = await eventually(() => prisma.reportCycle.findUnique({ where: { workflowId: id2 } }));
      expect(cycle2.dueAt.getTime()).toBe(chinaInstantMs(addDays(rest, 1), '00:00'));
      const p2 = await eventually(() => prisma.notification.findFirst({ where: { workflowId: id2, kind: 'reportPrompt' } }));
      expect(p2.text).not.toContain('原定');
      await ctx.env.client.workflow.getHandle(id2).terminate('test done');
    });
  });
});
