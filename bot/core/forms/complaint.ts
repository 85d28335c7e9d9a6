// 实名举报, in private chat only: subject → details → confirm; then CaseStarter.fileComplaint.
// Nothing about the complainant is ever sent to a group: the form refuses to run there.
import type { CaseStarter } from '../case-starter.js';
import { T } from '../texts.js';
import type { FormDefinition } from './engine.js';
import { shortTextSchema } from './fields.js';

export function complaintForm(caseStarter: CaseStarter): FormDefinition {
  return {
    id: 'complaint',
    title: '实名举报',
    privateOnlyMessage: T.complaintGroupOnly,
    steps: [
      { key: 'subject', label: '被举报对象', prompt: '请输入被举报的单位或人员：', schema: shortTextSchema('被举报对象', 2, 50), mask: () => '（已隐去）' },
      { key: 'details', label: '举报内容', prompt: '请简要描述举报事项（时间、地点、经过）：', schema: shortTextSchema('举报内容', 10, 1000), mask: () => '（已隐去）' },
    ],
    async submit(ctx, data) {
      const started = await caseStarter.fileComplaint({
        complainantStaffId: ctx.staff!.id,
        subject: data.subject!,
        details: data.details!,
        eventId: `${ctx.event.platform}:${ctx.event.eventId}`,
      });
      ctx.auditNotes.caseRef = started.caseRef;
      return { title: '实名举报：已受理', text: `您的举报已受理，我们将依规核查并对举报人信息严格保密。编号：${started.caseRef}` };
    },
  };
}
