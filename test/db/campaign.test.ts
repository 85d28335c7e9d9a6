/**
 * The stored campaign (services/campaign.ts): what the service runs at start-up. The demo county's campaign is
 * placed once around its pinned `today` and found again; a county without one runs its policy's
 * window and is told when it has ended; --replace supersedes an overlapping campaign, audited.
 * A scratch database of its own (the audit chain is verified whole).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignOverlapError, campaignInForce, ensureDemoCampaign, policyInForce, startCampaign } from '../../services/campaign.js';
import { verifyAuditChain } from '../../infra/audit-chain.js';
import { createPrismaClient, type PrismaClient } from '../../infra/db/client.js';
import { migrateIfPending } from '../../infra/db/migrate.js';
import { loadPolicy, presets } from '../../domain/policy/load.js';
import { policyForWindow } from '../../domain/policy/shift.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database.js';
import { testDatabaseUrl } from '../support/database.js';

let scratch: ScratchDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  scratch = await createScratchDatabase(testDatabaseUrl());
  await migrateIfPending(scratch.url);
  prisma = createPrismaClient(scratch.url);
}, 300_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await scratch?.drop();
});

const withCode = (p: CountyPolicy, code: string): CountyPolicy => loadPolicy({ ...structuredClone(p), county: { ...p.county, code } });

describe('the campaign in force', () => {
  it('places the demo county campaign around its today once; the start finds it again', async () => {
    const preset = withCode(presets.wenshui, 'demowen');
    const first = await ensureDemoCampaign(prisma, preset, '2026-12-07');
    expect(first.created).toBe(true);
    expect(first.campaign.window).toEqual({ start: '2026-11-01', end: '2027-05-31' });
    expect(first.campaign.policy.phaseSummaries.map((s) => s.due)).toEqual(['2027-02-10', '2027-05-10']);
    const again = await ensureDemoCampaign(prisma, preset, '2026-12-07');
    expect(again).toMatchObject({ created: false, campaign: { id: first.campaign.id } });
    const said: string[] = [];
    const inForce = await policyInForce(prisma, preset, { today: '2026-12-20', demoToday: '2026-12-07', say: (l) => said.push(l) });
    expect(inForce.campaign?.id).toBe(first.campaign.id);
    expect(inForce.policy.campaign.window.start).toBe('2026-11-01');
    expect(said).toEqual([]);
    const audit = await prisma.auditEntry.findMany({ where: { action: 'campaign.start', subjectId: String(first.campaign.id) } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toBe('system:demo');
  });

  it('a county without a stored campaign runs its policy and is told when the window has ended', async () => {
    const said: string[] = [];
    const p = withCode(presets.zhangzi, 'nostored');
    const r = await policyInForce(prisma, p, { today: '2026-12-07', say: (l) => said.push(l) });
    expect(r.campaign).toBeNull();
    expect(r.policy).toBe(p);
    expect(said.join('\n')).toMatch(/专项行动期间 2024-04-01至2024-10-31 已结束.*jiuzhu campaign start --preset nostored/);
  });

  it('refuses an overlap, replaces with --replace (audited), picks the running, else the next, else the last', async () => {
    const p = withCode(presets.zhangzi, 'overlap');
    const a = await startCampaign(prisma, { policy: policyForWindow(p, { start: '2027-04-01', end: '2027-10-31' }).policy, source: 'preset:zhangzi', actor: 'test' });
    const clash = policyForWindow(p, { start: '2027-10-01', end: '2028-03-31' }).policy;
    await expect(startCampaign(prisma, { policy: clash, source: 'preset:zhangzi', actor: 'test' })).rejects.toThrow(CampaignOverlapError);
    await expect(startCampaign(prisma, { policy: clash, source: 'preset:zhangzi', actor: 'test' })).rejects.toThrow(/--from 晚于 2027-10-31，或 --to 早于 2027-04-01/);
    const b = await startCampaign(prisma, { policy: clash, source: 'preset:zhangzi', actor: 'test', replace: true });
    expect(b.replaced).toEqual([a.campaign.id]);
    const c = await startCampaign(prisma, { policy: policyForWindow(p, { start: '2028-04-01', end: '2028-10-31' }).policy, source: 'preset:zhangzi', actor: 'test' });
    expect((await campaignInForce(prisma, 'overlap', '2027-06-01'))?.id).toBe(b.campaign.id); // the next (a was replaced)
    expect((await campaignInForce(prisma, 'overlap', '2028-01-10'))?.id).toBe(b.campaign.id); // running
    expect((await campaignInForce(prisma, 'overlap', '2028-02-01'))?.id).toBe(b.campaign.id);
    expect((await campaignInForce(prisma, 'overlap', '2028-05-01'))?.id).toBe(c.campaign.id);
    expect((await campaignInForce(prisma, 'overlap', '2030-01-01'))?.id).toBe(c.campaign.id); // the last
    const replacedAudit = await prisma.auditEntry.findFirstOrThrow({ where: { action: 'campaign.start', subjectId: String(b.campaign.id) } });
    expect(replacedAudit.payload).toMatchObject({ replaced: [a.campaign.id] });
    expect(await verifyAuditChain(prisma)).toMatchObject({ ok: true });
  });
});
