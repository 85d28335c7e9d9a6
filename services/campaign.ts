/**
 * The campaign (专项行动) of a county, stored in the database (`Campaign`):
 * set by `jiuzhu campaign start` (audited), read at start-up so the service
 * reconciles its cycle schedules from it, shown by `jiuzhu campaign show`.
 *
 *   const set = await startCampaign(prisma, { policy, source: 'preset:zhangzi', actor: 'cli:…' });
 *   const inForce = await campaignInForce(prisma, 'zhangzi', '2027-05-01');
 */
import { Client, Connection } from '@temporalio/client';
import { DomainInputError } from '../domain/errors.js';
import { uncoveredCampaignYears, workingDayRules } from '../domain/cycles/campaign.js';
import { loadPolicy } from '../domain/policy/load.js';
import { demoCampaignPolicy } from '../domain/policy/shift.js';
import type { CountyPolicy } from '../domain/policy/schema.js';
import { compareLocalDates, type LocalDate } from '../domain/time/local-date.js';
import type { WorkCalendar } from '../domain/time/work-calendar.js';
import type { AppConfig } from '../infra/config.js';
import { appendAudit } from '../infra/audit-chain.js';
import type { PrismaClient } from '../infra/db/client.js';
import { ensureSchedules, type EnsuredSchedule } from './schedules.js';
import { createDataConverter, loadPayloadKey } from '../infra/temporal/payload-codec.js';
import { waitForTemporal } from '../infra/temporal/dev-server.js';

export const CAMPAIGN_START_ACTION = 'campaign.start';

export interface StoredCampaign {
  id: number;
  countyCode: string;
  title: string;
  window: { start: LocalDate; end: LocalDate };
  policy: CountyPolicy;
  source: string;
  createdBy: string;
  createdAt: Date;
}

const dateOf = (d: Date): LocalDate => d.toISOString().slice(0, 10);

type Row = { id: number; countyCode: string; title: string; windowStart: Date; windowEnd: Date; policy: unknown; source: string; createdBy: string; createdAt: Date };

function fromRow(r: Row): StoredCampaign {
  return {
    id: r.id,
    countyCode: r.countyCode,
    title: r.title,
    window: { start: dateOf(r.windowStart), end: dateOf(r.windowEnd) },
    policy: loadPolicy(r.policy, `已登记的专项行动 #${r.id}`),
    source: r.source,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
  };
}

/** The county's campaigns (not replaced), by start. */
export async function campaignsOf(prisma: PrismaClient, countyCode: string): Promise<StoredCampaign[]> {
  const rows = await prisma.campaign.findMany({ where: { countyCode, supersededAt: null }, orderBy: [{ windowStart: 'asc' }, { id: 'asc' }] });
  return rows.map(fromRow);
}

/**
 * The campaign in force on `today`: the one running, else the next to start,
 * else the last one that ended; null when none is stored.
 */
export async function campaignInForce(prisma: PrismaClient, countyCode: string, today: LocalDate): Promise<StoredCampaign | null> {
  const all = await campaignsOf(prisma, countyCode);
  return (
    all.find((c) => compareLocalDates(c.window.start, today) <= 0 && compareLocalDates(today, c.window.end) <= 0) ??
    all.find((c) => compareLocalDates(c.window.start, today) > 0) ??
    all.at(-1) ??
    null
  );
}

export interface StartCampaignInput {
  /** The policy with its window set (domain/policy/shift.ts policyForWindow). */
  policy: CountyPolicy;
  /** preset:<code> | file:<path> | demo:<today>. */
  source: string;
  actor: string;
  /** Replace the stored campaigns the new window overlaps (instead of refusing). */
  replace?: boolean;
  /** Extra audit payload (moved months, notes). */
  details?: Record<string, unknown>;
}

export class CampaignOverlapError extends DomainInputError {
  constructor(readonly others: StoredCampaign[], window: { start: string; end: string }) {
    super(
      `专项行动期间 ${window.start}至${window.end} 与已登记的专项行动重叠：${others.map((o) => `#${o.id}“${o.title}”（${o.window.start}至${o.window.end}）`).join('；')}。` +
        `请另选不重叠的期间（--from 晚于 ${others.map((o) => o.window.end).sort().at(-1)}，或 --to 早于 ${others.map((o) => o.window.start).sort()[0]}），` +
        '或确认要改期时加 --replace 以新期间替换原专项行动（替换会记入审计日志）。',
    );
    this.name = 'CampaignOverlapError';
  }
}

/**
 * Stores the campaign and its audit entry in one transaction. Refuses an
 * overlap with another stored campaign of the county unless `replace`.
 */
export async function startCampaign(prisma: PrismaClient, input: StartCampaignInput): Promise<{ campaign: StoredCampaign; replaced: number[] }> {
  const w = input.policy.campaign.window;
  const code = input.policy.county.code;
  const overlapping = (await campaignsOf(prisma, code)).filter((c) => compareLocalDates(c.window.start, w.end) <= 0 && compareLocalDates(w.start, c.window.end) <= 0);
  if (overlapping.length && !input.replace) throw new CampaignOverlapError(overlapping, w);
  const replaced = overlapping.map((c) => c.id);
  const row = await prisma.$transaction(async (tx) => {
    if (replaced.length) await tx.campaign.updateMany({ where: { id: { in: replaced } }, data: { supersededAt: new Date() } });
    const created = await tx.campaign.create({
      data: {
        countyCode: code,
        title: input.policy.campaign.title,
        windowStart: new Date(`${w.start}T00:00:00Z`),
        windowEnd: new Date(`${w.end}T00:00:00Z`),
        policy: JSON.parse(JSON.stringify(input.policy)) as object,
        source: input.source,
        createdBy: input.actor,
      },
    });
    await appendAudit(tx, {
      actor: input.actor,
      action: CAMPAIGN_START_ACTION,
      subjectType: 'Campaign',
      subjectId: String(created.id),
      payload: { county: input.policy.county.name, countyCode: code, window: w, source: input.source, replaced, ...(input.details ?? {}) },
    });
    return created;
  });
  return { campaign: fromRow(row), replaced };
}

