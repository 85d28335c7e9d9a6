// 代理审批: `/代理审批 <代理人编号> <起> <止>` — a leader (股室负责人, 专班组长) names a deputy
// for a period (leave). In it the leader's approval cards go to the deputy (activities/notify.ts)
// and say 「由 X 代 Y 审批」, and the deputy may take the leader's steps (bot/core/steps/take.ts).
// Refused, in Chinese, for anyone without the standing (domain/cases/delegation.ts); recusal
// stays the deputy's own and is checked on each step. Stored in Delegation, audited.
import { appendAudit } from '../../app/db/audit.js';
import { actingForLine, delegationRefusal } from '../../domain/cases/delegation.js';
import { toChinaDate } from '../../domain/time/instants.js';
import { isValidLocalDate } from '../../domain/time/local-date.js';
import type { BotMiddleware } from './context.js';

const USAGE = '请发送：/代理审批 <代理人编号> <起始日期> <截止日期>，如 /代理审批 32 2026-12-08 2026-12-18';
const day = (d: string) => new Date(`${d}T00:00:00Z`);

export const delegateCommand: BotMiddleware = async (ctx, next) => {
  if (ctx.command?.name !== 'delegate') return next();
  const m = /^#?(\d+)\s+(\S+)\s+(\S+)$/u.exec(ctx.command.args);
  if (!m) {
    await ctx.reply(USAGE);
    return;
  }
  const [, deputyText, startsOn, endsOn] = m as unknown as [string, string, string, string];
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
    if (same) return false;
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
    return true;
  });
  ctx.auditNotes.outcome = created ? 'delegated' : 'unchanged';
  await ctx.reply(
    created
      ? `已指定${d.name}（编号 ${d.id}）在 ${startsOn} 至 ${endsOn} 期间代您审批，已通知${d.name}。期间的审批卡片将注明「${actingForLine(d.name, staff.name)}」。`
      : `${d.name}已是您 ${startsOn} 至 ${endsOn} 的代理审批人。`,
  );
};
