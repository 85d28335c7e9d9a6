import fs from 'node:fs';
import path from 'node:path';
import {
  chineseDaysCalendarData,
  createCalendarFromData,
  getPreset,
  loadPolicyYaml,
  mergeCalendarData,
  overridesToCalendarData,
  parseHolidayOverridesYaml,
  type CountyPolicy,
  type WorkCalendar,
} from '../domain/index.js';
import { PROJECT_ROOT } from '../infra/project-root.js';

const shippedOverrides = path.join(PROJECT_ROOT, 'domain', 'time', 'holiday-overrides.yaml');

/**
 * The county policy in force: `--county wenshui|zhangzi` picks a preset; else
 * `<dataDir>/policy.yaml` when present (a bureau's own file, validated); else
 * the preset named by JIUZHU_COUNTY (default zhangzi).
 */
export function loadCountyPolicy(dataDir: string, county?: string): CountyPolicy {
  if (county) return getPreset(county);
  const file = path.join(dataDir, 'policy.yaml');
  if (fs.existsSync(file)) return loadPolicyYaml(fs.readFileSync(file, 'utf8'), file);
  return getPreset(process.env.JIUZHU_COUNTY ?? 'zhangzi');
}

/**
 * The statutory calendar: chinese-days, then the overrides shipped with the
 * code, then `<dataDir>/holiday-overrides.yaml` (a year announced after the
 * release is entered there, no code change needed).
 */
export function loadCalendar(dataDir: string): WorkCalendar {
  const layers = [shippedOverrides, path.join(dataDir, 'holiday-overrides.yaml')]
    .filter((f) => fs.existsSync(f))
    .map((f) => overridesToCalendarData(parseHolidayOverridesYaml(fs.readFileSync(f, 'utf8'), f)));
  return createCalendarFromData(mergeCalendarData(chineseDaysCalendarData(), ...layers));
}
