import { once } from 'node:events';
import path from 'node:path';
import type { Writable } from 'node:stream';

import { findCounties } from '../../activities/matching/index.js';
import { presets } from '../../domain/policy/index.js';
import { parsePeriod, parseTableId, TABLE_SPECS } from '../../domain/tables/index.js';
import type { AppConfig } from '../config.js';
import { loadCountyPolicy } from '../county.js';
import { openDatabaseForCli } from '../db/open-for-cli.js';
import { ReportInputError, writeTable } from '../reports/index.js';
import { policyForCounty } from './match.js';

export interface ReportCliOptions {
  county?: string;
  period?: string;
  out?: string;
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
