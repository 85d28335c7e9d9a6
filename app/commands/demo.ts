import { STAFF_ROLE_SHORT_LABELS } from '../../domain/import/vocabulary.js';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

import { FINDING_KIND_INFO } from '../../domain/matching/index.js';
import { isValidLocalDate } from '../../domain/time/index.js';
import type { AppConfig } from '../../infra/config.js';
import type { PrismaClient } from '../../infra/db/client.js';
import { openDatabaseForCli } from '../../infra/db/open-for-cli.js';
import { DEMO_LIVE_PER_KIND, DEMO_PRESETS, findDemoCounty, loadDemoCounty, type DemoCountySummary, type DemoPreset } from '../../demo/index.js';

export interface DemoCliOptions {
  preset?: string;
  seed?: string;
  scale?: string;
  today?: string;
  force?: boolean;
}

export interface DemoIo {
  stdout: Writable;
  stderr: Writable;
}


/** The preset the CLI loads when none is given: the county in force if it is a preset, else 长子. */
export function defaultDemoPreset(env: NodeJS.ProcessEnv = process.env): DemoPreset {
  const c = env.JIUZHU_COUNTY;
  return c === 'wenshui' || c === 'zhangzi' ? c : 'zhangzi';
}

/** Counties in the database (any level-COUNTY region). */
export async function countiesInDatabase(prisma: PrismaClient): Promise<Array<{ id: number; name: string }>> {
  return prisma.region.findMany({ where: { level: 'COUNTY', parentId: null }, select: { id: true, name: true }, orderBy: { id: 'asc' } });
}

/** Chinese summary lines of a load. */
export function formatDemoSummary(s: DemoCountySummary): string[] {
  const c = s.counts;
  const planted = Object.entries(s.planted)
    .map(([k, n]) => `${FINDING_KIND_INFO[k as keyof typeof FINDING_KIND_INFO].label} ${n}`)
    .join('，');
  return [
    `演示县：${s.county}（政策：${s.preset === 'wenshui' ? '文水县方案' : '长子县方案'}，种子 ${s.seed}，规模 ${s.scale}，今天按 ${s.today}）`,
    `  区划        ${c.townships} 个乡镇，${c.villages} 个村（社区）`,
    `  人员        ${c.staff} 人（每人已开通网页控制台账号），报送单位 ${c.reportingUnits} 个`,
    `  救助对象    ${c.households} 户 ${c.members} 人，${c.enrolments} 条救助记录，供养机构 ${c.institutions} 个`,
    `  发放记录    ${c.payments} 条（${s.ledger.firstPeriod} 至 ${s.ledger.lastPeriod}）`,
    `  名单        死亡 ${c.deathRecords} 人，服刑（在押）${c.prisonRecords} 人，近亲属申报 ${c.staffRelatives} 条（已备案 ${c.nearRelativeFilings}），新增重残监测对象 ${c.monitored} 人`,
    `  待审核申请  ${c.applications} 件（低保、特困新申请，启动后开启前 ${Math.min(DEMO_LIVE_PER_KIND, c.applications)} 件的审核确认流程）`,
    `  埋设的问题  ${planted}（运行 jiuzhu match 可全部查出）`,
    `  用时        ${(s.ms / 1000).toFixed(1)} 秒`,
    '  可先试用的身份：',
    ...s.showcase.map((p) => `    ${STAFF_ROLE_SHORT_LABELS[p.role] ?? p.role}  ${p.name}（${p.title}，编号 ${p.staffId}）`),
  ];
}

/** How to reach the console with the demo county (after a load). */
export function consoleHowTo(config: AppConfig): string[] {
  return [
    '打开网页控制台：',
    '  1. 运行 npm start（或 npx jiuzhu start），等待“已就绪”；',
    `  2. 在本机浏览器打开 http://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${config.http.port}/console`,
    '     数据库中是演示县，控制台自动进入演示模式（仅限本机访问），页面顶部可任意切换身份。',
    '  （jiuzhu start 已在运行时，请按 Ctrl-C 停止后重新启动，演示模式才会生效。）',
  ];
}

