// What a case shows in chat besides its row: its history (the steps taken, the
// decision, the recoveries, from Case.data) and the steps the reader may take now.
import type { BotContext } from '../context.js';
import type { Button, CardField } from '../types.js';
import { stepButton } from './card.js';
import { stepsOfWorkflow } from './registry.js';
import { stepActor } from './take.js';
import { caseRef, type StepTarget } from './target.js';
import { toChinaDate } from '../../../domain/time/instants.js';

interface CaseData {
  steps?: Array<{ action?: string; at?: string; byStaffId?: number; visitedOn?: string; visitors?: string; findings?: string; reason?: string; writtenOffCents?: number; [k: string]: unknown }>;
  decision?: { decision?: string; effectiveMonth?: string; decidedAt?: string; note?: string; newMonthlyAmount?: number };
  overpayment?: { totalCents?: number };
  recoveries?: Array<{ amountCents: number; recordedAt: string; recoveredOn?: string; receiptNo?: string }>;
}

/** Steps of the application review and the near-relative filing (Case.data.steps[].action), shown by name with their comment. */
const OTHER_STEPS_ZH: Record<string, string> = {
  'investigation-started': '启动入户调查', 'investigation-recorded': '入户调查', 'publicity-posted': '张贴公示', objection: '公示异议', extended: '延长时限',
  decided: '审核确认', 'refusal-notice-recorded': '告知书送达', approve: '批准', reject: '驳回', moreInfo: '要求补充材料', supplement: '补充材料', homeVisit: '县级入户调查',
};
const DECISION_ZH: Record<string, string> = { approve: '批准', refuse: '不予批准' };
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

const yuan = (cents: number) => (cents / 100).toFixed(2);
const day = (iso: string | undefined) => (iso ? toChinaDate(new Date(iso)) : '');

/** One line per thing that happened, oldest first (no personal data). */
export function caseHistory(data: unknown): CardField[] {
  const d = (data ?? {}) as CaseData;
  const lines: CardField[] = [];
  for (const s of d.steps ?? []) {
    if (s.action === 'case.household-checked') lines.push({ label: '入户核查', value: `${s.visitedOn ?? ''} ${s.visitors ?? ''}：${s.findings ?? ''}` });
    if (s.action === 'case.overpayment-confirmed') lines.push({ label: '确认超发', value: `${day(s.at)} 确认超发 ${yuan(Number(s.overpaidCents ?? 0))} 元${s.note ? `：${String(s.note)}` : ''}` });
    if (s.action === 'case.written-off') lines.push({ label: '核销', value: `${day(s.at)} 核销 ${yuan(s.writtenOffCents ?? 0)} 元：${s.reason ?? ''}` });
    const other = s.action ? OTHER_STEPS_ZH[s.action] : undefined;
    if (other) {
      const what = [str(s.conclusion), DECISION_ZH[String(s.decision)], str(s.method), str(s.reason) ?? str(s.note) ?? str(s.opinion) ?? str(s.findings) ?? str(s.result)].filter(Boolean).join('，');
      lines.push({ label: other, value: `${day(s.at)}${what ? ` ${what}` : ''}` });
    }
  }
  if (d.decision?.decision) {
    lines.push({ label: '决定', value: `${day(d.decision.decidedAt)} ${d.decision.decision}（${d.decision.effectiveMonth ?? ''} 起）${d.decision.note ? `：${d.decision.note}` : ''}` });
  }
  if (d.overpayment?.totalCents) lines.push({ label: '超发', value: `${yuan(d.overpayment.totalCents)} 元` });
  for (const r of d.recoveries ?? []) lines.push({ label: '追回', value: `${r.recoveredOn ?? day(r.recordedAt)} ${yuan(r.amountCents)} 元${r.receiptNo ? `（收据 ${r.receiptNo}）` : ''}` });
  return lines;
}

/** Buttons of the steps of this case the reader may take now (none when the workflow cannot be asked). */
export async function stepButtonsFor(ctx: BotContext, target: StepTarget): Promise<Button[]> {
  const kind = stepsOfWorkflow(target.workflowId);
  const gateway = ctx.deps.workflows;
  if (!kind || !gateway) return [];
  const view = await gateway.query(kind.status, target.workflowId).catch(() => null);
  if (view === null) return [];
  const buttons: Button[] = [];
  for (const step of kind.steps) {
    if (!step.open(view)) continue;
    if (typeof (await stepActor(ctx, { kind, step }, target, view)) === 'string') continue;
    buttons.push(stepButton(target.ref, step));
  }
  return buttons;
}

export { caseRef };
