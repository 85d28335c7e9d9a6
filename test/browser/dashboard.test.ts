/**
 * The 专班 dashboard in Debian's Chromium against the real routes and
 * database (test/support/dashboard-county.ts): charts drawn from the data
 * (ECharts options and canvas pixels), the PNG and xlsx downloads, scoping
 * (township A sees nothing of B, a village cadre is refused) and no data for
 * an anonymous visitor outside demo mode.
 */
import fs from 'node:fs';

import ExcelJS from 'exceljs';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Client } from '@temporalio/client';

import { issueLoginToken } from '../../bot/console/auth.js';
import { startBotFronts } from '../../app/bot/fronts.js';
import { presets } from '../../domain/policy/load.js';
import { DEMO_BANNER } from '../../bot/console/page.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { DASHBOARD_FORBIDDEN, registerDashboard } from '../../dashboard/routes.js';
import { VILLAGE_REFUSAL } from '../../readmodels/dashboard-scope.js';
import { DASHBOARD_TABLES, HEADER_ROW } from '../../dashboard/xlsx.js';
import { RecordingCaseStarter } from '../bot/support.js';
import { useBrowser } from '../support/browser.js';
import { DASHBOARD_NOW, seedDashboardCounty, type DashboardCounty } from '../support/dashboard-county.js';
import { testDatabaseUrl } from '../support/database.js';

const b = useBrowser();
const prisma = createPrismaClient(testDatabaseUrl());
const now = () => DASHBOARD_NOW;
let fx: DashboardCounty;
let secure: FastifyInstance;
let demo: FastifyInstance;
let secureUrl: string;
let demoUrl: string;

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  return `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
}

beforeAll(async () => {
  fx = await seedDashboardCounty(prisma, DASHBOARD_NOW);
  secure = Fastify();
  registerDashboard(secure, { prisma, demo: false, countyRegionId: fx.county.countyId, now });
  secureUrl = await listen(secure);
  demo = Fastify();
  registerDashboard(demo, { prisma, demo: true, countyRegionId: fx.county.countyId, now });
  demoUrl = await listen(demo);
});
afterAll(async () => {
  await secure?.close();
  await demo?.close();
  await prisma.$disconnect();
});

/** A fresh browser context signed in as the staff member through a one-time login link. */
async function signIn(staffId: number): Promise<Page> {
  const { page } = await b.newPage();
  const { token } = await issueLoginToken(prisma, staffId, DASHBOARD_NOW);
  await page.goto(`${secureUrl}/dashboard/login?token=${token}`);
  return page;
}

async function loaded(page: Page): Promise<void> {
  await page.waitForSelector('body[data-loaded]', { timeout: 30_000 });
}

interface ChartOption {
  xAxis: Array<{ data: string[] }>;
  series: Array<{ name: string; data: number[] }>;
}
type EchartsGlobal = { echarts: { getInstanceByDom(el: Element): { getOption(): unknown } } };

const chartOption = (page: Page, name: string) =>
  page.evaluate((n) => {
    const echarts = (globalThis as unknown as EchartsGlobal).echarts;
    const o = echarts.getInstanceByDom(document.getElementById(`chart-${n}`)!)!.getOption() as ChartOption;
    return { xAxis: o.xAxis.map((x) => ({ data: x.data })), series: o.series.map((s) => ({ name: s.name, data: s.data })) };
  }, name);

/** Pixels of the chart's canvas that are clearly coloured (bars, lines), not white, grey or black. */
const colouredPixels = (page: Page, name: string) =>
  page.evaluate((n) => {
    const canvas = document.querySelector(`#chart-${n} canvas`) as HTMLCanvasElement;
    const g = canvas.getContext('2d')!;
    const d = g.getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 0; i < d.length; i += 4) {
      const r = d[i]!, gr = d[i + 1]!, bl = d[i + 2]!;
      if (Math.max(r, gr, bl) - Math.min(r, gr, bl) > 60) count++;
    }
    return count;
  }, name);

const sumOf = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

async function dbFindingTotals(regionIds: number[]) {
  const agg = await prisma.finding.aggregate({ where: { regionId: { in: regionIds } }, _count: { _all: true }, _sum: { amount: true } });
  return { count: agg._count._all, yuan: Number(agg._sum.amount ?? 0) };
}

async function readXlsx(file: string) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  return wb.worksheets[0]!;
}

