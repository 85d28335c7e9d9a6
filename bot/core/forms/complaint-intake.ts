// 登记信访 (issue 13 item 3), private chat or console, for the 专班 office: a complaint or report that
// came by hotline, letter or visit (来电/来信/来访), with the complainant's own details (who need not be
// staff), the village it is about, and optionally an accused staff member from the staff list (then it is
// an accusation: read only by 纪检联络 and 专班组长, a clue opened). The complainant's phone is asked for
// in private chat only and shown masked. Opens the complaint workflow keyed by the submitting event, so a
// redelivered submission opens nothing twice. A wrong answer names the field; earlier answers are kept.
import { z } from 'zod';

import { maskMobile, mobileSchema } from '../../../domain/identity/contact.js';
import { resolveAccusedStaff } from '../accused.js';
import type { CaseStarter } from '../case-starter.js';
import { CaseRefusedError } from '../case-starter.js';
import type { BotContext } from '../context.js';
import { countyOfRegion } from '../permissions.js';
import { resolveVillage } from '../../../readmodels/villages.js';
import type { FormDefinition } from './engine.js';
import { maskName, personNameSchema, shortTextSchema } from './fields.js';

export const INTAKE_CHANNELS = ['来电', '来信', '来访'] as const;
const CHANNEL_ALIASES: Record<string, (typeof INTAKE_CHANNELS)[number]> = { 来电: '来电', 电话: '来电', 热线: '来电', 来信: '来信', 信件: '来信', 来访: '来访', 走访: '来访', 上访: '来访' };

const channelSchema = z
  .string()
  .trim()
  .transform((raw, ctx) => {
    const c = CHANNEL_ALIASES[raw];
    if (!c) {
      ctx.addIssue({ code: 'custom', message: `来源只能是：${INTAKE_CHANNELS.join('、')}` });
      return z.NEVER;
    }
    return c as string;
  });

const NONE = new Set(['无', '全县', '不涉及']);

async function countyOf(ctx: BotContext): Promise<number | string> {
  const countyId = await countyOfRegion(ctx.prisma, ctx.staff!.regionId);
  return countyId ?? '您的账号未关联到县，无法登记，请联系管理员。';
}

async function villageOf(ctx: BotContext, typed: string) {
  if (NONE.has(typed.replace(/\s/g, ''))) return null;
  const v = await resolveVillage(ctx.prisma, ctx.staff!.regionId, typed);
  return typeof v === 'string' ? `反映地点：${v}；不涉及具体村(社区)的，请回复“无”` : v;
}

async function accusedOf(ctx: BotContext, typed: string) {
  const countyId = await countyOf(ctx);
  return typeof countyId === 'string' ? countyId : resolveAccusedStaff(ctx.prisma, countyId, typed);
}

export function complaintIntakeForm(caseStarter: CaseStarter): FormDefinition {
  return {
    id: 'complaintIntake',
    title: '信访登记',
    privateOnlyMessage: '登记信访须填写信访人的联系电话，请在与机器人的私聊（或网页控制台）中发送 /登记信访。',
    steps: [
      { key: 'channel', label: '来源', prompt: `信访来源？（${INTAKE_CHANNELS.join('、')}）`, schema: channelSchema },
      { key: 'complainantName', label: '信访人姓名', prompt: '信访人姓名：', schema: personNameSchema, mask: maskName },
      { key: 'complainantPhone', label: '信访人电话', prompt: '信访人联系电话（手机号码）：', schema: mobileSchema, mask: maskMobile, display: maskMobile },
      {
        key: 'village',
        label: '反映地点',
        prompt: '反映的是哪个村(社区)的事？（同名时写成“乡镇名+村名”；不涉及具体村的，回复“无”）',
        schema: shortTextSchema('反映地点', 1, 40),
        check: async (ctx, value) => {
          const v = await villageOf(ctx, value);
          return typeof v === 'string' ? v : null;
        },
      },
      {
        key: 'accused',
        label: '被举报人',
        prompt: '被举报工作人员的姓名或编号（不针对工作人员的，请回复“无”）：',
        schema: shortTextSchema('被举报人', 1, 30),
        mask: () => '（已隐去）',
        check: async (ctx, value) => {
          const r = await accusedOf(ctx, value);
          return typeof r === 'string' ? r : null;
        },
      },
      { key: 'details', label: '反映内容', prompt: '反映的问题（涉及的户、时间、经过）：', schema: shortTextSchema('反映内容', 10, 1000), mask: () => '（已隐去）' },
    ],
    async submit(ctx, data) {
      if (!caseStarter.registerComplaintIntake) throw new CaseRefusedError('本服务暂不能登记信访，请联系管理员。');
      const village = await villageOf(ctx, data.village!);
      if (typeof village === 'string') throw new CaseRefusedError(village);
      const accused = await accusedOf(ctx, data.accused!);
      if (typeof accused === 'string') throw new CaseRefusedError(accused);
      const started = await caseStarter.registerComplaintIntake({
        staffId: ctx.staff!.id,
        channel: data.channel!,
        complainantName: data.complainantName!,
        complainantPhone: data.complainantPhone!,
        subjectRegionId: village?.id ?? null,
        accusedStaffId: accused?.id ?? null,
        summary: accused ? `举报${accused.name}（编号 ${accused.id}，${accused.unit}）：${data.details!}` : data.details!,
        eventId: `${ctx.event.platform}:${ctx.event.eventId}`,
      });
      ctx.auditNotes.caseRef = started.caseRef;
      return {
        title: '信访登记：已登记',
        text: `已登记${data.channel}（信访人 ${maskName(data.complainantName!)}，电话 ${maskMobile(data.complainantPhone!)}）${accused ? '，按检举控告办理，仅纪检联络和专班组长可见' : ''}。编号：${started.caseRef}`,
      };
    },
  };
}
