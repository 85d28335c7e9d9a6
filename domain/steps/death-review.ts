/**
 * The human steps of a death review (死亡核查): record the household check,
 * decide (停发/减发/增发/维持) with the over-payment shown on the outcome,
 * record recoveries until recovered, or the 专班组长 approves a write-off of
 * the rest. Deterministic: the workflow and every front import it.
 */
import { z } from 'zod';

import { DEATH_REVIEW_DECISIONS, type DeathReviewDecision } from '../cases/decision.js';
import type { StaffRole } from '../import/vocabulary.js';
import { actsAsOneOf, defineStep, stepBy, type CaseSteps, type StepActor } from './contract.js';
import { choiceField, dateField, moneyField, monthField, optionalMoney, optionalText, textField, yuan } from './fields.js';
import {
  approveWriteOffUpdate,
  confirmOverpaymentUpdate,
  deathReviewStatusQuery,
  decideUpdate,
  recordHouseholdCheckUpdate,
  recordRecoveryUpdate,
  type DeathReviewStatus,
} from './updates/death-review.js';

/** Who works a death review: the township's caseworker and head, the county's section and 专班. */
export const DEATH_REVIEW_WORKERS: readonly StaffRole[] = ['TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD', 'SECTION_CASEWORKER', 'SECTION_HEAD', 'TASKFORCE_OFFICE', 'TASKFORCE_LEADER'];

/** Not one of the staff the case was opened with as allowed (township deciders and county staff). */
export function notOnCase(actor: StepActor, view: { allowedStaffIds?: number[] }): string | null {
  if (view.allowedStaffIds === undefined || actsAsOneOf(actor, view.allowedStaffIds)) return null;
  return '您不是本案所在乡镇或县级的经办人员，不能办理本案';
}

const remaining = (v: DeathReviewStatus) => Math.max(0, (v.overpaidCents ?? 0) - v.recoveredCents);

export const householdCheckStep = defineStep({
  id: 'dr.check',
  update: recordHouseholdCheckUpdate,
  title: '登记入户核查',
  roles: DEATH_REVIEW_WORKERS,
  open: (v: DeathReviewStatus) => v.phase === 'reviewing' && !v.check,
  refuse: notOnCase,
  fields: [
    { key: 'visitedOn', label: '核查日期', kind: 'date', required: true, placeholder: '如 2026-12-07' },
    { key: 'visitors', label: '核查人员', kind: 'text', required: true, placeholder: '入户人员姓名' },
    { key: 'findings', label: '核查情况', kind: 'textarea', required: true, placeholder: '家庭现状、其他成员情况等' },
  ],
  schema: z.object({
    visitedOn: dateField('核查日期'),
    visitors: textField('核查人员', 100),
    findings: textField('核查情况', 500),
  }),
  toArgs: (v, actor) => ({ ...v, byStaffId: actor.staffId }),
  done: (_r, v) => `已入户核查（${v.visitedOn}，${v.visitors}）：${v.findings}`,
});

export const decideStep = defineStep({
  id: 'dr.decide',
  update: decideUpdate,
  title: '作出核查决定',
  roles: DEATH_REVIEW_WORKERS,
  // A check first (workflows opened before the check existed show no `check` key and need none).
  open: (v: DeathReviewStatus) => v.phase === 'reviewing' && v.decision === null && v.check !== null,
  refuse: notOnCase,
  fields: [
    { key: 'decision', label: '决定', kind: 'select', required: true, options: DEATH_REVIEW_DECISIONS.map((d) => ({ value: d, label: d })) },
    { key: 'newMonthlyAmount', label: '调整后月保障金额（元）', kind: 'money', required: false, placeholder: '减发必填；停发、维持不填' },
    { key: 'effectiveMonth', label: '生效月份', kind: 'text', required: true, placeholder: '如 2026-12' },
    { key: 'note', label: '意见', kind: 'textarea', required: false },
  ],
  schema: z
    .object({
      decision: choiceField<DeathReviewDecision>('决定', DEATH_REVIEW_DECISIONS),
      newMonthlyAmount: optionalMoney('调整后月保障金额（元）'),
      effectiveMonth: monthField('生效月份'),
      note: optionalText('意见'),
    })
    .superRefine((v, ctx) => {
      if (v.decision === '减发' && v.newMonthlyAmount === undefined) {
        ctx.addIssue({ code: 'custom', path: ['newMonthlyAmount'], message: '减发须填写“调整后月保障金额（元）”' });
      }
    }),
  toArgs: (v, actor) => ({
    decision: v.decision,
    effectiveMonth: v.effectiveMonth,
    ...(v.newMonthlyAmount !== undefined && v.decision !== '停发' ? { newMonthlyAmount: v.newMonthlyAmount } : {}),
    ...(v.note ? { note: v.note } : {}),
    decidedByStaffId: actor.staffId,
  }),
  done: (r, v) =>
    `决定${v.decision}（${v.effectiveMonth} 起${v.newMonthlyAmount !== undefined && v.decision !== '停发' ? `，每月 ${v.newMonthlyAmount} 元` : ''}）；` +
    (r.overpaidCents > 0 ? `超发 ${yuan(r.overpaidCents)} 元（${r.months.length} 个月），须追回` : '无超发资金'),
});

