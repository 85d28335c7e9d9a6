// /我的待办: the staff member's open cases, least time left first, each with
// its deadline (Beijing time), the time left in Chinese, and a button for its next step.
import type { PrismaClient } from '../../prisma/generated/client.js';
import type { CaseKind } from '../../prisma/generated/enums.js';
import type { BotMiddleware } from './context.js';
import { T } from './texts.js';
import { openStepAction } from './steps/card.js';
import { caseRef } from './steps/target.js';
import type { BotMessage } from './types.js';
import { formatChinaDateTime } from '../../domain/time/instants.js';
import { timeLeftText } from '../../domain/time/time-left.js';

export const CASE_KIND_ZH: Record<CaseKind, string> = {
  DEATH_REVIEW: '死亡核查',
  PRISON_EXIT: '服刑退出',
  APPLICATION: '申请审核确认',
  NEAR_RELATIVE_FILING: '近亲属备案',
  COMPLAINT: '实名举报',
  RECTIFICATION: '整改事项',
};

export interface OpenItem {
  caseId: number;
  kind: CaseKind;
  dueAt: Date | null;
}

export async function listOpenItems(prisma: PrismaClient, staffId: number): Promise<OpenItem[]> {
  const rows = await prisma.case.findMany({
    where: { assigneeStaffId: staffId, status: 'OPEN' },
    orderBy: [{ dueAt: { sort: 'asc', nulls: 'last' } }, { id: 'asc' }],
    select: { id: true, kind: true, dueAt: true },
    take: 50,
  });
  return rows.map((r) => ({ caseId: r.id, kind: r.kind, dueAt: r.dueAt }));
}

export function renderOpenItems(items: OpenItem[], now: Date): BotMessage {
  if (items.length === 0) return { text: T.noItems };
  const lines = items.map((it, i) => {
    const due = it.dueAt ? `截止 ${formatChinaDateTime(it.dueAt)}（${timeLeftText(now.getTime(), it.dueAt.getTime())}）` : '未设期限';
    return `${i + 1}. ${CASE_KIND_ZH[it.kind]} #${it.caseId}：${due}`;
  });
  // Each item's next step as a button (the first step its holder may take now, chosen when pressed).
  const buttons = items.slice(0, 10).map((it) => ({ label: `办理 #${it.caseId}`, style: 'primary' as const, payload: openStepAction(caseRef(it.caseId), 'next') }));
  return { title: '我的待办', text: `您有 ${items.length} 项待办：\n${lines.join('\n')}`, buttons };
}

export const myItemsCommand: BotMiddleware = async (ctx, next) => {
  if (ctx.command?.name !== 'myItems') return next();
  const items = await listOpenItems(ctx.prisma, ctx.staff!.id);
  ctx.auditNotes.count = items.length;
  await ctx.reply(renderOpenItems(items, ctx.deps.now()));
};
