// 代理审批: `/代理审批 <代理人编号> <起> <止>` — a leader (股室负责人, 专班组长) names a deputy
// for a period (leave). In it the leader's approval cards go to the deputy (activities/notify.ts)
// and say 「由 X 代 Y 审批」, and the deputy may take the leader's steps (bot/core/steps/take.ts).
// Refused, in Chinese, for anyone without the standing (domain/cases/delegation.ts); recusal
// stays the deputy's own and is checked on each step. Stored in Delegation, audited.
// `/代理审批 结束 <代理编号>` (or 「结束代理」 on the confirmation) ends it early: only the leader
// who named the deputy; audited; the deputy is told, and cards go to the leader again.
import { appendAudit } from '../../infra/audit-chain.js';
import { actingForLine, delegationEndRefusal, delegationRefusal } from '../../domain/cases/delegation.js';
import { toChinaDate } from '../../domain/time/instants.js';
import { isValidLocalDate } from '../../domain/time/local-date.js';
import type { BotContext, BotMiddleware } from './context.js';
import type { BotMessage } from './types.js';

const USAGE = '请发送：/代理审批 <代理人编号> <起始日期> <截止日期>，如 /代理审批 32 2026-12-08 2026-12-18；提前结束请发送：/代理审批 结束 <代理编号>';
const day = (d: string) => new Date(`${d}T00:00:00Z`);
const ymd = (d: Date) => d.toISOString().slice(0, 10);

/** 「结束代理」 on the confirmation card: caseRef is the delegation's id. */
export const END_DELEGATION_BUTTON = 'dl-end';

/** Ends a delegation early, for the leader who made it; the answer in Chinese. */
async function endDelegation(ctx: BotContext, idText: string): Promise<string> {
  const staff = ctx.staff!;
  const id = /^\d{1,9}$/u.test(idText) ? Number(idText) : 0;
  const row = id ? await ctx.prisma.delegation.findUnique({ where: { id }, include: { deputy: { select: { id: true, name: true } } } }) : null;
  const now = ctx.deps.now();
  const today = toChinaDate(now);
  const refused = delegationEndRefusal({
    delegation: row ? { leaderStaffId: row.leaderStaffId, endsOn: ymd(row.endsOn), revoked: row.revokedAt !== null } : null,
    staffId: staff.id,
    today,
  });
  if (refused) {
    ctx.auditNotes.outcome = 'refused';
    return refused;
  }
  const r = row!;
  const period = `${ymd(r.startsOn)} 至 ${ymd(r.endsOn)}`;
  // Once, though the order arrives twice (a double tap, a redelivered callback).
  const ended = await ctx.prisma.$transaction(async (tx) => {
    const { count } = await tx.delegation.updateMany({ where: { id: r.id, revokedAt: null }, data: { revokedAt: now } });
    if (count === 0) return false;
    await appendAudit(tx, {
      actor: `staff:${staff.id}`,
      action: 'delegation.ended',
      subjectType: 'Delegation',
      subjectId: String(r.id),
      payload: { leaderStaffId: staff.id, deputyStaffId: r.deputyStaffId, startsOn: ymd(r.startsOn), endsOn: ymd(r.endsOn), endedOn: today },
    });
    await tx.notification.create({
      data: {
        dedupeKey: `delegation:${r.id}:ended`,
        recipientStaffId: r.deputyStaffId,
        kind: 'delegation',
        sentAt: now,
        text: `${staff.name}已于 ${today} 提前结束您的代理审批（原定 ${period}）：此后发给${staff.name}的审批卡片不再发给您，您也不能再代${staff.name}办理。`,
      },
    });
    return true;
  });
  if (!ended) {
    ctx.auditNotes.outcome = 'unchanged';
    return '该代理审批已结束，无需再次结束';
  }
  ctx.auditNotes.outcome = 'ended';
  return `已提前结束${r.deputy.name}的代理审批（代理编号 ${r.id}，原定 ${period}），已通知${r.deputy.name}。此后的审批卡片发给您本人。`;
}

