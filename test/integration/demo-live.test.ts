/**
 * The demo county brought to life (demo/live.ts), with the real Temporal dev server and a worker:
 * the matcher's planted findings open at most three near-relative filings, death reviews and prisoner
 * exits through the client paths; the first three applications open their review (申请审核确认)
 * assigned to their township's caseworker, the near-relative applicant's filing opened first and the
 * review requiring it; the filing's approver has an undelivered card with the approve buttons; a
 * second call opens nothing; a county without the demo marker is refused; a 低保 review whose clocks
 * reach into a year without holiday data opens too, that clock estimated Monday–Friday.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPrismaClient, type PrismaClient } from '../../infra/db/client.js';
import { migrateIfPending } from '../../infra/db/migrate.js';
import { bringDemoToLife, DEMO_LIVE_PER_KIND, loadDemoCounty, type DemoCountySummary } from '../../demo/index.js';
import { chineseDaysCalendarData, createCalendarFromData } from '../../domain/index.js';
import { presets } from '../../domain/policy/load.js';
import { createTestCounty } from '../support/county.js';
import { freshIdNumber } from '../support/ids.js';
import { addWorkdaysByHand, testCalendar } from '../workflows/fixtures/cases-b.js';
import { connectDevServer, createTestWorker, terminateWhenIdle, uniqueTaskQueue } from '../support/temporal.js';
import { createScratchDatabase, type ScratchDatabase } from '../db/scratch-database.js';
import { eventually } from '../workflows/fixtures/death-review.js';
import { applicationReviewStatusQuery } from '../../domain/steps/updates/application-review.js';
import { applicationReviewWorkflowId } from '../../domain/cases/ids.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { testDatabaseUrl } from '../support/database.js';

/** chinese-days only (up to 2026). */
const bare = createCalendarFromData(chineseDaysCalendarData());
/** With a (fictitious) 2027 layer: 低保's overall limit of an application accepted in late November ends in 2027. */
const calendar = testCalendar;
const policy = presets.wenshui;
let scratch: ScratchDatabase;
let prisma: PrismaClient;
let env: TestWorkflowEnvironment;
let summary: DemoCountySummary;

