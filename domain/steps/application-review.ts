/**
 * The human steps of an application review (申请审核确认): start and record
 * the 入户调查, post the 公示, register an objection, the county decision
 * (approve with the monthly amount; refuse with the reason that goes into the
 * written notice), record the delivery of the 不予批准告知书, and the
 * extension of the 低保 overall limit. Who may take each: the applicant's
 * township (investigation, 公示, delivery), the county (decision), the
 * section head or 专班组长 (extension); staff related to the applicant must
 * recuse. Deterministic: the workflow and every front import it.
 */
import { z } from 'zod';

import {
  APPLICATION_PHASE_LABELS,
  INVESTIGATION_CONCLUSIONS,
  NOTICE_DELIVERY_METHODS,
  type InvestigationConclusion,
} from '../cases/application.js';
import type { StaffRole } from '../import/vocabulary.js';
import { actsAsOneOf, defineStep, stepBy, type CaseSteps, type StepActor } from './contract.js';
import { choiceField, dateField, optionalMoney, optionalText, textField } from './fields.js';
import {
  applicationDecideUpdate,
  applicationExtendUpdate,
  applicationReviewStatusQuery,
  objectionUpdate,
  postPublicityUpdate,
  recordInvestigationUpdate,
  recordRefusalNoticeUpdate,
  startInvestigationUpdate,
  type ApplicationReviewStatus,
} from './updates/application-review.js';

export * from './updates/application-review.js';

const TOWNSHIP: readonly StaffRole[] = ['TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD'];
const COUNTY_DECIDERS: readonly StaffRole[] = ['SECTION_CASEWORKER', 'SECTION_HEAD', 'TASKFORCE_LEADER'];
const EXTENSION_APPROVERS: readonly StaffRole[] = ['SECTION_HEAD', 'TASKFORCE_LEADER'];

type View = ApplicationReviewStatus;

/** Staff related to the applicant must recuse (57号 Art. 11): nobody decides a relative's application. */
export function applicantRelative(actor: StepActor, v: View): string | null {
  return v.nearRelative?.relatedStaff.some((s) => s.id === actor.staffId) ? '申请人是您的近亲属，您须回避，不能办理本申请' : null;
}

/** The recusal, then membership of the staff list the review opened with (absent on old runs: the workflow checks). */
function onList(list: (v: View) => number[] | undefined, why: string, deputies = false) {
  return (actor: StepActor, v: View): string | null => {
    const r = applicantRelative(actor, v);
    if (r) return r;
    const ids = list(v);
    return ids === undefined || (deputies ? actsAsOneOf(actor, ids) : ids.includes(actor.staffId)) ? null : why;
  };
}
const township = onList((v) => v.townshipStaffIds, '您不是申请人所在乡镇的工作人员，不能办理本环节');
// The county decision and the extension are a leader's steps: a deputy (代理审批) may take them for the leader.
const county = onList((v) => v.countyDeciderIds, '您无权作出审核确认决定（须为县民政局社会救助股工作人员或工作专班组长）', true);
const townshipOrCounty = onList(
  (v) => (v.townshipStaffIds === undefined ? undefined : [...v.townshipStaffIds, ...(v.countyDeciderIds ?? [])]),
  '您不是申请人所在乡镇或县民政局的工作人员，不能办理本环节',
);
const extensionApprover = onList((v) => v.extensionApproverIds, '延长办理时限须由股室负责人或工作专班组长批准', true);

const rounds = (v: View) => v.investigations?.length ?? 0;
const busyPhase = (v: View) => v.phase === 'opening' || v.phase === 'closed';

export const startInvestigationStep = defineStep({
  id: 'ap.start',
  update: startInvestigationUpdate,
  title: '启动入户调查',
  roles: TOWNSHIP,
  open: (v: View) => v.phase === 'awaitingInvestigation',
  refuse: township,
  fields: [{ key: 'investigators', label: '调查人员', kind: 'text', required: true, placeholder: '至少 2 人，用顿号或逗号分隔' }],
  schema: z.object({
    investigators: textField('调查人员', 100).transform((t, ctx) => {
      const names = t.split(/[、，,；;\s]+/u).map((n) => n.trim()).filter(Boolean);
      if (names.length < 2) ctx.addIssue({ code: 'custom', message: '“调查人员”须至少 2 人（姓名用顿号分隔）' });
      return names;
    }),
  }),
  toArgs: (v, actor) => ({ investigators: v.investigators, byStaffId: actor.staffId }),
  done: (r, v) => `已启动入户调查（${v.investigators.join('、')}）${r.due ? `；请于 ${r.due} 前完成` : ''}`,
});