export const delegateCommand: BotMiddleware = async (ctx, next) => {
  const e = ctx.event;
  if (e.type === 'button' && e.button.action === END_DELEGATION_BUTTON) {
    await ctx.reply(await endDelegation(ctx, e.button.caseRef ?? ''));
    return;
  }
  if (ctx.command?.name !== 'delegate') return next();
  const end = /^结束(?:\s+#?(\S+))?$/u.exec(ctx.command.args.trim());
  if (end) {
    if (!end[1]) {
      const open = await ctx.prisma.delegation.findMany({
        where: { leaderStaffId: ctx.staff!.id, revokedAt: null, endsOn: { gte: day(toChinaDate(ctx.deps.now())) } },
        include: { deputy: { select: { name: true } } },
        orderBy: { id: 'asc' },
      });
      await ctx.reply(
        open.length === 0
          ? '您当前没有生效的代理审批。'
          : `请发送：/代理审批 结束 <代理编号>。您当前的代理审批：${open.map((d) => `代理编号 ${d.id}：${d.deputy.name}（${ymd(d.startsOn)} 至 ${ymd(d.endsOn)}）`).join('；')}`,
      );
      return;
    }
    await ctx.reply(await endDelegation(ctx, end[1]));
    return;
  }
  const m = /^#?(\d+)\s+(\S+)\s+(\S+)$/u.exec(ctx.command.args);
  if (!m) {
    await ctx.reply(USAGE);
    return;
  }
  // The three groups are not optional: a match has them all.
  const [deputyText, startsOn, endsOn] = [m[1]!, m[2]!, m[3]!];
  for (const [value, label] of [[startsOn, '起始日期'], [endsOn, '截止日期']] as const) {
    if (!isValidLocalDate(value)) {
      await ctx.reply(`“${label}”应为 YYYY-MM-DD 格式的日期，如 2026-12-08`);
      return;
    }
  }
  const staff = ctx.staff!;
  const deputy = await ctx.prisma.staff.findUnique({ where: { id: Number(deputyText) }, select: { id: true, role: true, regionId: true, active: true, name: true } });
  const refused = delegationRefusal({
    leader: { staffId: staff.id, role: staff.role, regionId: staff.regionId },
    deputy: deputy ? { staffId: deputy.id, role: deputy.role, regionId: deputy.regionId, active: deputy.active, name: deputy.name } : null,
    startsOn,
    endsOn,
    today: toChinaDate(ctx.deps.now()),
  });
  if (refused) {
    ctx.auditNotes.outcome = 'refused';
    await ctx.reply(refused);
    return;
  }
  const d = deputy!;
  // The same order twice (a retried message) stores it once.
  const created = await ctx.prisma.$transaction(async (tx) => {
    const same = await tx.delegation.findFirst({ where: { leaderStaffId: staff.id, deputyStaffId: d.id, startsOn: day(startsOn), endsOn: day(endsOn), revokedAt: null } });
    if (same) return { id: same.id, created: false };
    const row = await tx.delegation.create({ data: { leaderStaffId: staff.id, deputyStaffId: d.id, startsOn: day(startsOn), endsOn: day(endsOn), createdByStaffId: staff.id } });
    await appendAudit(tx, {
      actor: `staff:${staff.id}`,
      action: 'delegation.created',
      subjectType: 'Delegation',
      subjectId: String(row.id),
      payload: { leaderStaffId: staff.id, deputyStaffId: d.id, startsOn, endsOn },
    });
    await tx.notification.create({
      data: {
        dedupeKey: `delegation:${row.id}:deputy`,
        recipientStaffId: d.id,
        kind: 'delegation',
        sentAt: ctx.deps.now(),
        text: `${staff.name}指定您在 ${startsOn} 至 ${endsOn} 期间代理审批：期间发给${staff.name}的审批卡片将发给您，卡片注明「${actingForLine(d.name, staff.name)}」。须回避的事项请勿办理。`,
      },
    });
    return { id: row.id, created: true };
  });
  ctx.auditNotes.outcome = created.created ? 'delegated' : 'unchanged';
  const message: BotMessage = {
    title: '代理审批',
    text:
      (created.created
        ? `已指定${d.name}（编号 ${d.id}）在 ${startsOn} 至 ${endsOn} 期间代您审批，已通知${d.name}。期间的审批卡片将注明「${actingForLine(d.name, staff.name)}」。`
        : `${d.name}已是您 ${startsOn} 至 ${endsOn} 的代理审批人。`) + `代理编号 ${created.id}；提前结束请点「结束代理」或发送 /代理审批 结束 ${created.id}。`,
    buttons: [{ label: '结束代理', payload: { action: END_DELEGATION_BUTTON, caseRef: String(created.id) }, style: 'danger' }],
  };
  await ctx.reply(message);
};
