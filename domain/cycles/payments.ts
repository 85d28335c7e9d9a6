/** The payment-deadline watch: texts for townships and the 专班. Pure; no ID numbers. */
import { formatDateZh } from '../time/local-date.js';

export interface PaymentWatchTownship {
  townshipId: number;
  name: string;
  caseworkerStaffId: number | null;
  headStaffId: number | null;
  /** Finding kind → households affected. */
  counts: Record<string, number>;
  /** Finding kind → amount involved, fen. */
  amountsFen: Record<string, number>;
}

export const PAYMENT_FINDING_LABELS: Record<string, string> = {
  payment_missing: '未按时足额发放（逾期未发）',
  payment_late: '逾期发放',
  payment_short: '少发',
  payment_wrong_payee: '收款人不符',
};

const ORDER = ['payment_missing', 'payment_late', 'payment_short', 'payment_wrong_payee'];

function yuan(fen: number): string {
  return (fen / 100).toFixed(2);
}

function countLines(t: Pick<PaymentWatchTownship, 'counts' | 'amountsFen'>): string[] {
  return ORDER.filter((k) => (t.counts[k] ?? 0) > 0).map((k) => `${PAYMENT_FINDING_LABELS[k]}${t.counts[k]}户，涉及${yuan(t.amountsFen[k] ?? 0)}元`);
}

export function paymentTownshipText(kindLabel: string, periodMonth: string, due: string, t: PaymentWatchTownship): string {
  return `【资金发放预警】${t.name}：${kindLabel}（${periodMonth}期）应于${formatDateZh(due)}前发放到户，截至期限：${countLines(t).join('；')}。请核实原因并尽快补发、纠正，明细见比对结果。`;
}

export function paymentSummaryText(kindLabel: string, periodMonth: string, due: string, townships: readonly PaymentWatchTownship[]): string {
  if (townships.length === 0) return `【资金发放核查】${kindLabel}（${periodMonth}期，期限${formatDateZh(due)}）：各乡镇均已按时足额发放，未发现问题。`;
  const total = { counts: {} as Record<string, number>, amountsFen: {} as Record<string, number> };
  for (const t of townships) {
    for (const k of ORDER) {
      total.counts[k] = (total.counts[k] ?? 0) + (t.counts[k] ?? 0);
      total.amountsFen[k] = (total.amountsFen[k] ?? 0) + (t.amountsFen[k] ?? 0);
    }
  }
  const lines = [`【资金发放核查】${kindLabel}（${periodMonth}期，期限${formatDateZh(due)}）：${townships.length}个乡镇存在问题。合计：${countLines(total).join('；')}。`];
  for (const t of townships) lines.push(`${t.name}：${countLines(t).join('；')}`);
  return lines.join('\n');
}
