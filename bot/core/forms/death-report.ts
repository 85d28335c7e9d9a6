// 报告死亡: name → ID number → date of death → source → confirm; then CaseStarter.reportDeath.
import type { CaseStarter } from '../case-starter.js';
import { idNumbersPrivateOnly, type FormDefinition } from './engine.js';
import { idNumberSchema, maskIdNumber, maskName, pastDateSchema, personNameSchema, shortTextSchema } from './fields.js';

export function deathReportForm(caseStarter: CaseStarter, now: () => Date): FormDefinition {
  return {
    id: 'death',
    title: '报告死亡',
    // It asks for full ID numbers: never in a group, where they would stay in the group's history.
    privateOnlyMessage: idNumbersPrivateOnly('报告死亡'),
    steps: [
      { key: 'name', label: '姓名', prompt: '请输入死者姓名：', schema: personNameSchema, mask: maskName },
      { key: 'idNumber', label: '身份证号', prompt: '请输入死者身份证号（18 位）：', schema: idNumberSchema, mask: maskIdNumber },
      { key: 'deathDate', label: '死亡日期', prompt: '请输入死亡日期（如 2026-11-01）：', schema: pastDateSchema(now) },
      { key: 'source', label: '信息来源', prompt: '请输入信息来源（如 村报、殡葬、公安、医院）：', schema: shortTextSchema('信息来源', 2, 50) },
    ],
    async submit(ctx, data) {
      const started = await caseStarter.reportDeath({
        reporterStaffId: ctx.staff!.id,
        name: data.name!,
        idNumber: data.idNumber!,
        deathDate: data.deathDate!,
        source: data.source!,
        eventId: `${ctx.event.platform}:${ctx.event.eventId}`,
      });
      ctx.auditNotes.caseRef = started.caseRef;
      return {
        title: '报告死亡：已受理',
        text: `已受理死亡报告（${maskName(data.name!)}，${maskIdNumber(data.idNumber!)}，${data.deathDate}），核查流程已启动。编号：${started.caseRef}`,
      };
    },
  };
}
