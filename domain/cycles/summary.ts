/**
 * Phase summaries (阶段总结) as the plans mean them: each reporting unit (文水
 * the 股室, 长子 the 乡镇) submits its summary text; the 专班 office compiles
 * them with the progress figures into one document and records it as sent
 * upward (进展情况与工作总结同时上报上级部门). Pure checks and texts.
 */
import type { CycleUnit } from './progress.js';

export const SUMMARY_TEXT_MAX = 5000;
export const SUMMARY_RECIPIENT_MAX = 100;

export interface SubmitSummaryArgs {
  unitId: number;
  byStaffId: number;
  /** The unit's summary text (工作总结), plain text, paragraphs separated by new lines. */
  text: string;
}

export interface ReportUpwardArgs {
  byStaffId: number;
  /** To whom it was sent (上级部门 …). */
  recipient: string;
  /** The day it was sent, YYYY-MM-DD (Beijing); default: today. */
  sentOn?: string;
}

export interface SummarySentRecord {
  byStaffId: number;
  recipient: string;
  sentOn: string;
  recordedAt: string;
}

export interface CompiledSummary {
  /** Data-folder-relative path of the .docx. */
  path: string;
  fileName: string;
  /** Units whose text is in the document. */
  unitIds: number[];
  compiledAt: string;
}

/** Why a summary submission is refused (Chinese, names the field), or null. */
export function checkSummarySubmission(
  args: unknown,
  ctx: { units: readonly CycleUnit[]; submittedUnitIds: ReadonlySet<number>; open: boolean },
): string | null {
  if (!ctx.open) return '本期总结报送尚未开始或已结束，不能提交';
  if (typeof args !== 'object' || args === null) return '报送内容格式不正确';
  const a = args as Partial<SubmitSummaryArgs>;
  if (typeof a.unitId !== 'number' || !Number.isInteger(a.unitId)) return '缺少报送单位（unitId）';
  if (typeof a.byStaffId !== 'number' || !Number.isInteger(a.byStaffId)) return '缺少报送人（byStaffId）';
  const unit = ctx.units.find((u) => u.id === a.unitId);
  if (!unit) return '该单位不在本期报送范围内';
  if (a.byStaffId !== unit.reporterStaffId && a.byStaffId !== unit.headStaffId) return `您不是${unit.name}的报送人或负责人，无权代为报送`;
  if (ctx.submittedUnitIds.has(unit.id)) return `${unit.name}本期已报送，不能重复报送`;
  if (typeof a.text !== 'string' || a.text.trim() === '') return '“工作总结”不能为空';
  if (a.text.length > SUMMARY_TEXT_MAX) return `“工作总结”不超过 ${SUMMARY_TEXT_MAX} 字（现 ${a.text.length} 字）`;
  return null;
}

/** Why a 「已上报」 record is refused, or null. */
export function checkReportUpward(args: unknown, ctx: { compiled: boolean; alreadySent: boolean }): string | null {
  if (!ctx.compiled) return '本期总结尚未汇编，不能登记已上报';
  if (ctx.alreadySent) return '本期总结已登记上报，不能重复登记';
  if (typeof args !== 'object' || args === null) return '登记内容格式不正确';
  const a = args as Partial<ReportUpwardArgs>;
  if (typeof a.byStaffId !== 'number' || !Number.isInteger(a.byStaffId)) return '缺少登记人（byStaffId）';
  if (typeof a.recipient !== 'string' || a.recipient.trim() === '') return '“报送单位”不能为空';
  if (a.recipient.length > SUMMARY_RECIPIENT_MAX) return `“报送单位”不超过 ${SUMMARY_RECIPIENT_MAX} 字`;
  if (a.sentOn !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(a.sentOn)) return '“上报日期”应为 YYYY-MM-DD';
  return null;
}

/** The office's message once the summary is compiled. */
export function compiledSummaryText(title: string, recipient: string, units: readonly CycleUnit[], inUnitIds: readonly number[]): string {
  const missing = units.filter((u) => !inUnitIds.includes(u.id)).map((u) => u.name);
  return [
    `【总结汇编】${title}已汇编：${inUnitIds.length}/${units.length}个单位的工作总结和本期进展情况统计表见附件（Word 文档）。`,
    missing.length ? `未报送：${missing.join('、')}。` : '各单位均已报送。',
    `请核阅后报送${recipient}，报送后点「已上报」登记（报送单位、日期）。`,
  ].join('\n');
}
