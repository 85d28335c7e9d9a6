/**
 * The demo county brought to life (app/demo/live.ts), with the real Temporal dev server and a worker:
 * the matcher's planted findings open at most three near-relative filings, death reviews and prisoner
 * exits through the client paths; the filing's approver has an undelivered card with the approve
 * buttons; a second call opens nothing; a county without the demo marker is refused.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { createPrismaClient, type PrismaClient } from '../../app/db/client.js';
import { migrateIfPending } from '../../app/db/migrate.js';
import { bringDemoToLife, DEMO_LIVE_PER_KIND, loadDemoCounty, type DemoCountySummary } from '../../app/demo/index.js';
import { chineseDaysCalendarData, createCalendarFromData } from '../../domain/index.js';
import { presets } from '../../domain/policy/load.js';
import { createTestCounty } from '../support/county.js';
import { connectDevServer, createTestWorker, uniqueTaskQueue } from '../support/temporal.js';
import { createScratchDatabase, type ScratchDatabase } from '../db/scratch-database.js';
import { eventually } from '../workflows/fixtures/death-review.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

const calendar = createCalendarFromData(chineseDaysCalendarData());
const policy = presets.wenshui;
let scratch: ScratchDatabase;
let prisma: PrismaClient;
let env: TestWorkflowEnvironment;
let summary: DemoCountySummary;

beforeAll(async () => {
  scratch = await createScratchDatabase(inject('databaseUrl'));
  await migrateIfPending(scratch.url);
  prisma = createPrismaClient(scratch.url);
  summary = await loadDemoCounty(prisma, { preset: 'wenshui', seed: 5, scale: 0.05, today: '2026-11-22' });
  env = await connectDevServer();
}, 300_000);

afterAll(async () => {
  await env?.teardown();
  await prisma?.$disconnect();
  await scratch?.drop();
});

describe('bringDemoToLife', () => {
  it('opens the first planted cases of each kind once, with the approval card waiting', async () => {
    // The demo has more planted problems of each kind than are opened.
    expect(summary.planted.undeclared_near_relative).toBeGreaterThan(0);
    expect(summary.planted.paid_after_death).toBeGreaterThan(0);
    expect(summary.planted.paid_in_prison).toBeGreaterThan(0);
    const taskQueue = uniqueTaskQueue('demo-live');
    const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, db: { prisma } });
    const client = env.client;
    const lines: string[] = [];
    await worker.runUntil(async () => {
      const first = await bringDemoToLife(client, prisma, policy, summary.countyRegionId, { taskQueue, calendar, say: (l) => lines.push(l) });
      // The matcher ran: the planted findings are stored.
      expect(await prisma.finding.count({ where: { kind: 'undeclared_near_relative' } })).toBe(summary.planted.undeclared_near_relative);
      expect(first.findings.paid_after_death).toBe(summary.planted.paid_after_death);

      const bounded = (planted: number) => Math.min(DEMO_LIVE_PER_KIND, planted);
      expect(first.filings.opened).toHaveLength(bounded(summary.planted.undeclared_near_relative));
      expect(first.deathReviews.opened.length).toBeGreaterThan(0);
      expect(first.deathReviews.opened.length).toBeLessThanOrEqual(DEMO_LIVE_PER_KIND);
      expect(first.prisonExits.opened.length).toBeGreaterThan(0);
      expect(first.prisonExits.opened.length).toBeLessThanOrEqual(DEMO_LIVE_PER_KIND);
      for (const k of [first.filings, first.deathReviews, first.prisonExits]) expect(k.existing).toEqual([]);

      // Case rows and running workflows, per kind.
      for (const [kind, ids] of [
        ['NEAR_RELATIVE_FILING', first.filings.opened],
        ['DEATH_REVIEW', first.deathReviews.opened],
        ['PRISON_EXIT', first.prisonExits.opened],
      ] as const) {
        const rows = await eventually(async () => {
          const r = await prisma.case.findMany({ where: { kind, workflowId: { in: ids } } });
          return r.length === ids.length && r;
        });
        expect(rows.every((r) => r.status === 'OPEN')).toBe(true);
        for (const id of ids) expect((await client.workflow.getHandle(id).describe()).status.name).toBe('RUNNING');
      }
      expect(await prisma.nearRelativeFiling.count({ where: { status: 'SUBMITTED' } })).toBe(first.filings.opened.length);

      // The approver (a section head, named in the log) has the undelivered card with the buttons.
      expect(first.approvers.length).toBeGreaterThan(0);
      const approver = first.approvers[0]!;
      expect(approver.role).toBe('SECTION_HEAD');
      const card = await eventually(() =>
        prisma.notification.findFirst({ where: { recipientStaffId: approver.staffId, kind: 'approval-request', deliveredAt: null, workflowId: { in: first.filings.opened } } }),
      );
      const labels = (card.actions as Array<{ label: string; update: string }>).map((a) => a.label);
      expect(labels).toEqual(expect.arrayContaining(['批准', '驳回']));
      expect(lines.join('\n')).toContain(`已开启 ${first.filings.opened.length} 件近亲属备案待审批`);
      expect(lines.join('\n')).toContain(approver.name);

      // A second start opens nothing new and sends no second card.
      const casesBefore = await prisma.case.count();
      const cards = () => prisma.notification.count({ where: { kind: 'approval-request', workflowId: { in: first.filings.opened } } });
      const cardsBefore = await cards();
      expect(cardsBefore).toBe(first.filings.opened.length);
      const secondLines: string[] = [];
      const second = await bringDemoToLife(client, prisma, policy, summary.countyRegionId, { taskQueue, calendar, say: (l) => secondLines.push(l) });
      expect(secondLines.join('\n')).toContain(`近亲属备案 ${first.filings.opened.length} 件（本次新开 0 件），仍待审批 ${first.filings.opened.length} 件`);
      expect(second.filings.opened).toEqual([]);
      expect(second.deathReviews.opened).toEqual([]);
      expect(second.prisonExits.opened).toEqual([]);
      expect(second.filings.existing).toEqual(first.filings.opened);
      expect(second.deathReviews.existing).toEqual(first.deathReviews.opened);
      expect(second.prisonExits.existing).toEqual(first.prisonExits.opened);
      expect(await prisma.case.count()).toBe(casesBefore);
      expect(await cards()).toBe(cardsBefore);
      expect(await prisma.finding.count({ where: { kind: 'undeclared_near_relative' } })).toBe(summary.planted.undeclared_near_relative);

      for (const id of [...first.filings.opened, ...first.deathReviews.opened, ...first.prisonExits.opened]) {
        await client.workflow.getHandle(id).terminate('end of test');
      }
    });
  }, 240_000);

  it('refuses a county that is not the demo county', async () => {
    const county = await createTestCounty(prisma);
    const casesBefore = await prisma.case.count();
    await expect(bringDemoToLife(env.client, prisma, policy, county.countyId, { taskQueue: uniqueTaskQueue('demo-live-no'), calendar })).rejects.toThrow('不是演示县');
    expect(await prisma.case.count()).toBe(casesBefore);
  });
});
