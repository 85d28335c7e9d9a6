/**
 * Statutory tables (统计表) as .xlsx files: `writeTable` for one table (the
 * `jiuzhu report` command), `writeStatutoryTables` for the set a county files
 * each cycle (called by the cycle workflows' activity to attach the files to
 * the 专班's message).
 */
import path from 'node:path';
import type { PrismaClient } from '../../infra/db/client.js';
import { presets } from '../../domain/policy/load.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import { parsePeriod, rangeLabel, TABLE_SPECS, type ParsedPeriod, type Row, type TableId } from '../../domain/tables/index.js';
import { toChinaDate } from '../../domain/time/instants.js';
import { deathPrisonRows, filingRows, fundsRows, monitoredRows, progressRows, rectificationRows, type ReportScope } from '../../readmodels/statutory-tables.js';
import { writeTableXlsx, type WrittenTable } from './xlsx.js';

/** Bad input from the operator: the message is Chinese and shown as is. */
export class ReportInputError extends Error {
  override name = 'ReportInputError';
}

export interface ResolvedPeriod {
  start: string;
  end: string;
  label: string;
  /** Set when the period names a report cycle. */
  cycleKey?: string;
  key: string;
}

export interface TableRequest {
  countyRegionId: number;
  /** 'YYYY-MM', 'YYYY-MM-DD..YYYY-MM-DD' or a report-cycle period key. */
  period: string;
  /** Default: the preset whose county name is the region's name, else 长子. */
  policy?: CountyPolicy;
}

async function loadCounty(prisma: PrismaClient, countyRegionId: number) {
  const county = await prisma.region.findUnique({ where: { id: countyRegionId } });
  if (!county || county.level !== 'COUNTY') throw new ReportInputError(`找不到县级区划（编号 ${countyRegionId}）`);
  return county;
}

export function policyForCountyName(name: string): CountyPolicy {
  return Object.values(presets).find((p) => p.county.name === name || p.county.code === name) ?? presets.zhangzi;
}

/**
 * The dates a period text stands for. A report-cycle key resolves to that
 * cycle's dates; a phase summary (阶段总结), which records no dates of its own,
 * covers the campaign so far: from the start of the policy's campaign window
 * to its due date, so its table 1 lists every progress cycle of the phase.
 */
export async function resolvePeriod(prisma: PrismaClient, countyRegionId: number, text: string, policy?: CountyPolicy): Promise<ResolvedPeriod> {
  const parsed: ParsedPeriod | { error: string } = parsePeriod(text);
  if ('error' in parsed) throw new ReportInputError(parsed.error);
  if (parsed.kind === 'range') return { start: parsed.start, end: parsed.end, label: parsed.label, key: parsed.key };
  const cycles = await prisma.reportCycle.findMany({ where: { countyRegionId, period: parsed.key }, orderBy: { id: 'asc' } });
  const cycle = cycles.find((c) => c.kind === 'progress') ?? cycles[0];
  if (!cycle) throw new ReportInputError(`本县没有报送期次“${parsed.key}”；统计期间应为 YYYY-MM、YYYY-MM-DD..YYYY-MM-DD 或已有的报送期次`);
  // A phase summary's dates come from the policy: its due date (dueAt is the first late instant).
  const summary = cycle.kind === 'phaseSummary' ? policy?.phaseSummaries.find((p) => p.id === cycle.period) : undefined;
  const end = cycle.periodEnd ? cycle.periodEnd.toISOString().slice(0, 10) : (summary?.due ?? toChinaDate(cycle.dueAt));
  const start = cycle.periodStart ? cycle.periodStart.toISOString().slice(0, 10) : summary && policy ? policy.campaign.window.start : toChinaDate(cycle.openedAt);
  const label = `${rangeLabel(start, end)}（${summary?.title ?? `${cycle.period}期`}）`;
  // Only a progress cycle narrows table 1 to itself; any other cycle stands for its date range.
  return { start, end, label, ...(cycle.kind === 'progress' ? { cycleKey: cycle.period } : {}), key: parsed.key };
}

