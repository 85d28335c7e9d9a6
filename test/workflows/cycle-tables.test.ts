/**
 * At a progress cycle's cut-off the 专班 office's aggregate carries the
 * period's statutory tables (patch `cycle-tables-attached`): the files exist
 * under the data folder, open with exceljs, and their totals equal the
 * submissions stored in the database; a retried activity writes nothing new.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it, inject } from 'vitest';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { HEADER_ROWS } from '../../services/reports/xlsx.js';
import { progressCycleWorkflowId } from '../../domain/cycles/index.js';
import { progressReportDueDates } from '../../domain/policy/compute.js';
import { TABLE_SPECS, XLSX_MIME, notificationAttachments } from '../../domain/tables/index.js';
import { progressCycleStatusQuery, progressReportCycle, submitProgressUpdate } from '../../workflows/progress-report-cycle.js';
import { useTemporalTestContext, connectTimeSkipping, createTestWorker, testDataConverter, uniqueTaskQueue, resultWithoutSkipping } from '../support/temporal.js';
import { DAY, addDays, chinaDate, chinaInstantMs, eventually } from './fixtures/death-review.js';
import { createCycleFixture, policyCovering, progressItems } from './fixtures/cycles.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-cycle-tables-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const sumOf = (items: Array<Record<string, { found: number; amount: number }>>, key: 'found' | 'amount') =>
  items.reduce((s, it) => s + Object.values(it).reduce((t, x) => t + x[key], 0), 0);

describe('statutory tables attached to the 专班 aggregate (time-skipping server)', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;

  it('writes the six 长子 tables for the cycle period at the cut-off and attaches them, totals matching the DB', async () => {
    const now = await ctx.env.currentTimeMs();
    const policy = policyCovering(chinaDate(now));
    const due = progressReportDueDates(policy).find((d) => d.expiresAt.getTime() > now + 2 * DAY)!;
    expect(due).toBeDefined();
    const fx = await createCycleFixture(prisma, { townships: 2, villagesPerTownship: 0 });
    const [a, b] = fx.townships as [(typeof fx.townships)[0], (typeof fx.townships)[0]];
    const taskQueue = uniqueTaskQueue('cycle-tables');
    const db = { prisma, dataDir };
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db });
    const workflowId = progressCycleWorkflowId(fx.countyId, due.nominal);
    const expiry = chinaInstantMs(addDays(due.due, 1), '00:00');

    const handle = await worker.runUntil(async () => {
      const h = await ctx.env.client.workflow.start(progressReportCycle, {
        taskQueue,
        workflowId,
        args: [{ countyRegionId: fx.countyId, kind: 'progress', period: due.nominal, title: `进展情况报告（第${due.seq}期）`, due: due.due, expiresAt: due.expiresAt.toISOString(), periodStart: due.periodStart, periodEnd: due.periodEnd, policy, closeAfterHours: 1 }],
      });
      await eventually(async () => ((await h.query(progressCycleStatusQuery)).phase === 'collecting' ? true : null));
      await h.executeUpdate(submitProgressUpdate, { args: [{ unitId: a.unitId, byStaffId: a.reporter, items: progressItems(policy, 3) }], updateId: 'tables-a' });
      // Past the cut-off: the aggregate goes out with the tables.
      await ctx.env.sleep(expiry + 60_000 - (await ctx.env.currentTimeMs()));
      await eventually(() => prisma.notification.findUnique({ where: { dedupeKey: `${workflowId}:aggregate` } }));
      await h.executeUpdate(submitProgressUpdate, { args: [{ unitId: b.unitId, byStaffId: b.reporter, items: progressItems(policy, 1) }], updateId: 'tables-b' });
      expect((await resultWithoutSkipping(ctx.env, h)).phase).toBe('closed');
      return h;
    });

    const agg = await prisma.notification.findUniqueOrThrow({ where: { dedupeKey: `${workflowId}:aggregate` } });
    expect(agg.recipientStaffId).toBe(fx.office);
    expect(agg.text).toContain('附件：本期统计表6份');
    const files = notificationAttachments(agg.attachments);
    expect(files).toHaveLength(6);
    expect(files.map((f) => f.mime)).toEqual(Array(6).fill(XLSX_MIME));
    const folder = `reports/${fx.countyId}/progress/${due.nominal}`;
    for (const [i, f] of files.entries()) {
      expect(f.path).toBe(`${folder}/${f.fileName}`);
      expect(f.fileName.startsWith(TABLE_SPECS[`zhangzi-${i + 1}` as 'zhangzi-1'].fileStem)).toBe(true);
      expect(fs.existsSync(path.join(dataDir, f.path))).toBe(true);
    }
    // No temporary files left behind.
    expect(fs.readdirSync(path.join(dataDir, folder)).filter((n) => n.endsWith('.tmp'))).toEqual([]);

    // Table 1 as sent: A's rows (B had not reported at the cut-off); totals = the stored submissions at that time.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(dataDir, files[0]!.path));
    const sheet = wb.worksheets[0]!;
    const spec = TABLE_SPECS['zhangzi-1'];
    const col = (key: string) => spec.columns.findIndex((c) => c.key === key) + 1;
    const subs = await prisma.reportSubmission.findMany({ where: { cycle: { workflowId }, late: false } });
    expect(subs.map((s) => s.unitId)).toEqual([a.unitId]);
    const items = subs.map((s) => (s.data as { items: Record<string, { found: number; amount: number }> }).items);
    const dataRows = policy.focusItems.length + 1; // A: one per focus item; B: one 未报送 row
    const total = sheet.getRow(HEADER_ROWS + dataRows + 1);
    expect(total.getCell(col('unit')).value).toBe('合计');
    const cached = (v: ExcelJS.CellValue) => (typeof v === 'object' && v !== null && 'result' in v ? v.result : v);
    expect(cached(total.getCell(col('found')).value)).toBe(sumOf(items, 'found'));
    expect(cached(total.getCell(col('amount')).value)).toBeCloseTo(sumOf(items, 'amount'), 2);
    expect(sumOf(items, 'found')).toBe(3 * policy.focusItems.length);
    const unitCells = Array.from({ length: dataRows }, (_, i) => sheet.getRow(HEADER_ROWS + 1 + i).getCell(col('unit')).value);
    expect(unitCells.filter((u) => u === b.name)).toHaveLength(1);
    const bRow = Array.from({ length: dataRows }, (_, i) => sheet.getRow(HEADER_ROWS + 1 + i)).find((r) => r.getCell(col('unit')).value === b.name)!;
    expect(bRow.getCell(col('late')).value).toBe('未报送');
    // Every table opens, with its seed title in A1.
    for (const [i, f] of files.entries()) {
      const w = new ExcelJS.Workbook();
      await w.xlsx.readFile(path.join(dataDir, f.path));
      expect(w.worksheets[0]!.getCell('A1').value).toBe(TABLE_SPECS[`zhangzi-${i + 1}` as 'zhangzi-1'].title);
    }

    // A retried activity (the notification exists): the same list, the files untouched.
    const before = files.map((f) => fs.statSync(path.join(dataDir, f.path)).mtimeMs);
    const again = await createActivities(db).writeCycleTables({ countyRegionId: fx.countyId, kind: 'progress', period: due.nominal, policy, dedupeKey: `${workflowId}:aggregate` });
    expect(again).toEqual(files);
    expect(files.map((f) => fs.statSync(path.join(dataDir, f.path)).mtimeMs)).toEqual(before);
    expect(await prisma.notification.count({ where: { dedupeKey: `${workflowId}:aggregate` } })).toBe(1);

    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter }, await handle.fetchHistory(), workflowId);
  });
});

describe('progress cycle: patched tables', () => {
  it('replays a history recorded before the patch (aggregate without attachments, no marker)', async () => {
    // Recorded with the workflow as of 48e719d (before cycle-tables-attached): one unit on time, the
    // aggregate at the cut-off, the other unit late, closed. Payloads encrypted with the test key.
    const file = path.join(import.meta.dirname, 'fixtures/histories/progress-cycle-before-tables-attached.binpb');
    const history = proto.temporal.api.history.v1.History.decode(fs.readFileSync(file));
    const EventType = proto.temporal.api.enums.v1.EventType;
    const events = history.events ?? [];
    expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED)).toBe(false);
    expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)).toBe(true);
    const activityTypes = events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
    expect(activityTypes).toContain('notify');
    expect(activityTypes).not.toContain('writeCycleTables');
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter }, history, 'progress-before-tables'),
    ).resolves.toBeUndefined();
  });
});