describe('dashboard for the county (login link)', () => {
  let page: Page;
  beforeAll(async () => {
    page = await signIn(fx.staff.office);
    await loaded(page);
  });

  it('draws the charts from the data', async () => {
    expect(await page.title()).toBe('救助专项治理 · 专班看板');
    const findings = await chartOption(page, 'findings');
    expect(findings.xAxis[0]!.data).toEqual([fx.A.name, fx.B.name]);
    // Stacked per kind: per township the bars add up to the township's findings.
    const perTown = [0, 1].map((i) => sumOf(findings.series.map((s) => s.data[i] ?? 0)));
    expect(perTown).toEqual([3, 2]);
    expect(findings.series.map((s) => s.name).sort()).toEqual(['少发', '延迟发放', '死亡后仍发放'].sort());

    const cases = await chartOption(page, 'cases');
    const overdue = cases.series.find((s) => s.name === '已逾期')!;
    expect(sumOf(overdue.data)).toBe(2);

    const subs = await chartOption(page, 'submissions');
    expect(subs.xAxis[0]!.data).toContain('进展情况报告（2026-11-14）');
    expect(subs.series.find((s) => s.name === '未报送')!.data[subs.xAxis[0]!.data.indexOf('进展情况报告（2026-11-14）')]).toBe(1);

    const trends = await chartOption(page, 'trends');
    expect(trends.xAxis[0]!.data.at(-1)).toBe('2026-11');
    expect(trends.series.find((s) => s.name === '追回金额（元）')!.data.slice(-3)).toEqual([123.45, 750, 88]);

    for (const name of ['findings', 'cases', 'submissions', 'trends']) expect(await colouredPixels(page, name)).toBeGreaterThan(500);
  });

  it('shows the tables with overdue cases first and the missing unit flagged', async () => {
    const firstCase = await page.textContent('#tbl-cases tr:nth-child(2)');
    expect(firstCase).toContain(`#${fx.cases.bOverdue}`);
    expect(firstCase).toContain('逾期 5 天');
    const subs = await page.textContent('#tbl-submissions table');
    expect(subs).toContain('未报送（已逾期）');
    expect(subs).toContain('逾期报送');
    const body = await page.innerText('body');
    expect(body).not.toContain('郑举报');
    expect(body).not.toMatch(/\d{17}[\dX]/);
  });

  it('downloads a chart as PNG', async () => {
    const width = await page.evaluate(() => document.getElementById('chart-findings')!.clientWidth);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[data-png="findings"]')]);
    expect(download.suggestedFilename()).toMatch(/\.png$/);
    const png = fs.readFileSync((await download.path())!);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(5_000);
    expect(png.readUInt32BE(16)).toBe(width * 2); // IHDR width at pixelRatio 2
  });

  it('downloads the findings table as xlsx whose totals equal the database', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#tbl-findings a.xlsx')]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const ws = await readXlsx((await download.path())!);
    expect(ws.getCell(`A${HEADER_ROW}`).value).toBe('乡镇（街道）');
    const db = await dbFindingTotals([...fx.A.villages, ...fx.B.villages]);
    let r = HEADER_ROW + 1;
    while (ws.getCell(`A${r}`).value !== '合计') r++;
    expect((ws.getCell(`C${r}`).value as { result: number }).result).toBe(db.count);
    expect((ws.getCell(`E${r}`).value as { result: number }).result).toBeCloseTo(db.yuan, 2);
  });

  it('downloads the cases table as xlsx with every open case counted', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#tbl-cases-by-kind a.xlsx')]);
    const ws = await readXlsx((await download.path())!);
    let r = HEADER_ROW + 1;
    while (ws.getCell(`A${r}`).value !== '合计') r++;
    const open = await prisma.case.count({ where: { status: 'OPEN', regionId: { in: [fx.A.id, fx.B.id, ...fx.A.villages, ...fx.B.villages] }, kind: { not: 'COMPLAINT' } } });
    // + the ordinary complaint the 专班 office may read (not the accusation).
    expect((ws.getCell(`B${r}`).value as { result: number }).result).toBe(open + 1);
  });
});

