// /我的待办: the staff member's open cases, least time left first, each with
// its deadline (Beijing time), the time left in Chinese, and a button for its next step.
import type { PrismaClient } from '../../prisma/generated/client.js';
import type { CaseKind } from '../../prisma/generated/enums.js';
import type { BotMiddleware } from './context.js';
import { T } from './texts.js';
import { openStepAction } from './steps/card.js';
import { caseRef } from './steps/target.js';
import type { BotMessage } from './types.js';

export const CASE_KIND_ZH: Record<CaseKind, string> = {
  DEATH_REVIEW: '死亡核查',
  PRISON_EXIT: '服刑退出',
  APPLICATION: '申请审核确认',
  NEAR_RELATIVE_FILING: '近亲属备案',
  COMPLAINT: '实名举报',
  RECTIFICATION: '整改事项',
};

/** "2026-11-30 17:00" in Asia/Shanghai (no DST). */
export function formatBeijing(d: Date): string {
  return new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** "剩余 3 天 4 小时", "剩余 45 分钟", "已超期 2 天 1 小时". */
export function formatTimeLeft(dueAt: Date, now: Date): string {
  const ms = dueAt.getTime() - now.getTime();
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const parts = days > 0 ? [`${days} 天`, ...(hours ? [`${hours} 小时`] : [])] : hours > 0 ? [`${hours} 小时`, ...(minutes ? [`${minutes} 分钟`] : [])] : [`${Math.max(minutes, ms >= 0 ? 0 : 1)} 分钟`];
  return `${ms >= 0 ? '剩余' : '已超期'} ${parts.join(' ')}`;
}

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
    const due = it.dueAt ? `截止 ${formatBeijing(it.dueAt)}（${formatTimeLeft(it.dueAt, now)}）` : '未设期限';
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
