// 转办: the township head or the 专班 reassigns an open case to another
// caseworker. /案件 N shows 「转办」 to them; the button lists who may take the
// case; `/转办 <案件编号> <承办人编号> [理由]` moves it: Case.assigneeStaffId
// changes (the escalation ladder of every case workflow reads its recipients
// from that row when each reminder falls due, so later reminders and
// escalations go to the new person — no signal needed), the audit chain records
// it, and both the new and the old assignee are told. Refused, in Chinese, for
// anyone who must recuse (domain/cases/transfer.ts).
import { appendAudit } from '../../infra/audit-chain.js';
import { ASSIGNEE_ROLES, mayTransfer, transferRefusal, type TransferFacts } from '../../domain/cases/transfer.js';
import type { BotContext, BotMiddleware } from './context.js';
import { CASE_KIND_ZH } from './my-items.js';
import { regionCovers } from './permissions.js';
import type { Button } from './types.js';

export const TRANSFER_BUTTON = 'tr';

type CaseRow = NonNullable<Awaited<ReturnType<BotContext['prisma']['case']['findUnique']>>>;

/** Staff who must recuse from this case: the filer of a near-relative filing, the accused of a complaint. */
async function recusedFor(ctx: BotContext, row: CaseRow): Promise<number[]> {
  if (row.kind === 'NEAR_RELATIVE_FILING') {
    const filing = await ctx.prisma.nearRelativeFiling.findFirst({ where: { workflowId: row.workflowId }, select: { staffId: true } });
    return filing ? [filing.staffId] : [];
  }
  if (row.kind === 'COMPLAINT') {
    const c = await ctx.prisma.complaint.findFirst({ where: { caseId: row.id }, select: { accusedStaffId: true } });
    return c?.accusedStaffId ? [c.accusedStaffId] : [];
  }
  return [];
}

const covers = async (ctx: BotContext, regionId: number, row: CaseRow) => row.regionId !== null && (await regionCovers(ctx.prisma, regionId, row.regionId));

/** 「转办」 on /案件 N, for those who may transfer this case. */
export async function transferButtonFor(ctx: BotContext, row: CaseRow): Promise<Button[]> {
  const staff = ctx.staff!;
  const actor = { staffId: staff.id, role: staff.role, coversCase: await covers(ctx, staff.regionId, row) };
  const c = { open: row.status === 'OPEN', complaint: row.kind === 'COMPLAINT', assigneeStaffId: row.assigneeStaffId };
  if (!mayTransfer(actor, c, await recusedFor(ctx, row))) return [];
  return [{ label: '转办', style: 'default', payload: { action: TRANSFER_BUTTON, caseRef: String(row.id), value: '' } }];
}

/** Caseworkers who may take the case (for the 「转办」 answer). */
async function candidates(ctx: BotContext, row: CaseRow, recused: number[]): Promise<string[]> {
  const staff = await ctx.prisma.staff.findMany({ where: { active: true, role: { in: [...ASSIGNEE_ROLES] } }, select: { id: true, name: true, regionId: true }, orderBy: { id: 'asc' } });
  const out: string[] = [];
  for (const s of staff) {
    if (s.id === row.assigneeStaffId || recused.includes(s.id) || !(await covers(ctx, s.regionId, row))) continue;
    out.push(`${s.name}（编号 ${s.id}）`);
    if (out.length >= 20) break;
  }
  return out;
}