describe('every table downloads as xlsx', () => {
  it('opens with exceljs: frozen Chinese header, totals row equal to the database', async () => {
    const page = await signIn(fx.staff.office);
    await loaded(page);
    const totals: Record<string, Record<string, number>> = {};
    for (const table of DASHBOARD_TABLES) {
      const res = await page.request.get(`${secureUrl}/dashboard/xlsx/${table}`);
      expect(res.status()).toBe(200);
      expect(res.headers()['content-type']).toContain('spreadsheetml');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load((await res.body()) as unknown as ArrayBuffer);
      const ws = wb.worksheets[0]!;
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: HEADER_ROW });
      const headers = (ws.getRow(HEADER_ROW).values as unknown[]).slice(1) as string[];
      expect(headers.every((h) => /[\u4e00-\u9fff]/.test(h))).toBe(true);
      let r = HEADER_ROW + 1;
      while (ws.getCell(`A${r}`).value !== '合计') r++;
      totals[table] = Object.fromEntries(
        headers.map((h, i) => {
          const v = ws.getRow(r).getCell(i + 1).value;
          return [h, typeof v === 'object' && v && 'result' in v ? Number(v.result) : Number(v ?? 0)];
        }),
      );
    }
    // Recovered: case recoveries plus rectification progress of the county, all within the twelve months.
    expect(totals.trends!['追回金额（元）']).toBeCloseTo((12_345 + 70_000 + 5_000 + 8_800) / 100, 2);
    expect(totals.trends!['发现问题数（个）']).toBe((await dbFindingTotals([...fx.A.villages, ...fx.B.villages])).count);
    // Submissions: the current progress cycle and the village chain.
    const cycles = await prisma.reportCycle.findMany({ where: { countyRegionId: fx.county.countyId, period: { in: ['2026-11-14', '2026-11'] } }, select: { id: true } });
    const submitted = await prisma.reportSubmission.count({ where: { cycleId: { in: cycles.map((c) => c.id) } } });
    const late = await prisma.reportSubmission.count({ where: { cycleId: { in: cycles.map((c) => c.id) }, late: true } });
    expect(totals.submissions!['已报送（个）']).toBe(submitted);
    expect(totals.submissions!['其中逾期（个）']).toBe(late);
    expect(totals.submissions!['未报送（个）']).toBe(3 + 5 - submitted); // progress: 股 + 2 townships; chain: 2 townships + 3 villages
    expect(totals['cases-by-kind']!['已逾期']).toBe(2);
    expect(totals.cases!['案件类型']).toBe(totals['cases-by-kind']!['在办（件）']);
  });
});

