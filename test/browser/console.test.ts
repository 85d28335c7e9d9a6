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
import { devServerCalendar } from '../support/clock.js';
import { deathReviewWorkflowId } from '../../domain/cases/ids.js';
import { presets } from '../../domain/policy/load.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import { freshIdNumber, listen } from '../bot/support.js';
import { useBrowser } from '../support/browser.js';
import { connectDevServer, createTestWorker, uniqueTaskQueue, useTemporalTestContext } from '../support/temporal.js';
import { chinaDate, createDeathFixture, DAY, eventually, type DeathFixture } from '../workflows/fixtures/death-review.js';
import { MAX_MESSAGE_CHARS, tooLongText } from '../../domain/text.js';

const ctx = useTemporalTestContext(connectDevServer);
const { prisma } = ctx;
const b = useBrowser();
const taskQueue = uniqueTaskQueue('browser-console');
const calendar = devServerCalendar();

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

/**
 * Polls a value in the page until the matcher holds. The bound only turns a
 * hang into a failure (the workflow round trips take seconds on a busy machine).
 */
const until = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 30_000, interval: 100 });

/** Page errors and console errors of every page a test opens: any one fails the test. */
let problems: string[] = [];
/** Console errors a test causes on purpose (matched exactly). */
let expected: string[] = [];
const pages: Page[] = [];
afterEach(async () => {
  for (const p of pages.splice(0)) await p.context().close();
  const seen = problems.filter((p) => !expected.includes(p));
  problems = [];
  expected = [];
  expect(seen).toEqual([]);
  expect(logs).toEqual([]);
});

/** A new page in a fresh browser context, or another tab of `sameContextAs` (shares its cookies). */
async function open(sameContextAs?: Page): Promise<Page> {
  const page = sameContextAs ? await sameContextAs.context().newPage() : (await b.newPage()).page;
  if (!sameContextAs) pages.push(page);
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
  await until(() => page.locator('#log .msg.me').count()).toBeGreaterThan(before);
}

async function pickIdentity(page: Page, staffId: number) {
  await page.goto(`${demo.url}/console`);
  await until(() => page.locator('#pick option').count()).toBeGreaterThan(1);
  await page.selectOption('#pick', String(staffId));
  await until(() => page.locator('#chats [data-id]').count()).toBeGreaterThan(0);
}

describe('the console in demo mode', () => {
  it('a village cadre reports a death in the private chat (the group refuses forms that ask for ID numbers) and confirms on the card', async () => {
    const page = await open();
    await pickIdentity(page, fx.staff.villager);
    await until(() => page.locator('#demo').innerText()).toContain(DEMO_BANNER);
    await until(() => page.locator('#who').innerText()).toContain('孙委员');
    const chatNames = await page.locator('#chats [data-id]').allInnerTexts();
    expect(chatNames.join('|')).toContain('第1村工作群');
    expect(chatNames.join('|')).toContain('私聊');

    // In the village group the form is refused: it would put an ID number in the group's history.
    await say(page, '/报告死亡');
    await until(() => logText(page)).toContain('不能在群里填写');

    await page.click(`#chats [data-id="private:${fx.staff.villager}"]`);
    const member = await prisma.member.findUniqueOrThrow({ where: { id: fx.memberId } });
    const deathDate = chinaDate(Date.now() - 5 * DAY);
    for (const text of ['/报告死亡', member.name, member.idNumber, deathDate, '村报']) {
      await say(page, text);
      // The bot answers each line before the next one is typed.
      await until(async () => (await page.locator('#log .msg').last().getAttribute('class')) ?? '').not.toContain('me');
    }
    const confirm = page.locator('#log .card button', { hasText: '确认提交' }).last();
    await confirm.click();

    const workflowId = deathReviewWorkflowId(fx.countyId, fx.memberId);
    const row = await eventually(() => prisma.case.findUnique({ where: { workflowId } }));
    expect(row).toMatchObject({ kind: 'DEATH_REVIEW', status: 'OPEN', assigneeStaffId: fx.staff.caseworker });
    const description = await ctx.env.client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('RUNNING');
    await until(() => logText(page)).toContain('已受理');
    await until(() => logText(page)).toContain(workflowId);

    // The 专班 dashboard of the same server lists the case among the county's open cases.
    const board = await open();
    await board.goto(`${demo.url}/dashboard?staff=${fx.staff.leader}`);
    const openCase = board.locator('#tbl-cases tr', { hasText: `#${row.id}` });
    await until(() => openCase.count()).toBe(1);
    expect(await openCase.innerText()).toContain('死亡核查');
    expect(await openCase.innerText()).toContain('李经办');
  });
});

