/**
 * Holiday override file (节假日覆盖数据): adds or corrects years of the
 * statutory holiday arrangement without a code change, e.g. the 2027 notice
 * published in winter 2026 before `chinese-days` is bumped.
 *
 * Format (YAML or the equivalent JSON object; see holiday-overrides.yaml):
 *
 * ```yaml
 * years:
 *   2027:
 *     source: 国务院办公厅关于2027年部分节假日安排的通知
 *     holidays:                       # rest days (放假), ranges inclusive
 *       - { name: 元旦, from: "2027-01-01", to: "2027-01-03" }
 *       - { name: 清明节, date: "2027-04-05" }
 *     workdays:                       # make-up workdays (调休上班)
 *       - { name: 春节, date: "2027-02-07" }
 * ```
 *
 * Semantics: each listed year becomes covered; entries overlay the base data
 * date by date (an override holiday cancels a base make-up workday on the same
 * date and vice versa). To cancel a base holiday on a weekday, list that date
 * under `workdays`. A covered year must list 1 January as a holiday (元旦 is a
 * statutory holiday every year), which catches a file filled in for the wrong year.
 *
 * Parsing is pure; reading the file is the caller's job (app/ loads it from
 * the data folder and passes the text or object here).
 */
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { DomainError } from '../errors.js';
import { formatIssues, zhParseOptions } from '../zod-zh.js';
import { diffCalendarDays, eachDay, isValidLocalDate, type LocalDate } from './local-date.js';
import type { CalendarData } from './work-calendar.js';

/** Accepts 'YYYY-MM-DD' strings, and Date objects from YAML 1.1 timestamps (read in UTC). */
const dateField = z.preprocess(
  (v) => (v instanceof Date && !Number.isNaN(v.getTime()) ? v.toISOString().slice(0, 10) : v),
  z.string({ error: '日期必须写成 "YYYY-MM-DD" 字符串' }).refine(isValidLocalDate, {
    error: (iss) => `日期无效：“${String(iss.input)}”，应为 YYYY-MM-DD 格式的真实日期`,
  }),
);

const entrySchema = z
  .strictObject({
    name: z.string({ error: '必须填写节日名称 name' }).trim().min(1, { error: '节日名称不能为空' }),
    date: dateField.optional(),
    from: dateField.optional(),
    to: dateField.optional(),
  })
  .superRefine((e, ctx) => {
    const single = e.date !== undefined;
    const range = e.from !== undefined || e.to !== undefined;
    if (single === range) {
      ctx.addIssue({ code: 'custom', message: '每条记录须填写 date（单日），或同时填写 from 和 to（日期区间），二者选一' });
      return;
    }
    if (range) {
      if (e.from === undefined || e.to === undefined) {
        ctx.addIssue({ code: 'custom', message: '日期区间须同时填写 from 和 to' });
        return;
      }
      const span = diffCalendarDays(e.from, e.to);
      if (span < 0) ctx.addIssue({ code: 'custom', message: `区间结束日 ${e.to} 早于开始日 ${e.from}` });
      if (span > 31) ctx.addIssue({ code: 'custom', message: `区间 ${e.from}–${e.to} 超过 31 天，请检查` });
    }
  });

const yearSchema = z.strictObject({
  source: z.string().trim().min(1, { error: '请填写数据来源 source（如国务院办公厅通知文号）' }),
  holidays: z.array(entrySchema).default([]),
  workdays: z.array(entrySchema).default([]),
});

export const holidayOverridesSchema = z
  .strictObject({
    years: z
      .record(z.string().regex(/^\d{4}$/, { error: '年份须为四位数字，如 2027' }), yearSchema)
      .nullish()
      .transform((v) => v ?? {}),
  })
  .superRefine((file, ctx) => {
    for (const [year, y] of Object.entries(file.years)) {
      const jan1 = `${year}-01-01`;
      const listed = y.holidays.some((e) => expand(e).includes(jan1));
      if (!listed) {
        ctx.addIssue({
          code: 'custom',
          path: ['years', year, 'holidays'],
          message: `${year}年的数据未把 ${jan1}（元旦）列为假日，请核对是否填错了年份`,
        });
      }
      const holidayDates = new Set(y.holidays.flatMap(expand));
      for (const d of y.workdays.flatMap(expand)) {
        if (holidayDates.has(d)) {
          ctx.addIssue({
            code: 'custom',
            path: ['years', year],
            message: `${d} 同时被列为假日和调休上班日`,
          });
        }
      }
    }
  });

export type HolidayOverrideEntry = z.infer<typeof entrySchema>;
export type HolidayOverrides = z.output<typeof holidayOverridesSchema>;
/** The shape before validation (what a YAML/JSON file contains). */
export type HolidayOverridesInput = z.input<typeof holidayOverridesSchema>;

function expand(e: HolidayOverrideEntry): LocalDate[] {
  if (e.date !== undefined) return [e.date];
  if (e.from !== undefined && e.to !== undefined) return eachDay(e.from, e.to);
  return [];
}

export class HolidayOverridesError extends DomainError {
  constructor(message: string) {
    super('HOLIDAY_OVERRIDES_INVALID', message);
    this.name = 'HolidayOverridesError';
  }
}

/** Validate an override object (parsed YAML/JSON). Throws `HolidayOverridesError` in Chinese. */
export function parseHolidayOverrides(input: unknown, sourceName = '节假日覆盖数据'): HolidayOverrides {
  // An empty YAML document parses to null: treat it as "no overrides".
  const r = holidayOverridesSchema.safeParse(input ?? {}, zhParseOptions);
  if (!r.success) {
    throw new HolidayOverridesError(`${sourceName}无效：\n${formatIssues(r.error.issues)}`);
  }
  return r.data;
}

/** Parse YAML text (JSON is valid YAML too) and validate it. */
export function parseHolidayOverridesYaml(text: string, sourceName = '节假日覆盖文件'): HolidayOverrides {
  let obj: unknown;
  try {
    obj = parseYaml(text);
  } catch (e) {
    throw new HolidayOverridesError(`${sourceName}不是有效的 YAML：${(e as Error).message}`);
  }
  return parseHolidayOverrides(obj, sourceName);
}

/** Turn validated overrides into a `CalendarData` layer. */
export function overridesToCalendarData(overrides: HolidayOverrides): CalendarData {
  const data: CalendarData = { version: 1, years: {}, holidays: {}, workdays: {} };
  for (const [year, y] of Object.entries(overrides.years)) {
    data.years[year] = { source: `覆盖文件：${y.source}` };
    for (const e of y.holidays) for (const d of expand(e)) data.holidays[d] = e.name;
    for (const e of y.workdays) for (const d of expand(e)) data.workdays[d] = e.name;
  }
  return data;
}
