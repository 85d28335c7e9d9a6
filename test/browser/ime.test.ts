/**
 * Typing Chinese into the web console through an input method (输入法, pinyin), in a real Chromium.
 * The composition is driven through Chromium's own IME path over the DevTools protocol:
 * Input.imeSetComposition shows the pinyin and then the chosen candidate underlined in the box
 * (compositionstart/update, input events with isComposing), Input.insertText commits it
 * (compositionend), and Input.dispatchKeyEvent presses Enter while composing and after.
 *
 * An Enter during a composition belongs to the input method (it confirms a candidate, or the
 * raw pinyin): it must not send the half-typed line. Two shapes of it reach the page:
 * - the native one (keydown with keyCode 229 "Process", no keypress), which never submits a form;
 * - a keydown Enter (keyCode 13) with isComposing=true, which Chromium follows with a keypress and
 *   the form's implicit submission — the classic bug: the pinyin or the uncommitted candidate is
 *   sent. The control test below shows that a form without a guard does submit on it.
 *
 * The console's cards have no input fields of their own (unlike some Feishu cards): its forms
 * (e.g. 近亲属备案) ask step by step and take the free-text answers from the same input box, so
 * the form test types a relative's name and the relation through the input method.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createBotCore } from '../../bot/core/index.js';
import { createConsoleStore, registerConsole, type ConsoleRoutes } from '../../bot/console/index.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { createStaff, createTestCounty, freshIdNumber, listen, RecordingCaseStarter } from '../bot/support.js';
import { useBrowser } from '../support/browser.js';
import { RecordingGateway } from '../support/recording-gateway.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
const starter = new RecordingCaseStarter();
const core = createBotCore({ prisma, caseStarter: starter, workflows: new RecordingGateway() });
const b = useBrowser();

let app: FastifyInstance;
let routes: ConsoleRoutes;
let url: string;
let cadreId: number;

beforeAll(async () => {
  const county = await createTestCounty(prisma);
  cadreId = (await createStaff(prisma, county, { name: '孙委员' })).id;
  app = Fastify();
  routes = registerConsole(app, { prisma, core, store: createConsoleStore(prisma), demo: true, countyRegionId: county.countyId });
  url = await listen(app);
});
afterAll(async () => {
  routes?.close();
  await app?.close();
  await prisma.$disconnect();
});

const until = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 30_000, interval: 100 });

/** Page errors and console errors: any one fails the test. */
let problems: string[] = [];
const pages: Page[] = [];
afterEach(async () => {
  for (const p of pages.splice(0)) await p.context().close();
  const seen = problems;
  problems = [];
  expect(seen).toEqual([]);
});

/**
 * The console as the village cadre, on their private chat, with a DevTools session for the input
 * method, the texts POSTed to the send route, and every keydown the input box saw.
 */
async function openConsole() {
  const { page } = await b.newPage();
  pages.push(page);
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  const sent: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/console/say') sent.push((r.postDataJSON() as { text: string }).text);
  });
  await page.goto(`${url}/console`);
  await until(() => page.locator('#pick option').count()).toBeGreaterThan(1);
  await page.selectOption('#pick', String(cadreId));
  await until(() => page.locator('#chats [data-id]').count()).toBeGreaterThan(0);
  await page.click(`#chats [data-id="private:${cadreId}"]`);
  await until(() => page.locator('#conn').innerText()).toBe('已连接');
  await page.evaluate(() => {
    const w = window as unknown as { keydowns: Array<{ keyCode: number; isComposing: boolean }> };
    w.keydowns = [];
    document.querySelector('#text')!.addEventListener('keydown', (e) => {
      const k = e as KeyboardEvent;
      if (k.key === 'Enter') w.keydowns.push({ keyCode: k.keyCode, isComposing: k.isComposing });
    });
  });
  await page.focus('#text');
  const cdp = await page.context().newCDPSession(page);
  return { page, cdp, sent };
}

/** The Enter keydowns the input box saw since the page opened. */
const keydowns = (page: Page) => page.evaluate(() => (window as unknown as { keydowns: Array<{ keyCode: number; isComposing: boolean }> }).keydowns);

/** Shows each text in turn as the composition (the pinyin growing, then the chosen candidate). */
async function compose(cdp: CDPSession, ...texts: string[]) {
  for (const text of texts) await cdp.send('Input.imeSetComposition', { text, selectionStart: text.length, selectionEnd: text.length });
}
/** Commits the composition with the given text (the candidate confirmed). */
const commit = (cdp: CDPSession, text: string) => cdp.send('Input.insertText', { text });

/** The Enter an input method swallows: keydown with keyCode 229 ("Process"), no keypress. */
async function imeEnter(cdp: CDPSession) {
  await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 229, nativeVirtualKeyCode: 229 });
  await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, nativeVirtualKeyCode: 13 });
}
/** A plain Enter key (keydown 13 + keypress): during a composition its keydown says isComposing. */
async function enter(cdp: CDPSession) {
  await cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, nativeVirtualKeyCode: 13, text: '\r', unmodifiedText: '\r' });
  await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, nativeVirtualKeyCode: 13 });
}
/** Both shapes of an Enter pressed during the composition. */
async function entersWhileComposing(cdp: CDPSession) {
  await imeEnter(cdp);
  await enter(cdp);
}

