/** The browser harness itself: Chromium starts, runs the page's script and draws on a canvas. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { useBrowser } from '../support/browser.js';

const b = useBrowser();
let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><meta charset="utf-8"><title>测试</title><canvas id="c" width="40" height="40"></canvas>
<button id="b">点我</button><p id="out"></p>
<script>
const g = document.getElementById('c').getContext('2d'); g.fillStyle = 'rgb(200,0,0)'; g.fillRect(0, 0, 20, 40);
document.getElementById('b').onclick = () => { document.getElementById('out').textContent = '已点击'; };
</script>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('browser harness', () => {
  it('runs scripts, clicks and reads canvas pixels', async () => {
    const { page } = await b.newPage();
    await page.goto(url);
    expect(await page.title()).toBe('测试');
    await page.click('#b');
    await expect.poll(() => page.textContent('#out')).toBe('已点击');
    const pixels = await page.evaluate(() => {
      const g = (document.getElementById('c') as HTMLCanvasElement).getContext('2d')!;
      return [Array.from(g.getImageData(5, 5, 1, 1).data), Array.from(g.getImageData(30, 5, 1, 1).data)];
    });
    expect(pixels[0]).toEqual([200, 0, 0, 255]);
    expect(pixels[1]![3]).toBe(0); // the right half stays transparent
  });
});
