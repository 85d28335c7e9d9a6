// 村级月报 (Zhangzi's monthly chain): the village committee answers its open
// monthly cycle in one message: 无 (nothing to report — an answer too), or one
// line per event: 类型 [姓名] [身份证号] [日期] [说明], e.g.
//   丧葬 张三 141125193001010012 2026-11-03
//   收入变化 李四 外出务工月收入约3000元
// Sent as the cycle workflow's `villageReport` Update. /乡镇核报 is the township's
// `townshipSubmit` after its villages have reported.
import { z } from 'zod';

import { VILLAGE_EVENT_TYPES, type VillageEvent, type VillageEventType } from '../../../domain/cycles/village.js';
import { isValidIdNumber, maskIdNumber } from '../../../domain/identity/index.js';
import { townshipSubmitStep, villageReportStep } from '../../../domain/steps/cycles.js';
import type { PrismaClient } from '../../../prisma/generated/client.js';
import { CaseRefusedError } from '../case-starter.js';
import type { BotMiddleware } from '../context.js';
import { actorOf } from '../steps/take.js';
import type { FormDefinition } from './engine.js';

const TYPE_BY_LABEL: ReadonlyMap<string, VillageEventType> = new Map(
  (Object.entries(VILLAGE_EVENT_TYPES) as Array<[VillageEventType, string]>).map(([code, label]) => [label, code]),
);
const LABELS = Object.values(VILLAGE_EVENT_TYPES).join('、');

export type VillageAnswer = { nothingToReport: true } | { events: VillageEvent[] };

/** Parses the answer; throws an Error with a Chinese message saying which line to fix. */
export function parseVillageAnswer(text: string): VillageAnswer {
  const trimmed = text.trim();
  if (/^(无|没有|无情况|本月无)$/u.test(trimmed)) return { nothingToReport: true };
  const events: VillageEvent[] = [];
  for (const [i, raw] of trimmed.split(/\n+/u).entries()) {
    const line = raw.trim();
    if (!line) continue;
    const tokens = line.split(/[\s,，]+/u);
    const type = TYPE_BY_LABEL.get(tokens[0]!);
    if (!type) throw new Error(`第 ${i + 1} 行：事项类型应为 ${LABELS} 之一，“${tokens[0]}”不是`);
    const event: VillageEvent = { type };
    const rest: string[] = [];
    for (const t of tokens.slice(1)) {
      if (/^\d{17}[\dXx]$/.test(t)) {
        if (!isValidIdNumber(t.toUpperCase())) throw new Error(`第 ${i + 1} 行：身份证号码无效，请核对`);
        event.idNumber = t.toUpperCase();
      } else if (/^\d{4}-\d{2}-\d{2}$/.test(t)) event.date = t;
      else if (event.name === undefined && rest.length === 0 && /^[\u4e00-\u9fa5·]{2,10}$/u.test(t)) event.name = t;
      else rest.push(t);
    }
    if (rest.length) event.note = rest.join(' ');
    if (type === 'funeral' && (!event.idNumber || !event.date)) throw new Error(`第 ${i + 1} 行：丧葬须写逝者身份证号和死亡日期，如：丧葬 张三 141125193001010012 2026-11-03`);
    events.push(event);
  }
  if (events.length === 0) throw new Error('请回复“无”，或每行写一项情况');
  return { events };
}

