/**
 * Convenience constructor: `chinese-days` data overlaid with the override file.
 *
 *   const calendar = createCalendar({ overrides: parseHolidayOverridesYaml(text) });
 *
 * The calendar is a value, not global state. For Temporal workflows, build it
 * outside the workflow (activity or starter), pass `calendar.toData()` (or
 * `sliceData(y1, y2)`) as input, and rebuild it inside the workflow with
 * `createCalendarFromData` from `work-calendar.js`; replay then sees the same
 * data even after the package or the override file changes.
 */
import { chineseDaysCalendarData } from './chinese-days-source.js';
import { overridesToCalendarData, parseHolidayOverrides, type HolidayOverrides, type HolidayOverridesInput } from './overrides.js';
import { createCalendarFromData, mergeCalendarData, type CalendarData, type WorkCalendar } from './work-calendar.js';

export interface CreateCalendarOptions {
  /**
   * Holiday overrides: a validated object, or raw parsed YAML/JSON (validated here).
   * Overrides win over the base data date by date and add covered years.
   */
  overrides?: HolidayOverrides | HolidayOverridesInput | null;
  /**
   * Base data. Default: the installed `chinese-days` package. Pass `null` for
   * none (only the overrides, handy in tests) or an explicit `CalendarData`.
   */
  base?: CalendarData | null;
}

export function createCalendar(options: CreateCalendarOptions = {}): WorkCalendar {
  const base = options.base === undefined ? chineseDaysCalendarData() : options.base;
  const layers: CalendarData[] = [];
  if (base) layers.push(base);
  if (options.overrides) layers.push(overridesToCalendarData(parseHolidayOverrides(options.overrides)));
  return createCalendarFromData(mergeCalendarData(...layers));
}