export const recordInvestigationStep = defineStep({
  id: 'ap.inv',
  update: recordInvestigationUpdate,
  title: '登记入户调查结果',
  roles: TOWNSHIP,
  // One record per round: the first round, and one more after each objection.
  open: (v: View) => v.phase === 'investigating' && v.investigations !== undefined && rounds(v) <= v.objections,
  refuse: township,
  fields: [
    { key: 'visitedOn', label: '入户调查日期', kind: 'date', required: true, placeholder: '如 2026-12-07' },
    { key: 'investigators', label: '调查人员', kind: 'text', required: true },
    { key: 'findings', label: '调查情况', kind: 'textarea', required: true, placeholder: '家庭收入、财产、生活状况' },
    { key: 'conclusion', label: '调查结论', kind: 'select', required: true, options: INVESTIGATION_CONCLUSIONS.map((c) => ({ value: c, label: c })) },
    { key: 'note', label: '意见', kind: 'textarea', required: false },
  ],
  schema: z.object({
    visitedOn: dateField('入户调查日期'),
    investigators: textField('调查人员', 100),
    findings: textField('调查情况', 2000),
    conclusion: choiceField<InvestigationConclusion>('调查结论', INVESTIGATION_CONCLUSIONS),
    note: optionalText('意见'),
  }),
  toArgs: (v, actor) => ({ ...v, ...(v.note ? { note: v.note } : { note: undefined }), byStaffId: actor.staffId }),
  done: (_r, v) => `已登记入户调查（${v.visitedOn}，${v.investigators}）：${v.conclusion}`,
});

export const postPublicityStep = defineStep({
  id: 'ap.publish',
  update: postPublicityUpdate,
  title: '张贴公示',
  roles: TOWNSHIP,
  // After this round's investigation record (runs that predate the record step need none).
  open: (v: View) => v.phase === 'investigating' && (v.investigations === undefined || rounds(v) > v.objections),
  refuse: township,
  fields: [{ key: 'opinion', label: '初审意见', kind: 'textarea', required: true, placeholder: '乡镇初审意见，将随公示张贴' }],
  schema: z.object({ opinion: textField('初审意见', 500) }),
  toArgs: (v, actor) => ({ opinion: v.opinion, byStaffId: actor.staffId }),
  done: (r) => `已张贴公示${r.due ? `，公示期至 ${r.due}` : ''}`,
});

export const objectionStep = defineStep({
  id: 'ap.object',
  update: objectionUpdate,
  title: '登记公示异议',
  roles: [...TOWNSHIP, ...COUNTY_DECIDERS],
  open: (v: View) => v.phase === 'publicity',
  refuse: townshipOrCounty,
  fields: [{ key: 'note', label: '异议内容', kind: 'textarea', required: true, placeholder: '群众反映的问题；登记后退回重新调查' }],
  schema: z.object({ note: textField('异议内容', 500) }),
  toArgs: (v, actor) => ({ note: v.note, byStaffId: actor.staffId }),
  done: () => '已登记公示异议，退回乡镇重新调查',
});

const DECISION_OPTIONS = [
  { value: 'approve', label: '批准' },
  { value: 'refuse', label: '不予批准' },
] as const;

