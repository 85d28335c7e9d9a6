/**
 * The policy of a rehearsal: a preset or the bureau's own file (validated by
 * domain/policy with Chinese errors), moved to the rehearsal's year when its
 * campaign lies in another year (presets describe the 2024 campaign).
 */
import fs from 'node:fs';
import { getPreset, loadPolicy, loadPolicyYaml } from '../../domain/policy/load.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import { isValidLocalDate, yearOf, type LocalDate } from '../../domain/time/local-date.js';
import { RehearsalInputError } from './run.js';

export function readRehearsalPolicy(opts: { county?: string; policyFile?: string }): CountyPolicy {
  if (opts.policyFile) {
    let text: string;
    try {
      text = fs.readFileSync(opts.policyFile, 'utf8');
    } catch {
      throw new RehearsalInputError(`无法读取政策文件：${opts.policyFile}`);
    }
    return loadPolicyYaml(text, `政策文件 ${opts.policyFile}`);
  }
  return getPreset(opts.county ?? 'zhangzi');
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function shiftDate(date: string, years: number): string {
  const y = Number(date.slice(0, 4)) + years;
  let rest = date.slice(4);
  // 29 February of a leap year → 28 February otherwise.
  if (rest === '-02-29' && !((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0)) rest = '-02-28';
  return `${y}${rest}`;
}

function shiftAll(value: unknown, years: number): unknown {
  if (typeof value === 'string') return DATE_RE.test(value) && isValidLocalDate(value) ? shiftDate(value, years) : value;
  if (Array.isArray(value)) return value.map((v) => shiftAll(v, years));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shiftAll(v, years)]));
  return value;
}

/**
 * The policy with every calendar date moved by whole years so that its
 * campaign starts in `from`'s year (a no-op when it already does). Returns
 * the note to print when it moved.
 */
export function policyForYear(policy: CountyPolicy, from: LocalDate): { policy: CountyPolicy; note: string | null } {
  const years = yearOf(from) - yearOf(policy.campaign.window.start);
  if (years === 0) return { policy, note: null };
  const moved = loadPolicy(shiftAll(structuredClone(policy), years), '平移后的政策');
  return { policy: moved, note: `政策的整治期间为 ${policy.campaign.window.start}～${policy.campaign.window.end}，演练时各日期整体平移${years > 0 ? '+' : ''}${years}年（${moved.campaign.window.start}～${moved.campaign.window.end}）` };
}
