// 申请登记 (issue 13): township staff register an application they accepted — the applicant's name,
// ID number (private chat only), kind, village, household size, amount applied for, acceptance date —
// then CaseStarter.registerApplication stores it once (the event id) and opens the review (申请审核确认).
// A wrong answer is refused in Chinese naming the field and only that question is asked again.
import { z } from 'zod';

import { parseRequiredAmountCell, parseHouseholdSize } from '../../../domain/import/index.js';
import { ASSISTANCE_KIND_LABELS, parseAssistanceKind } from '../../../domain/import/vocabulary.js';
import type { CaseStarter } from '../case-starter.js';
import { CaseRefusedError } from '../case-starter.js';
import { resolveVillage } from '../../../readmodels/villages.js';
import type { FormDefinition } from './engine.js';
import { idNumberSchema, maskIdNumber, maskName, pastDateSchema, personNameSchema } from './fields.js';

const KIND_CHOICES = Object.values(ASSISTANCE_KIND_LABELS).join('、');

const kindSchema = z
  .string()
  .trim()
  .transform((raw, ctx) => {
    const k = parseAssistanceKind(raw);
    if (!k) {
      ctx.addIssue({ code: 'custom', message: `救助类型只能是：${KIND_CHOICES}` });
      return z.NEVER;
    }
    return k as string;
  });

const villageSchema = z.string().trim().min(2, { error: '请填写村(社区)名称，如 东关社区' }).max(40, { error: '村(社区)名称不超过 40 个字' });

const householdSizeSchema = z
  .string()
  .trim()
  .transform((raw, ctx) => {
    const n = parseHouseholdSize(raw);
    if (n === null) {
      ctx.addIssue({ code: 'custom', message: '家庭人口应为 1 至 20 之间的整数' });
      return z.NEVER;
    }
    return String(n);
  });

const amountSchema = z
  .string()
  .trim()
  .transform((raw, ctx) => {
    const r = parseRequiredAmountCell(raw.replace(/元(\/月)?$/u, ''), '申请金额');
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: r.message });
      return z.NEVER;
    }
    if (Number(r.value) <= 0) {
      ctx.addIssue({ code: 'custom', message: '申请金额必须大于 0' });
      return z.NEVER;
    }
    return r.value;
  });

export function applicationForm(caseStarter: CaseStarter, now: () => Date = () => new Date()): FormDefinition {
  return {
    id: 'application',
    title: '救助申请登记',
    privateOnlyMessage: '登记申请须填写申请人身份证号，请在与机器人的私聊中发送 /登记申请。',
    steps: [
      { key: 'applicantName', label: '申请人姓名', prompt: '请输入申请人姓名：', schema: personNameSchema, mask: maskName },
      { key: 'applicantIdNumber', label: '申请人身份证号', prompt: '请输入申请人身份证号（18 位）：', schema: idNumberSchema, mask: maskIdNumber },
      { key: 'kind', label: '救助类型', prompt: `申请哪类救助？（${KIND_CHOICES}）`, schema: kindSchema, display: (v) => ASSISTANCE_KIND_LABELS[v as keyof typeof ASSISTANCE_KIND_LABELS] ?? v },
      {
        key: 'village',
        label: '所在村(社区)',
        prompt: '申请人所在村(社区)？（同名时写成“乡镇名+村名”）',
        schema: villageSchema,
        check: async (ctx, value) => {
          const v = await resolveVillage(ctx.prisma, ctx.staff!.regionId, value);
          return typeof v === 'string' ? v : null;
        },
      },
      { key: 'householdSize', label: '家庭人口', prompt: '共同生活的家庭人口数（1–20）：', schema: householdSizeSchema },
      { key: 'monthlyAmount', label: '申请金额', prompt: '申请的月保障金额（元/月，如 1500）：', schema: amountSchema, display: (v) => `${v} 元/月` },
      { key: 'acceptedAt', label: '受理日期', prompt: '受理日期（如 2026-11-20）：', schema: pastDateSchema(now) },
    ],
    async submit(ctx, data) {
      if (!caseStarter.registerApplication) throw new CaseRefusedError('本服务暂不能登记申请，请联系管理员。');
      const started = await caseStarter.registerApplication({
        staffId: ctx.staff!.id,
        applicantName: data.applicantName!,
        applicantIdNumber: data.applicantIdNumber!,
        kind: data.kind!,
        village: data.village!,
        householdSize: Number(data.householdSize),
        monthlyAmount: data.monthlyAmount!,
        acceptedAt: data.acceptedAt!,
        eventId: `${ctx.event.platform}:${ctx.event.eventId}`,
      });
      ctx.auditNotes.caseRef = started.caseRef;
      return {
        title: '救助申请登记：已受理',
        text: `已登记 ${maskName(data.applicantName!)}（${maskIdNumber(data.applicantIdNumber!)}）的${ASSISTANCE_KIND_LABELS[data.kind as keyof typeof ASSISTANCE_KIND_LABELS] ?? ''}申请，审核确认已开始计时。编号：${started.caseRef}`,
      };
    },
  };
}
