// 实名举报, in private chat only: accused → details → confirm; then CaseStarter.fileComplaint.
// Nothing about the complainant is ever sent to a group: the form refuses to run there.
// The accused (被举报人) is chosen from the county's staff list (name or 编号; 「无」 for none): a report
// naming a staff member is filed as an accusation (检举控告), read only by 纪检联络 and 专班组长, never
// assigned to the accused or their unit, and a clue (线索) is opened for 纪检监察.
import { resolveAccusedStaff } from '../accused.js';
import type { CaseStarter } from '../case-starter.js';
import { CaseRefusedError } from '../case-starter.js';
import { countyOfRegion } from '../permissions.js';
import { T } from '../texts.js';
import type { BotContext } from '../context.js';
import type { FormDefinition } from './engine.js';
import { shortTextSchema } from './fields.js';

async function accusedOf(ctx: BotContext, typed: string) {
  const countyId = await countyOfRegion(ctx.prisma, ctx.staff!.regionId);
  if (countyId === null) return '您的账号未关联到县，无法受理，请联系管理员。';
  return resolveAccusedStaff(ctx.prisma, countyId, typed);
}

export function complaintForm(caseStarter: CaseStarter): FormDefinition {
  return {
    id: 'complaint',
    title: '实名举报',
    privateOnlyMessage: T.complaintGroupOnly,
    steps: [
      {
        key: 'accused',
        label: '被举报人',
        prompt: '请输入被举报工作人员的姓名或编号（不针对工作人员的，请回复“无”）：',
        schema: shortTextSchema('被举报人', 1, 30),
        mask: () => '（已隐去）',
        check: async (ctx, value) => {
          const r = await accusedOf(ctx, value);
          return typeof r === 'string' ? r : null;
        },
      },
      { key: 'details', label: '举报内容', prompt: '请简要描述举报事项（时间、地点、经过）：', schema: shortTextSchema('举报内容', 10, 1000), mask: () => '（已隐去）' },
    ],
    async submit(ctx, data) {
      const accused = await accusedOf(ctx, data.accused!);
      if (typeof accused === 'string') throw new CaseRefusedError(accused);
      const started = await caseStarter.fileComplaint({
        complainantStaffId: ctx.staff!.id,
        subject: accused ? `${accused.name}（编号 ${accused.id}，${accused.unit}）` : '（未针对工作人员）',
        accusedStaffId: accused?.id ?? null,
        details: data.details!,
        eventId: `${ctx.event.platform}:${ctx.event.eventId}`,
      });
      ctx.auditNotes.caseRef = started.caseRef;
      return { title: '实名举报：已受理', text: `您的举报已受理，我们将依规核查并对举报人信息严格保密。编号：${started.caseRef}` };
    },
  };
}
