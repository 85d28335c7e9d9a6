/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (DOM types for the code the tests run inside the page, e.g. page.evaluate.)
/**
 * A real browser for the browser tests: the machine's Chromium (Debian's
 * package, /usr/bin/chromium; CHROMIUM_PATH overrides) driven by
 * playwright-core, which downloads nothing. One browser per test file.
 */
import fs from 'node:fs';

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  const found = candidates.find((p): p is string => !!p && fs.existsSync(p));
  if (!found) throw new Error('No Chromium found: install Debian\'s "chromium" package or set CHROMIUM_PATH');
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root in CI containers has no user namespace for the sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=zh-CN'],
  });
}

export interface BrowserTestContext {
  browser: Browser;
  /** A fresh context (own cookies) and page; closed with the browser. */
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
}

/** Launches Chromium before the file's tests and closes it after. */
export function useBrowser(): BrowserTestContext {
  const ctx = {} as BrowserTestContext;
  beforeAll(async () => {
    ctx.browser = await launchBrowser();
    ctx.newPage = async () => {
      const context = await ctx.browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      return { context, page };
    };
  });
  afterAll(async () => {
    await ctx.browser?.close();
  });
  return ctx;
}
