// 整改清单 by hand (issue 13): the 专班 office files a rectification item — the responsible township,
// the problem, the measures, the deadline — and CaseStarter.openRectification opens it (natural key:
// the event). `/整改 <线索编号>` puts a finding on the list in one step (rectification-commands.ts).
import { z } from 'zod';

import type { CaseStarter } from '../case-starter.js';
import { CaseRefusedError } from '../case-starter.js';
import type { FormDefinition } from './engine.js';
import { shortTextSchema } from './fields.js';
import { toChinaDate } from '../../../domain/time/instants.js';


/** A deadline: 2026-12-31, 2026/12/31 or 2026年12月31日, not before today. */
export function deadlineSchema(now: () => Date) {
  return z
    .string()
    .trim()
    .transform((raw, ctx) => {
      const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/u.exec(raw);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: '日期格式应为 2026-12-31（年-月-日）' });
        return z.NEVER;
      }
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const date = new Date(Date.UTC(y, mo - 1, d));
      if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
        ctx.addIssue({ code: 'custom', message: '没有这一天，请核对年月日' });
        return z.NEVER;
      }
      const iso = date.toISOString().slice(0, 10);
      if (iso < toChinaDate(now())) {
        ctx.addIssue({ code: 'custom', message: '整改时限不能早于今天' });
        return z.NEVER;
      }
      return iso;
    });
}

export function rectificationForm(caseStarter: CaseStarter, now: () => Date = () => new Date()): FormDefinition {
  return {
    id: 'rectify',
    title: '整改清单：新增事项',
    steps: [
      { key: 'township', label: '责任单位（乡镇）', prompt: '责任乡镇（如 丹朱镇）：', schema: shortTextSchema('责任单位', 2, 30) },
      { key: 'problem', label: '存在问题', prompt: '存在的问题（不超过 1000 字）：', schema: shortTextSchema('存在问题', 4, 1000) },
      { key: 'measures', label: '整改措施', prompt: '整改措施（不超过 2000 字）：', schema: shortTextSchema('整改措施', 4, 2000) },
      { key: 'deadline', label: '整改时限', prompt: '整改时限（如 2026-12-31）：', schema: deadlineSchema(now) },
    ],
    async submit(ctx, data) {
      if (!caseStarter.openRectification) throw new CaseRefusedError('本服务暂不能新增整改事项，请联系管理员。');
      const started = await caseStarter.openRectification({
        staffId: ctx.staff!.id,
        township: data.township!,
        problem: data.problem!,
        measures: data.measures!,
        deadline: data.deadline!,
        eventId: `${ctx.event.platform}:${ctx.event.eventId}`,
      });
      ctx.auditNotes.caseRef = started.caseRef;
      return { title: '整改清单：已新增', text: `已列入整改清单并通知${data.township}责任人，整改时限 ${data.deadline}。编号：${started.caseRef}` };
    },
  };
}
