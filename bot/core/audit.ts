// Every inbound action leaves an audit entry, with masked data only: the
// handlers put what matters into ctx.auditNotes (command, step, outcome,
// masked values); raw message text is never stored.
import { appendAudit } from '../../app/db/audit.js';
import type { BotMiddleware } from './context.js';

export const auditActions: BotMiddleware = async (ctx, next) => {
  let failure: unknown;
  try {
    await next();
  } catch (err) {
    failure = err;
  }
  const { event } = ctx;
  await appendAudit(ctx.prisma, {
    actor: ctx.staff ? `staff:${ctx.staff.id}` : `${event.platform}:${event.senderId}`,
    action: `bot.${event.type === 'button' ? `button.${event.button.action}` : event.type === 'form' ? `form.${event.form.action}` : (ctx.command?.name ?? 'text')}`,
    subjectType: 'chat',
    subjectId: `${event.platform}:${event.chat.id}`,
    payload: {
      eventId: event.eventId,
      chatKind: event.chat.kind,
      ...ctx.auditNotes,
      ...(failure ? { error: failure instanceof Error ? failure.message.slice(0, 200) : 'error' } : {}),
    },
  });
  if (failure) throw failure;
};
