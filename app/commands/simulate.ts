/**
 * `jiuzhu simulate`: a campaign rehearsal (demo/rehearsal/run.ts) printed as a
 * Chinese timeline and summary (or JSON with --json); the statutory tables of
 * the period go to --out.
 */
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { AppConfig } from '../../infra/config.js';
import { loadCalendar } from '../../services/county.js';
import { PolicyValidationError } from '../../domain/policy/load.js';
import { DomainError } from '../../domain/errors.js';
import { chinaDateTimeText } from '../../domain/cycles/index.js';
import { isValidLocalDate } from '../../domain/time/local-date.js';
import { readRehearsalPolicy, policyForYear } from '../../demo/rehearsal/policy.js';
import { runRehearsal, RehearsalInputError, type RehearsalResult, type TimelineType } from '../../demo/rehearsal/run.js';
import { BEHAVIOUR_LABELS } from '../../demo/rehearsal/staff.js';

export interface SimulateOptions {
  county?: string;
  policy?: string;
  from?: string;
  to?: string;
  seed?: string;
  out?: string;
  json?: boolean;
  scale?: string;
  deaths?: string;
  progress?: boolean;
  small?: boolean;
}

const TYPE_LABELS: Record<TimelineType, string> = {
  opened: '开启',
  prompt: '通知',
  due: '截止',
  reminder: '提醒',
  escalation: '督办',
  aggregate: '汇总',
  submitted: '报送',
  refused: '拒收',
  decided: '决定',
  confirmed: '确认',
  recovered: '追回',
  death: '死亡',
  alert: '预警',
  'review-item': '复核',
  closed: '关闭',
};

export function formatTimeline(r: RehearsalResult): string {
  const lines: string[] = [];
  lines.push(`演练：${r.county.name}，${r.summary.from} 至 ${r.summary.to}（北京时间）`);
  for (const n of r.notes) lines.push(`说明：${n}`);
  lines.push(`报送单位表现：${Object.entries(r.behaviours.units).map(([k, v]) => `${k}${BEHAVIOUR_LABELS[v]}`).join('、') || '无'}`);
  lines.push(`经办人表现：${Object.entries(r.behaviours.caseworkers).map(([k, v]) => `${k}${BEHAVIOUR_LABELS[v]}`).join('、') || '无'}`);
  lines.push('');
  for (const e of r.timeline) {
    const who = [e.subject, e.staff ? `→${e.staff}` : null].filter(Boolean).join(' ');
    lines.push(`${e.local}  ${TYPE_LABELS[e.type]}  ${who ? `${who}  ` : ''}${e.text}`);
  }
  lines.push('');
  lines.push(formatSummary(r));
  return lines.join('\n');
}

export function formatSummary(r: RehearsalResult): string {
  const s = r.summary;
  return [
    '汇总：',
    `  报送期次 ${s.cycles} 个，应报 ${s.due} 单位次：按时 ${s.onTime}，逾期 ${s.late}，未报 ${s.never}`,
    `  被提醒 ${s.reminded} 单位次（提醒 ${s.reminders} 条），被督办 ${s.escalated} 单位次（督办 ${s.escalations} 条）`,
    `  死亡核查 ${s.deaths} 件：按期决定 ${s.casesDecidedOnTime}，逾期决定 ${s.casesDecidedLate}，未决定 ${s.casesUndecided}；提醒 ${s.caseReminders} 条，督办 ${s.caseEscalations} 条`,
    `  资金发放预警 ${s.paymentAlerts} 条，每日待办 ${s.digests} 条，定时触发 ${s.ticks} 次`,
    `  统计表：${r.tables.map((f) => path.relative(process.cwd(), f) || f).join('、')}`,
    `  用时 ${(r.wallMs / 1000).toFixed(1)} 秒`,
  ].join('\n');
}

export async function runSimulate(config: AppConfig, opts: SimulateOptions): Promise<number> {
  try {
    for (const [name, v] of [['--from', opts.from], ['--to', opts.to]] as const) {
      if (v !== undefined && !isValidLocalDate(v)) throw new RehearsalInputError(`${name} 日期“${v}”无效，应为 YYYY-MM-DD`);
    }
    const seed = opts.seed === undefined ? 1 : Number(opts.seed);
    if (!Number.isInteger(seed)) throw new RehearsalInputError(`--seed 应为整数：“${opts.seed}”`);
    const scale = opts.scale === undefined ? undefined : Number(opts.scale);
    if (scale !== undefined && !(scale > 0 && scale <= 100 && (!opts.small || Number.isInteger(scale)))) throw new RehearsalInputError(`--scale 应为 0 到 100 之间的数（小型演练县为正整数）：“${opts.scale}”`);
    const deaths = opts.deaths === undefined ? undefined : Number(opts.deaths);
    if (deaths !== undefined && !(Number.isInteger(deaths) && deaths >= 0)) throw new RehearsalInputError(`--deaths 应为非负整数：“${opts.deaths}”`);

    const base = readRehearsalPolicy({ county: opts.county, policyFile: opts.policy });
    const { policy, note } = policyForYear(base, opts.from ?? base.campaign.window.start);
    const from = opts.from ?? policy.campaign.window.start;
    const to = opts.to ?? policy.campaign.window.end;
    const outDir = path.resolve(opts.out ?? 'simulate-out');

    const tty = !opts.json && opts.progress !== false && process.stderr.isTTY;
    const bar = tty
      ? new cliProgress.SingleBar({ format: '演练中 [{bar}] {percentage}% | 演练时间 {now}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
      : null;
    bar?.start(100, 0, { now: from });
    let lastLine = 0;
    const result = await runRehearsal({
      policy,
      from,
      to,
      seed,
      outDir,
      scale,
      deaths,
      county: opts.small ? 'small' : 'demo',
      // chinese-days, the shipped overrides and <dataDir>/holiday-overrides.yaml, as the service uses.
      calendar: loadCalendar(config.dataDir),
      databaseUrl: config.databaseUrl,
      onProgress: (done, total, now) => {
        const pct = Math.floor((done / total) * 100);
        if (bar) bar.update(pct, { now: chinaDateTimeText(now) });
        else if (!opts.json && pct >= lastLine + 10) {
          lastLine = pct - (pct % 10);
          process.stderr.write(`演练进度 ${lastLine}%（${chinaDateTimeText(now)}）\n`);
        }
      },
    });
    bar?.stop();
    if (note) result.notes.unshift(note);
    if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`${formatTimeline(result)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof RehearsalInputError || error instanceof PolicyValidationError || error instanceof DomainError) {
      console.error(`错误：${error.message}`);
      return 2;
    }
    throw error;
  }
}