export const confirmOverpaymentStep = defineStep({
  id: 'dr.confirm',
  update: confirmOverpaymentUpdate,
  title: '确认超发金额',
  roles: DEATH_REVIEW_WORKERS,
  open: (v: DeathReviewStatus) => v.phase === 'confirming',
  // Four eyes: someone on the case other than the one who decided.
  refuse: (actor, v) =>
    notOnCase(actor, v) ?? (v.decision && v.decision.decidedByStaffId === actor.staffId ? '超发金额须由作出决定以外的工作人员确认' : null),
  brief: (v: DeathReviewStatus) => `决定${v.decision?.decision ?? ''}（${v.decision?.effectiveMonth ?? ''} 起），计算超发 ${yuan(v.overpaidCents ?? 0)} 元；确认后登记追回`,
  initial: (v: DeathReviewStatus) => ({ amount: yuan(v.overpaidCents ?? 0) }),
  fields: [
    { key: 'amount', label: '确认超发金额（元）', kind: 'money', required: true },
    { key: 'note', label: '意见', kind: 'textarea', required: false },
  ],
  schema: z.object({ amount: moneyField('确认超发金额（元）'), note: optionalText('意见') }),
  toArgs: (v, actor) => ({ amount: v.amount, ...(v.note ? { note: v.note } : {}), ...stepBy(actor) }),
  done: (r) => `已确认超发 ${yuan(r.overpaidCents)} 元，须追回`,
});

export const recoveryStep = defineStep({
  id: 'dr.recover',
  update: recordRecoveryUpdate,
  title: '登记追回',
  roles: DEATH_REVIEW_WORKERS,
  open: (v: DeathReviewStatus) => v.phase === 'recovering' && remaining(v) > 0 && !v.writeOff,
  refuse: notOnCase,
  brief: (v: DeathReviewStatus) => `超发 ${yuan(v.overpaidCents ?? 0)} 元，已追回 ${yuan(v.recoveredCents)} 元，尚欠 ${yuan(remaining(v))} 元`,
  fields: [
    { key: 'amount', label: '追回金额（元）', kind: 'money', required: true },
    { key: 'recoveredOn', label: '追回日期', kind: 'date', required: true },
    { key: 'receiptNo', label: '收据编号', kind: 'text', required: true },
  ],
  schema: z.object({
    amount: moneyField('追回金额（元）', { positive: true }),
    recoveredOn: dateField('追回日期'),
    receiptNo: textField('收据编号', 40),
  }),
  toArgs: (v, actor) => ({ amount: v.amount, recoveredOn: v.recoveredOn, receiptNo: v.receiptNo, recordedByStaffId: actor.staffId }),
  done: (r, v) => `已追回 ${v.amount} 元（${v.recoveredOn}，收据 ${v.receiptNo}）；${r.remainingCents > 0 ? `尚欠 ${yuan(r.remainingCents)} 元` : '超发资金已全部追回'}`,
});

export const writeOffStep = defineStep({
  id: 'dr.writeoff',
  update: approveWriteOffUpdate,
  title: '批准核销',
  roles: ['TASKFORCE_LEADER'],
  open: (v: DeathReviewStatus) => v.phase === 'recovering' && remaining(v) > 0 && !v.writeOff,
  refuse: notOnCase,
  brief: (v: DeathReviewStatus) => `尚欠 ${yuan(remaining(v))} 元未追回；核销后本案办结`,
  fields: [{ key: 'reason', label: '核销理由', kind: 'textarea', required: true, placeholder: '如：家庭无财产可供追回，经集体研究同意核销' }],
  schema: z.object({ reason: textField('核销理由', 500) }),
  toArgs: (v, actor) => ({ reason: v.reason, ...stepBy(actor) }),
  done: (r, v) => `已批准核销 ${yuan(r.writtenOffCents)} 元：${v.reason}`,
});

export const deathReviewSteps: CaseSteps<DeathReviewStatus> = {
  workflowType: 'deathReview',
  idPrefix: 'death-review:',
  label: '死亡核查',
  status: deathReviewStatusQuery,
  steps: [householdCheckStep, decideStep, confirmOverpaymentStep, recoveryStep, writeOffStep],
};
