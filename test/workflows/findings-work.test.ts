// Findings become work (issue 13), on the time-skipping server with the real activities and database:
// imported deaths and custody open death reviews and prisoner exits for enrolled members only, a match
// opens rectification items that table 6 lists, an undeclared near relative asks the staff member to
// file once, a cleared finding tells the assignee 「线索已消除」 once, and an application import opens
// the review. Every second run opens nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { runMatching } from '../../activities/matching/index.js';
import { recordPendingWork } from '../../activities/findings-work.js';
import { queueWorkAfter } from '../../app/commands/work.js';
import { openRectificationFromFinding, registerApplication } from '../../services/cases/intake.js';
import { loadCalendar } from '../../services/county.js';
import type { AppConfig } from '../../infra/config.js';
import { importFile } from '../../services/import/index.js';
import { rectificationRows } from '../../readmodels/statutory-tables.js';
import { findingsToWorkWorkflowId } from '../../domain/cases/finding-work.js';
import { computeDeadline } from '../../domain/policy/compute.js';
import { presets } from '../../domain/policy/load.js';
import { createTestCounty, type TestCounty } from '../support/county.js';
import { freshIdNumber } from '../support/ids.js';
import { connectTimeSkipping, createTestWorker, uniqueTaskQueue, useTemporalTestContext, resultWithoutSkipping } from '../support/temporal.js';
import { createHousehold, deletePayment, updatePayment } from '../db/match-fixtures.js';
import { DAY, chinaDate, eventually } from './fixtures/death-review.js';

