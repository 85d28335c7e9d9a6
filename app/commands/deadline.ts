import type { AppConfig } from '../../infra/config.js';
import { loadCalendar, loadCountyPolicy } from '../../services/county.js';
import { answerDeadline, formatDeadlineAnswer } from '../../domain/index.js';

/** `jiuzhu deadline RULE DATE`: "when is this due?", for any rule of the county policy. */
export function runDeadline(config: AppConfig, ruleId: string, date: string, opts: { county?: string; json?: boolean; now?: string }): void {
  const policy = loadCountyPolicy(config.dataDir, opts.county);
  const calendar = loadCalendar(config.dataDir);
  const now = opts.now ? new Date(opts.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new Error(`--now 不是有效的时间：${opts.now}`);
  const answer = answerDeadline({ policy, ruleId, date, now, calendar });
  console.log(opts.json ? JSON.stringify(answer, null, 2) : formatDeadlineAnswer(answer));
}
