// Every inbound action leaves an audit entry, with masked data only: the
// handlers put what matters into ctx.auditNotes (command, step, outcome,
// masked values); raw message text is never stored. The entry and the inbox
// row's "done" mark are written in one transaction: a crash before it leaves
// the event pending (processed again, idempotently), never audited twice. A
// failed attempt writes no entry (the inbox keeps the attempt and its error;
// the processor audits an event it gives up on).
import { appendAudit } from '../../infra/audit-chain.js';
import { markInboxDone } from './inbox.js';
import type { BotMiddleware } from './context.js';

export const auditActions: BotMiddleware = async (ctx, next) => {
  let failure: unknown;
  try {
    await next();
  } catch (err) {
    failure = err;
  }
  if (failure && ctx.inboxId) throw failure;
  const { event } = ctx;
  const entry = {
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
  };
  const inboxId = ctx.inboxId;
  await ctx.prisma.$transaction(async (tx) => {
    await appendAudit(tx, entry);
    if (inboxId) await markInboxDone(tx, inboxId);
  });
  if (failure) throw failure;
};
