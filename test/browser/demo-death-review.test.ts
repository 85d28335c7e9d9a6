/**
 * The issue's walk-through in a real browser (issue 12): the demo county of a
 * fresh `npm start` (default preset and seed), its first cases opened as the
 * start opens them (bringDemoToLife) on the time-skipping server with a worker
 * running the real activities, the console wired as `jiuzhu start` wires it.
 * The township caseworker who holds the overdue death review opens it from
 * /我的待办 by its button, records the household check on the card's form,
 * decides 停发 with a comment; the 专班组长 then confirms the over-payment and approves the write-off of the
 * over-payment in the console, the case closes, and statutory table 5 (the
 * .xlsx `jiuzhu report 5` writes) lists the decision. Assertions are on what
 * the page shows; the database only confirms.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPrismaClient, type PrismaClient } from '../../infra/db/client.js';
import { migrateIfPending } from '../../infra/db/migrate.js';
import { bringDemoToLife, loadDemoCounty, type DemoCountySummary } from '../../demo/index.js';
import { writeTable } from '../../services/reports/index.js';
import { HEADER_ROWS } from '../../services/reports/xlsx.js';
import { testCalendar } from '../support/clock.js';
import { presets } from '../../domain/policy/load.js';
import { createScratchDatabase, type ScratchDatabase } from '../db/scratch-database.js';
import { useBrowser } from '../support/browser.js';
import { startChatFrontsUnderTest, type ChatFrontsUnderTest } from '../support/chat-drivers.js';
import { connectTimeSkipping, createTestWorker, uniqueTaskQueue } from '../support/temporal.js';
import { chinaDate, eventually } from '../workflows/fixtures/death-review.js';
import { testDatabaseUrl } from '../support/database.js';

const b = useBrowser();
const taskQueue = uniqueTaskQueue('demo-death-review');
const calendar = testCalendar();
let scratch: ScratchDatabase;
let prisma: PrismaClient;
let env: TestWorkflowEnvironment;
let under: ChatFrontsUnderTest;
let worker: Worker;
let running: Promise<void>;
let summary: DemoCountySummary;
let clockMs = 0;
const problems: string[] = [];

beforeAll(async () => {
  scratch = await createScratchDatabase(testDatabaseUrl());
  await migrateIfPending(scratch.url);
  prisma = createPrismaClient(scratch.url);
  // A time-skipping server of this file's own: its clock starts at the tests' now (test/support/clock.ts), and no other file's
  // workflow ids (natural keys of a fresh database) can collide with the demo's.
  env = await connectTimeSkipping();
  clockMs = await env.currentTimeMs();
  // As `npm start` loads it (preset 长子, default seed and scale), with the demo's today pinned to the server's clock.
  summary = await loadDemoCounty(prisma, { preset: 'zhangzi', today: chinaDate(clockMs), actor: 'cli:start' });
  worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, db: { prisma } });
  running = worker.run();
  under = await startChatFrontsUnderTest('feishu', { prisma, client: env.client, taskQueue, policy: presets.zhangzi, calendar, now: () => new Date(clockMs), demo: true });
}, 240_000);

afterAll(async () => {
  await under?.close();
  worker?.shutdown();
  await running;
  await env?.teardown();
  await prisma?.$disconnect();
  await scratch?.drop();
});

const until = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 30_000, interval: 100 });

async function openAs(staffId: number): Promise<Page> {
  const { page } = await b.newPage();
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  await page.goto(`${under.baseUrl}/console`);
  await until(() => page.locator('#pick option').count()).toBeGreaterThan(1);
  await page.selectOption('#pick', String(staffId));
  await until(() => page.locator('#chats [data-id]').count()).toBeGreaterThan(0);
  await page.click(`#chats [data-id="private:${staffId}"]`);
  return page;
}

async function say(page: Page, text: string) {
  const before = await page.locator('#log .msg.me').count();
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
  await until(() => page.locator('#log .msg.me').count()).toBeGreaterThan(before);
}

/** The last card whose text holds `text` (the bot's answers arrive over the page's live connection). */
const lastCard = (page: Page, text: string) => page.locator('#log .msg', { hasText: text }).last();

