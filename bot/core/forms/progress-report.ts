// 进展报送: the reporting unit answers its open progress cycle with numbers per
// focus item (逐条, 具体数据支撑), one line per item: seven numbers in the order
// of PROGRESS_FIELDS, or 0 / 无 for an item with nothing to report. Submitted as
// the cycle workflow's `submit` Update (event id as update id); the workflow's
// refusal (wrong unit, already submitted …) is shown as it is.
import { z } from 'zod';

import { PROGRESS_FIELDS, type ProgressField, type ProgressItem } from '../../../domain/cycles/progress.js';
import type { FocusItem } from '../../../domain/policy/schema.js';
import { progressSubmitStep } from '../../../domain/steps/cycles.js';
import type { PrismaClient } from '../../../prisma/generated/client.js';
import { CaseRefusedError } from '../case-starter.js';
import { actorOf } from '../steps/take.js';
import type { FormDefinition } from './engine.js';

const FIELDS = Object.keys(PROGRESS_FIELDS) as ProgressField[];
const FIELD_LIST = FIELDS.map((f) => PROGRESS_FIELDS[f]).join('、');

/** "3 2 1500 1 0 0 0" (spaces, commas or 、), or 0 / 无 for all zero → normalised "3 2 1500 1 0 0 0". */
export const progressLineSchema = z
  .string()
  .trim()
  .transform((text, ctx) => {
    if (/^(0|无|没有)$/u.test(text)) return FIELDS.map(() => '0').join(' ');
    const parts = text.split(/[\s,，、]+/u).filter(Boolean);
    if (parts.length !== FIELDS.length) {
      ctx.addIssue({ code: 'custom', message: `需要 ${FIELDS.length} 个数，依次为：${FIELD_LIST}；本项无情况请填 0` });
      return z.NEVER;
    }
    for (const [i, p] of parts.entries()) {
      const field = FIELDS[i]!;
      const money = field === 'amount' || field === 'recovered';
      if (!(money ? /^\d+(\.\d{1,2})?$/ : /^\d+$/).test(p)) {
        ctx.addIssue({ code: 'custom', message: `“${PROGRESS_FIELDS[field]}”应为${money ? '不小于 0 的金额（最多两位小数）' : '不小于 0 的整数'}，您填的是“${p}”` });
        return z.NEVER;
      }
    }
    return parts.join(' ');
  });

export function parseProgressLine(line: string): ProgressItem {
  const values = line.split(' ').map(Number);
  return Object.fromEntries(FIELDS.map((f, i) => [f, values[i]!])) as ProgressItem;
}

/** The unit this person reports for and its open progress cycle (earliest due first), or why not. */
export async function openProgressCycleFor(prisma: PrismaClient, staffId: number): Promise<{ unitId: number; unitName: string; workflowId: string; dueAt: Date } | string> {
  const units = await prisma.reportingUnit.findMany({ where: { active: true, kind: { not: 'VILLAGE' }, OR: [{ reporterStaffId: staffId }, { headStaffId: staffId }] } });
  if (units.length === 0) return '您不是进展报送单位的填报人或负责人，无需报送。';
  const cycles = await prisma.reportCycle.findMany({
    where: { kind: { in: ['progress', 'phaseSummary'] }, closedAt: null, countyRegionId: { in: units.map((u) => u.countyRegionId) } },
    orderBy: { dueAt: 'asc' },
    include: { submissions: { select: { unitId: true } } },
  });
  for (const cycle of cycles) {
    const unit = units.find((u) => u.countyRegionId === cycle.countyRegionId && !cycle.submissions.some((s) => s.unitId === u.id));
    if (unit) return { unitId: unit.id, unitName: unit.name, workflowId: cycle.workflowId, dueAt: cycle.dueAt };
  }
  return '目前没有待您报送的工作进展。';
}

export function progressReportForm(focusItems: readonly FocusItem[]): FormDefinition {
  return {
    id: 'progress',
    title: '工作进展报送',
    steps: focusItems.map((item) => ({
      key: item.code,
      label: `${item.code} ${item.title.length > 18 ? `${item.title.slice(0, 18)}…` : item.title}`,
      prompt: `【${item.code}】${item.title}\n请依次填写 ${FIELD_LIST}（空格分隔）；本项无情况请填 0。`,
      schema: progressLineSchema,
    })),
    async submit(ctx, data) {
      const target = await openProgressCycleFor(ctx.prisma, ctx.staff!.id);
      if (typeof target === 'string') throw new CaseRefusedError(target);
      const gateway = ctx.deps.workflows;
      if (!gateway) throw new Error('no workflow gateway');
      const items = Object.fromEntries(focusItems.map((f) => [f.code, parseProgressLine(data[f.code]!)]));
      // Through the step's contract (domain/steps/cycles.ts): the same Update and arguments as its card.
      const outcome = await gateway.execute(progressSubmitStep.update, {
        workflowId: target.workflowId,
        args: progressSubmitStep.toArgs({ unitId: target.unitId, items }, actorOf(ctx)),
        updateId: `${ctx.event.platform}:${ctx.event.eventId}`,
      });
      if (!outcome.ok) throw new CaseRefusedError(outcome.message);
      const late = outcome.result.late;
      const found = Object.values(items).reduce((s, it) => s + it.found, 0);
      ctx.auditNotes.cycle = target.workflowId;
      return {
        title: '工作进展报送：已提交',
        text: `${target.unitName}的工作进展已提交${late ? '（已超过截止时间，按迟报记录）' : ''}。本期共发现问题 ${found} 个。`,
      };
    },
  };
}