describe('the console in demo mode, as a leader', () => {
  it('a leader approves a near-relative filing on the card; the other tabs show the decision live and a stale card decides nothing', async () => {
    // The village cadre files about a relative of theirs (a second member of the household) in their private chat.
    const household = await prisma.household.findUniqueOrThrow({ where: { id: fx.householdId } });
    const relative = await prisma.member.create({ data: { householdId: household.id, name: '张大娘', idNumber: freshIdNumber(), relationToHead: '配偶' } });
    const cadre = await open();
    await pickIdentity(cadre, fx.staff.villager);
    await cadre.click(`#chats [data-id="private:${fx.staff.villager}"]`);
    for (const text of ['/近亲属备案', relative.name, relative.idNumber, '父母']) {
      await say(cadre, text);
      await until(async () => (await cadre.locator('#log .msg').last().getAttribute('class')) ?? '').not.toContain('me');
    }
    await cadre.locator('#log .card button', { hasText: '确认提交' }).last().click();
    const filing = await eventually(() => prisma.nearRelativeFiling.findFirst({ where: { staffId: fx.staff.villager, relativeIdNumber: relative.idNumber } }));
    expect(filing.status).toBe('SUBMITTED');
    await eventually(() => prisma.notification.findFirst({ where: { workflowId: filing.workflowId!, recipientStaffId: fx.staff.leader } }));

    // The leader has the console open in three tabs, on their group chat.
    const tabA = await open();
    const tabB = await open();
    const tabC = await open();
    for (const tab of [tabA, tabB, tabC]) await pickIdentity(tab, fx.staff.leader);
    const privateChat = `#chats [data-id="private:${fx.staff.leader}"]`;
    for (const tab of [tabA, tabB, tabC]) await until(() => tab.locator('#conn').innerText()).toBe('已连接');
    await demo.fronts.delivery.kick();
    // The request arrives live in the private chat, counted as unread there.
    for (const tab of [tabA, tabB, tabC]) {
      await until(() => tab.locator(`${privateChat} .unread`).innerText()).toBe('1');
      await tab.click(privateChat);
      await until(() => tab.locator(`${privateChat} .unread`).count()).toBe(0);
    }
    const cardA = tabA.locator('#log .msg', { hasText: '近亲属备案待审批' }).last();
    await until(() => cardA.locator('button', { hasText: '批准' }).count()).toBe(1);
    expect(await cardA.innerText()).not.toContain(relative.idNumber);
    const messageId = (await cardA.getAttribute('data-id'))!;

    // Tab C stops listening (as a tab that lost its stream would): it never sees the form.
    await tabC.evaluate('source.close()');
    // 批准 opens the approval form (a comment is required on every decision), with 批准 already chosen.
    await cardA.locator('button', { hasText: '批准' }).click();
    const formA = tabA.locator('#log .msg', { hasText: '审批近亲属备案' }).filter({ has: tabA.locator('form.stepform') }).last();
    await until(() => formA.count()).toBe(1);
    expect(await formA.locator('select[name="decision"]').inputValue()).toBe('approve');
    const formId = (await formA.getAttribute('data-id'))!;
    // Submitted without the comment: refused in Chinese, naming the field; nothing decided.
    await formA.locator('button[type="submit"]').click();
    // Wait for the refusal itself (the form's own label says 审批意见 too) before typing into the card.
    await until(() => logText(tabA)).toContain('请填写“审批意见”');
    expect((await prisma.nearRelativeFiling.findUniqueOrThrow({ where: { id: filing.id } })).status).toBe('SUBMITTED');
    // With the comment, a double click on submit decides once (the card is the update id).
    await formA.locator('textarea[name="note"]').fill('材料齐全，同意备案');
    await formA.locator('button[type="submit"]').dblclick();
    // Both listening tabs show the outcome, who decided and the comment, without reloading; the form is gone.
    for (const tab of [tabA, tabB]) {
      const card = tab.locator(`#log .msg[data-id="${formId}"]`);
      await until(() => card.innerText()).toContain('办理人：赵组长');
      expect(await card.innerText()).toContain('材料齐全，同意备案');
      expect(await card.locator('form').count()).toBe(0);
    }
    const decided = await eventually(async () => {
      const f = await prisma.nearRelativeFiling.findUniqueOrThrow({ where: { id: filing.id } });
      return f.status === 'APPROVED' ? f : null;
    });
    expect(decided.decidedByStaffId).toBe(fx.staff.leader);

    // The old card pressed again (tab B): the step is over, refused in Chinese; nothing decided twice.
    const cardB = tabB.locator(`#log .msg[data-id="${messageId}"]`);
    await cardB.locator('button', { hasText: '批准' }).click();
    await until(() => logText(tabB)).toMatch(/当前不在“审批近亲属备案”环节|当前没有您可以办理的环节/);
    await demo.fronts.idle();
    expect(await prisma.auditEntry.count({ where: { action: 'filing.approved', subjectType: 'NearRelativeFiling', subjectId: String(filing.id) } })).toBe(1);
  });

  it('reconnects a dropped event stream and shows what the bot said meanwhile, once', async () => {
    const page = await open();
    await pickIdentity(page, fx.staff.leader);
    await page.click(`#chats [data-id="private:${fx.staff.leader}"]`);
    await until(() => page.locator('#conn').innerText()).toBe('已连接');
    // The drop the test makes is reported by Chromium as a failed load of the stream.
    expected = ['console: Failed to load resource: net::ERR_INCOMPLETE_CHUNKED_ENCODING'];
    demo.app.server.closeAllConnections();
    await until(() => page.locator('#conn').innerText()).toBe('连接中断，正在重连…');
    await say(page, '/帮助');
    await until(() => page.locator('#conn').innerText()).toBe('已连接');
    await until(() => logText(page)).toContain('/报告死亡');
    const ids = await page.locator('#log .msg').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('shows what is typed as text, and keeps a refused line in the box with the reason', async () => {
    const page = await open();
    await pickIdentity(page, fx.staff.villager);
    await page.click(`#chats [data-id="private:${fx.staff.villager}"]`);
    const markup = '<img src=x onerror="document.title=\'注入\'">备注';
    await say(page, markup);
    await until(() => page.locator('#log .msg.me').last().innerText()).toContain(markup);
    expect(await page.locator('#log img').count()).toBe(0);
    expect(await page.title()).toBe('救助专项治理 · 控制台');
    const tooLong = '长'.repeat(2001);
    await page.fill('#text', tooLong);
    await page.press('#text', 'Enter');
    // The refusal names the field, the limit and what was typed (domain/text.ts tooLongText).
    await until(() => page.locator('#err').innerText()).toBe(tooLongText('内容', MAX_MESSAGE_CHARS, 2001));
    expect(await page.inputValue('#text')).toBe(tooLong);
    expected = ['console: Failed to load resource: the server responded with a status of 400 (Bad Request)'];
  });

  it('switching identity shows only the new person\'s chats and survives a reload', async () => {
    const page = await open();
    await pickIdentity(page, fx.staff.villager);
    const line = '村里今天的情况：一切正常';
    await say(page, line);
    await page.selectOption('#pick', String(fx.staff.leader));
    await until(() => page.locator('#who').innerText()).toContain('赵组长');
    await until(() => page.locator('#chats [data-id]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id))).toEqual([`group:${fx.countyId}`, `private:${fx.staff.leader}`]);
    await until(() => page.locator('#conn').innerText()).toBe('已连接');
    expect(await logText(page)).not.toContain(line);
    // A reload keeps the chosen identity (it is in the address).
    await page.reload();
    await until(() => page.locator('#who').innerText()).toContain('赵组长');
    expect(await page.locator('#pick').inputValue()).toBe(String(fx.staff.leader));
    // On a phone the chats sit in a row above the messages, and the input box stays on screen.
    await page.setViewportSize({ width: 390, height: 844 });
    const chats = (await page.locator('#chats').boundingBox())!;
    const log = (await page.locator('#log').boundingBox())!;
    const input = (await page.locator('#text').boundingBox())!;
    expect(chats.y + chats.height).toBeLessThanOrEqual(log.y);
    expect(input.y + input.height).toBeLessThanOrEqual(844);
  });
});

describe('the console with login links (not demo)', () => {
  /** The login link `jiuzhu staff login-link <id>` prints. */
  async function loginLink(staffId: number): Promise<string> {
    let out = '';
    const io = { stdout: new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) }), stderr: new Writable({ write: (_c, _e, cb) => cb() }) };
    expect(await issueLoginLink(prisma, String(staffId), secure.url, io)).toBe(0);
    return /http:\S+/.exec(out)![0];
  }

  it('refuses an anonymous visitor in Chinese, with no identity picker', async () => {
    const page = await open();
    const res = await page.goto(`${secure.url}/console`);
    expected = ['console: Failed to load resource: the server responded with a status of 403 (Forbidden)'];
    expect(res?.status()).toBe(403);
    expect(await page.locator('#reason').innerText()).toBe(FORBIDDEN_TEXT);
    expect(await page.locator('#pick').count()).toBe(0);
    expect(await page.locator('body').innerText()).not.toContain(DEMO_BANNER);
    // The API refuses too, whatever staff id is asked for.
    const me = await page.evaluate(async (id) => (await fetch(`/console/api/me?staff=${id}`)).status, fx.staff.leader);
    const staff = await page.evaluate(async () => (await fetch('/console/api/staff')).status);
    expect([me, staff]).toEqual([403, 403]);
  });

  it('a login link signs in a village cadre who sees only their own chats and cannot use another person\'s', async () => {
    const page = await open();
    const link = await loginLink(fx.staff.villager);
    await page.goto(link);
    expect(new URL(page.url()).pathname).toBe('/console');
    await until(() => page.locator('#who').innerText()).toContain('孙委员');
    await until(() => page.locator('#conn').innerText()).toBe('已连接');
    const township = await prisma.region.findUniqueOrThrow({ where: { id: fx.townshipId } });
    const village = await prisma.region.findFirstOrThrow({ where: { parentId: township.id } });
    expect(await page.locator('#chats [data-id]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id))).toEqual([`group:${village.id}`, `group:${township.id}`, `private:${fx.staff.villager}`]);
    expect(await page.locator('#pick').count()).toBe(0);
    expect(await page.locator('#demo').count()).toBe(0);
    expect(await page.locator('body').innerText()).not.toContain(DEMO_BANNER);

    // The cadre's own group chat works as in demo mode.
    await say(page, '/帮助');
    await until(() => logText(page)).toContain('/近亲属备案');

    // Another staff member's chat, through the page's own API: refused, nothing recorded.
    const tries = await page.evaluate(async ({ leader }) => {
      const post = async (path: string, body: unknown) => {
        const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: r.status, error: ((await r.json()) as { error?: string }).error };
      };
      return [
        await post('/console/say', { eventId: crypto.randomUUID(), chatId: `private:${leader}`, text: '/我的待办' }),
        // A staff id in the request is ignored outside demo mode.
        await post('/console/say', { eventId: crypto.randomUUID(), chatId: `private:${leader}`, text: '/我的待办', staffId: leader }),
        await post('/console/press', { eventId: crypto.randomUUID(), chatId: `private:${leader}`, messageId: crypto.randomUUID(), button: { action: 'x' }, staffId: leader }),
      ];
    }, { leader: fx.staff.leader });
    expect(tries).toEqual(Array(3).fill({ status: 403, error: '您不在这个会话中。' }));
    const asLeader = await page.evaluate(async (id) => ((await (await fetch(`/console/api/me?staff=${id}`)).json()) as { staff: { id: number } }).staff.id, fx.staff.leader);
    expect(asLeader).toBe(fx.staff.villager);
    const recorded = await prisma.consoleMessage.count({ where: { chatId: `private:${fx.staff.leader}`, fromStaffId: fx.staff.villager } });
    expect(recorded).toBe(0);

    // The link was used once: opened again it is refused; logging out ends the session.
    const again = await open();
    await again.goto(link);
    expect(await again.locator('#reason').innerText()).toContain('登录链接无效');
    await page.click('#logout');
    await until(() => page.locator('#reason').count()).toBe(1);
    expect(await page.locator('#reason').innerText()).toBe(FORBIDDEN_TEXT);
    expected = ['console: Failed to load resource: the server responded with a status of 403 (Forbidden)'];
  });

  it('one login serves the console and the dashboard: a leader follows the console\'s link to the dashboard and back', async () => {
    const page = await open();
    await page.goto(await loginLink(fx.staff.leader));
    await until(() => page.locator('#who').innerText()).toContain('赵组长');
    await page.click('#to-dashboard');
    await page.waitForSelector('body[data-loaded]', { timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    expect(await page.locator('#reason').count()).toBe(0);
    expect(await page.locator('#who').innerText()).toContain('赵组长');
    await page.click('#to-console');
    await until(() => page.locator('#conn').innerText()).toBe('已连接');
    expect(new URL(page.url()).pathname).toBe('/console');
    // Logging out of either ends both.
    await page.click('#logout');
    await until(() => page.locator('#reason').count()).toBe(1);
    const board = await page.request.get(`${secure.url}/dashboard/api/data`);
    expect(board.status()).toBe(403);
    expected = ['console: Failed to load resource: the server responded with a status of 403 (Forbidden)'];
  });

  it('logging out in one tab ends the session in the other: it stops listening and says why', async () => {
    const tabA = await open();
    await tabA.goto(await loginLink(fx.staff.villager));
    const tabB = await open(tabA);
    await tabB.goto(`${secure.url}/console`);
    for (const tab of [tabA, tabB]) await until(() => tab.locator('#conn').innerText()).toBe('已连接');
    await tabA.click('#logout');
    await until(() => tabA.locator('#reason').count()).toBe(1);
    await until(() => tabB.locator('#err').innerText()).toBe(FORBIDDEN_TEXT);
    expect(await tabB.locator('#chats [data-id]').count()).toBe(0);
    expect(await tabB.locator('#log').innerText()).toBe('');
    expect(await tabB.locator('#text').isDisabled()).toBe(true);
    expected = ['console: Failed to load resource: the server responded with a status of 403 (Forbidden)'];
  });

  it('shows the demo banner on every page in demo mode and on none outside it', async () => {
    const page = await open();
    expected = ['console: Failed to load resource: the server responded with a status of 403 (Forbidden)'];
    const banner = () => page.locator('#demo').count();
    // Demo mode: the console, a refused login link, a request relayed by a proxy.
    await page.goto(`${demo.url}/console`);
    expect(await banner()).toBe(1);
    await page.goto(`${demo.url}/console/login?token=${'x'.repeat(30)}`);
    expect(await banner()).toBe(1);
    await page.setExtraHTTPHeaders({ 'x-forwarded-for': '203.0.113.9' });
    await page.goto(`${demo.url}/console`);
    expect(await page.locator('#reason').innerText()).toBe('演示模式只能在本机使用。');
    expect(await banner()).toBe(1);
    await page.goto(`${demo.url}/dashboard`);
    expect(await banner()).toBe(1);
    await page.goto(`${demo.url}/dashboard?staff=${fx.staff.leader}`);
    expect(await banner()).toBe(1);
    await page.setExtraHTTPHeaders({});
    await page.goto(`${demo.url}/dashboard?staff=${fx.staff.leader}`);
    await until(() => page.locator('#tbl-cases').count()).toBe(1);
    expect(await banner()).toBe(1);
    await page.goto(`${demo.url}/dashboard?staff=${fx.staff.villager}`); // a village cadre is refused the dashboard
    expect(await banner()).toBe(1);
    // Login-link mode: never.
    await page.goto(`${secure.url}/dashboard`);
    expect(await banner()).toBe(0);
    await page.goto(`${secure.url}/dashboard/login?token=${'x'.repeat(30)}`);
    expect(await banner()).toBe(0);
    await page.goto(`${secure.url}/console`);
    expect(await banner()).toBe(0);
    await page.goto(`${secure.url}/console/login?token=${'x'.repeat(30)}`);
    expect(await banner()).toBe(0);
    await page.goto(await loginLink(fx.staff.leader));
    await until(() => page.locator('#who').innerText()).toContain('赵组长');
    expect(await banner()).toBe(0);
    expect(await page.content()).not.toContain(DEMO_BANNER);
  });
});
