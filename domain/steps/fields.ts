/**
 * zod schemas for the raw strings a step form sends back (Feishu form_value,
 * a Telegram answer, a console input), each message Chinese and naming the
 * field. Deterministic: contracts and workflows import them.
 */
import { z } from 'zod';

import { isValidLocalDate, type LocalDate } from '../time/local-date.js';

const MONEY_RE = /^\d+(\.\d{1,2})?$/;
const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Required text of at most `max` characters. */
export function textField(label: string, max = 200) {
  return z
    .string({ error: `请填写“${label}”` })
    .trim()
    .min(1, { error: `请填写“${label}”` })
    .max(max, { error: `“${label}”不能超过 ${max} 字` });
}

/** Optional text (empty → undefined). */
export function optionalText(label: string, max = 500) {
  return z
    .string()
    .trim()
    .max(max, { error: `“${label}”不能超过 ${max} 字` })
    .optional()
    .transform((v) => (v ? v : undefined));
}

/** 'YYYY-MM-DD' (also accepts 2026/12/7 and 2026年12月7日). */
export function dateField(label: string) {
  return z.string({ error: `请填写“${label}”` }).trim().transform((text, ctx): LocalDate => {
    const m = /^(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?$/u.exec(text);
    const iso = m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : '';
    if (!m || !isValidLocalDate(iso)) {
      ctx.addIssue({ code: 'custom', message: `“${label}”应为日期，如 2026-12-07；您填的是“${text}”` });
      return z.NEVER;
    }
    return iso as LocalDate;
  });
}

/** 'YYYY-MM' (also 2026年12月). */
export function monthField(label: string) {
  return z.string({ error: `请填写“${label}”` }).trim().transform((text, ctx) => {
    const m = /^(\d{4})[-/年.](\d{1,2})月?$/u.exec(text);
    const iso = m ? `${m[1]}-${m[2]!.padStart(2, '0')}` : '';
    if (!m || !MONTH_RE.test(iso)) {
      ctx.addIssue({ code: 'custom', message: `“${label}”应为月份，如 2026-12；您填的是“${text}”` });
      return z.NEVER;
    }
    return iso;
  });
}

/** Yuan, at most two decimals, ≥ 0 (or > 0 when `positive`). */
export function moneyField(label: string, options: { positive?: boolean } = {}) {
  return z.string({ error: `请填写“${label}”` }).trim().transform((text, ctx) => {
    const t = text.replace(/元$/u, '');
    if (!MONEY_RE.test(t) || (options.positive && Number(t) <= 0)) {
      ctx.addIssue({ code: 'custom', message: `“${label}”应为${options.positive ? '大于 0 ' : '不小于 0 '}的金额（元，最多两位小数）；您填的是“${text}”` });
      return z.NEVER;
    }
    return Number(t);
  });
}

/** Optional money (empty → undefined). */
export function optionalMoney(label: string) {
  return z
    .string()
    .trim()
    .optional()
    .transform((text, ctx) => {
      if (!text) return undefined;
      const t = text.replace(/元$/u, '');
      if (!MONEY_RE.test(t)) {
        ctx.addIssue({ code: 'custom', message: `“${label}”应为不小于 0 的金额（元，最多两位小数）；您填的是“${text}”` });
        return z.NEVER;
      }
      return Number(t);
    });
}

/** One of the options' values. */
export function choiceField<const T extends string>(label: string, values: readonly T[]) {
  return z.string({ error: `请选择“${label}”` }).trim().transform((text, ctx): T => {
    if (!(values as readonly string[]).includes(text)) {
      ctx.addIssue({ code: 'custom', message: `“${label}”只能是：${values.join('、')}；您填的是“${text}”` });
      return z.NEVER;
    }
    return text as T;
  });
}

/** Yuan from cents, for texts: 1234 → "12.34". */
export function yuan(cents: number): string {
  return (cents / 100).toFixed(2);
}