export const decideApplicationStep = defineStep({
  id: 'ap.decide',
  update: applicationDecideUpdate,
  title: '审核确认',
  roles: COUNTY_DECIDERS,
  open: (v: View) => v.phase === 'countyReview' && v.decision === null,
  refuse: county,
  fields: [
    { key: 'decision', label: '决定', kind: 'select', required: true, options: DECISION_OPTIONS },
    { key: 'monthlyAmount', label: '月保障金额（元）', kind: 'money', required: false, placeholder: '批准必填' },
    { key: 'reason', label: '不予批准理由', kind: 'textarea', required: false, placeholder: '不予批准必填，将写入书面告知书' },
    { key: 'note', label: '审核意见', kind: 'textarea', required: true },
  ],
  schema: z
    .object({
      decision: choiceField<'approve' | 'refuse'>('决定', ['approve', 'refuse']),
      monthlyAmount: optionalMoney('月保障金额（元）'),
      reason: optionalText('不予批准理由'),
      note: textField('审核意见', 500),
    })
    .superRefine((v, ctx) => {
      if (v.decision === 'approve' && !(v.monthlyAmount !== undefined && v.monthlyAmount > 0)) {
        ctx.addIssue({ code: 'custom', path: ['monthlyAmount'], message: '批准须填写“月保障金额（元）”（大于 0）' });
      }
      if (v.decision === 'refuse' && !v.reason) {
        ctx.addIssue({ code: 'custom', path: ['reason'], message: '不予批准须填写“不予批准理由”（将写入书面告知书）' });
      }
    }),
  toArgs: (v, actor) =>
    v.decision === 'approve'
      ? { decision: 'approve' as const, monthlyAmount: v.monthlyAmount, note: v.note, ...stepBy(actor) }
      : { decision: 'refuse' as const, reason: v.reason, note: v.note, ...stepBy(actor) },
  done: (r, v) =>
    r.decision === 'approve'
      ? `已批准，月保障金额 ${r.monthlyAmount ?? v.monthlyAmount} 元；审核意见：${v.note}`
      : `不予批准：${v.reason}；书面告知书已生成，须于 ${r.due ?? '3 个工作日内'} 前送达`,
});

export const refusalNoticeStep = defineStep({
  id: 'ap.notice',
  update: recordRefusalNoticeUpdate,
  title: '登记告知书送达',
  roles: [...TOWNSHIP, ...COUNTY_DECIDERS],
  open: (v: View) => v.phase === 'awaitingRefusalNotice',
  refuse: townshipOrCounty,
  fields: [
    { key: 'noticeDate', label: '送达日期', kind: 'date', required: true },
    { key: 'method', label: '送达方式', kind: 'select', required: true, options: NOTICE_DELIVERY_METHODS.map((m) => ({ value: m, label: m })) },
    { key: 'receivedBy', label: '签收人', kind: 'text', required: true },
    { key: 'note', label: '备注', kind: 'textarea', required: false },
  ],
  schema: z.object({
    noticeDate: dateField('送达日期'),
    method: choiceField('送达方式', NOTICE_DELIVERY_METHODS),
    receivedBy: textField('签收人', 50),
    note: optionalText('备注'),
  }),
  toArgs: (v, actor) => ({ noticeDate: v.noticeDate, method: v.method, receivedBy: v.receivedBy, ...(v.note ? { note: v.note } : {}), byStaffId: actor.staffId }),
  done: (_r, v) => `不予批准告知书已于 ${v.noticeDate} ${v.method}（签收人 ${v.receivedBy}），本申请办结`,
});

export const extendApplicationStep = defineStep({
  id: 'ap.extend',
  update: applicationExtendUpdate,
  title: '延长办理时限',
  roles: EXTENSION_APPROVERS,
  open: (v: View) => v.track === 'dibao' && !v.extended && v.decision === null && !busyPhase(v),
  refuse: extensionApprover,
  fields: [{ key: 'reason', label: '延长理由', kind: 'textarea', required: true, placeholder: '如有异议、分户、跨地区申请、调查困难等' }],
  schema: z.object({ reason: textField('延长理由', 500) }),
  toArgs: (v, actor) => ({ reason: v.reason, ...stepBy(actor) }),
  done: (r, v) => `已批准延长至 45 个工作日${r.due ? `（至 ${r.due}）` : ''}：${v.reason}`,
});

export const applicationReviewSteps: CaseSteps<View> = {
  workflowType: 'applicationReview',
  idPrefix: 'application-review:',
  label: '申请审核确认',
  status: applicationReviewStatusQuery,
  steps: [startInvestigationStep, recordInvestigationStep, postPublicityStep, objectionStep, decideApplicationStep, refusalNoticeStep, extendApplicationStep],
};

/** One line on what the case is waiting for (Chinese). */
export function applicationPhaseLine(v: View): string {
  return `${APPLICATION_PHASE_LABELS[v.phase]}${v.due ? `（${v.due} 前）` : ''}`;
}