async function transfer(ctx: BotContext, caseId: number, toId: number, reason: string): Promise<string> {
  const staff = ctx.staff!;
  const row = await ctx.prisma.case.findUnique({ where: { id: caseId } });
  if (!row || !(await covers(ctx, staff.regionId, row))) return '找不到该案件，或您无权查看。';
  const recused = await recusedFor(ctx, row);
  const to = await ctx.prisma.staff.findUnique({ where: { id: toId }, select: { id: true, role: true, active: true, name: true, regionId: true } });
  const facts: TransferFacts = {
    actor: { staffId: staff.id, role: staff.role, coversCase: true },
    case: { open: row.status === 'OPEN', complaint: row.kind === 'COMPLAINT', assigneeStaffId: row.assigneeStaffId },
    to: to ? { staffId: to.id, role: to.role, active: to.active, name: to.name, coversCase: await covers(ctx, to.regionId, row) } : null,
    recused,
  };
  const refused = transferRefusal(facts);
  if (refused) {
    ctx.auditNotes.outcome = 'refused';
    return refused;
  }
  const label = `${CASE_KIND_ZH[row.kind]} #${row.id}`;
  const old = row.assigneeStaffId === null ? null : await ctx.prisma.staff.findUnique({ where: { id: row.assigneeStaffId }, select: { id: true, name: true } });
  const key = `transfer:${row.id}:${ctx.event.platform}:${ctx.event.eventId}`;
  const sentAt = ctx.deps.now();
  const moved = await ctx.prisma.$transaction(async (tx) => {
    // Only from the assignee we read: a concurrent transfer wins once.
    const { count } = await tx.case.updateMany({ where: { id: row.id, assigneeStaffId: row.assigneeStaffId, status: 'OPEN' }, data: { assigneeStaffId: to!.id } });
    if (count !== 1) return false;
    await appendAudit(tx, {
      actor: `staff:${staff.id}`,
      action: 'case.transferred',
      subjectType: 'Case',
      subjectId: String(row.id),
      payload: { fromStaffId: row.assigneeStaffId, toStaffId: to!.id, byStaffId: staff.id, reason: reason || null },
    });
    const why = reason ? `，理由：${reason}` : '';
    await tx.notification.create({
      data: { dedupeKey: `${key}:to`, recipientStaffId: to!.id, kind: 'transfer', caseId: row.id, workflowId: row.workflowId, sentAt, text: `${staff.name}将${label}转由您承办${old ? `（原承办人：${old.name}）` : ''}${why}。发送 /案件 ${row.id} 查看并办理。` },
    });
    if (old) {
      await tx.notification.create({
        data: { dedupeKey: `${key}:from`, recipientStaffId: old.id, kind: 'transfer', caseId: row.id, sentAt, text: `${staff.name}已将${label}转由${to!.name}承办${why}，您不再承办此案件。` },
      });
    }
    return true;
  });
  if (!moved) return '该案件刚被他人转办或已办结，请发送 /案件 查看最新情况。';
  ctx.auditNotes.outcome = 'transferred';
  return `已将${label}转由${to!.name}承办${old ? `（原承办人：${old.name}）` : ''}，已通知双方。`;
}

export const caseTransfer: BotMiddleware = async (ctx, next) => {
  const e = ctx.event;
  if (e.type === 'button' && e.button.action === TRANSFER_BUTTON) {
    const row = await ctx.prisma.case.findUnique({ where: { id: Number(e.button.caseRef) } });
    if (!row || (await transferButtonFor(ctx, row)).length === 0) {
      ctx.auditNotes.outcome = 'refused';
      await ctx.reply('您不能转办该案件。');
      return;
    }
    const names = await candidates(ctx, row, await recusedFor(ctx, row));
    await ctx.reply(`请发送：/转办 ${row.id} <承办人编号> [理由]\n可承办人员：${names.length ? names.join('、') : '无'}`);
    return;
  }
  if (ctx.command?.name !== 'transfer') return next();
  const m = /^#?(\d+)\s+(\d+)(?:\s+([\s\S]+))?$/u.exec(ctx.command.args);
  if (!m) {
    await ctx.reply('请发送：/转办 <案件编号> <承办人编号> [理由]，如 /转办 4 32 原承办人请假');
    return;
  }
  const reason = (m[3] ?? '').trim();
  if (reason.length > 200) {
    await ctx.reply('“理由”不能超过 200 字');
    return;
  }
  ctx.auditNotes.caseId = Number(m[1]);
  await ctx.reply(await transfer(ctx, Number(m[1]), Number(m[2]), reason));
};
