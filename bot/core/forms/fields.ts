// zod schemas for form answers, each with a Chinese message saying what to fix.
import { z } from 'zod';

import { idNumberSchema, maskIdNumber } from '../../../domain/identity/index.js';
import { toChinaDate } from '../../../domain/time/instants.js';

export const personNameSchema = z
  .string()
  .trim()
  .min(2, { error: '姓名至少 2 个字' })
  .max(30, { error: '姓名不能超过 30 个字' })
  .regex(/^[\p{Script=Han}·•A-Za-z ]+$/u, { error: '姓名只能包含汉字、字母或间隔号' });

export { idNumberSchema, maskIdNumber };

/** Masks a name for a group chat or an audit entry: 张三丰 → 张**. */
export const maskName = (name: string) => (name.length <= 1 ? '*' : name[0] + '*'.repeat(name.length - 1));


/** Accepts 2026-11-01, 2026/11/1, 2026.11.1, 20261101, 2026年11月1日; outputs YYYY-MM-DD, not in the future. */
export function pastDateSchema(now: () => Date = () => new Date()) {
  return z
    .string()
    .trim()
    .transform((raw, ctx) => {
      const m = /^(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))$/.exec(raw);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: '日期格式应为 2026-11-01（年-月-日）' });
        return z.NEVER;
      }
      const [y, mo, d] = [Number(m[1]), Number(m[2] ?? m[4]), Number(m[3] ?? m[5])];
      const date = new Date(Date.UTC(y, mo - 1, d));
      if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
        ctx.addIssue({ code: 'custom', message: '没有这一天，请核对年月日' });
        return z.NEVER;
      }
      const iso = date.toISOString().slice(0, 10);
      if (iso > toChinaDate(now())) {
        ctx.addIssue({ code: 'custom', message: '日期不能晚于今天' });
        return z.NEVER;
      }
      if (y < 1990) {
        ctx.addIssue({ code: 'custom', message: '日期过早，请核对年份' });
        return z.NEVER;
      }
      return iso;
    });
}

export const shortTextSchema = (label: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min, { error: `${label}至少 ${min} 个字` })
    .max(max, { error: `${label}不能超过 ${max} 个字` });
