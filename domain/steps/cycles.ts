/**
 * The human steps of the reporting cycles: the progress report (工作进展报送),
 * the village monthly report (村级月报) and the township's confirmation
 * (乡镇核报). The reporting unit is carried by the front (found from the
 * acting person), never typed. Deterministic.
 */
import { z } from 'zod';

import type { ProgressItem } from '../cycles/progress.js';
import type { VillageEvent } from '../cycles/village.js';
import type { StaffRole } from '../import/vocabulary.js';
import { defineStep, type CaseSteps } from './contract.js';
import { dateField, optionalText, textField } from './fields.js';
import { SUMMARY_RECIPIENT_MAX, SUMMARY_TEXT_MAX } from '../cycles/summary.js';
import { progressCycleStatusQuery, reportUpwardUpdate, submitProgressUpdate, submitSummaryUpdate, type ProgressCycleStatus } from './updates/progress-cycle.js';
import { townshipSubmitUpdate, villageChainStatusQuery, villageReportUpdate, type VillageChainStatus } from './updates/village-chain.js';

const unitId = z.string({ error: '缺少报送单位' }).transform((text, ctx) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) {
    ctx.addIssue({ code: 'custom', message: '缺少报送单位' });
    return z.NEVER;
  }
  return n;
});

/** A JSON value carried by a chat form (never typed by a person). */
function carriedJson<T>(label: string) {
  return z.string({ error: `缺少${label}` }).transform((text, ctx): T => {
    try {
      return JSON.parse(text) as T;
    } catch {
      ctx.addIssue({ code: 'custom', message: `${label}格式不正确` });
      return z.NEVER;
    }
  });
}

const EVERY_REPORTER: readonly StaffRole[] = ['VILLAGE_COMMITTEE', 'TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD', 'SECTION_CASEWORKER', 'SECTION_HEAD', 'TASKFORCE_OFFICE', 'TASKFORCE_LEADER', 'DISCIPLINE_LIAISON'];

export const progressSubmitStep = defineStep({
  id: 'cy.progress',
  update: submitProgressUpdate,
  title: '报送工作进展',
  roles: EVERY_REPORTER,
  open: (v: ProgressCycleStatus) => v.summaryMode !== 'text' && (v.phase === 'collecting' || v.phase === 'aggregated'),
  fields: [],
  carried: ['unitId', 'items'],
  command: '/进展报送',
  schema: z.object({ unitId, items: carriedJson<Record<string, ProgressItem>>('各项进展数据') }),
  toArgs: (v, actor) => ({ unitId: v.unitId, byStaffId: actor.staffId, items: v.items }),
  done: (r) => `工作进展已提交${r.late ? '（已超过截止时间，按迟报记录）' : ''}`,
});

const VILLAGE_CHOICES = ['本月无情况', '有情况（逐项填写）'] as const;

export const villageReportStep = defineStep({
  id: 'cy.village',
  update: villageReportUpdate,
  title: '村级月报',
  roles: ['VILLAGE_COMMITTEE', 'TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD'],
  open: (v: VillageChainStatus) => v.phase === 'collecting',
  fields: [{ key: 'situation', label: '本月情况', kind: 'select', required: true, options: VILLAGE_CHOICES.map((c) => ({ value: c, label: c })) }],
  carried: ['unitId', 'events'],
  command: '/村级月报',
  schema: z
    .object({ unitId, situation: z.string().optional(), events: carriedJson<VillageEvent[]>('月报事项').optional() })
    .superRefine((v, ctx) => {
      if (v.events === undefined && v.situation !== VILLAGE_CHOICES[0]) {
        ctx.addIssue({ code: 'custom', path: ['situation'], message: '“本月情况”有事项时，请私聊发送 /村级月报 逐项填写（含身份证号）' });
      }
    }),
  toArgs: (v, actor) => ({ unitId: v.unitId, byStaffId: actor.staffId, ...(v.events?.length ? { events: v.events } : { nothingToReport: true }) }),
  done: (r, v) => `月度报告已提交${v.events?.length ? `（${v.events.length} 项）` : '（本月无情况）'}${r.late ? '，已超过截止时间，按迟报记录' : ''}`,
});

export const townshipSubmitStep = defineStep({
  id: 'cy.township',
  update: townshipSubmitUpdate,
  title: '乡镇核报',
  roles: ['TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD'],
  open: (v: VillageChainStatus) => v.phase === 'collecting',
  fields: [{ key: 'note', label: '核报说明', kind: 'textarea', required: false }],
  carried: ['unitId'],
  schema: z.object({ unitId, note: optionalText('核报说明', 500) }),
  toArgs: (v, actor) => ({ unitId: v.unitId, byStaffId: actor.staffId, ...(v.note ? { note: v.note } : {}) }),
  done: (r) => `月度核报已提交县民政局${r.late ? '（逾期）' : ''}`,
});

export const summarySubmitStep = defineStep({
  id: 'cy.summary',
  update: submitSummaryUpdate,
  title: '报送工作总结',
  roles: EVERY_REPORTER,
  open: (v: ProgressCycleStatus) => v.summaryMode === 'text' && (v.phase === 'collecting' || v.phase === 'aggregated') && !v.sentUpward,
  fields: [{ key: 'text', label: '工作总结', kind: 'textarea', required: true, placeholder: '本单位本阶段整治工作开展情况、主要成效、存在问题和下步打算' }],
  carried: ['unitId'],
  schema: z.object({ unitId, text: textField('工作总结', SUMMARY_TEXT_MAX) }),
  toArgs: (v, actor) => ({ unitId: v.unitId, byStaffId: actor.staffId, text: v.text }),
  done: (r) => `工作总结已报送专班办公室${r.late ? '（已超过截止时间，按迟报记录）' : ''}`,
});

export const summarySentStep = defineStep({
  id: 'cy.sent',
  update: reportUpwardUpdate,
  title: '已上报',
  roles: ['TASKFORCE_OFFICE', 'TASKFORCE_LEADER'],
  open: (v: ProgressCycleStatus) => v.summaryMode === 'text' && !!v.compiled && !v.sentUpward,
  fields: [
    { key: 'recipient', label: '报送单位', kind: 'text', required: true },
    { key: 'sentOn', label: '上报日期', kind: 'date', required: true },
  ],
  initial: (v): Record<string, string> => (v.recipient ? { recipient: v.recipient } : {}),
  brief: (v) => (v.compiled ? `汇编文档：${v.compiled.fileName}` : null),
  schema: z.object({ recipient: textField('报送单位', SUMMARY_RECIPIENT_MAX), sentOn: dateField('上报日期') }),
  toArgs: (v, actor) => ({ byStaffId: actor.staffId, recipient: v.recipient, sentOn: v.sentOn }),
  done: (r) => `已登记：${r.sentOn}报送${r.recipient}`,
});

export const progressCycleSteps: CaseSteps<ProgressCycleStatus> = {
  workflowType: 'progressReportCycle',
  idPrefix: 'progress:',
  label: '工作进展报送',
  status: progressCycleStatusQuery,
  // A phase summary (id 'phase-summary:…', same workflow) takes the text and 「已上报」 steps.
  steps: [progressSubmitStep, summarySubmitStep, summarySentStep],
};

export const villageChainSteps: CaseSteps<VillageChainStatus> = {
  workflowType: 'villageMonthlyChain',
  idPrefix: 'village-chain:',
  label: '村级月报',
  status: villageChainStatusQuery,
  steps: [villageReportStep, townshipSubmitStep],
};
