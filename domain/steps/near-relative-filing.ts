/**
 * The human steps of a near-relative filing (近亲属备案): the county approver
 * approves, rejects or asks for 补充材料, always with a comment; the filer
 * answers a 补充材料 request; county staff record the home visit (date,
 * visitors, result). Nobody approves or visits for their own filing or a
 * relative of theirs. Deterministic: the workflow and every front import it.
 */
import { z } from 'zod';

import {
  FILING_APPROVER_ROLES,
  FILING_DECISION_LABELS,
  FILING_DECISIONS,
  FILING_STAFF_ROLES,
  HOME_VISIT_ROLES,
  type FilingDecision,
} from '../cases/near-relative.js';
import { actsAsOneOf, defineStep, type CaseSteps, type StepActor } from './contract.js';
import { choiceField, dateField, textField } from './fields.js';
import {
  filingDecideUpdate,
  filingSupplementUpdate,
  nearRelativeFilingStatusQuery,
  recordHomeVisitUpdate,
  type NearRelativeFilingStatus,
} from './updates/near-relative-filing.js';

export * from './updates/near-relative-filing.js';

type View = NearRelativeFilingStatus;

/** Nobody decides their own filing or a filing about their own relative. */
export function filingRecusal(actor: StepActor, v: View, act: string): string | null {
  if (v.filedByStaffId !== undefined && v.filedByStaffId !== null && actor.staffId === v.filedByStaffId) return `不能${act}自己提交的近亲属备案`;
  if (actor.staffId === v.subjectStaffId || (v.conflictedStaffIds ?? []).includes(actor.staffId)) return `该备案涉及您本人的近亲属，您须回避，不能${act}`;
  return null;
}

const homeVisitOpen = (v: View) => v.homeVisitDate === null && v.phase !== 'opening' && v.phase !== 'rejected' && v.phase !== 'closed';

export const decideFilingStep = defineStep({
  id: 'nr.decide',
  update: filingDecideUpdate,
  title: '审批近亲属备案',
  roles: FILING_APPROVER_ROLES,
  open: (v: View) => v.phase === 'awaitingDecision',
  refuse: (actor, v) =>
    filingRecusal(actor, v, '审批') ??
    (v.approverStaffIds === undefined || actsAsOneOf(actor, v.approverStaffIds) ? null : '您无权审批本县的近亲属备案（须为县民政局股室负责人或工作专班组长）'),
  fields: [
    { key: 'decision', label: '审批结果', kind: 'select', required: true, options: FILING_DECISIONS.map((d) => ({ value: d, label: FILING_DECISION_LABELS[d] })) },
    { key: 'note', label: '审批意见', kind: 'textarea', required: true, placeholder: '要求补充材料时，写明须补充什么' },
  ],
  schema: z.object({
    decision: choiceField<FilingDecision>('审批结果', FILING_DECISIONS),
    note: textField('审批意见', 500),
  }),
  toArgs: (v, actor) => ({ decision: v.decision, note: v.note, byStaffId: actor.staffId, ...(actor.onBehalfOf ? { onBehalfOfStaffId: actor.onBehalfOf.staffId } : {}) }),
  done: (r, v) =>
    r.decision === 'moreInfo' ? `已要求补充材料：${v.note}` : `已${FILING_DECISION_LABELS[r.decision]}（${r.decidedAt.slice(0, 10)}）：${v.note}`,
});

export const supplementFilingStep = defineStep({
  id: 'nr.supply',
  update: filingSupplementUpdate,
  title: '补充材料',
  roles: FILING_STAFF_ROLES,
  open: (v: View) => v.phase === 'awaitingSupplement',
  refuse: (actor, v) => {
    const allowed = v.filedByStaffId === undefined ? undefined : v.filedByStaffId === null ? [v.subjectStaffId] : [v.filedByStaffId, v.subjectStaffId];
    return allowed === undefined || allowed.includes(actor.staffId) ? null : '只有备案人本人可以补充材料';
  },
  fields: [{ key: 'note', label: '补充说明', kind: 'textarea', required: true, placeholder: '补充的材料和说明' }],
  schema: z.object({ note: textField('补充说明', 500) }),
  toArgs: (v, actor) => ({ note: v.note, byStaffId: actor.staffId }),
  done: (r) => `已补充材料，重新提交审批${r.due ? `（审批时限至 ${r.due}）` : ''}`,
});

export const homeVisitStep = defineStep({
  id: 'nr.visit',
  update: recordHomeVisitUpdate,
  title: '登记县级入户调查',
  roles: HOME_VISIT_ROLES,
  open: homeVisitOpen,
  refuse: (actor, v) =>
    filingRecusal(actor, v, '登记入户调查') ??
    (v.homeVisitStaffIds === undefined || v.homeVisitStaffIds.includes(actor.staffId) ? null : '县级入户调查须由县民政局工作人员登记'),
  fields: [
    { key: 'visitDate', label: '入户调查日期', kind: 'date', required: true, placeholder: '如 2026-12-07' },
    { key: 'visitors', label: '入户人员', kind: 'text', required: true, placeholder: '县级入户人员姓名' },
    { key: 'result', label: '调查结果', kind: 'textarea', required: true },
  ],
  schema: z.object({
    visitDate: dateField('入户调查日期'),
    visitors: textField('入户人员', 100),
    result: textField('调查结果', 500),
  }),
  toArgs: (v, actor) => ({ visitDate: v.visitDate, visitors: v.visitors, result: v.result, byStaffId: actor.staffId }),
  done: (_r, v) => `已登记县级入户调查（${v.visitDate}，${v.visitors}）：${v.result}`,
});

export const nearRelativeFilingSteps: CaseSteps<View> = {
  workflowType: 'nearRelativeFiling',
  idPrefix: 'near-relative-filing:',
  label: '近亲属备案',
  status: nearRelativeFilingStatusQuery,
  steps: [decideFilingStep, supplementFilingStep, homeVisitStep],
};
