/**
 * Progress reports (进展情况报告, domain.md R24–R28): structured rows per
 * focus item (逐条, 具体数据支撑), validated with Chinese messages, and the
 * aggregate the 专班 office receives at the cut-off. Pure and workflow-safe.
 */
import { z } from 'zod';
import { zhParseOptions } from '../zod-zh.js';
import type { FocusItem } from '../policy/schema.js';

/** Numeric fields of one focus item, with their Chinese labels. */
export const PROGRESS_FIELDS = {
  found: '发现问题（个）',
  households: '涉及户数',
  amount: '涉及金额（元）',
  rectified: '已整改（个）',
  recovered: '追回资金（元）',
  cluesTransferred: '移交问题线索（条）',
  heldAccountable: '追责问责（人）',
} as const;
export type ProgressField = keyof typeof PROGRESS_FIELDS;
const MONEY_FIELDS: ReadonlySet<ProgressField> = new Set(['amount', 'recovered']);

const fieldSchema = (field: ProgressField) => {
  const label = PROGRESS_FIELDS[field];
  let s = z
    .number({ error: (iss) => (iss.input === undefined ? `缺少“${label}”` : `“${label}”必须是数字`) })
    .min(0, { error: `“${label}”不能为负数` });
  if (!MONEY_FIELDS.has(field)) s = s.int({ error: `“${label}”必须是整数` });
  else s = s.refine((v) => Number.isFinite(v) && Math.abs(Math.round(v * 100) - v * 100) < 1e-6, { error: `“${label}”最多保留两位小数` });
  return s;
};

export const progressItemSchema = z.strictObject(
  Object.fromEntries(Object.keys(PROGRESS_FIELDS).map((f) => [f, fieldSchema(f as ProgressField)])) as Record<ProgressField, z.ZodNumber>,
  { error: '每个整治重点的数据必须是对象' },
);
export type ProgressItem = Record<ProgressField, number>;

export interface SubmitProgressArgs {
  unitId: number;
  byStaffId: number;
  items: Record<string, ProgressItem>;
}

export interface CycleUnit {
  id: number;
  name: string;
  reporterStaffId: number | null;
  headStaffId: number | null;
}

export interface SubmissionContext {
  units: readonly CycleUnit[];
  focusItems: readonly Pick<FocusItem, 'code' | 'title'>[];
  /** Units that already submitted (or whose submission is being written). */
  submittedUnitIds: ReadonlySet<number>;
  /** The cycle is not open yet (its row is being written) or is closed. */
  open: boolean;
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/**
 * Why a submission is refused (Chinese), or null when it is acceptable.
 * Checks: the cycle is open, the unit belongs to the cycle, the staff member
 * reports for that unit (reporter or head), no earlier submission, every
 * focus item present and none unknown, numbers non-negative.
 */
export function checkProgressSubmission(args: unknown, ctx: SubmissionContext): string | null {
  if (!ctx.open) return '本期报送尚未开始或已结束，不能提交';
  if (typeof args !== 'object' || args === null) return '报送内容格式不正确';
  const a = args as Partial<SubmitProgressArgs>;
  if (typeof a.unitId !== 'number' || !Number.isInteger(a.unitId)) return '缺少报送单位（unitId）';
  if (typeof a.byStaffId !== 'number' || !Number.isInteger(a.byStaffId)) return '缺少报送人（byStaffId）';
  const unit = ctx.units.find((u) => u.id === a.unitId);
  if (!unit) return '该单位不在本期报送范围内';
  if (a.byStaffId !== unit.reporterStaffId && a.byStaffId !== unit.headStaffId) {
    return `您不是${unit.name}的报送人或负责人，无权代为报送`;
  }
  if (ctx.submittedUnitIds.has(unit.id)) return `${unit.name}本期已报送，不能重复报送`;
  if (typeof a.items !== 'object' || a.items === null || Array.isArray(a.items)) return '缺少各整治重点的数据（items）';
  const known = new Map(ctx.focusItems.map((f) => [f.code, f.title]));
  for (const code of Object.keys(a.items)) {
    if (!known.has(code)) return `未知的整治重点“${code}”，本县的整治重点编号为：${[...known.keys()].join('、')}`;
  }
  for (const [code, title] of known) {
    const item = (a.items as Record<string, unknown>)[code];
    if (item === undefined) return `缺少整治重点“${code}”（${title}）的数据；没有问题请逐项填 0`;
    const r = progressItemSchema.safeParse(item, zhParseOptions);
    if (!r.success) {
      const iss = r.error.issues[0]!;
      const where = iss.path.length > 0 && !(iss.path[0] as string in PROGRESS_FIELDS) ? `（${issuePath(iss.path)}）` : '';
      return `整治重点“${code}”：${iss.message}${where}`;
    }
  }
  return null;
}

export type ProgressTotals = Record<string, ProgressItem>;

export function emptyItem(): ProgressItem {
  return { found: 0, households: 0, amount: 0, rectified: 0, recovered: 0, cluesTransferred: 0, heldAccountable: 0 };
}

/** Totals per focus item over the submissions (money summed in fen, so no float drift). */
export function aggregateProgress(focusCodes: readonly string[], submissions: readonly { items: Record<string, ProgressItem> }[]): ProgressTotals {
  const out: ProgressTotals = {};
  for (const code of focusCodes) {
    const t = emptyItem();
    for (const s of submissions) {
      const item = s.items[code];
      if (!item) continue;
      for (const f of Object.keys(PROGRESS_FIELDS) as ProgressField[]) {
        t[f] = MONEY_FIELDS.has(f) ? Math.round(t[f] * 100 + item[f] * 100) / 100 : t[f] + item[f];
      }
    }
    out[code] = t;
  }
  return out;
}

export interface CycleSummary {
  /** Workflow time of the aggregate, ISO-8601. */
  at: string;
  expected: number;
  submitted: Array<{ unitId: number; name: string; late: boolean }>;
  missing: Array<{ unitId: number; name: string }>;
  totals: ProgressTotals;
}

/** The message the 专班 office receives at the cut-off. */
export function aggregateText(title: string, deadline: string, focusItems: readonly Pick<FocusItem, 'code' | 'title'>[], s: CycleSummary): string {
  const lines = [`【报送汇总】${title}（截止${deadline}）：应报${s.expected}个单位，已报${s.submitted.length}个，未报${s.missing.length}个。`];
  if (s.missing.length > 0) lines.push(`未报单位：${s.missing.map((m) => m.name).join('、')}。`);
  const late = s.submitted.filter((x) => x.late);
  if (late.length > 0) lines.push(`逾期报送：${late.map((m) => m.name).join('、')}。`);
  for (const f of focusItems) {
    const t = s.totals[f.code] ?? emptyItem();
    lines.push(
      `${f.code} ${f.title}：发现问题${t.found}个，涉及${t.households}户、${t.amount.toFixed(2)}元；已整改${t.rectified}个，追回${t.recovered.toFixed(2)}元，移交线索${t.cluesTransferred}条，追责问责${t.heldAccountable}人。`,
    );
  }
  return lines.join('\n');
}
