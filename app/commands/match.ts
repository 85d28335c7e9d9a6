import { once } from 'node:events';
import type { Writable } from 'node:stream';

import { findCounties, runMatching, type MatchCounty, type MatchRunResult } from '../../activities/matching/index.js';
import { formatMatchReport, formatPeriodCoverage, FINDING_KIND_INFO } from '../../domain/matching/index.js';
import { presets, type CountyPolicy } from '../../domain/policy/index.js';
import { isValidLocalDate, toChinaDate } from '../../domain/time/index.js';
import type { AppConfig } from '../../infra/config.js';
import { loadCalendar, loadCountyPolicy } from '../../services/county.js';
import type { PrismaClient } from '../../infra/db/client.js';
import { openDatabaseForCli } from '../../infra/db/open-for-cli.js';
import { queueWorkAfter, type QueueWorkOptions } from './work.js';

export interface MatchCliOptions {
  county?: string;
  json?: boolean;
  asOf?: string;
  /** A full run even where an incremental one would do (`--full`). */
  full?: boolean;
  /** Test seam: how the work the findings ask for reaches Temporal. */
  connect?: QueueWorkOptions['connect'];
}

export interface MatchIo {
  stdout: Writable;
  stderr: Writable;
  /** Show per-statement progress on stderr (default: stderr is a terminal). */
  progress?: boolean;
}

/** Examples per kind in the text report. */
const EXAMPLES_PER_KIND = 5;

/**
 * The policy of a county region: the preset whose county name (or code) is the
 * region's name, else the policy in force for the data folder
 * (policy.yaml, JIUZHU_COUNTY, default zhangzi).
 */
export function policyForCounty(regionName: string, fallback: () => CountyPolicy): CountyPolicy {
  const preset = Object.values(presets).find((p) => p.county.name === regionName || p.county.code === regionName);
  return preset ?? fallback();
}

async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/**
 * The `--json` lines, written in chunks of about 64 KB: one write per line was a system call each
 * (35 k of them per 100 k members). Waits for the stream to drain when it is full, so memory stays flat.
 */
class BufferedWriter {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly stream: Writable, private readonly chunk = 64 * 1024) {}
  add(text: string): Promise<void> | undefined {
    this.parts.push(text);
    this.size += text.length;
    return this.size >= this.chunk ? this.flush() : undefined;
  }
  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await write(this.stream, text);
  }
}

/** Resolve `--county`: a county region's name, or a preset code (wenshui → 文水县). */
async function resolveCounties(prisma: PrismaClient, county: string | undefined) {
  if (county === undefined) return findCounties(prisma);
  const byName = await findCounties(prisma, county);
  if (byName.length) return byName;
  const preset = Object.values(presets).find((p) => p.county.code === county);
  return preset ? findCounties(prisma, preset.county.name) : [];
}

/** `jiuzhu match`: cross-matching of payments against deaths, prison terms, rosters and declared relatives. */
export async function runMatch(
  config: AppConfig,
  opts: MatchCliOptions,
  io: MatchIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const say = (text: string) => write(io.stderr, `${text}\n`);
  const asOf = opts.asOf ?? toChinaDate(new Date());
  if (!isValidLocalDate(asOf)) {
    await say(`--as-of 不是有效的日期：“${opts.asOf}”，应为 YYYY-MM-DD（如 2024-11-15）`);
    return 2;
  }
  const calendar = loadCalendar(config.dataDir);
  const db = await openDatabaseForCli(config);
  try {
    const regions = await resolveCounties(db.prisma, opts.county);
    if (!regions.length) {
      if (opts.county !== undefined) {
        const all = await findCounties(db.prisma);
        await say(`未找到县“${opts.county}”。${all.length ? `数据库中的县：${all.map((c) => c.name).join('、')}` : '数据库中还没有县级区划，请先导入花名册。'}`);
        return 2;
      }
      await say('数据库中还没有县级区划，请先导入花名册（jiuzhu import roster …）。');
      return 0;
    }
    let local: CountyPolicy | undefined; // read once: counties sharing it share its policy tables
    const counties: MatchCounty[] = regions.map((r) => ({ ...r, policy: policyForCounty(r.name, () => (local ??= loadCountyPolicy(config.dataDir))) }));
    const progress = io.progress ?? (io.stderr as { isTTY?: boolean }).isTTY === true;
    const lines = opts.json ? new BufferedWriter(io.stdout) : undefined;
    const result: MatchRunResult = await runMatching(db.prisma, {
      counties,
      asOf,
      calendar,
      incremental: opts.full !== true,
      examplesPerKind: opts.json ? 0 : EXAMPLES_PER_KIND,
      onLine: lines ? (line) => lines.add(`${JSON.stringify(line)}\n`) : undefined,
      onStatement: progress
        ? (s) => void say(`  ${s.county} · ${FINDING_KIND_INFO[s.kind].label}：${s.found} 条（${(s.ms / 1000).toFixed(1)} 秒）`)
        : undefined,
    });
    await lines?.flush();
    const mode = result.mode;
    if (!mode.full) {
      const periods = mode.periods.length ? `及 ${mode.periods.join('、')} 的发放记录` : '';
      await say(`增量比对：只重新比对了自上次比对以来的 ${mode.changes} 处数据变动涉及的 ${mode.households} 户${periods}；全量比对请加 --full。`);
    } else if (mode.reason !== null) {
      await say(`全量比对：${mode.reason}。`);
    }
    const found = result.kinds.reduce((s, k) => s + k.found, 0);
    const inserted = result.kinds.reduce((s, k) => s + k.inserted, 0);
    if (opts.json) {
      await say(`数据比对完成（截至 ${asOf}）：${found} 条问题线索，新发现 ${inserted} 条，此前已记录 ${found - inserted} 条。`);
      if (result.periods.length) {
        await say('发放期间（只比对发放台账覆盖的期间）：');
        await say(formatPeriodCoverage(result.periods, result.counties.length > 1).join('\n'));
      }
    } else {
      await write(io.stdout, `${formatMatchReport({ ...result, counties: result.counties.map((c) => c.name), examplesPerKind: EXAMPLES_PER_KIND })}\n`);
    }
    // Findings become work (issue 13): recorded now, opened by the service.
    const workLines = await queueWorkAfter(config, db.prisma, counties, { trigger: `match-${result.auditId}`, connect: opts.connect });
    for (const line of workLines) await say(line);
    return 0;
  } finally {
    await db.close();
  }
}