async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

export type DemoCheck =
  | { ok: true }
  | { ok: false; alreadyLoaded: true; county: string }
  | { ok: false; alreadyLoaded: false; message: string };

/**
 * Whether the demo county may be loaded: refused when the database holds a county that is not
 * this demo county (unless forced), reported when the same demo county is already there.
 */
export async function checkDemoTarget(prisma: PrismaClient, preset: DemoPreset, countyName: string, force: boolean): Promise<DemoCheck> {
  const counties = await countiesInDatabase(prisma);
  const demo = await findDemoCounty(prisma);
  if (demo && demo.county === countyName && demo.preset === preset) return { ok: false, alreadyLoaded: true, county: demo.county };
  const others = counties.filter((c) => !(demo && c.id === demo.countyRegionId && c.name === countyName));
  if (others.length && !force) {
    const names = counties.map((c) => `${c.name}${demo && c.id === demo.countyRegionId ? '（演示县）' : ''}`).join('、');
    return {
      ok: false,
      alreadyLoaded: false,
      message: `数据库中已有县级区划：${names}。演示县的虚构人员和发放记录会与这些数据混在一起，因此不载入。\n如确需载入，请加 --force；或换一个空的数据目录（如 JIUZHU_DATA_DIR=./.demo-data npx jiuzhu demo）。`,
    };
  }
  return { ok: true };
}

export function parseDemoOptions(opts: DemoCliOptions, env: NodeJS.ProcessEnv = process.env): { preset: DemoPreset; seed: number; scale: number; today?: string } | { error: string } {
  const preset = (opts.preset ?? defaultDemoPreset(env)) as DemoPreset;
  if (!DEMO_PRESETS.includes(preset)) return { error: `--preset 只能是 wenshui（文水）或 zhangzi（长子），而不是“${opts.preset}”` };
  const seed = opts.seed === undefined ? 1 : Number(opts.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) return { error: `--seed 须为非负整数，而不是“${opts.seed}”` };
  const scale = opts.scale === undefined ? 1 : Number(opts.scale);
  if (!(scale > 0 && scale <= 100)) return { error: `--scale 须为 0 到 100 之间的数（1 约为 3000 户），而不是“${opts.scale}”` };
  if (opts.today !== undefined && !isValidLocalDate(opts.today)) return { error: `--today 须为日期 YYYY-MM-DD，而不是“${opts.today}”` };
  return { preset, seed, scale, ...(opts.today !== undefined ? { today: opts.today } : {}) };
}

/** `jiuzhu demo`: loads the demo county into the database of the data folder. */
export async function runDemo(config: AppConfig, opts: DemoCliOptions, io: DemoIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const parsed = parseDemoOptions(opts);
  if ('error' in parsed) {
    await write(io.stderr, `${parsed.error}\n`);
    return 2;
  }
  const { getPreset } = await import('../../domain/policy/index.js');
  const countyName = getPreset(parsed.preset).county.name;
  const db = await openDatabaseForCli(config);
  try {
    const check = await checkDemoTarget(db.prisma, parsed.preset, countyName, opts.force === true);
    if (!check.ok && check.alreadyLoaded) {
      await write(io.stdout, `数据库中已载入演示县${check.county}，无需重复载入。\n${consoleHowTo(config).join('\n')}\n`);
      return 0;
    }
    if (!check.ok) {
      await write(io.stderr, `${check.message}\n`);
      return 1;
    }
    await write(io.stderr, `正在载入演示县${countyName}（规模 ${parsed.scale}，约 ${Math.round(3000 * parsed.scale)} 户）…\n`);
    const summary = await loadDemoCounty(db.prisma, parsed);
    await write(io.stdout, `${[...formatDemoSummary(summary), '', ...consoleHowTo(config)].join('\n')}\n`);
    return 0;
  } finally {
    await db.close();
  }
}
