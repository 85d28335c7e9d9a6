/**
 * The human steps of a real-name complaint (实名举报, 信访): the acceptance
 * decision told to the complainant (受理 / 不予受理), the extension approved
 * by the 专班组长 and its notice, the verification, the feedback to the
 * complainant, and the transfer of an accusation's clue to 纪检监察. Who may
 * take each follows the workflow's lists (the accused and the accused unit
 * are never on them). Deterministic: the workflow and every front import it.
 */
import { z } from 'zod';

import {
  ACCEPTANCE_DECISIONS,
  ACCUSATION_READER_ROLES,
  COUNTY_COMPLAINT_ROLES,
  TOWNSHIP_COMPLAINT_ROLES,
  VERIFICATION_FINDINGS,
  type AcceptanceDecision,
  type VerificationFinding,
} from '../cases/complaint.js';
import { actsAsOneOf, defineStep, stepBy, type CaseSteps, type StepActor } from './contract.js';
import { choiceField, dateField, optionalText, textField } from './fields.js';
import {
  closeComplaintUpdate,
  complaintExtendUpdate,
  complaintStatusQuery,
  recordAcceptanceNoticeUpdate,
  recordExtensionNoticeUpdate,
  recordFeedbackUpdate,
  recordVerificationUpdate,
  transferClueUpdate,
  type ComplaintStatus,
} from './updates/complaint.js';

export * from './updates/complaint.js';

type View = ComplaintStatus;

export const NOTICE_METHODS = ['书面', '当面', '电话', '短信', '网络'] as const;

/** The accused never acts on the accusation; anyone else must be on the step's list, or stand in (代理审批) for someone on it. */
function allowed(list: (v: View) => number[] | undefined, what: string) {
  return (actor: StepActor, v: View): string | null => {
    if (v.accusedStaffId !== undefined && v.accusedStaffId !== null && actor.staffId === v.accusedStaffId) return '您是被举报人，须回避，不能办理本事项';
    const ids = list(v);
    if (ids === undefined || actsAsOneOf(actor, ids)) return null;
    return v.accusation ? `您无权${what}（检举控告只由纪检联络人和工作专班组长办理，被举报单位人员须回避）` : `您无权${what}`;
  };
}

const handling = (v: View) => v.phase === 'handling';
const fedBack = (v: View) => (v.extension.handling ?? v.handling)?.doneOn != null;

export const acceptanceStep = defineStep({
  id: 'cp.accept',
  update: recordAcceptanceNoticeUpdate,
  title: '受理告知',
  roles: [...new Set([...COUNTY_COMPLAINT_ROLES, ...ACCUSATION_READER_ROLES])],
  open: (v: View) => v.phase === 'acceptance' && v.acceptance.doneOn === null,
  refuse: allowed((v) => v.fullReaderIds, '登记受理告知'),
  fields: [
    { key: 'decision', label: '受理决定', kind: 'select', required: true, options: ACCEPTANCE_DECISIONS.map((d) => ({ value: d, label: d })) },
    { key: 'reason', label: '受理意见', kind: 'textarea', required: true, placeholder: '不予受理时写明理由，将告知信访人' },
    { key: 'noticeOn', label: '告知日期', kind: 'date', required: true },
    { key: 'method', label: '告知方式', kind: 'select', required: true, options: NOTICE_METHODS.map((m) => ({ value: m, label: m })) },
  ],
  schema: z.object({
    decision: choiceField<AcceptanceDecision>('受理决定', ACCEPTANCE_DECISIONS),
    reason: textField('受理意见', 500),
    noticeOn: dateField('告知日期'),
    method: choiceField('告知方式', NOTICE_METHODS),
  }),
  toArgs: (v, actor) => ({ decision: v.decision, reason: v.reason, noticeOn: v.noticeOn, method: v.method, ...stepBy(actor) }),
  done: (r, v) => (v.decision === '受理' ? `已受理并于 ${v.noticeOn} ${v.method}告知信访人；须于 ${r.due} 前办结` : `不予受理（${v.reason}），已于 ${v.noticeOn} ${v.method}告知信访人，本事项办结`),
});

export const complaintExtendStep = defineStep({
  id: 'cp.extend',
  update: complaintExtendUpdate,
  title: '批准延期',
  roles: ['TASKFORCE_LEADER'],
  open: (v: View) => handling(v) && !v.extension.approved && !fedBack(v),
  refuse: allowed((v) => v.leaderIds, '批准延期（须为工作专班组长）'),
  fields: [{ key: 'reason', label: '延期理由', kind: 'textarea', required: true }],
  schema: z.object({ reason: textField('延期理由', 500) }),
  toArgs: (v, actor) => ({ reason: v.reason, ...stepBy(actor) }),
  done: (_r, v) => `已批准延期 30 日：${v.reason}；告知信访人后生效`,
});

export const extensionNoticeStep = defineStep({
  id: 'cp.extnote',
  update: recordExtensionNoticeUpdate,
  title: '延期告知',
  roles: [...new Set([...COUNTY_COMPLAINT_ROLES, ...ACCUSATION_READER_ROLES])],
  open: (v: View) => handling(v) && v.extension.approved && !v.extension.noticed,
  refuse: allowed((v) => v.fullReaderIds, '登记延期告知'),
  fields: [
    { key: 'noticeOn', label: '告知日期', kind: 'date', required: true },
    { key: 'method', label: '告知方式', kind: 'select', required: true, options: NOTICE_METHODS.map((m) => ({ value: m, label: m })) },
  ],
  schema: z.object({ noticeOn: dateField('告知日期'), method: choiceField('告知方式', NOTICE_METHODS) }),
  toArgs: (v, actor) => ({ noticeOn: v.noticeOn, method: v.method, ...stepBy(actor) }),
  done: (r, v) => `已于 ${v.noticeOn} ${v.method}告知信访人延期理由；办理期限延至 ${r.due}`,
});