beforeAll(async () => {
  scratch = await createScratchDatabase(testDatabaseUrl());
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
      for (const k of [first.filings, first.deathReviews, first.prisonExits, first.applications]) expect(k.existing).toEqual([]);

      // The first three applications (by id) open their review, through the client's workflow id.
      const apps = await prisma.application.findMany({ where: { status: 'UNDER_REVIEW' }, orderBy: { id: 'asc' } });
      expect(apps.length).toBe(summary.counts.applications);
      const chosen = apps.slice(0, DEMO_LIVE_PER_KIND);
      expect(first.applications.opened).toEqual(chosen.map((a) => applicationReviewWorkflowId(summary.countyRegionId, a.id)));
      expect(new Set(chosen.map((a) => (a.kind.endsWith('DIBAO') ? 'dibao' : 'tekun')))).toEqual(new Set(['dibao', 'tekun']));
      // The 近亲属 applicant's filing is among the filings opened (those about an application first).
      const nearApp = chosen[0]!;
      const nearFiling = await eventually(() => prisma.nearRelativeFiling.findFirst({ where: { applicationId: nearApp.id } }));
      expect(nearFiling.status).toBe('SUBMITTED');
      expect(first.filings.opened).toContain(nearFiling.workflowId);

      // Case rows and running workflows, per kind.
      for (const [kind, ids] of [
        ['NEAR_RELATIVE_FILING', first.filings.opened],
        ['DEATH_REVIEW', first.deathReviews.opened],
        ['PRISON_EXIT', first.prisonExits.opened],
        ['APPLICATION', first.applications.opened],
      ] as const) {
        const rows = await eventually(async () => {
          const r = await prisma.case.findMany({ where: { kind, workflowId: { in: ids } } });
          return r.length === ids.length && r;
        });
        expect(rows.every((r) => r.status === 'OPEN')).toBe(true);
        for (const id of ids) expect((await client.workflow.getHandle(id).describe()).status.name).toBe('RUNNING');
      }
      expect(await prisma.nearRelativeFiling.count({ where: { status: 'SUBMITTED' } })).toBe(first.filings.opened.length);

      // Each review is the township caseworker's to-do item of the applicant's township (named in the
      // log), linked to its application; the first one requires the near-relative filing.
      for (const a of chosen) {
        const wfId = applicationReviewWorkflowId(summary.countyRegionId, a.id);
        const row = await prisma.case.findUniqueOrThrow({ where: { workflowId: wfId } });
        const village = await prisma.region.findUniqueOrThrow({ where: { id: a.regionId } });
        expect(row.regionId).toBe(village.parentId);
        const assignee = await prisma.staff.findUniqueOrThrow({ where: { id: row.assigneeStaffId! } });
        expect([assignee.role, assignee.regionId]).toEqual(['TOWNSHIP_CASEWORKER', village.parentId]);
        expect(first.reviewers.map((r) => r.staffId)).toContain(assignee.id);
        expect((await prisma.application.findUniqueOrThrow({ where: { id: a.id } })).workflowId).toBe(wfId);
        const status = await eventually(async () => {
          const st = await client.workflow.getHandle(wfId).query(applicationReviewStatusQuery);
          return st.phase === 'awaitingInvestigation' && st;
        });
        expect(status.nearRelative!.required).toBe(a.id === nearApp.id);
        if (a.id === nearApp.id) expect(status.nearRelative!.relatedStaff.map((s) => s.id)).toEqual([nearFiling.staffId]);
      }
      expect(lines.join('\n')).toContain(`已开启 ${chosen.length} 件低保、特困申请审核确认`);
      expect(lines.join('\n')).toContain(first.reviewers[0]!.name);
      // The others wait, without a review.
      for (const a of apps.slice(DEMO_LIVE_PER_KIND)) expect((await prisma.application.findUniqueOrThrow({ where: { id: a.id } })).workflowId).toBeNull();

      // The approver (a section head, named in the log) has the undelivered card with the buttons.
      expect(first.approvers.length).toBeGreaterThan(0);
      const approver = first.approvers[0]!;
      expect(approver.role).toBe('SECTION_HEAD');
      const card = await eventually(() =>
        prisma.notification.findFirst({ where: { recipientStaffId: approver.staffId, kind: 'approvalRequest', deliveredAt: null, workflowId: { in: first.filings.opened } } }),
      );
      const labels = (card.actions as Array<{ label: string; update: string }>).map((a) => a.label);
      expect(labels).toEqual(expect.arrayContaining(['批准', '驳回']));
      expect(lines.join('\n')).toContain(`已开启 ${first.filings.opened.length} 件近亲属备案待审批`);
      expect(lines.join('\n')).toContain(approver.name);

      // A second start opens nothing new and sends no second card.
      const casesBefore = await prisma.case.count();
      const cards = () => prisma.notification.count({ where: { kind: 'approvalRequest', workflowId: { in: first.filings.opened } } });
      const cardsBefore = await cards();
      expect(cardsBefore).toBe(first.filings.opened.length);
      const secondLines: string[] = [];
      const second = await bringDemoToLife(client, prisma, policy, summary.countyRegionId, { taskQueue, calendar, say: (l) => secondLines.push(l) });
      expect(secondLines.join('\n')).toContain(`近亲属备案 ${first.filings.opened.length} 件（本次新开 0 件），仍待审批 ${first.filings.opened.length} 件`);
      expect(second.filings.opened).toEqual([]);
      expect(second.deathReviews.opened).toEqual([]);
      expect(second.prisonExits.opened).toEqual([]);
      expect(second.applications.opened).toEqual([]);
      expect(second.applications.existing).toEqual(first.applications.opened);
      expect(secondLines.join('\n')).toContain(`${chosen.length} 件（本次新开 0 件）低保、特困申请审核确认`);
      expect(second.filings.existing).toEqual(first.filings.opened);
      expect(second.deathReviews.existing).toEqual(first.deathReviews.opened);
      expect(second.prisonExits.existing).toEqual(first.prisonExits.opened);
      expect(await prisma.case.count()).toBe(casesBefore);
      expect(await cards()).toBe(cardsBefore);
      expect(await prisma.finding.count({ where: { kind: 'undeclared_near_relative' } })).toBe(summary.planted.undeclared_near_relative);

      expect(await prisma.application.count({ where: { workflowId: { not: null } } })).toBe(chosen.length);
      for (const id of [...first.filings.opened, ...first.deathReviews.opened, ...first.prisonExits.opened, ...first.applications.opened]) {
        await client.workflow.getHandle(id).terminate('end of test');
      }
    });
  }, 240_000);

  it('refuses a county that is not the demo county', async () => {
    const county = await createTestCounty(prisma);
    // An application under review in that county: not opened either.
    await prisma.application.create({
      data: { applicantName: '某申请人', applicantIdNumber: freshIdNumber(), kind: 'RURAL_DIBAO', regionId: county.townships[0]!.villages[0]!.id, acceptedAt: new Date('2026-11-20T00:00:00Z') },
    });
    const casesBefore = await prisma.case.count();
    await expect(bringDemoToLife(env.client, prisma, policy, county.countyId, { taskQueue: uniqueTaskQueue('demo-live-no'), calendar })).rejects.toThrow('不是演示县');
    expect(await prisma.case.count()).toBe(casesBefore);
    expect(await prisma.application.count({ where: { regionId: county.townships[0]!.villages[0]!.id, workflowId: { not: null } } })).toBe(0);
  });

  it('opens a 低保 review whose overall limit reaches into a year without holiday data: that clock is estimated Monday–Friday', async () => {
    // Accepted in the last days of November: 30 working days end in January 2027 (no 2027 data here); 特困's 15 in December.
    const other = await loadDemoCounty(prisma, { preset: 'wenshui', seed: 5, scale: 0.02, today: '2026-11-30', countyName: '演示县丙' });
    const villages = await prisma.region.findMany({ where: { parent: { parentId: other.countyRegionId } }, select: { id: true } });
    const apps = await prisma.application.findMany({ where: { regionId: { in: villages.map((v) => v.id) } }, orderBy: { id: 'asc' }, take: DEMO_LIVE_PER_KIND });
    expect(apps.map((a) => a.kind)).toEqual(['TEKUN_DISPERSED', 'RURAL_DIBAO', 'TEKUN_CENTRALIZED']);
    const idOf = (a: { id: number }) => applicationReviewWorkflowId(other.countyRegionId, a.id);
    const dibao = apps.find((a) => a.kind.endsWith('DIBAO'))!;
    const taskQueue = uniqueTaskQueue('demo-live-2027');
    const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, db: { prisma } });
    const client = env.client;
    await worker.runUntil(async () => {
      expect(bare.covers(2027)).toBe(false);
      const first = await bringDemoToLife(client, prisma, policy, other.countyRegionId, { taskQueue, calendar: bare, say: () => {} });
      expect(first.applications.opened).toEqual(apps.map(idOf));
      // The 低保 review runs (its workflow task does not fail): the overall limit counted Monday–Friday into 2027.
      const status = await eventually(async () => {
        const s = await client.workflow.getHandle(idOf(dibao)).query(applicationReviewStatusQuery);
        return s.overallDue !== null && s;
      });
      const accepted = dibao.acceptedAt.toISOString().slice(0, 10);
      const holidays2026 = Object.keys(bare.sliceData(2026, 2026).holidays);
      expect(status.overallDue).toBe(addWorkdaysByHand(accepted, 30, holidays2026));
      expect(status.overallDue! > '2027-01-01').toBe(true);
      await eventually(async () => (await prisma.case.count({ where: { workflowId: { in: apps.map(idOf) } } })) === apps.length);

      for (const id of [...first.filings.opened, ...first.deathReviews.opened, ...first.prisonExits.opened, ...first.applications.opened]) {
        await terminateWhenIdle(client.workflow.getHandle(id));
      }
    });
  }, 240_000);
});