const myLines = (page: Page) => page.locator('#log .msg.me').allInnerTexts();
/** The text of the bubbles (without the sender/time line), in order. */
const bubbles = (page: Page) => page.locator('#log .msg .bubble').allInnerTexts();

describe('typing through an input method (pinyin) in the console', () => {
  it('the control: without a guard, Chromium submits a form on an Enter pressed during a composition', async () => {
    // The same DevTools path on a bare form shows the tests below can fail: their Enter would send.
    const { page } = await b.newPage();
    pages.push(page);
    await page.setContent('<form><input id="text"><button>发送</button></form>');
    await page.evaluate(() => {
      const w = window as unknown as { submitted: string[] };
      w.submitted = [];
      document.querySelector('form')!.addEventListener('submit', (e) => {
        e.preventDefault();
        w.submitted.push((document.querySelector('#text') as HTMLInputElement).value);
      });
    });
    await page.focus('#text');
    const cdp = await page.context().newCDPSession(page);
    await compose(cdp, 'bao', 'baogao', '报告');
    await imeEnter(cdp);
    expect(await page.evaluate(() => (window as unknown as { submitted: string[] }).submitted)).toEqual([]);
    await enter(cdp);
    expect(await page.evaluate(() => (window as unknown as { submitted: string[] }).submitted)).toEqual(['报告']);
  });

  it('an Enter while composing sends nothing; the committed command is sent once on the next Enter and the bot answers', async () => {
    const { page, cdp, sent } = await openConsole();
    // "/" on the keyboard, then 帮助 through pinyin; Enter pressed on the pinyin and on the candidate.
    await page.keyboard.type('/');
    await compose(cdp, 'b', 'bang', 'bangzhu');
    await entersWhileComposing(cdp);
    expect(await page.inputValue('#text')).toBe('/bangzhu');
    await compose(cdp, '帮助');
    await entersWhileComposing(cdp);
    expect(await page.inputValue('#text')).toBe('/帮助');

    // A message arriving meanwhile (the same person in another tab) redraws the chat, not the box.
    const other = await openConsole();
    await other.page.fill('#text', '稍后再报');
    await other.page.press('#text', 'Enter');
    await until(() => myLines(page)).toHaveLength(1);
    expect(await myLines(page)).toEqual([expect.stringContaining('稍后再报')]);

    await commit(cdp, '帮助');
    expect(await page.inputValue('#text')).toBe('/帮助');
    // The Enters above reached the box as composing keydowns (both shapes): the test exercised the guard.
    expect(await keydowns(page)).toEqual([
      { keyCode: 229, isComposing: true },
      { keyCode: 13, isComposing: true },
      { keyCode: 229, isComposing: true },
      { keyCode: 13, isComposing: true },
    ]);
    expect(sent).toEqual([]);

    await enter(cdp);
    await until(() => bubbles(page)).toContainEqual(expect.stringContaining('/近亲属备案'));
    expect(sent).toEqual(['/帮助']);
    expect(await page.inputValue('#text')).toBe('');
    const texts = await bubbles(page);
    expect(texts.filter((t) => t === '/帮助')).toHaveLength(1);
    expect(texts.filter((t) => t.startsWith('可用命令'))).toHaveLength(1);
    expect(texts.some((t) => t.includes('bangzhu'))).toBe(false);
    expect(other.sent).toEqual(['稍后再报']);
  });

  it('a form\'s free-text answers (近亲属备案: the relative\'s name, the relation) are taken as committed, once each', async () => {
    const { page, cdp, sent } = await openConsole();
    const idNumber = freshIdNumber();
    await page.fill('#text', '/近亲属备案');
    await enter(cdp);
    await until(() => bubbles(page)).toContainEqual(expect.stringContaining('请输入申请或享受救助的亲属姓名'));

    // The pinyin alone would be a valid name (letters are allowed): an Enter on it must not answer the step.
    await compose(cdp, 'zhang', 'zhangda', 'zhangdaniang');
    await entersWhileComposing(cdp);
    await compose(cdp, '张大娘');
    await entersWhileComposing(cdp);
    await commit(cdp, '张大娘');
    expect(await page.inputValue('#text')).toBe('张大娘');
    expect(sent).toEqual(['/近亲属备案']);
    await enter(cdp);
    await until(() => bubbles(page)).toContainEqual(expect.stringContaining('请输入该亲属的身份证号'));

    await page.fill('#text', idNumber);
    await enter(cdp);
    await until(() => bubbles(page)).toContainEqual(expect.stringContaining('该亲属与您是什么关系'));

    await compose(cdp, 'pei', 'peiou');
    await entersWhileComposing(cdp);
    await compose(cdp, '配偶');
    await entersWhileComposing(cdp);
    await commit(cdp, '配偶');
    expect(await page.inputValue('#text')).toBe('配偶');
    await enter(cdp);
    const confirm = page.locator('#log .card button', { hasText: '确认提交' });
    await until(() => confirm.count()).toBe(1);
    expect(sent).toEqual(['/近亲属备案', '张大娘', idNumber, '配偶']);
    const card = await page.locator('#log .card').last().innerText();
    expect(card).toContain('张大娘');
    expect(card).toContain('配偶');
    expect(card).not.toMatch(/zhang|peiou/);

    await confirm.click();
    await until(() => starter.filings.length).toBe(1);
    expect(starter.filings[0]).toMatchObject({ filerStaffId: cadreId, relativeName: '张大娘', relativeIdNumber: idNumber, relation: '配偶' });
  });
});
