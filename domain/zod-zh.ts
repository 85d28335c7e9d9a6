/**
 * Chinese error messages for zod without touching zod's global configuration.
 *
 * `z.config(z.locales.zhCN())` would switch every zod schema in the process;
 * the domain is imported by workflows, bot and CLI alike, so it passes the
 * locale per parse instead: `schema.safeParse(value, { error: zhErrorMap })`.
 * Messages written on a schema (`{ error: '…' }`) still take precedence.
 */
import type { z } from 'zod';
import { zhCN } from 'zod/locales';

const locale = zhCN();
const base = locale.localeError as z.core.$ZodErrorMap;

const TYPE_ZH: Record<string, string> = {
  object: '对象（键值表）',
  record: '对象（键值表）',
  array: '列表',
  string: '文字',
  number: '数字',
  int: '整数',
  boolean: 'true 或 false',
  date: '日期',
};

/**
 * Per-parse error map producing Simplified Chinese messages: zod's zh-CN
 * locale, with clearer wording for missing fields and wrong types.
 */
export const zhErrorMap: z.core.$ZodErrorMap = (iss) => {
  if (iss.code === 'invalid_type') {
    if (iss.input === undefined) return '缺少必填项';
    const label = TYPE_ZH[String(iss.expected)];
    if (label) return `类型错误：应为${label}`;
  }
  return base(iss);
};

/** Parse options that make zod speak Chinese for this parse only. */
export const zhParseOptions = { error: zhErrorMap } as const;

/** Render a dotted path such as `deadlines.death-review.amount`. */
export function issuePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '（根）';
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

/** One line per issue: `路径：消息`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `- ${issuePath(i.path)}：${i.message}`).join('\n');
}
