/**
 * The web console in a real browser (Debian's Chromium via playwright-core),
 * wired as `jiuzhu start` wires it (startBotFronts), over the real bot core,
 * the real database, the Temporal dev server and a worker with the real
 * activities. People use it as they would: pick an identity (demo mode) or
 * open a login link, type into the chat, press the buttons on the cards.
 * Any script error or console error on a page fails the test.
 */
import { Writable } from 'node:stream';

import Fastify, { type FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '@temporalio/worker';

import { startBotFronts, type BotFronts } from '../../app/bot/fronts.js';
import { issueLoginLink } from '../../app/commands/staff.js';
import { DEMO_BANNER, FORBIDDEN_TEXT } from '../../bot/console/index.js';
import { chineseDaysCalendarData, createCalendarFromData } from '../../domain/index.js';
import { deathReviewWorkflowId } from '../../domain/cases/ids.js';
import { presets } from '../../domain/policy/load.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import { listen } from '../bot/support.js';
import { useBrowser } from '../support/browser.js';
import { connectDevServer, createTestWorker, uniqueTaskQueue, useTemporalTestContext } from '../support/temporal.js';
import { chinaDate, createDeathFixture, DAY, eventually, type DeathFixture } from '../workflows/fixtures/death-review.js';

const ctx = useTemporalTestContext(connectDevServer);
const { prisma } = ctx;
const b = useBrowser();
const taskQueue = uniqueTaskQueue('browser-console');
const calendar = createCalendarFromData(chineseDaysCalendarData());

let fx: DeathFixture;
let worker: Worker;
let running: Promise<void>;
let demo: { app: FastifyInstance; fronts: BotFronts; url: string };
let secure: { app: FastifyInstance; fronts: BotFronts; url: string };
const logs: string[] = [];

/** The fronts of one server process (demo or login-link mode) on a loopback port. */
async function startServer(policy: CountyPolicy, demoMode: boolean) {
  const app = Fastify();
  const fronts = await startBotFronts({ app, prisma, client: ctx.env.client, taskQueue, policy, calendar, demo: demoMode, deliveryIntervalMs: 3_600_000, log: (l) => logs.push(l) });
  return { app, fronts, url: await listen(app) };
}

beforeAll(async () => {
  fx = await createDeathFixture(prisma);
  const county = await prisma.region.findUniqueOrThrow({ where: { id: fx.countyId } });
  // The console's demo picker offers the staff of the policy's county: this test's own county.
  const policy: CountyPolicy = { ...presets.zhangzi, county: { ...presets.zhangzi.county, name: county.name } };
  worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
  running = worker.run();
  demo = await startServer(policy, true);
  secure = await startServer(policy, false);
});
afterAll(async () => {
  for (const s of [demo, secure]) {
    await s?.fronts.stop();
    await s?.app.close();
  }
  worker?.shutdown();
  await running;
});

/** Page errors and console errors of every page a test opens: any one fails the test. */
let problems: string[] = [];
afterEach(() => {
  const seen = problems;
  problems = [];
  expect(seen).toEqual([]);
  expect(logs).toEqual([]);
});

async function open(): Promise<Page> {
  const { page } = await b.newPage();
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  return page;
}

/** The chat log's text. */
const logText = (page: Page) => page.locator('#log').innerText();

/** Types a line into the chat and sends it; waits until the chat shows it. */
async function say(page: Page, text: string) {
  const before = await page.locator('#log .msg.me').count();
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
  await expect.poll(() => page.locator('#log .msg.me').count()).toBeGreaterThan(before);
}

async function pickIdentity(page: Page, staffId: number) {
  await page.goto(`${demo.url}/console`);
  await expect.poll(() => page.locator('#pick option').count()).toBeGreaterThan(1);
  await page.selectOption('#pick', String(staffId));
  await expect.poll(() => page.locator('#chats [data-id]').count()).toBeGreaterThan(0);
}

describe('the console in demo mode', () => {
  it('a village cadre reports a death in the group chat and confirms on the card', async () => {
    const page = await open();
    await pickIdentity(page, fx.staff.villager);
    await expect.poll(() => page.locator('#demo').innerText()).toContain(DEMO_BANNER);
    await expect.poll(() => page.locator('#who').innerText()).toContain('孙委员');
    const chatNames = await page.locator('#chats [data-id]').allInnerTexts();
    expect(chatNames.join('|')).toContain('第1村工作群');
    expect(chatNames.join('|')).toContain('私聊');

    const member = await prisma.member.findUniqueOrThrow({ where: { id: fx.memberId } });
    const deathDate = chinaDate(Date.now() - 5 * DAY);
    for (const text of ['/报告死亡', member.name, member.idNumber, deathDate, '村报']) {
      await say(page, text);
      // The bot answers each line before the next one is typed.
      await expect.poll(async () => (await page.locator('#log .msg').last().getAttribute('class')) ?? '').not.toContain('me');
    }
    // The ID number is masked in the group (what was typed too).
    expect(await logText(page)).not.toContain(member.idNumber);
    const confirm = page.locator('#log .card button', { hasText: '确认提交' }).last();
    await confirm.click();

    const workflowId = deathReviewWorkflowId(fx.countyId, fx.memberId);
    const row = await eventually(() => prisma.case.findUnique({ where: { workflowId } }));
    expect(row).toMatchObject({ kind: 'DEATH_REVIEW', status: 'OPEN', assigneeStaffId: fx.staff.caseworker });
    const description = await ctx.env.client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('RUNNING');
    await expect.poll(() => logText(page)).toContain('已受理');
    await expect.poll(() => logText(page)).toContain(workflowId);
  });
});