async function rowsOf(prisma: PrismaClient, table: TableId, scope: ReportScope, cycleKey: string | undefined): Promise<{ rows: AsyncIterable<Row> | Iterable<Row>; notes: string[] }> {
  switch (table) {
    case 'zhangzi-1':
    case 'wenshui-weekly': {
      const t = await progressRows(prisma, { ...scope, unitKind: table === 'zhangzi-1' ? 'TOWNSHIP' : 'SECTION', cycleKey });
      return { rows: t.rows, notes: t.notes };
    }
    case 'zhangzi-2':
      return { rows: filingRows(prisma, scope), notes: ['身份证号已脱敏（前4位、后4位）。'] };
    case 'zhangzi-3':
      return {
        rows: await fundsRows(prisma, scope),
        notes: ['按发放记录统计：应发月份在统计期间内的发放记录，按本县政策的发放时限判断是否按时足额；没有发放记录的应发户由数据比对列出。'],
      };
    case 'zhangzi-4':
      return {
        rows: monitoredRows(prisma, scope),
        notes: ['统计期间内新增认定的监测对象中的重残人员（一、二级残疾，或三级智力、精神残疾），数据来自导入的新增监测对象名单（jiuzhu import monitored）；已纳入保障情况按身份证号查在保记录；身份证号已脱敏。'],
      };
    case 'zhangzi-5':
      return { rows: deathPrisonRows(prisma, scope), notes: ['统计期间内办理中或办结的死亡核查、服刑退出案件；身份证号已脱敏。'] };
    case 'zhangzi-6':
      return { rows: rectificationRows(prisma, scope), notes: [] };
  }
}

/** Writes one table to `file` and returns its row count and totals. */
export async function writeTable(prisma: PrismaClient, table: TableId, request: TableRequest & { file: string }): Promise<WrittenTable> {
  const county = await loadCounty(prisma, request.countyRegionId);
  const policy = request.policy ?? policyForCountyName(county.name);
  const period = await resolvePeriod(prisma, request.countyRegionId, request.period, policy);
  const scope: ReportScope = { countyRegionId: county.id, start: period.start, end: period.end, policy };
  const { rows, notes } = await rowsOf(prisma, table, scope, period.cycleKey);
  return writeTableXlsx(request.file, TABLE_SPECS[table], { unitName: county.name, periodLabel: period.label, notes }, rows);
}

/** The tables a county files: 长子 attachments 1–6; 文水 the weekly progress table. */
export function tablesForPolicy(policy: CountyPolicy): TableId[] {
  return policy.county.code === 'wenshui' ? ['wenshui-weekly'] : ['zhangzi-1', 'zhangzi-2', 'zhangzi-3', 'zhangzi-4', 'zhangzi-5', 'zhangzi-6'];
}

export function tableFileName(table: TableId, periodKey: string): string {
  return `${TABLE_SPECS[table].fileStem}-${periodKey.replace(/[^\w.-]+/g, '_')}.xlsx`;
}

/**
 * Writes the county's statutory tables for a period into `dir` and returns
 * the file paths (for Notification.attachments).
 */
export async function writeStatutoryTables(
  db: { prisma: PrismaClient },
  opts: { countyRegionId: number; period: string; dir: string; policy?: CountyPolicy; tables?: TableId[] },
): Promise<Array<WrittenTable & { table: TableId }>> {
  const county = await loadCounty(db.prisma, opts.countyRegionId);
  const policy = opts.policy ?? policyForCountyName(county.name);
  const out: Array<WrittenTable & { table: TableId }> = [];
  for (const table of opts.tables ?? tablesForPolicy(policy)) {
    const file = path.join(opts.dir, tableFileName(table, opts.period));
    out.push({ table, ...(await writeTable(db.prisma, table, { countyRegionId: county.id, period: opts.period, policy, file })) });
  }
  return out;
}