export const verificationStep = defineStep({
  id: 'cp.verify',
  update: recordVerificationUpdate,
  title: '登记核实结果',
  roles: [...new Set([...COUNTY_COMPLAINT_ROLES, ...ACCUSATION_READER_ROLES, ...TOWNSHIP_COMPLAINT_ROLES])],
  open: (v: View) => handling(v) && v.verification === null,
  refuse: allowed((v) => v.verifierIds, '登记核实结果'),
  fields: [
    { key: 'finding', label: '核实结论', kind: 'select', required: true, options: VERIFICATION_FINDINGS.map((f) => ({ value: f, label: f })) },
    { key: 'result', label: '核实情况', kind: 'textarea', required: true, placeholder: '核实经过和结果（不写信访人身份）' },
  ],
  schema: z.object({ finding: choiceField<VerificationFinding>('核实结论', VERIFICATION_FINDINGS), result: textField('核实情况', 2000) }),
  toArgs: (v, actor) => ({ finding: v.finding, result: v.result, ...stepBy(actor) }),
  done: (_r, v) => `核实结论：${v.finding}。${v.result}`,
});

export const feedbackStep = defineStep({
  id: 'cp.feedback',
  update: recordFeedbackUpdate,
  title: '反馈信访人',
  roles: [...new Set([...COUNTY_COMPLAINT_ROLES, ...ACCUSATION_READER_ROLES])],
  open: (v: View) => handling(v) && v.verification !== null && !fedBack(v),
  refuse: allowed((v) => v.fullReaderIds, '登记反馈'),
  fields: [
    { key: 'feedbackOn', label: '反馈日期', kind: 'date', required: true },
    { key: 'method', label: '反馈方式', kind: 'select', required: true, options: NOTICE_METHODS.map((m) => ({ value: m, label: m })) },
    // What is told to a real-name complainant may name them (举报人保护): asked only in private chat.
    { key: 'content', label: '反馈内容', kind: 'textarea', required: false, personal: true },
  ],
  schema: z.object({ feedbackOn: dateField('反馈日期'), method: choiceField('反馈方式', NOTICE_METHODS), content: optionalText('反馈内容', 2000) }),
  toArgs: (v, actor) => ({ feedbackOn: v.feedbackOn, method: v.method, ...(v.content ? { content: v.content } : {}), ...stepBy(actor) }),
  done: (_r, v) => `已于 ${v.feedbackOn} ${v.method}向信访人反馈办理结果`,
});

export const transferClueStep = defineStep({
  id: 'cp.clue',
  update: transferClueUpdate,
  title: '移交问题线索',
  roles: ACCUSATION_READER_ROLES,
  open: (v: View) => v.accusation && v.clue !== null && v.clue.doneOn === null && v.phase !== 'registering' && v.phase !== 'closed',
  refuse: allowed((v) => v.clueHandlerIds, '移交问题线索（须为纪检联络人或工作专班组长）'),
  fields: [
    { key: 'transferredTo', label: '接收单位', kind: 'text', required: true, placeholder: '如 县纪委监委第三派驻纪检监察组' },
    { key: 'transferredOn', label: '移交日期', kind: 'date', required: true },
    { key: 'receipt', label: '回执编号', kind: 'text', required: false },
  ],
  schema: z.object({ transferredTo: textField('接收单位', 100), transferredOn: dateField('移交日期'), receipt: optionalText('回执编号', 100) }),
  toArgs: (v, actor) => ({ transferredTo: v.transferredTo, transferredOn: v.transferredOn, ...(v.receipt ? { receipt: v.receipt } : {}), ...stepBy(actor) }),
  done: (_r, v) => `问题线索已于 ${v.transferredOn} 移交${v.transferredTo}${v.receipt ? `（回执 ${v.receipt}）` : ''}`,
});

export const closeComplaintStep = defineStep({
  id: 'cp.close',
  update: closeComplaintUpdate,
  title: '办结',
  roles: [...new Set([...COUNTY_COMPLAINT_ROLES, ...ACCUSATION_READER_ROLES, ...TOWNSHIP_COMPLAINT_ROLES])],
  open: (v: View) => v.phase === 'awaitingClose',
  refuse: allowed((v) => v.verifierIds, '办结本信访事项'),
  brief: (v: View) => (v.verification ? `核实结论：${v.verification.finding}；已反馈信访人${v.feedback ? `（${v.feedback.feedbackOn}）` : ''}` : null),
  fields: [{ key: 'note', label: '办结意见', kind: 'textarea', required: true, placeholder: '办理结果和落实情况（不写信访人身份）' }],
  schema: z.object({ note: textField('办结意见', 500) }),
  toArgs: (v, actor) => ({ note: v.note, ...stepBy(actor) }),
  done: (_r, v) => `本信访事项已办结：${v.note}`,
});

export const complaintSteps: CaseSteps<View> = {
  workflowType: 'complaint',
  idPrefix: 'complaint:',
  label: '实名举报',
  status: complaintStatusQuery,
  steps: [acceptanceStep, complaintExtendStep, extensionNoticeStep, verificationStep, feedbackStep, transferClueStep, closeComplaintStep],
};