describe('scoping in the browser', () => {
  it('township A staff see no number of township B, in the page or the xlsx', async () => {
    const page = await signIn(fx.staff.aCaseworker);
    await loaded(page);
    const text = await page.innerText('body'); // what is shown (not the script's source)
    expect(text).toContain(fx.A.name);
    expect(text).not.toContain(fx.B.name);
    expect(text).not.toContain('999.99');
    expect(text).not.toContain('700.00');
    const findings = await chartOption(page, 'findings');
    expect(findings.xAxis[0]!.data).toEqual([fx.A.name]);
    expect(sumOf(findings.series.flatMap((s) => s.data))).toBe(3);
    const trends = await chartOption(page, 'trends');
    expect(trends.series.find((s) => s.name === '追回金额（元）')!.data.slice(-3)).toEqual([123.45, 50, 0]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#tbl-findings a.xlsx')]);
    const ws = await readXlsx((await download.path())!);
    const cells: string[] = [];
    ws.eachRow((row) => row.eachCell((c) => cells.push(String(typeof c.value === 'object' && c.value && 'result' in c.value ? c.value.result : c.value))));
    expect(cells.join('|')).not.toContain(fx.B.name);
    let r = HEADER_ROW + 1;
    while (ws.getCell(`A${r}`).value !== '合计') r++;
    const db = await dbFindingTotals(fx.A.villages);
    expect((ws.getCell(`E${r}`).value as { result: number }).result).toBeCloseTo(db.yuan, 2);
  });

  it('a village cadre is refused, page and data', async () => {
    const page = await signIn(fx.staff.villageCadre);
    expect(await page.textContent('body')).toContain(VILLAGE_REFUSAL);
    for (const path of ['/dashboard', '/dashboard/api/data', '/dashboard/xlsx/findings']) {
      const res = await page.request.get(secureUrl + path);
      expect(res.status()).toBe(403);
      expect(await res.text()).not.toContain(fx.A.name);
    }
  });

  it('an anonymous visitor gets no data outside demo mode', async () => {
    const { page } = await b.newPage();
    const res = await page.goto(`${secureUrl}/dashboard`);
    expect(res!.status()).toBe(403);
    expect(await page.textContent('body')).toContain('jiuzhu staff login-link');
    expect(await page.$('#chart-findings')).toBeNull();
    for (const path of ['/dashboard/api/data', '/dashboard/xlsx/findings', '/dashboard/xlsx/cases', '/dashboard/api/staff', '/dashboard/api/data?staff=' + fx.staff.office]) {
      const r = await page.request.get(secureUrl + path);
      expect(r.status()).toBe(403);
      const body = await r.text();
      expect(JSON.parse(body)).toEqual({ error: DASHBOARD_FORBIDDEN });
    }
    // A used login link does not open it a second time.
    const { token } = await issueLoginToken(prisma, fx.staff.office, DASHBOARD_NOW);
    expect((await page.request.get(`${secureUrl}/dashboard/login?token=${token}`, { maxRedirects: 0 })).status()).toBe(303);
    expect((await page.request.get(`${secureUrl}/dashboard/login?token=${token}`, { maxRedirects: 0 })).status()).toBe(403);
  });
});

describe('requests relayed by a proxy', () => {
  it('are refused even with a valid session cookie', async () => {
    const page = await signIn(fx.staff.office);
    await loaded(page);
    expect((await page.request.get(`${secureUrl}/dashboard/api/data`)).status()).toBe(200);
    const relayed = await page.request.get(`${secureUrl}/dashboard/api/data`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(relayed.status()).toBe(403);
  });
});

describe('demo mode', () => {
  it('startBotFronts serves /dashboard beside /console', async () => {
    const app = Fastify();
    const fronts = await startBotFronts({
      app,
      prisma,
      client: {} as Client,
      caseStarter: new RecordingCaseStarter(),
      taskQueue: 'unused',
      policy: { ...presets.zhangzi, county: { ...presets.zhangzi.county, name: fx.county.countyName } },
      deliveryIntervalMs: 3_600_000,
      demo: true,
      log: () => {},
    });
    const url = await listen(app);
    try {
      const res = await fetch(`${url}/dashboard/api/data?staff=${fx.staff.office}`);
      expect(res.status).toBe(200);
      const data = (await res.json()) as { demo: boolean; banner: string; viewer: { scope: string } };
      expect(data).toMatchObject({ demo: true, banner: DEMO_BANNER, viewer: { scope: `${fx.county.countyName}（全县）` } });
      expect((await fetch(`${url}/dashboard`)).status).toBe(200);
      expect((await fetch(`${url}/console`)).status).toBe(200);
    } finally {
      await fronts.stop();
      await app.close();
    }
  });


  it('says so, lets the identity be chosen and applies that identity’s scope', async () => {
    const { page } = await b.newPage();
    await page.goto(`${demoUrl}/dashboard`);
    expect(await page.textContent('#demo')).toBe(DEMO_BANNER);
    await page.waitForSelector(`#pick option[value="${fx.staff.bCaseworker}"]`, { state: 'attached' });
    await page.selectOption('#pick', String(fx.staff.bCaseworker));
    await loaded(page);
    const findings = await chartOption(page, 'findings');
    expect(findings.xAxis[0]!.data).toEqual([fx.B.name]);
    expect(await page.textContent('#who')).toContain('周乙镇');

    const cadre = await page.request.get(`${demoUrl}/dashboard/api/data?staff=${fx.staff.villageCadre}`);
    expect(cadre.status()).toBe(403);
    expect((await cadre.json()).error).toBe(VILLAGE_REFUSAL);
  });
});

describe('live data', () => {
  it('「刷新」 shows a finding recorded after the page was opened', async () => {
    const page = await signIn(fx.staff.office);
    await loaded(page);
    const bTotal = async () => {
      const o = await chartOption(page, 'findings');
      const i = o.xAxis[0]!.data.indexOf(fx.B.name);
      return sumOf(o.series.map((x) => x.data[i] ?? 0));
    };
    expect(await bTotal()).toBe(2);
    const f = await prisma.finding.create({ data: { kind: 'payment_missing', key: `dash-live-${Date.now()}`, idNumber: '000000000000000000', regionId: fx.B.villages[0]!, amount: '1.00', evidence: {}, foundAt: DASHBOARD_NOW } });
    try {
      await page.click('#refresh');
      await expect.poll(bTotal, { timeout: 10_000 }).toBe(3);
      expect(await page.innerText('#tbl-findings')).toContain('未发放');
    } finally {
      await prisma.finding.delete({ where: { id: f.id } });
    }
  });
});
