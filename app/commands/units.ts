import { once } from 'node:events';
import type { Writable } from 'node:stream';

import { describeUnitChange } from '../../domain/cycles/index.js';
import { presets, type CountyPolicy } from '../../domain/policy/index.js';
import type { AppConfig } from '../../infra/config.js';
import { loadCountyPolicy } from '../../services/county.js';
import type { PrismaClient } from '../../infra/db/client.js';
import { openDatabaseForCli } from '../../infra/db/open-for-cli.js';
import { findDemoCounty } from '../../demo/index.js';
import { syncReportingUnits } from '../../services/units.js';

export interface UnitsCliOptions {
  county?: string;
  dryRun?: boolean;
}

export interface UnitsIo {
  stdout: Writable;
  stderr: Writable;
}

const KIND_ZH: Record<string, string> = { SECTION: '股室', TOWNSHIP: '乡镇', VILLAGE: '村(居)委会' };

async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/**
 * The county to work on and its policy: `--county` (a county region's name or a preset code), else
 * the county in force (policy.yaml / JIUZHU_COUNTY), else the demo county in the database.
 */
async function resolveCounty(prisma: PrismaClient, config: AppConfig, county: string | undefined): Promise<{ id: number; name: string; policy: CountyPolicy } | string> {
  const byName = async (name: string) => prisma.region.findFirst({ where: { level: 'COUNTY', parentId: null, name }, select: { id: true, name: true }, orderBy: { id: 'asc' } });
  const presetOf = (name: string) => Object.values(presets).find((p) => p.county.name === name || p.county.code === name);
  if (county !== undefined) {
    const preset = presetOf(county);
    const region = (await byName(county)) ?? (preset ? await byName(preset.county.name) : null);
    if (!region) return `未找到县“${county}”。`;
    return { ...region, policy: presetOf(region.name) ?? loadCountyPolicy(config.dataDir) };
  }
  const policy = loadCountyPolicy(config.dataDir);
  const region = await byName(policy.county.name);
  if (region) return { ...region, policy };
  const demo = await findDemoCounty(prisma);
  if (demo) return { id: demo.countyRegionId, name: demo.county, policy: presets[demo.preset] };
  return `数据库中还没有${policy.county.name}的区划和人员，请先导入（jiuzhu import staff …）或载入演示县（jiuzhu demo）。`;
}

/** `jiuzhu units sync|list`. */
export async function runUnits(
  config: AppConfig,
  action: 'sync' | 'list',
  opts: UnitsCliOptions,
  io: UnitsIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const db = await openDatabaseForCli(config);
  try {
    const county = await resolveCounty(db.prisma, config, opts.county);
    if (typeof county === 'string') {
      await write(io.stderr, `${county}\n`);
      return 2;
    }
    if (action === 'sync') {
      const r = await syncReportingUnits(db.prisma, county.policy, county.id, { dryRun: opts.dryRun === true });
      const name = (id: number | null) => (id === null ? '（无）' : `${r.staffNames.get(id) ?? '?'}（编号 ${id}）`);
      const lines = r.changes.map((c) => describeUnitChange(c, name));
      const head = opts.dryRun ? `${county.name}报送单位（试运行，未写入）：` : `${county.name}报送单位：`;
      await write(io.stdout, `${head}\n${lines.length ? lines.map((l) => `  ${l}`).join('\n') : '  无变化'}\n共 ${r.total} 个在用单位。\n`);
      const missing = r.changes.flatMap((c) => (c.action !== 'deactivate' && (c.unit.reporterStaffId === null || c.unit.headStaffId === null) ? [c.unit.name] : []));
      if (missing.length) await write(io.stderr, `注意：以下单位缺少填报人或负责人，请在工作人员名单中补充后重新同步：${missing.join('、')}\n`);
      return 0;
    }
    const units = await db.prisma.reportingUnit.findMany({ where: { countyRegionId: county.id }, orderBy: [{ kind: 'asc' }, { id: 'asc' }] });
    const ids = [...new Set(units.flatMap((u) => [u.reporterStaffId, u.headStaffId]).filter((x): x is number => x !== null))];
    const staff = new Map((await db.prisma.staff.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map((s) => [s.id, s.name]));
    const who = (id: number | null) => (id === null ? '（无）' : (staff.get(id) ?? `编号 ${id}`));
    if (!units.length) {
      await write(io.stdout, `${county.name}还没有报送单位，请运行 jiuzhu units sync。\n`);
      return 0;
    }
    const lines = units.map((u) => `  ${String(u.id).padStart(4)}  ${KIND_ZH[u.kind] ?? u.kind}  ${u.name}  填报人：${who(u.reporterStaffId)}  负责人：${who(u.headStaffId)}${u.active ? '' : '  （已停用）'}`);
    await write(io.stdout, `${county.name}报送单位（${units.filter((u) => u.active).length} 个在用）：\n${lines.join('\n')}\n`);
    return 0;
  } finally {
    await db.close();
  }
}