const answerSchema = z.string().transform((text, ctx) => {
  try {
    return JSON.stringify(parseVillageAnswer(text));
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

async function openVillageCycleFor(prisma: PrismaClient, staffId: number, kind: 'VILLAGE' | 'TOWNSHIP') {
  const units = await prisma.reportingUnit.findMany({ where: { active: true, kind, OR: [{ reporterStaffId: staffId }, { headStaffId: staffId }] } });
  if (units.length === 0) return kind === 'VILLAGE' ? '您不是村（居）月度报告的报告人。' : '您不是乡镇核报的负责人。';
  const cycles = await prisma.reportCycle.findMany({
    where: { kind: 'villageChain', closedAt: null, countyRegionId: { in: units.map((u) => u.countyRegionId) } },
    orderBy: { dueAt: 'asc' },
    include: { submissions: { select: { unitId: true } } },
  });
  for (const cycle of cycles) {
    const unit = units.find((u) => u.countyRegionId === cycle.countyRegionId && !cycle.submissions.some((s) => s.unitId === u.id));
    if (unit) return { unitId: unit.id, unitName: unit.name, workflowId: cycle.workflowId, period: cycle.period };
  }
  return '目前没有待您报送的月度报告。';
}

export { openVillageCycleFor };

export function villageReportForm(): FormDefinition {
  return {
    id: 'village',
    title: '村（居）月度报告',
    steps: [
      {
        key: 'answer',
        label: '本月情况',
        prompt: `本月本村有无以下情况：${LABELS}？\n无则回复“无”；有则每行写一项：类型 姓名 身份证号 日期 说明（丧葬须写逝者身份证号和死亡日期）。`,
        schema: answerSchema,
        display: (v) => {
          const a = JSON.parse(v) as VillageAnswer;
          if ('nothingToReport' in a) return '本月无情况';
          return a.events
            .map((e) => [VILLAGE_EVENT_TYPES[e.type], e.name, e.idNumber ? maskIdNumber(e.idNumber) : undefined, e.date, e.note].filter(Boolean).join(' '))
            .join('；');
        },
        mask: (v) => {
          const a = JSON.parse(v) as VillageAnswer;
          return 'nothingToReport' in a ? '无' : `${a.events.length} 项（${a.events.map((e) => VILLAGE_EVENT_TYPES[e.type]).join('、')}）`;
        },
      },
    ],
    async submit(ctx, data) {
      const target = await openVillageCycleFor(ctx.prisma, ctx.staff!.id, 'VILLAGE');
      if (typeof target === 'string') throw new CaseRefusedError(target);
      if (!ctx.deps.workflows) throw new Error('no workflow gateway');
      const answer = JSON.parse(data.answer!) as VillageAnswer;
      const outcome = await ctx.deps.workflows.execute(villageReportStep.update, {
        workflowId: target.workflowId,
        args: villageReportStep.toArgs({ unitId: target.unitId, ...('events' in answer ? { events: answer.events } : { situation: '本月无情况' }) }, actorOf(ctx)),
        updateId: `${ctx.event.platform}:${ctx.event.eventId}`,
      });
      if (!outcome.ok) throw new CaseRefusedError(outcome.message);
      const late = outcome.result.late;
      return {
        title: '村（居）月度报告：已提交',
        text: `${target.unitName}${target.period}月度报告已提交${'nothingToReport' in answer ? '（本月无情况）' : `（${answer.events.length} 项）`}${late ? '，已超过截止时间，按迟报记录' : ''}。`,
      };
    },
  };
}

/** /乡镇核报 [说明]: the township confirms its villages' reports to the county (by the 25th). */
export const townshipSubmitCommand: BotMiddleware = async (ctx, next) => {
  if (ctx.command?.name !== 'townshipSubmit') return next();
  const target = await openVillageCycleFor(ctx.prisma, ctx.staff!.id, 'TOWNSHIP');
  if (typeof target === 'string') {
    ctx.auditNotes.outcome = 'nothing-due';
    await ctx.reply(target);
    return;
  }
  if (!ctx.deps.workflows) {
    await ctx.reply('报送服务暂不可用，请稍后再试。');
    return;
  }
  const note = ctx.command.args.trim();
  const outcome = await ctx.deps.workflows.execute(townshipSubmitStep.update, {
    workflowId: target.workflowId,
    args: townshipSubmitStep.toArgs({ unitId: target.unitId, note: note || undefined }, actorOf(ctx)),
    updateId: `${ctx.event.platform}:${ctx.event.eventId}`,
  });
  ctx.auditNotes.outcome = outcome.ok ? 'done' : 'refused';
  await ctx.reply(outcome.ok ? `${target.unitName}${target.period}月度核报已提交县民政局。` : `未能办理：${outcome.message}`);
};
