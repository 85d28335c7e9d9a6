// 报告服刑: name → ID number → date custody began → source → confirm; then CaseStarter.reportImprisonment.
import type { CaseStarter } from '../case-starter.js';
import { idNumbersPrivateOnly, type FormDefinition } from './engine.js';
import { idNumberSchema, maskIdNumber, maskName, pastDateSchema, personNameSchema, shortTextSchema } from './fields.js';

export function imprisonmentReportForm(caseStarter: CaseStarter, now: () => Date): FormDefinition {
  return {
    id: 'prison',
    title: '报告服刑',
    // It asks for full ID numbers: never in a group, where they would stay in the group's history.
    privateOnlyMessage: idNumbersPrivateOnly('报告服刑'),
    steps: [
      { key: 'name', label: '姓名', prompt: '请输入服刑（在押）人员姓名：', schema: personNameSchema, mask: maskName },
      { key: 'idNumber', label: '身份证号', prompt: '请输入其身份证号（18 位）：', schema: idNumberSchema, mask: maskIdNumber },
      { key: 'imprisonmentDate', label: '羁押/服刑开始日期', prompt: '请输入羁押或服刑开始日期（如 2026-11-01）：', schema: pastDateSchema(now) },
      { key: 'source', label: '信息来源', prompt: '请输入信息来源（如 司法所、公安、村报）：', schema: shortTextSchema('信息来源', 2, 50) },
    ],
    async submit(ctx, data) {
      const started = await caseStarter.reportImprisonment({
        reporterStaffId: ctx.staff!.id,
        name: data.name!,
        idNumber: data.idNumber!,
        imprisonmentDate: data.imprisonmentDate!,
        source: data.source!,
        eventId: `${ctx.event.platform}:${ctx.event.eventId}`,
      });
      ctx.auditNotes.caseRef = started.caseRef;
      return {
        title: '报告服刑：已受理',
        text: `已受理服刑报告（${maskName(data.name!)}，${maskIdNumber(data.idNumber!)}，${data.imprisonmentDate}），服刑退出核查流程已启动。编号：${started.caseRef}`,
      };
    },
  };
}
