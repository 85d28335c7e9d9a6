/**
 * The policy of a rehearsal: a preset or the bureau's own file (validated by
 * domain/policy with Chinese errors), moved to the rehearsal's year when its
 * campaign lies in another year (presets describe the 2024 campaign). The
 * move itself is domain/policy/shift.ts, shared with `jiuzhu campaign start`.
 */
import fs from 'node:fs';
import { getPreset, loadPolicyYaml } from '../../domain/policy/load.js';
import { shiftPolicyByMonths } from '../../domain/policy/shift.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import { yearOf, type LocalDate } from '../../domain/time/local-date.js';
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

/**
 * The policy with every calendar date moved by whole years so that its
 * campaign starts in `from`'s year (a no-op when it already does). Returns
 * the note to print when it moved.
 */
export function policyForYear(policy: CountyPolicy, from: LocalDate): { policy: CountyPolicy; note: string | null } {
  const years = yearOf(from) - yearOf(policy.campaign.window.start);
  if (years === 0) return { policy, note: null };
  const moved = shiftPolicyByMonths(policy, years * 12);
  return { policy: moved, note: `政策的整治期间为 ${policy.campaign.window.start}～${policy.campaign.window.end}，演练时各日期整体平移${years > 0 ? '+' : ''}${years}年（${moved.campaign.window.start}～${moved.campaign.window.end}）` };
}
