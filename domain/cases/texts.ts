/** Chinese texts of case notifications. Workflow-safe. */
import { formatDateZh, type LocalDate } from '../time/local-date.js';

export function deathReviewReminderText(subject: string, due: LocalDate, daysBefore: number): string {
  const when = daysBefore === 0 ? '今天是最后一天' : `还剩${daysBefore}天`;
  return `【死亡核查提醒】${subject}的死亡核查及增发、减发、停发手续须于${formatDateZh(due)}前办结（${when}）。`;
}

/** The card asking for the over-payment's confirmation (确认超发金额) once the decision computed it. */
export function deathReviewConfirmText(subject: string, overpaidCents: number): string {
  return `【死亡核查·确认超发金额】${subject}的核查决定计算超发 ${(overpaidCents / 100).toFixed(2)} 元，请核对确认后登记追回。`;
}

export function deathReviewEscalationText(subject: string, due: LocalDate, levelLabel: string): string {
  return `【死亡核查逾期·${levelLabel}】${subject}的死亡核查应于${formatDateZh(due)}前办结，现已逾期仍未作出决定，请督促办理。`;
}