/**
 * Warnings for a window reaching years without holiday data: which limits
 * are estimated and how to load the State Council notice (Chinese).
 */
export function holidayDataWarnings(policy: CountyPolicy, calendar: WorkCalendar): string[] {
  const years = uncoveredCampaignYears(policy, calendar);
  if (!years.length) return [];
  const rules = workingDayRules(policy).map(({ id, rule }) => `${rule.title}（${id}，${rule.amount}个工作日）`);
  const moved: string[] = [];
  if (policy.progressReport.ifNonWorkingDay !== 'keep') moved.push('工作进展报送日遇节假日的顺延（这些年份暂不顺延，按原日期）');
  if (policy.villageMonthlyChain.enabled && policy.villageMonthlyChain.ifNonWorkingDay !== 'keep') moved.push('村→乡镇→县月报告日遇节假日的顺延（这些年份暂不顺延）');
  for (const [k, p] of Object.entries(policy.payments)) if (p.ifNonWorkingDay !== 'keep') moved.push(`资金发放日（${k}）遇节假日的调整`);
  const last = calendar.coveredYears.at(-1);
  return [
    `警告：专项行动期间包含${years.map((y) => `${y}年`).join('、')}，系统还没有这些年份的法定节假日安排（现有数据截至${last ? `${last}年` : '——'}）。已按设定登记，但以下时限在这些年份暂按周一至周五估算（法定节假日按工作日计，调休上班日不计），可能早于法定时限：`,
    ...rules.map((r) => `  · ${r}`),
    ...moved.map((r) => `  · ${r}`),
    '  · 每日待办汇总：暂按周一至周五发送',
    `国务院办公厅公布${years.join('、')}年节假日安排后，请在数据目录的 holiday-overrides.yaml 中录入（格式见 README “Configuration” 和 domain/time/holiday-overrides.yaml），然后重启服务或重新运行 jiuzhu campaign start … --replace；此后计算的时限按正式安排。`,
  ];
}

/**
 * The policy the service runs: the stored campaign in force for the county;
 * for the demo county without one, the preset placed around the demo's
 * `today` (stored, so `campaign show` shows the same); otherwise the policy
 * as loaded.
 */
export async function policyInForce(
  prisma: PrismaClient,
  base: CountyPolicy,
  opts: { today: LocalDate; demoToday?: LocalDate; say?: (line: string) => void },
): Promise<{ policy: CountyPolicy; campaign: StoredCampaign | null }> {
  const stored = await campaignInForce(prisma, base.county.code, opts.today);
  if (stored) return { policy: stored.policy, campaign: stored };
  if (opts.demoToday) {
    const { campaign } = await ensureDemoCampaign(prisma, base, opts.demoToday);
    return { policy: campaign.policy, campaign };
  }
  if (compareLocalDates(base.campaign.window.end, opts.today) < 0) {
    opts.say?.(
      `注意：${base.county.name}的专项行动期间 ${base.campaign.window.start}至${base.campaign.window.end} 已结束，周期任务不会再开启。请用 jiuzhu campaign start --preset ${base.county.code} --from YYYY-MM-DD --to YYYY-MM-DD 设定本次专项行动期间。`,
    );
  }
  return { policy: base, campaign: null };
}

/** The demo county's campaign around its `today` (stored once; idempotent). */
export async function ensureDemoCampaign(prisma: PrismaClient, preset: CountyPolicy, demoToday: LocalDate): Promise<{ campaign: StoredCampaign; created: boolean }> {
  const existing = await campaignInForce(prisma, preset.county.code, demoToday);
  if (existing) return { campaign: existing, created: false };
  const policy = demoCampaignPolicy(preset, demoToday);
  const { campaign } = await startCampaign(prisma, { policy, source: `demo:${demoToday}`, actor: 'system:demo', details: { demoToday } });
  return { campaign, created: true };
}

export interface ScheduleUpdate {
  /** null when no Temporal server answered (the service reconciles on its next start). */
  ensured: EnsuredSchedule[] | null;
  address: string;
  reason?: string;
}

/**
 * Updates the county's cycle schedules on the service's Temporal (TEMPORAL_ADDRESS,
 * else the local dev server) when it answers; otherwise says why not.
 */
export async function updateSchedulesIfReachable(
  config: AppConfig,
  prisma: PrismaClient,
  policy: CountyPolicy,
  calendar: WorkCalendar,
  timeoutMs = 3000,
): Promise<ScheduleUpdate> {
  const address = config.temporal.address ?? `127.0.0.1:${config.temporal.devServerPort}`;
  const county = await prisma.region.findFirst({ where: { level: 'COUNTY', name: policy.county.name }, select: { id: true } });
  if (!county) return { ensured: null, address, reason: `数据库中还没有${policy.county.name}的区划（先 jiuzhu import 或 jiuzhu demo）` };
  try {
    await waitForTemporal(address, timeoutMs);
  } catch {
    return { ensured: null, address, reason: `Temporal 服务器 ${address} 未响应（服务未运行）` };
  }
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: createDataConverter(loadPayloadKey(config.dataDir)) });
    const ensured = await ensureSchedules(client, policy, county.id, config.temporal.taskQueue, { calendar });
    return { ensured, address };
  } finally {
    await connection.close();
  }
}
