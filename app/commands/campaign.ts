import fs from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import type { Writable } from 'node:stream';

import { campaignView, formatCampaignView } from '../../domain/cycles/campaign.js';
import { DomainError } from '../../domain/errors.js';
import { policyToCommentedYaml } from '../../domain/policy/document.js';
import { getPreset, loadPolicyYaml } from '../../domain/policy/load.js';
import { demoCampaignPolicy, policyForWindow } from '../../domain/policy/shift.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import { toChinaDate } from '../../domain/time/instants.js';
import { campaignInForce, holidayDataWarnings, startCampaign, updateSchedulesIfReachable } from '../../services/campaign.js';
import type { AppConfig } from '../../infra/config.js';
import { loadCalendar, loadCountyPolicy } from '../../services/county.js';
import { openDatabaseForCli } from '../../infra/db/open-for-cli.js';
import { findDemoCounty } from '../../demo/index.js';

export interface CampaignIo {
  stdout: Writable;
  stderr: Writable;
}

const defaultIo: CampaignIo = { stdout: process.stdout, stderr: process.stderr };

async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(`${text}\n`)) await once(stream, 'drain');
}

function parseNow(now: string | undefined): Date {
  const d = now ? new Date(now) : new Date();
  if (Number.isNaN(d.getTime())) throw new DomainError('BAD_INPUT', `--now 不是有效的时间：“${now}”，应为如 2026-12-07T09:00+08:00 的时刻`);
  return d;
}

/** The county's base policy: --county, else policy.yaml / JIUZHU_COUNTY, else the demo county's preset (with its `today`). */
async function basePolicy(config: AppConfig, prisma: Parameters<typeof findDemoCounty>[0], county?: string): Promise<{ policy: CountyPolicy; demoToday?: string }> {
  if (county) return { policy: getPreset(county) };
  const hasExplicit = fs.existsSync(path.join(config.dataDir, 'policy.yaml')) || (process.env.JIUZHU_COUNTY ?? '') !== '';
  const demo = hasExplicit ? undefined : await findDemoCounty(prisma);
  const policy = loadCountyPolicy(config.dataDir, demo?.preset);
  return demo && demo.county === policy.county.name ? { policy, demoToday: demo.today } : { policy };
}

export interface CampaignShowOptions {
  county?: string;
  json?: boolean;
  now?: string;
}

/** `jiuzhu campaign show [--json]`: the campaign in force with each cycle's next due instants (Beijing time). */
export async function runCampaignShow(config: AppConfig, opts: CampaignShowOptions, io: CampaignIo = defaultIo): Promise<number> {
  const now = parseNow(opts.now);
  const db = await openDatabaseForCli(config);
  try {
    const { policy: base, demoToday } = await basePolicy(config, db.prisma, opts.county);
    const stored = await campaignInForce(db.prisma, base.county.code, toChinaDate(now));
    // The demo county before its first start: the campaign the start will place around its `today`.
    const policy = stored?.policy ?? (demoToday ? demoCampaignPolicy(base, demoToday) : base);
    const view = campaignView(policy, now, loadCalendar(config.dataDir));
    const source = stored ? { id: stored.id, source: stored.source, createdBy: stored.createdBy, createdAt: stored.createdAt.toISOString() } : null;
    if (opts.json) {
      await write(io.stdout, JSON.stringify({ ...view, stored: source }, null, 2));
    } else {
      await write(io.stdout, formatCampaignView(view));
      await write(
        io.stdout,
        stored
          ? `（登记于 ${stored.createdAt.toISOString().slice(0, 10)}，#${stored.id}，来源 ${stored.source}，操作人 ${stored.createdBy}）`
          : demoToday
            ? `（演示县：期间按演示数据的“今天”${demoToday}安排，首次启动服务时登记）`
            : '（尚未用 jiuzhu campaign start 登记专项行动期间，以上为政策文件或预置方案中的期间）',
      );
    }
    return 0;
  } finally {
    await db.close();
  }
}

export interface CampaignStartOptions {
  preset?: string;
  policy?: string;
  from?: string;
  to?: string;
  replace?: boolean;
  /** Who runs it (audit actor); default the OS user. */
  actor?: string;
  /** Skip updating the running service's schedules (tests). */
  noSchedules?: boolean;
}

/**
 * `jiuzhu campaign start --preset P|--policy FILE --from D --to D`: sets the
 * campaign (dated rules moved with the window), stores and audits it, and
 * updates the running service's schedules. Exit 2 on bad input.
 */
