// Who is speaking: the /绑定 command (the one thing an unbound account may do),
// then StaffBinding → Staff for everything else.
import { REBOUND_TEXT, redeemBindingCode, revokeBindingCode } from './binding.js';
import { privateChat } from './alerts.js';
import type { BotMiddleware } from './context.js';
import type { Platform } from './types.js';
import { T } from './texts.js';

/** Handles `/绑定 CODE`; other events pass on. */
export const bindCommand: BotMiddleware = async (ctx, next) => {
  if (ctx.command?.name !== 'bind') return next();
  ctx.auditNotes.command = 'bind';
  if (ctx.isGroup) {
    // The code is now visible to the group: revoke it (the administrator issues a new one).
    ctx.auditNotes.outcome = 'refused-in-group';
    if (ctx.command.args) ctx.auditNotes.revoked = await revokeBindingCode(ctx.prisma, ctx.command.args, ctx.deps.now());
    await ctx.reply(T.bindInGroup);
    return;
  }
  const code = ctx.command.args;
  if (!code) {
    await ctx.reply(T.bindUsage);
    return;
  }
  const result = await redeemBindingCode(ctx.prisma, { platform: ctx.event.platform, externalId: ctx.event.senderId, code, now: ctx.deps.now() });
  if (result.ok) {
    ctx.auditNotes.outcome = result.already ? 'already-bound' : 'bound';
    ctx.auditNotes.staffId = result.staffId;
    await ctx.reply(result.already ? T.alreadyBound(result.staffName) : T.bound(result.staffName));
    // The account this one replaced is told (a leaked code may have been used by someone else).
    for (const old of result.replaced ?? []) {
      ctx.auditNotes.replacedBinding = old.id;
      await ctx.out.send(privateChat(old.platform as Platform, old.externalId), { text: REBOUND_TEXT(result.staffName) }, { dedupeKey: `${ctx.event.platform}:${ctx.event.eventId}:rebound:${old.id}` });
    }
    return;
  }
  ctx.auditNotes.outcome = `refused-${result.reason}`;
  const text = { unknown: T.bindBadCode, expired: T.bindExpired, used: T.bindUsed, otherStaff: T.bindOtherStaff }[result.reason];
  await ctx.reply(text);
};

/** Resolves the sender to a staff member; an unbound (or inactive) sender is told how to bind, and nothing else happens. */
export const resolveIdentity: BotMiddleware = async (ctx, next) => {
  const binding = await ctx.prisma.staffBinding.findUnique({
    where: { platform_externalId: { platform: ctx.event.platform, externalId: ctx.event.senderId } },
  });
  const staff = binding && (await ctx.prisma.staff.findUnique({ where: { id: binding.staffId } }));
  if (!staff?.active) {
    ctx.auditNotes.outcome = 'unbound';
    await ctx.reply(T.unbound);
    return;
  }
  ctx.staff = { id: staff.id, name: staff.name, role: staff.role, regionId: staff.regionId };
  return next();
};
