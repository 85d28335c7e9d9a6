import { once } from 'node:events';
import path from 'node:path';
import type { Writable } from 'node:stream';

import { findCounties } from '../../activities/matching/index.js';
import { presets } from '../../domain/policy/index.js';
import { parsePeriod, parseTableId, TABLE_SPECS } from '../../domain/tables/index.js';
import type { AppConfig } from '../../infra/config.js';
import { loadCountyPolicy } from '../../services/county.js';
import { openDatabaseForCli } from '../../infra/db/open-for-cli.js';
import { ReportInputError, writeTable } from '../../services/reports/index.js';
import { writeLedgerXlsx } from '../../services/reports/ledger.js';
import type { PrismaClient } from '../../infra/db/client.js';
import { policyForCounty } from './match.js';

export interface ReportCliOptions {
  county?: string;
  period?: string;
  out?: string;
  /** 信访台账 only: list accusations in full (for 纪检). */
  includeAccusations?: boolean;
}

export interface ReportIo {
  stdout: Writable;
  stderr: Writable;
}

async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

const TABLE_HELP = '1…6（长子县附件1–6，也可写 zhangzi-1…zhangzi-6）或 wenshui-weekly（文水县工作进展周报表）';

/** `jiuzhu report TABLE --county C --period P --out FILE`: one statutory table as .xlsx. Exit 2 on bad input. */
export async function runReport(
  config: AppConfig,
  tableArg: string,
  opts: ReportCliOptions,
  io: ReportIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const say = (text: string) => write(io.stderr, `${text}\n`);
  if (tableArg === 'ledger') return runLedger(config, opts, io);
  const table = parseTableId(tableArg);
  if (!table) {
    await say(`未知的报表“${tableArg}”，应为 ${TABLE_HELP}`);
    return 2;
  }
  if (!opts.county) {
    await say('请用 --county 指定县（县名，如 长子县，或 zhangzi / wenshui）');
    return 2;
  }
  if (!opts.period) {
    await say('请用 --period 指定统计期间：YYYY-MM、YYYY-MM-DD..YYYY-MM-DD 或报送期次（如 2024-05-14）');
    return 2;
  }
  const parsed = parsePeriod(opts.period);
  if ('error' in parsed) {
    await say(parsed.error);
    return 2;
  }
  if (!opts.out) {
    await say('请用 --out 指定输出文件（.xlsx）');
    return 2;
  }
  if (path.extname(opts.out).toLowerCase() !== '.xlsx') {
    await say(`输出文件“${opts.out}”须以 .xlsx 结尾`);
    return 2;
  }
  const db = await openDatabaseForCli(config);
  try {
    let counties = await findCounties(db.prisma, opts.county);
    if (!counties.length) {
      const preset = Object.values(presets).find((p) => p.county.code === opts.county);
      if (preset) counties = await findCounties(db.prisma, preset.county.name);
    }
    if (!counties.length) {
      const all = await findCounties(db.prisma);
      await say(`未找到县“${opts.county}”。${all.length ? `数据库中的县：${all.map((c) => c.name).join('、')}` : '数据库中还没有县级区划，请先导入花名册。'}`);
      return 2;
    }
    const county = counties[0]!;
    const policy = policyForCounty(county.name, () => loadCountyPolicy(config.dataDir));
    const started = performance.now();
    const result = await writeTable(db.prisma, table, { countyRegionId: county.id, period: opts.period, policy, file: path.resolve(opts.out) });
    const totals = Object.entries(result.totals)
      .map(([k, v]) => `${TABLE_SPECS[table].columns.find((c) => c.key === k)?.header ?? k} ${v}`)
      .join('，');
    await write(
      io.stdout,
      `已生成《${TABLE_SPECS[table].title}》：${result.file}\n${county.name}，${result.rows} 行${totals ? `；合计：${totals}` : ''}（${((performance.now() - started) / 1000).toFixed(1)} 秒）\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ReportInputError) {
      await say(error.message);
      return 2;
    }
    throw error;
  } finally {
    await db.close();
  }
}

/** `jiuzhu report ledger --county C --out FILE [--include-accusations]`: the 信访台账 as .xlsx. */
export async function runLedger(config: AppConfig, opts: ReportCliOptions, io: ReportIo = { stdout: process.stdout, stderr: process.stderr }, now = new Date()): Promise<number> {
  const say = (text: string) => write(io.stderr, `${text}\n`);
  if (!opts.county) {
    await say('请用 --county 指定县（县名，如 长子县，或 zhangzi / wenshui）');
    return 2;
  }
  if (!opts.out || path.extname(opts.out).toLowerCase() !== '.xlsx') {
    await say(opts.out ? `输出文件“${opts.out}”须以 .xlsx 结尾` : '请用 --out 指定输出文件（.xlsx）');
    return 2;
  }
  const db = await openDatabaseForCli(config);
  try {
    return await exportLedger(db.prisma, { county: opts.county, out: opts.out, includeAccusations: Boolean(opts.includeAccusations) }, io, now);
  } finally {
    await db.close();
  }
}

/** Writes the ledger of one county (found by name or preset code); 2 when the county is unknown. */
export async function exportLedger(prisma: PrismaClient, opts: { county: string; out: string; includeAccusations: boolean }, io: ReportIo, now = new Date()): Promise<number> {
  let counties = await findCounties(prisma, opts.county);
  if (!counties.length) {
    const preset = Object.values(presets).find((p) => p.county.code === opts.county);
    if (preset) counties = await findCounties(prisma, preset.county.name);
  }
  if (!counties.length) {
    await write(io.stderr, `未找到县“${opts.county}”。\n`);
    return 2;
  }
  const county = counties[0]!;
  const result = await writeLedgerXlsx(prisma, { countyRegionId: county.id, countyName: county.name, file: path.resolve(opts.out), includeAccusations: opts.includeAccusations, asOf: now });
  await write(io.stdout, `已生成《信访台账》：${result.file}\n${county.name}，${result.rows} 件${opts.includeAccusations ? '（含检举控告全部内容，仅供纪检监察）' : ''}\n`);
  return 0;
}
