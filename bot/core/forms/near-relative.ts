// 近亲属备案: the relative's name → ID number → relation → confirm; then CaseStarter.fileNearRelative.
// The filing goes to a leader for approval (a card with buttons); filed by the staff member themself.
import { z } from 'zod';

import type { CaseStarter } from '../case-starter.js';
import { idNumbersPrivateOnly, type FormDefinition } from './engine.js';
import { idNumberSchema, maskIdNumber, maskName, personNameSchema } from './fields.js';

const relationSchema = z
  .string()
  .trim()
  .min(2, { error: '请填写亲属关系，如 配偶、父母、子女、兄弟姐妹' })
  .max(20, { error: '亲属关系不超过 20 个字' });

export function nearRelativeForm(caseStarter: CaseStarter): FormDefinition {
  return {
    id: 'nearRelative',
    title: '近亲属备案',
    // It asks for full ID numbers: never in a group, where they would stay in the group's history.
    privateOnlyMessage: idNumbersPrivateOnly('近亲属备案'),
    steps: [
      { key: 'relativeName', label: '亲属姓名', prompt: '请输入申请或享受救助的亲属姓名：', schema: personNameSchema, mask: maskName },
      { key: 'relativeIdNumber', label: '亲属身份证号', prompt: '请输入该亲属的身份证号（18 位）：', schema: idNumberSchema, mask: maskIdNumber },
      { key: 'relation', label: '与您的关系', prompt: '该亲属与您是什么关系？（如 配偶、父母、子女、兄弟姐妹）', schema: relationSchema },
    ],
    async submit(ctx, data) {
      const started = await caseStarter.fileNearRelative({
        filerStaffId: ctx.staff!.id,
        relativeName: data.relativeName!,
        relativeIdNumber: data.relativeIdNumber!,
        relation: data.relation!,
        eventId: `${ctx.event.platform}:${ctx.event.eventId}`,
      });
      ctx.auditNotes.caseRef = started.caseRef;
      return {
        title: '近亲属备案：已提交',
        text: `已提交近亲属备案（${maskName(data.relativeName!)}，${maskIdNumber(data.relativeIdNumber!)}，${data.relation}），等待领导审批。编号：${started.caseRef}`,
      };
    },
  };
}