const policy = presets.zhangzi;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-findings-work-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('findings become work (time-skipping server)', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;

  let serial = 0;
  function csv(name: string, rows: string[][]): string {
    const file = path.join(tmp, `${name}-${++serial}.csv`);
    fs.writeFileSync(file, rows.map((r) => r.join(',')).join('\r\n') + '\r\n', 'utf8');
    return file;
  }

  async function setup(): Promise<{ county: TestCounty; caseworker: number; head: number; office: number; taskQueue: string; config: AppConfig }> {
    const county = await createTestCounty(prisma, { townships: 1, villagesPerTownship: 2 });
    const t = county.townships[0]!;
    const staff = async (name: string, role: 'TOWNSHIP_CASEWORKER' | 'TOWNSHIP_HEAD' | 'TASKFORCE_OFFICE' | 'TASKFORCE_LEADER', regionId: number) =>
      (await prisma.staff.create({ data: { name, idNumber: freshIdNumber(), role, unit: '测试单位', regionId } })).id;
    const caseworker = await staff('李经办', 'TOWNSHIP_CASEWORKER', t.id);
    const head = await staff('王乡长', 'TOWNSHIP_HEAD', t.id);
    const office = await staff('周办', 'TASKFORCE_OFFICE', county.countyId);
    await staff('赵组长', 'TASKFORCE_LEADER', county.countyId);
    const taskQueue = uniqueTaskQueue('findings-work');
    const config = { dataDir: tmp, temporal: { taskQueue, namespace: 'default' } } as unknown as AppConfig;
    return { county, caseworker, head, office, taskQueue, config };
  }

  /** queueWorkAfter as the CLI runs it, with this file's server; then the run's result. */
  async function queueAndRun(env: { config: AppConfig; county: TestCounty }, trigger: string) {
    const lines = await queueWorkAfter(env.config, prisma, [{ id: env.county.countyId, name: env.county.countyName, policy }], {
      trigger,
      connect: async () => ({ client: ctx.env.client, close: async () => {} }),
    });
    const id = findingsToWorkWorkflowId(env.county.countyId, trigger);
    const started = await ctx.env.client.workflow.getHandle(id).describe().then(() => true, () => false);
    return { lines, started, result: started ? await resultWithoutSkipping(ctx.env, ctx.env.client.workflow.getHandle(id)) : undefined };
  }

  it('a death list opens death reviews for enrolled members only; custody opens a prisoner exit; a second import opens nothing', async () => {
    const env = await setup();
    const now = await ctx.env.currentTimeMs();
    const today = chinaDate(now);
    const deathDate = chinaDate(now - 30 * DAY);
    const [v1, v2] = env.county.townships[0]!.villages;
    const enrolled = await createHousehold(prisma, { villageId: v1!.id, members: 2, enrolments: [{ kind: 'RURAL_DIBAO', monthly: 500, start: '2020-01-01' }], paidThrough: '2020-01' });
    const ended = await createHousehold(prisma, { villageId: v2!.id, enrolments: [{ kind: 'RURAL_DIBAO', monthly: 500, start: '2020-01-01', end: '2021-06-30', status: 'ENDED' }], paidThrough: '2020-01' });
    const prisoner = await createHousehold(prisma, { villageId: v2!.id, members: 2, enrolments: [{ kind: 'URBAN_DIBAO', monthly: 600, start: '2020-01-01' }], paidThrough: '2020-01' });
    const stranger = freshIdNumber();
    const rows = [
      ['姓名', '身份证号', '死亡日期', '来源'],
      ['成员甲', enrolled.memberIds[1]!, deathDate, '公安'],
      [ended.headName, ended.headIdNumber, deathDate, '公安'],
      ['路人乙', stranger, deathDate, '殡葬'],
    ];
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue: env.taskQueue, db: { prisma, dataDir: tmp } });
    await worker.runUntil(async () => {
      const first = await importFile({ prisma, kind: 'deaths', file: csv('deaths', rows), county: env.county.countyName, policy, today });
      expect(first.status).toBe('imported');
      const run = await queueAndRun(env, `import-${first.batchId}`);
      expect(run.lines.join('\n')).toContain('死亡核查 1');
      expect(run.result).toMatchObject({ outcomes: { opened: 1 } });
      const review = await eventually(() => prisma.case.findFirst({ where: { kind: 'DEATH_REVIEW', householdId: enrolled.id } }));
      expect(review).toMatchObject({ status: 'OPEN', assigneeStaffId: env.caseworker });
      expect(await prisma.case.count({ where: { kind: 'DEATH_REVIEW', householdId: { in: [ended.id, enrolled.id] } } })).toBe(1);

      // The same deaths in another file (one more blank column): imported, and nothing opens twice.
      const again = await importFile({ prisma, kind: 'deaths', file: csv('deaths', rows.map((r) => [...r, ''])), county: env.county.countyName, policy, today });
      expect(again.status).toBe('imported');
      const second = await queueAndRun(env, `import-${again.batchId}`);
      expect(second.started).toBe(false);
      expect(await prisma.workOrder.count({ where: { countyRegionId: env.county.countyId } })).toBe(1);
      expect(await prisma.case.count({ where: { kind: 'DEATH_REVIEW', householdId: enrolled.id } })).toBe(1);

      // Custody of an enrolled member opens a prisoner exit.
      const custody = csv('prison', [
        ['姓名', '身份证号', '羁押(入狱)日期', '释放日期', '来源'],
        ['成员丙', prisoner.memberIds[1]!, chinaDate(now - 20 * DAY), '', '司法'],
        ['路人丁', freshIdNumber(), chinaDate(now - 20 * DAY), '', '司法'],
      ]);
      const p = await importFile({ prisma, kind: 'prison', file: custody, county: env.county.countyName, policy, today });
      const prisonRun = await queueAndRun(env, `import-${p.batchId}`);
      expect(prisonRun.lines.join('\n')).toContain('服刑人员退出核查 1');
      expect(prisonRun.result).toMatchObject({ outcomes: { opened: 1 } });
      const exit = await eventually(() => prisma.case.findFirst({ where: { kind: 'PRISON_EXIT', householdId: prisoner.id } }));
      expect(exit.status).toBe('OPEN');
      expect(await prisma.case.count({ where: { kind: 'PRISON_EXIT', householdId: { in: [prisoner.id, enrolled.id, ended.id] } } })).toBe(1);
    });
  });

  it('a match opens rectification items that table 6 lists; a cleared finding tells the assignee 「线索已消除」 once', async () => {
    const env = await setup();
    const [v1] = env.county.townships[0]!.villages;
    const h = await createHousehold(prisma, { villageId: v1!.id, enrolments: [{ kind: 'RURAL_DIBAO', monthly: 500, start: '2023-06-01' }], paidThrough: '2024-11' });
    await createHousehold(prisma, { villageId: v1!.id, enrolments: [{ kind: 'RURAL_DIBAO', monthly: 500, start: '2023-06-01' }], paidThrough: '2024-11' });
    await deletePayment(prisma, h.enrolments[0]!.id, '2024-08'); // 未发放
    await updatePayment(prisma, h.enrolments[0]!.id, '2024-09', { amountPaid: 300 }); // 少发
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue: env.taskQueue, db: { prisma, dataDir: tmp } });
    await worker.runUntil(async () => {
      const match = await runMatching(prisma, { counties: [{ id: env.county.countyId, name: env.county.countyName, policy }], asOf: '2024-11-15' });
      const findings = await prisma.finding.findMany({ where: { householdId: h.id, kind: { in: ['payment_missing', 'payment_short'] } }, orderBy: { id: 'asc' } });
      expect(findings.map((f) => `${f.kind}:${f.period}`).sort()).toEqual(['payment_missing:2024-08', 'payment_short:2024-09']);
      const run = await queueAndRun(env, `match-${match.auditId}`);
      expect(run.lines.join('\n')).toContain('整改清单事项 2');
      expect(run.result).toMatchObject({ outcomes: { opened: 2 } });
      const items = await eventually(async () => {
        const rows = await prisma.rectificationItem.findMany({ where: { countyRegionId: env.county.countyId }, orderBy: { seq: 'asc' } });
        return rows.length === 2 ? rows : null;
      });
      expect(items.map((i) => i.sourceRef).sort()).toEqual(findings.map((f) => `finding:${f.id}`).sort());
      for (const i of items) expect(i).toMatchObject({ source: '大数据比对', responsibleStaffId: env.caseworker, responsibleRegionId: env.county.townships[0]!.id, status: 'IN_PROGRESS' });
      // The policy's default deadline ('rectification-default', counted from the day it was found).
      for (const i of items) {
        const f = findings.find((x) => `finding:${x.id}` === i.sourceRef)!;
        expect(i.deadline.toISOString().slice(0, 10)).toBe(computeDeadline(policy, 'rectification-default', chinaDate(f.foundAt.getTime())).due);
      }

      const table6 = [];
      for await (const row of rectificationRows(prisma, { countyRegionId: env.county.countyId, start: '2024-04-01', end: chinaDate((await ctx.env.currentTimeMs()) + 400 * DAY), policy })) table6.push(row);
      expect(table6.map((r) => r.seq)).toEqual(items.map((i) => i.seq));
      expect(table6[0]).toMatchObject({ unit: `${env.county.townships[0]!.name}人民政府`, person: '李经办', source: '大数据比对' });

      // One tap of the 专班 (/整改 <线索编号>) on a finding already on the list joins the same item.
      const tap = await openRectificationFromFinding(ctx.env.client, prisma, { taskQueue: env.taskQueue, countyRegionId: env.county.countyId, findingId: findings[0]!.id, policy });
      expect(tap.workflowId).toBe(items.find((i) => i.sourceRef === `finding:${findings[0]!.id}`)!.workflowId);

      // A second match: nothing new to open.
      const again = await runMatching(prisma, { counties: [{ id: env.county.countyId, name: env.county.countyName, policy }], asOf: '2024-11-15' });
      expect((await queueAndRun(env, `match-${again.auditId}`)).started).toBe(false);
      expect(await prisma.rectificationItem.count({ where: { countyRegionId: env.county.countyId } })).toBe(2);

      // The short payment is corrected and a later match clears its finding (as the matcher marks it).
      const short = findings.find((f) => f.kind === 'payment_short')!;
      const matchRun = await prisma.matchRun.create({ data: { asOf: '2024-12-01', full: true, countyIds: [] } });
      await prisma.finding.update({ where: { id: short.id }, data: { clearedAt: new Date('2024-12-01T02:00:00Z'), clearedByRunId: matchRun.id } });
      const note = async () => prisma.notification.findMany({ where: { recipientStaffId: env.caseworker, text: { contains: '线索已消除' } } });
      // The next match hands it over although it records no new work; the one after has nothing to do.
      const c1 = await queueAndRun(env, 'match-cleared-1');
      expect(c1.lines.join('\n')).toContain('1 条问题线索已消除');
      expect(c1.result).toMatchObject({ clearedNotices: 1 });
      expect((await queueAndRun(env, 'match-cleared-2')).started).toBe(false);
      // A run started anyway tells nobody twice.
      const t2 = await ctx.env.client.workflow.start('findingsToWork', { taskQueue: env.taskQueue, workflowId: findingsToWorkWorkflowId(env.county.countyId, 'cleared-2'), args: [{ countyRegionId: env.county.countyId, policy }] });
      expect((await resultWithoutSkipping(ctx.env, t2)) as { clearedNotices: number }).toMatchObject({ clearedNotices: 0 });
      const notes = await note();
      expect(notes).toHaveLength(1);
      expect(notes[0]!.text).toContain(`#${short.id}`);
      expect(notes[0]!.text).not.toContain(h.headIdNumber);
      // The item is not closed by itself.
      expect(await prisma.rectificationItem.count({ where: { sourceRef: `finding:${short.id}`, status: 'IN_PROGRESS' } })).toBe(1);
    });
  });

  it("the payment watch's comparison opens the period's rectification items", async () => {
    const env = await setup();
    const [v1] = env.county.townships[0]!.villages;
    const h = await createHousehold(prisma, { villageId: v1!.id, enrolments: [{ kind: 'RURAL_DIBAO', monthly: 500, start: '2023-06-01' }], paidThrough: '2024-08' });
    await createHousehold(prisma, { villageId: v1!.id, enrolments: [{ kind: 'RURAL_DIBAO', monthly: 500, start: '2023-06-01' }], paidThrough: '2024-08' });
    await deletePayment(prisma, h.enrolments[0]!.id, '2024-08');
    await deletePayment(prisma, h.enrolments[0]!.id, '2024-07');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue: env.taskQueue, db: { prisma, dataDir: tmp } });
    await worker.runUntil(async () => {
      const watch = await ctx.env.client.workflow.start('paymentDeadlineWatch', {
        taskQueue: env.taskQueue,
        workflowId: `payment-watch:${env.county.countyId}:dibao:2024-08`,
        args: [{ countyRegionId: env.county.countyId, kind: 'dibao', periodMonth: '2024-08', due: '2024-08-10', expiresAt: '2024-08-10T16:00:00.000Z', policy }],
      });
      await resultWithoutSkipping(ctx.env, watch);
      const run = await resultWithoutSkipping(ctx.env, ctx.env.client.workflow.getHandle(findingsToWorkWorkflowId(env.county.countyId, 'payment-watch-dibao-2024-08')));
      expect(run).toMatchObject({ outcomes: { opened: 1 } });
      const august = await prisma.finding.findFirstOrThrow({ where: { householdId: h.id, kind: 'payment_missing', period: '2024-08' } });
      const items = await eventually(async () => {
        const rows = await prisma.rectificationItem.findMany({ where: { countyRegionId: env.county.countyId } });
        return rows.length > 0 ? rows : null;
      });
      // Only the period the watch judged (July's missing payment waits for its own watch or a match).
      expect(items.map((i) => i.sourceRef)).toEqual([`finding:${august.id}`]);
    });
  });

  it('an undeclared near relative asks that staff member to file, once', async () => {
    const env = await setup();
    const [v1] = env.county.townships[0]!.villages;
    const h = await createHousehold(prisma, { villageId: v1!.id, enrolments: [{ kind: 'RURAL_DIBAO', monthly: 500, start: '2023-06-01' }], paidThrough: '2023-06' });
    const other = await prisma.staff.create({ data: { name: '孙委员', idNumber: freshIdNumber(), role: 'VILLAGE_COMMITTEE', unit: '第1村', regionId: v1!.id } });
    // The matcher's finding (activities/matching stores this shape).
    const finding = await prisma.finding.create({
      data: {
        kind: 'undeclared_near_relative',
        key: `undeclared_near_relative|test|${h.headIdNumber}|${other.id}`,
        idNumber: h.headIdNumber,
        householdId: h.id,
        regionId: v1!.id,
        evidence: { name: h.headName, relation: '父母', staff: { id: other.id, name: other.name, role: other.role, unit: other.unit }, sources: ['enrolment'], applicationIds: [], rejectedFilingIds: [] },
      },
    });
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue: env.taskQueue, db: { prisma, dataDir: tmp } });
    await worker.runUntil(async () => {
      const run = await queueAndRun(env, 'match-relative-1');
      expect(run.result).toMatchObject({ outcomes: { notified: 1 } });
      const second = await recordPendingWork(prisma, { countyRegionId: env.county.countyId, policy });
      expect(second.recorded).toEqual({});
      const notes = await prisma.notification.findMany({ where: { recipientStaffId: other.id } });
      expect(notes).toHaveLength(1);
      expect(notes[0]!.text).toContain('/近亲属备案');
      expect(notes[0]!.text).toContain(`#${finding.id}`);
      expect(notes[0]!.text).not.toContain(h.headIdNumber);
    });
  });

  it('an application import opens the application review; a bad row imports nothing and names the field', async () => {
    const env = await setup();
    const now = await ctx.env.currentTimeMs();
    const today = chinaDate(now);
    const t = env.county.townships[0]!;
    const header = ['乡镇', '村(社区)', '申请人姓名', '申请人身份证号', '救助类型', '家庭人口', '申请金额', '受理日期'];
    const good = [t.name, t.villages[0]!.name, '申请甲', freshIdNumber(), '农村低保', '3', '1500', chinaDate(now - 2 * DAY)];
    const bad = await importFile({
      prisma,
      kind: 'applications',
      file: csv('applications', [header, good, [t.name, '不存在村', '申请乙', freshIdNumber(), '农村低保', '2', '1000', today], [t.name, t.villages[1]!.name, '申请丙', '123', '低保金', '0', '', today]]),
      county: env.county.countyName,
      policy,
      today,
    });
    expect(bad.status).toBe('rejected');
    const reasons = bad.firstErrors.flatMap((e) => e.reasons).join('；');
    expect(reasons).toContain('不存在村');
    expect(reasons).toContain('申请人身份证号');
    expect(reasons).toContain('家庭人口');
    expect(reasons).toContain('申请金额');
    expect(fs.readFileSync(bad.errorFile!, 'utf8')).not.toContain('申请甲');
    expect(await prisma.application.count({ where: { regionId: { in: t.villages.map((v) => v.id) } } })).toBe(0);

    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue: env.taskQueue, db: { prisma, dataDir: tmp } });
    await worker.runUntil(async () => {
      const ok = await importFile({ prisma, kind: 'applications', file: csv('applications', [header, good]), county: env.county.countyName, policy, today });
      expect(ok.status).toBe('imported');
      const app = await prisma.application.findFirstOrThrow({ where: { regionId: t.villages[0]!.id } });
      expect(app).toMatchObject({ applicantName: '申请甲', kind: 'RURAL_DIBAO', householdSize: 3 });
      const run = await queueAndRun(env, `import-${ok.batchId}`);
      expect(run.lines.join('\n')).toContain('申请审核确认 1');
      expect(run.result).toMatchObject({ outcomes: { opened: 1 } });
      const review = await eventually(() => prisma.case.findFirst({ where: { kind: 'APPLICATION', workflowId: `application-review:${env.county.countyId}:${app.id}` } }));
      expect(review.status).toBe('OPEN');

      // Registered in the chat or console: once per intake key, and its review opens.
      const intake = { staffId: env.caseworker, applicantName: '申请丁', applicantIdNumber: freshIdNumber(), kind: 'URBAN_DIBAO' as const, village: t.villages[1]!.name, householdSize: 2, monthlyAmount: '1200.00', acceptedAt: chinaDate(now - DAY), intakeKey: 'console:event-1' };
      const args = { ...intake, taskQueue: env.taskQueue, countyRegionId: env.county.countyId, policy, calendar: loadCalendar(tmp) };
      const a1 = await registerApplication(ctx.env.client, prisma, args);
      const a2 = await registerApplication(ctx.env.client, prisma, args);
      expect(a2).toEqual(a1);
      expect(await prisma.application.count({ where: { applicantIdNumber: intake.applicantIdNumber } })).toBe(1);
      await eventually(() => prisma.case.findFirst({ where: { kind: 'APPLICATION', workflowId: a1.workflowId } }));
      await expect(registerApplication(ctx.env.client, prisma, { ...args, village: '不存在村', intakeKey: 'console:event-2' })).rejects.toThrow('所在村(社区)有误');
    });
  });
});
