/**
 * The demo county in a real browser: with the demo county in the database the console's demo mode is
 * on (demoModeFor, as `jiuzhu start` decides it), the page says so, the identity picker lists the
 * demo staff of every role, and picking a village cadre shows their chats and the bot answering.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createConsoleStore, DEMO_BANNER, registerConsole } from '../../bot/console/index.js';
import { createBotCore } from '../../bot/core/index.js';
import { createPrismaClient, type PrismaClient } from '../../infra/db/client.js';
import { migrateIfPending } from '../../infra/db/migrate.js';
import { demoModeFor, findDemoCounty, loadDemoCounty, type DemoCountySummary } from '../../demo/index.js';
import { presets } from '../../domain/policy/index.js';
import { createScratchDatabase, type ScratchDatabase } from '../db/scratch-database.js';
import { listen, RecordingCaseStarter } from '../bot/support.js';
import { useBrowser } from '../support/browser.js';
import { RecordingGateway } from '../support/recording-gateway.js';
import { testDatabaseUrl } from '../support/database.js';

const b = useBrowser();
let scratch: ScratchDatabase;
let prisma: PrismaClient;
let app: FastifyInstance;
let url: string;
let summary: DemoCountySummary;

beforeAll(async () => {
  scratch = await createScratchDatabase(testDatabaseUrl());
  await migrateIfPending(scratch.url);
  prisma = createPrismaClient(scratch.url);
  summary = await loadDemoCounty(prisma, { preset: 'zhangzi', seed: 2, scale: 0.02, today: '2026-11-22' });
  const demo = demoModeFor({ envDemo: false, host: '127.0.0.1', countyInForce: presets.zhangzi.county.name, demoCounty: await findDemoCounty(prisma) });
  expect(demo.on).toBe(true);
  const core = createBotCore({ prisma, caseStarter: new RecordingCaseStarter(), workflows: new RecordingGateway() });
  app = Fastify();
  registerConsole(app, { prisma, core, store: createConsoleStore(prisma), demo: demo.on, countyRegionId: summary.countyRegionId });
  url = await listen(app);
}, 300_000);

afterAll(async () => {
  await app?.close();
  await prisma?.$disconnect();
  await scratch?.drop();
});

describe('the demo county in the console', () => {
  it('says it is in demo mode and lists every demo staff member in the picker', async () => {
    const { page } = await b.newPage();
    await page.goto(`${url}/console`);
    expect(await page.textContent('#demo')).toBe(DEMO_BANNER);
    expect(DEMO_BANNER).toContain('仅限本机');
    await expect.poll(() => page.locator('#pick option').count(), { timeout: 10_000 }).toBe(summary.counts.staff + 1);
    const labels = await page.locator('#pick option').allTextContents();
    for (const role of ['专班组长', '专班办公室', '股室负责人', '股室经办人', '纪检联络', '乡镇负责人', '乡镇经办人', '村(居)委会', '管理员']) {
      expect(labels.some((l) => l.includes(` · ${role} · `)), role).toBe(true);
    }
  });

  it('acts as the picked village cadre: their chats, and the bot answers /帮助', async () => {
    const cadre = summary.showcase.find((s) => s.role === 'VILLAGE_COMMITTEE')!;
    const { page } = await b.newPage();
    await page.goto(`${url}/console`);
    await expect.poll(() => page.locator('#pick option').count(), { timeout: 10_000 }).toBeGreaterThan(1);
    await page.selectOption('#pick', String(cadre.staffId));
    await expect.poll(() => page.textContent('#who'), { timeout: 10_000 }).toContain(cadre.name);
    const chats = await page.locator('#chats div').allTextContents();
    expect(chats.length).toBeGreaterThan(1);
    await page.fill('#text', '/帮助');
    await page.press('#text', 'Enter');
    await expect.poll(() => page.locator('#log .msg').count(), { timeout: 15_000 }).toBeGreaterThan(1);

    // The demo hint lists recipients of the cadre's own village only, with their (fictitious) ID numbers.
    await expect.poll(() => page.locator('#roster li').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await page.locator('#roster').isHidden()).toBe(false);
    const listed = await page.locator('#roster li').allTextContents();
    const cadreRow = await prisma.staff.findUniqueOrThrow({ where: { id: cadre.staffId } });
    for (const line of listed) {
      const idNumber = /\d{17}[\dX]/.exec(line)![0];
      const member = await prisma.member.findFirstOrThrow({ where: { idNumber }, include: { household: true } });
      expect(member.household.regionId).toBe(cadreRow.regionId);
      expect(member.status).toBe('ALIVE');
    }
  });
});