describe('the demo death review, from /我的待办 to table 5, in the browser', () => {
  it('the township caseworker checks and decides 停发, the 专班组长 writes off, the case closes and is in table 5', async () => {
    // The start's cases: the first death reviews of the demo county, opened as `npm start` opens them.
    const live = await bringDemoToLife(env.client, prisma, presets.zhangzi, summary.countyRegionId, { taskQueue, calendar, asOf: summary.today, settleMs: 30_000 });
    expect(live.deathReviews.opened.length).toBeGreaterThan(0);
    const cases = await eventually(async () => {
      const rows = await prisma.case.findMany({ where: { workflowId: { in: live.deathReviews.workflowIds } }, orderBy: { id: 'asc' } });
      return rows.length === live.deathReviews.workflowIds.length ? rows : null;
    });
    // The start's death reviews and who holds them (the issue names 赵帅, 编号 31, of a fresh `npm start`; here the ids are the scratch database's).
    const holders = await prisma.staff.findMany({ where: { id: { in: cases.flatMap((c) => (c.assigneeStaffId === null ? [] : [c.assigneeStaffId])) } } });
    // In the start's order (finding key), so the same person is chosen on every run.
    const inOrder = live.deathReviews.workflowIds.map((id) => cases.find((c) => c.workflowId === id)!);
    console.info(`demo death reviews: ${inOrder.map((c) => `${c.workflowId} → ${holders.find((h) => h.id === c.assigneeStaffId)?.name ?? '-'}`).join('；')}`);
    // Chosen by the loaded data alone, never by who holds it: the earliest death (the most overdue review,
    // the issue's 「已逾期196天」), ties broken by the workflow id (county and member: natural keys).
    const byData = [...inOrder].sort((a, b) => a.anchorDate!.getTime() - b.anchorDate!.getTime() || a.workflowId.localeCompare(b.workflowId));
    const kase = byData[0]!;
    expect(kase.anchorDate).not.toBeNull();
    expect(kase.dueAt!.getTime()).toBeLessThan(clockMs);
    // Then whoever the start assigned it to: a township caseworker (the demo staffs every township with one).
    const caseworker = holders.find((h) => h.id === kase.assigneeStaffId)!;
    expect(caseworker.role).toBe('TOWNSHIP_CASEWORKER');
    console.info(`demo death review #${kase.id} held by ${caseworker.name} (编号 ${caseworker.id})`);
    const leader = await prisma.staff.findFirstOrThrow({ where: { role: 'TASKFORCE_LEADER', regionId: summary.countyRegionId }, orderBy: { id: 'asc' } });

    // /我的待办: the overdue review with its button.
    const page = await openAs(caseworker.id);
    await until(() => page.locator('#who').innerText()).toContain(caseworker.name);
    await say(page, '/我的待办');
    const todo = lastCard(page, '我的待办');
    await until(() => todo.innerText()).toContain(`死亡核查 #${kase.id}`);
    expect(await todo.innerText()).toMatch(new RegExp(`死亡核查 #${kase.id}：截止 [^\\n]*已逾期\\d+天`));
    await todo.locator('button', { hasText: `办理 #${kase.id}` }).click();

    // The household-check card: its form filled and submitted.
    const today = chinaDate(clockMs);
    const checkCard = page.locator('#log .msg', { has: page.locator('form.stepform') }).filter({ hasText: '登记入户核查' }).last();
    await until(() => checkCard.locator('input[name="visitedOn"]').count()).toBe(1);
    await checkCard.locator('input[name="visitedOn"]').fill(today);
    await checkCard.locator('input[name="visitors"]').fill(`${caseworker.name}、村委会委员`);
    await checkCard.locator('textarea[name="findings"]').fill('死者已火化，家中无其他保障对象');
    await checkCard.locator('button[type="submit"]').click();
    await until(() => page.locator('#log').innerText()).toContain(`已入户核查（${today}，${caseworker.name}、村委会委员）`);

    // /案件: the decision is the step open now.
    await say(page, `/案件 ${kase.id}`);
    const caseCard = lastCard(page, `#${kase.id}`);
    await until(() => caseCard.locator('button', { hasText: '办理：作出核查决定' }).count()).toBe(1);
    await caseCard.locator('button', { hasText: '办理：作出核查决定' }).click();
    const decideCard = page.locator('#log .msg', { has: page.locator('form.stepform') }).filter({ hasText: '作出核查决定' }).last();
    await until(() => decideCard.locator('select[name="decision"]').count()).toBe(1);
    const stopMonth = today.slice(0, 7);
    await decideCard.locator('select[name="decision"]').selectOption('停发');
    await decideCard.locator('input[name="effectiveMonth"]').fill(stopMonth);
    await decideCard.locator('textarea[name="note"]').fill('经入户核实已死亡，停发');
    await decideCard.locator('button[type="submit"]').click();
    await until(() => page.locator('#log').innerText()).toContain(`决定停发（${stopMonth} 起）`);
    const decidedText = await page.locator('#log .msg', { hasText: '决定停发' }).last().innerText();
    expect(decidedText).toContain('意见：经入户核实已死亡，停发');
    expect(problems).toEqual([]);

    // The demo pays the dead: the decision leaves an over-payment to recover, or nothing (then the case closes now).
    const decided = await eventually(async () => {
      const c = await prisma.case.findUniqueOrThrow({ where: { id: kase.id } });
      return (c.data as { decision?: unknown }).decision ? c : null;
    });
    const overpaidCents = (decided.data as { overpayment?: { totalCents: number } }).overpayment?.totalCents ?? 0;
    console.info(`over-payment of the decision: ${overpaidCents / 100} 元`);
    if (overpaidCents > 0) {
      expect(decidedText).toContain('须追回');
      // The 专班组长 confirms the over-payment (not the decider), at the amount the card shows…
      const lp = await openAs(leader.id);
      await say(lp, `/案件 ${kase.id}`);
      const toConfirm = lastCard(lp, `#${kase.id}`);
      await until(() => toConfirm.locator('button', { hasText: '办理：确认超发金额' }).count()).toBe(1);
      await toConfirm.locator('button', { hasText: '办理：确认超发金额' }).click();
      const confirmCard = lp.locator('#log .msg', { has: lp.locator('form.stepform') }).filter({ hasText: '确认超发金额' }).last();
      await until(() => confirmCard.locator('input[name="amount"]').inputValue()).toBe((overpaidCents / 100).toFixed(2));
      await confirmCard.locator('button[type="submit"]').click();
      await until(() => lp.locator('#log').innerText()).toContain(`已确认超发 ${(overpaidCents / 100).toFixed(2)} 元`);
      // …then approves the write-off of the whole over-payment from /案件 in the console.
      await say(lp, `/案件 ${kase.id}`);
      const leaderCase = lastCard(lp, `#${kase.id}`);
      await until(() => leaderCase.locator('button', { hasText: '办理：批准核销' }).count()).toBe(1);
      await leaderCase.locator('button', { hasText: '办理：批准核销' }).click();
      const writeOff = lp.locator('#log .msg', { has: lp.locator('form.stepform') }).filter({ hasText: '批准核销' }).last();
      await until(() => writeOff.locator('textarea[name="reason"]').count()).toBe(1);
      // Bad input first: the field named, the card still usable.
      await writeOff.locator('button[type="submit"]').click();
      await until(() => lp.locator('#log').innerText()).toContain('“核销理由”');
      await writeOff.locator('textarea[name="reason"]').fill('家庭无可供追回的财产，经专班研究同意核销');
      await writeOff.locator('button[type="submit"]').click();
      await until(() => lp.locator('#log').innerText()).toContain('已批准核销');
    } else {
      expect(decidedText).toContain('无超发资金');
    }

    // The case has closed: /案件 says so to the caseworker, and offers no step.
    const closed = await eventually(async () => {
      const c = await prisma.case.findUniqueOrThrow({ where: { id: kase.id } });
      return c.status === 'CLOSED' ? c : null;
    });
    await say(page, `/案件 ${kase.id}`);
    const finalCard = lastCard(page, `#${kase.id}`);
    await until(() => finalCard.innerText()).toContain('已办结');
    expect(await finalCard.locator('button', { hasText: '办理：' }).count()).toBe(0);
    expect((closed.data as { decision: { decision: string; decidedByStaffId: number } }).decision).toMatchObject({ decision: '停发', decidedByStaffId: caseworker.id });

    // Statutory table 5 as `jiuzhu report 5 --period <month>` writes it: the case's row with the decision.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-table5-'));
    const file = path.join(dir, 'table5.xlsx');
    await writeTable(prisma, 'zhangzi-5', { countyRegionId: summary.countyRegionId, period: `${summary.today.slice(0, 8)}01..${today}`, policy: presets.zhangzi, file });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const sheet = wb.worksheets[0]!;
    const lines: string[][] = [];
    sheet.eachRow((row, n) => {
      if (n > HEADER_ROWS) lines.push((row.values as ExcelJS.CellValue[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(typeof v === 'object' && 'result' in v ? v.result : v))));
    });
    const member = await prisma.member.findFirstOrThrow({ where: { idNumber: kase.subjectIdNumber! } });
    const ours = lines.filter((l) => l.includes(member.name) && l.includes('停发'));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toContain(stopMonth);
    expect(ours[0]!.join('|')).not.toContain(member.idNumber);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(problems).toEqual([]);
  }, 300_000);
});
