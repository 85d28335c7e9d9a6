/** Chinese texts of the reporting cycles. Workflow-safe (no Intl, no time zone library). */
import { formatDateZh, type LocalDate } from '../time/local-date.js';

const CHINA_OFFSET_MS = 8 * 3_600_000;

/** '2026-11-29 12:00' in Asia/Shanghai (China has no DST). */
export function chinaDateTimeText(ms: number): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** The civil date in Asia/Shanghai of an instant. */
export function chinaDateOf(ms: number): LocalDate {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** "还剩2天5小时", "还剩3小时", "已逾期1天2小时". */
export function timeLeftText(nowMs: number, expiresAtMs: number): string {
  const diff = expiresAtMs - nowMs;
  const abs = Math.abs(diff);
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  let span: string;
  if (days > 0) span = hours > 0 ? `${days}天${hours}小时` : `${days}天`;
  else if (hours > 0) span = `${hours}小时`;
  else span = `${Math.max(1, minutes)}分钟`;
  return diff > 0 ? `还剩${span}` : `已逾期${span}`;
}

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
