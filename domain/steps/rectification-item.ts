/**
 * The human steps of a rectification item (整改事项): progress, completion,
 * and the 专班's confirmation or return. Deterministic: the workflow and
 * every front import it. The workflow's validators decide who is responsible;
 * the contract narrows by role so a button is only offered to those who may.
 */
import { z } from 'zod';

import type { StaffRole } from '../import/vocabulary.js';
import { defineStep, type CaseSteps } from './contract.js';
import { choiceField, optionalMoney, optionalText, textField, yuan } from './fields.js';
import {
  confirmUpdate,
  rectificationStatusQuery,
  reportCompletedUpdate,
  reportProgressUpdate,
  type RectificationItemStatus,
} from './updates/rectification-item.js';

/** Who may report on an item: its responsible person or the unit's head (the workflow checks which). */
export const RECTIFICATION_REPORTERS: readonly StaffRole[] = ['VILLAGE_COMMITTEE', 'TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD', 'SECTION_CASEWORKER', 'SECTION_HEAD'];
export const RECTIFICATION_CONFIRMERS: readonly StaffRole[] = ['TASKFORCE_OFFICE', 'TASKFORCE_LEADER'];

export const rectifyProgressStep = defineStep({
  id: 'rc.progress',
  update: reportProgressUpdate,
  title: '报告整改进展',
  roles: RECTIFICATION_REPORTERS,
  open: (v: RectificationItemStatus) => v.status === 'IN_PROGRESS',
  fields: [
    { key: 'note', label: '进展情况', kind: 'textarea', required: true },
    { key: 'recoveredAmount', label: '本次追回金额（元）', kind: 'money', required: false },
  ],
  schema: z.object({
    note: textField('进展情况', 1000).refine((t) => t.length >= 2, { error: '“进展情况”至少 2 个字' }),
    recoveredAmount: optionalMoney('本次追回金额（元）'),
  }),
  toArgs: (v, actor) => ({ note: v.note, ...(v.recoveredAmount !== undefined ? { recoveredAmount: v.recoveredAmount } : {}), byStaffId: actor.staffId }),
  done: (r, v) => `已报告进展：${v.note}${r.recoveredCents > 0 ? `（累计追回 ${yuan(r.recoveredCents)} 元）` : ''}`,
});

export const rectifyDoneStep = defineStep({
  id: 'rc.done',
  update: reportCompletedUpdate,
  title: '报告整改完成',
  roles: RECTIFICATION_REPORTERS,
  open: (v: RectificationItemStatus) => v.status === 'IN_PROGRESS',
  fields: [{ key: 'note', label: '完成情况说明', kind: 'textarea', required: false }],
  schema: z.object({ note: optionalText('完成情况说明', 1000) }),
  toArgs: (v, actor) => ({ byStaffId: actor.staffId, ...(v.note ? { note: v.note } : {}) }),
  done: () => '已报告整改完成，等待专班确认',
});

const VERDICTS = ['同意销号', '退回整改'] as const;

export const rectifyConfirmStep = defineStep({
  id: 'rc.confirm',
  update: confirmUpdate,
  title: '确认整改结果',
  roles: RECTIFICATION_CONFIRMERS,
  open: (v: RectificationItemStatus) => v.status === 'AWAITING_CONFIRMATION',
  fields: [
    { key: 'verdict', label: '确认结果', kind: 'select', required: true, options: VERDICTS.map((v) => ({ value: v, label: v })) },
    { key: 'note', label: '意见', kind: 'textarea', required: false, placeholder: '退回整改时必填' },
  ],
  schema: z
    .object({ verdict: choiceField('确认结果', VERDICTS), note: optionalText('意见', 1000) })
    .superRefine((v, ctx) => {
      if (v.verdict === '退回整改' && (v.note ?? '').length < 2) ctx.addIssue({ code: 'custom', path: ['note'], message: '退回整改须填写“意见”（至少 2 个字）' });
    }),
  toArgs: (v, actor) => ({ accepted: v.verdict === '同意销号', ...(v.note ? { note: v.note } : {}), byStaffId: actor.staffId }),
  done: (_r, v) => (v.verdict === '同意销号' ? '已确认整改到位，销号' : `已退回继续整改：${v.note}`),
});

export const rectificationSteps: CaseSteps<RectificationItemStatus> = {
  workflowType: 'rectificationItem',
  idPrefix: 'rectification:',
  label: '整改事项',
  status: rectificationStatusQuery,
  steps: [rectifyProgressStep, rectifyDoneStep, rectifyConfirmStep],
};