export async function runCampaignStart(config: AppConfig, opts: CampaignStartOptions, io: CampaignIo = defaultIo): Promise<number> {
  const fail = async (text: string) => {
    await write(io.stderr, text);
    return 2;
  };
  if (!opts.from) return fail('缺少 --from 开始日期（YYYY-MM-DD），如 --from 2027-04-01');
  if (!opts.to) return fail('缺少 --to 结束日期（YYYY-MM-DD），如 --to 2027-10-31');
  if (opts.preset && opts.policy) return fail('--preset 和 --policy 只能选一个：用预置方案，或用本县的政策文件');
  let base: CountyPolicy;
  let source: string;
  try {
    if (opts.policy) {
      let text: string;
      try {
        text = fs.readFileSync(opts.policy, 'utf8');
      } catch {
        return fail(`无法读取 --policy 政策文件：${opts.policy}`);
      }
      base = loadPolicyYaml(text, `政策文件 ${opts.policy}`);
      source = `file:${path.resolve(opts.policy)}`;
    } else {
      base = opts.preset ? getPreset(opts.preset) : loadCountyPolicy(config.dataDir);
      source = opts.preset ? `preset:${opts.preset}` : `policy:${base.county.code}`;
    }
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  let placed;
  try {
    placed = policyForWindow(base, { start: opts.from, end: opts.to });
  } catch (err) {
    if (err instanceof DomainError) return fail(err.message);
    throw err;
  }
  const calendar = loadCalendar(config.dataDir);
  const db = await openDatabaseForCli(config);
  try {
    let stored;
    try {
      stored = await startCampaign(db.prisma, {
        policy: placed.policy,
        source,
        actor: opts.actor ?? `cli:${process.env.USER ?? 'unknown'}`,
        ...(opts.replace ? { replace: true } : {}),
        details: { movedMonths: placed.movedMonths, notes: placed.notes },
      });
    } catch (err) {
      if (err instanceof DomainError) return fail(err.message);
      throw err;
    }
    const p = stored.campaign.policy;
    await write(io.stdout, `已设定${p.county.name}专项行动“${p.campaign.title}”：${p.campaign.window.start}至${p.campaign.window.end}（#${stored.campaign.id}，已记入审计日志）。`);
    if (stored.replaced.length) await write(io.stdout, `已替换原专项行动 #${stored.replaced.join('、#')}。`);
    if (placed.movedMonths) await write(io.stdout, `方案中的各日期（阶段、首次报送、阶段总结）随期间整体平移 ${placed.movedMonths > 0 ? '+' : ''}${placed.movedMonths} 个月。`);
    for (const n of placed.notes) await write(io.stdout, `说明：${n}`);
    for (const w of holidayDataWarnings(p, calendar)) await write(io.stderr, w);
    if (!opts.noSchedules) {
      const upd = await updateSchedulesIfReachable(config, db.prisma, p, calendar);
      if (upd.ensured) await write(io.stdout, `运行中的服务（${upd.address}）已更新周期任务：${upd.ensured.map((e) => `${e.kind} ${e.action}`).join('，')}。`);
      else await write(io.stdout, `${upd.reason ?? ''}：下次启动服务时按新期间创建或更新周期任务。`);
    }
    await write(io.stdout, '用 jiuzhu campaign show 查看各周期的下一次截止时间。');
    return 0;
  } finally {
    await db.close();
  }
}

export interface PolicyInitOptions {
  preset?: string;
  out?: string;
  force?: boolean;
}

/** `jiuzhu policy init [--preset P] [--out FILE]`: a fully commented policy.yaml of a preset. */
export async function runPolicyInit(config: AppConfig, opts: PolicyInitOptions, io: CampaignIo = defaultIo): Promise<number> {
  let policy: CountyPolicy;
  try {
    policy = getPreset(opts.preset ?? process.env.JIUZHU_COUNTY ?? 'zhangzi');
  } catch (err) {
    await write(io.stderr, `--preset：${(err as Error).message}`);
    return 2;
  }
  const text = policyToCommentedYaml(policy);
  // The text must load back to the same policy (what the test checks too).
  loadPolicyYaml(text, '生成的 policy.yaml');
  const out = opts.out ?? 'policy.yaml';
  if (out === '-') {
    await write(io.stdout, text);
    return 0;
  }
  if (fs.existsSync(out) && !opts.force) {
    await write(io.stderr, `文件 ${out} 已存在，未覆盖：换一个 --out 路径，或加 --force 覆盖。`);
    return 2;
  }
  fs.writeFileSync(out, text);
  await write(io.stdout, `已写入 ${out}（${policy.county.name}预置方案，每项设置附中英文说明）。放到数据目录 ${config.dataDir} 下即生效；期间请用 jiuzhu campaign start 设定。`);
  return 0;
}
