/** Chinese texts of the reporting cycles. Workflow-safe (no Intl). */
import { formatDateZh, type LocalDate } from '../time/local-date.js';

import { formatChinaDateTime, toChinaDate } from '../time/instants.js';

import { timeLeftText } from '../time/time-left.js';

export { timeLeftText };

/** '2026-11-29 12:00' in Asia/Shanghai (domain/time/instants.ts). */
export const chinaDateTimeText = (ms: number): string => formatChinaDateTime(new Date(ms));

/** The civil date in Asia/Shanghai of an instant (domain/time/instants.ts). */
export const chinaDateOf = (ms: number): LocalDate => toChinaDate(new Date(ms));

/** "2026年11月29日 24:00前" or "2026年11月26日 12:00前" for a cut-off time. */
export function deadlineText(expiresAtMs: number): string {
  const local = chinaDateTimeText(expiresAtMs);
  const [date, time] = local.split(' ') as [LocalDate, string];
  if (time === '00:00') {
    const prev = chinaDateOf(expiresAtMs - 1);
    return `${formatDateZh(prev)} 24:00前`;
  }
  return `${formatDateZh(date)} ${time}前`;
}

export interface CycleTextContext {
  /** "进展情况报告（第3期）", "阶段性整治进展情况" … */
  title: string;
  unitName: string;
  expiresAtMs: number;
  nowMs: number;
  /** What to fill in (default: the focus items' figures). */
  instruction?: string;
}

export function cyclePromptText(c: CycleTextContext): string {
  return `【报送通知】请${c.unitName}于${deadlineText(c.expiresAtMs)}报送${c.title}，${c.instruction ?? '逐条填写各整治重点的具体数据'}（${timeLeftText(c.nowMs, c.expiresAtMs)}）。`;
}

export function cycleReminderText(c: CycleTextContext): string {
  return `【报送提醒】${c.unitName}尚未报送${c.title}，截止时间${deadlineText(c.expiresAtMs)}（${timeLeftText(c.nowMs, c.expiresAtMs)}）。`;
}

export function cycleEscalationText(c: CycleTextContext, levelLabel: string): string {
  return `【逾期未报·${levelLabel}】${c.unitName}的${c.title}应于${deadlineText(c.expiresAtMs)}报送，现${timeLeftText(c.nowMs, c.expiresAtMs)}仍未报送，请督促。`;
}
