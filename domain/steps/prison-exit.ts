/**
 * The human steps of a prisoner exit (服刑退出): for 低保 the household amount
 * recomputed without the prisoner; for 特困 the termination 公示 and an
 * objection to it; recoveries of the over-payment; the release (刑满释放).
 * Deterministic: the workflow and every front import it.
 */
import { z } from 'zod';

import { defineStep, type CaseSteps } from './contract.js';
import { DEATH_REVIEW_WORKERS, notOnCase } from './death-review.js';
import { dateField, moneyField, monthField, optionalText, textField, yuan } from './fields.js';
import {
  postTerminationUpdate,
  prisonDecideUpdate,
  prisonExitStatusQuery,
  prisonRecoveryUpdate,
  releasedUpdate,
  terminationObjectionUpdate,
  type PrisonExitStatus,
} from './updates/prison-exit.js';

const remaining = (v: PrisonExitStatus) => Math.max(0, (v.overpaidCents ?? 0) - v.recoveredCents);

export const prisonDecideStep = defineStep({
  id: 'pe.decide',
  update: prisonDecideUpdate,
  title: '重新核定低保金额',
  roles: DEATH_REVIEW_WORKERS,
  open: (v: PrisonExitStatus) => v.phase === 'reviewing' && v.track === 'dibao' && v.decision === null,
  refuse: notOnCase,
  fields: [
    { key: 'newMonthlyAmount', label: '剔除服刑人员后的月保障金额（元）', kind: 'money', required: true, placeholder: '0 表示停发' },
    { key: 'effectiveMonth', label: '生效月份', kind: 'text', required: true, placeholder: '服刑次月起，如 2026-12' },
    { key: 'note', label: '意见', kind: 'textarea', required: false },
  ],
  schema: z.object({
    newMonthlyAmount: moneyField('剔除服刑人员后的月保障金额（元）'),
    effectiveMonth: monthField('生效月份'),
    note: optionalText('意见'),
  }),
  toArgs: (v, actor) => ({ newMonthlyAmount: v.newMonthlyAmount, effectiveMonth: v.effectiveMonth, ...(v.note ? { note: v.note } : {}), byStaffId: actor.staffId }),
  done: (r, v) => `已重新核定：${v.effectiveMonth} 起每月 ${v.newMonthlyAmount} 元；${r.overpaidCents > 0 ? `超发 ${yuan(r.overpaidCents)} 元，须追回` : '无超发资金'}`,
});

export const postTerminationStep = defineStep({
  id: 'pe.post',
  update: postTerminationUpdate,
  title: '张贴终止供养公示',
  roles: DEATH_REVIEW_WORKERS,
  open: (v: PrisonExitStatus) => v.phase === 'reviewing' && v.track === 'tekun' && v.termination === null,
  refuse: notOnCase,
  fields: [
    { key: 'postedOn', label: '公示张贴日期', kind: 'date', required: true },
    { key: 'note', label: '备注', kind: 'textarea', required: false },
  ],
  schema: z.object({ postedOn: dateField('公示张贴日期'), note: optionalText('备注') }),
  toArgs: (v, actor) => ({ postedOn: v.postedOn, ...(v.note ? { note: v.note } : {}), byStaffId: actor.staffId }),
  done: (r, v) => `终止供养公示已于 ${v.postedOn} 张贴，公示至 ${r.due}`,
});

export const terminationObjectionStep = defineStep({
  id: 'pe.object',
  update: terminationObjectionUpdate,
  title: '登记公示异议',
  roles: DEATH_REVIEW_WORKERS,
  open: (v: PrisonExitStatus) => v.phase === 'publicity',
  refuse: notOnCase,
  fields: [
    { key: 'receivedOn', label: '收到异议日期', kind: 'date', required: true },
    { key: 'summary', label: '异议内容', kind: 'textarea', required: true, placeholder: '不写异议人身份信息' },
  ],
  schema: z.object({ receivedOn: dateField('收到异议日期'), summary: textField('异议内容', 500) }),
  toArgs: (v, actor) => ({ receivedOn: v.receivedOn, summary: v.summary, byStaffId: actor.staffId }),
  done: (_r, v) => `已登记异议（${v.receivedOn}）：${v.summary}；案件退回重新审核`,
});

export const prisonRecoveryStep = defineStep({
  id: 'pe.recover',
  update: prisonRecoveryUpdate,
  title: '登记追回',
  roles: DEATH_REVIEW_WORKERS,
  open: (v: PrisonExitStatus) => v.phase === 'recovering' && remaining(v) > 0,
  refuse: notOnCase,
  brief: (v: PrisonExitStatus) => `超发 ${yuan(v.overpaidCents ?? 0)} 元，已追回 ${yuan(v.recoveredCents)} 元，尚欠 ${yuan(remaining(v))} 元`,
  fields: [{ key: 'amount', label: '追回金额（元）', kind: 'money', required: true }],
  schema: z.object({ amount: moneyField('追回金额（元）', { positive: true }) }),
  toArgs: (v, actor) => ({ amount: v.amount, byStaffId: actor.staffId }),
  done: (r, v) => `已追回 ${v.amount} 元；${r.remainingCents > 0 ? `尚欠 ${yuan(r.remainingCents)} 元` : '超发资金已全部追回'}`,
});

export const releasedStep = defineStep({
  id: 'pe.release',
  update: releasedUpdate,
  title: '登记刑满释放',
  roles: DEATH_REVIEW_WORKERS,
  open: (v: PrisonExitStatus) => v.phase !== 'opening' && v.phase !== 'closed' && v.release === null,
  refuse: notOnCase,
  fields: [
    { key: 'releasedOn', label: '释放日期', kind: 'date', required: true },
    { key: 'note', label: '备注', kind: 'textarea', required: false },
  ],
  schema: z.object({ releasedOn: dateField('释放日期'), note: optionalText('备注') }),
  toArgs: (v, actor) => ({ releasedOn: v.releasedOn, ...(v.note ? { note: v.note } : {}), byStaffId: actor.staffId }),
  done: (_r, v) => `已登记 ${v.releasedOn} 刑满释放，乡镇将重新审核其救助资格`,
});

export const prisonExitSteps: CaseSteps<PrisonExitStatus> = {
  workflowType: 'prisonExit',
  idPrefix: 'prison-exit:',
  label: '服刑退出',
  status: prisonExitStatusQuery,
  steps: [prisonDecideStep, postTerminationStep, terminationObjectionStep, prisonRecoveryStep, releasedStep],
};
