// Buttons on alerts and approval cards (催办、升级、审批). A button names the
// Notification row and the index of its action: `n:<notificationId>:<index>`
// (well inside Telegram's 64 bytes). Pressing it:
//   1. only the person the card was sent to may act (approvals only by the leader named on it);
//   2. the Update goes to the notification's workflow with the platform's event id as update id;
//   3. the card is edited to show the outcome and who decided, buttons removed;
//      a refusal is answered in Chinese and the card keeps its buttons.
import type { NotificationAction } from '../../activities/notify.js';
import type { Prisma } from '../../prisma/generated/client.js';
import type { BotMiddleware } from './context.js';
import { dbId } from './ids.js';
import { formatBeijing } from './my-items.js';
import type { BotMessage, Button } from './types.js';

export const NOTIFICATION_BUTTON = 'n';

/** Titles per notification kind, shown on the card. */
export const NOTIFICATION_TITLES: Record<string, string> = {
  reminder: '催办提醒',
  escalation: '逾期升级',
  approval: '待您审批',
  prompt: '请填报',
  summary: '汇总',
  digest: '今日待办',
  alert: '预警',
};

export function notificationActions(value: Prisma.JsonValue | null | undefined): NotificationAction[] {
  return Array.isArray(value) ? (value as unknown as NotificationAction[]) : [];
}

export function notificationButtons(notificationId: number, actions: readonly NotificationAction[]): Button[] {
  return actions.map((a, i) => ({
    label: a.label,
    style: a.style ?? 'default',
    payload: { action: NOTIFICATION_BUTTON, caseRef: String(notificationId), value: String(i) },
  }));
}

/** The message a notification is delivered as. */
export function notificationMessage(n: { id: number; kind: string; text: string; actions: Prisma.JsonValue | null; workflowId: string | null }): BotMessage {
  const actions = n.workflowId ? notificationActions(n.actions) : [];
  return {
    title: NOTIFICATION_TITLES[n.kind] ?? '通知',
    text: n.text,
    ...(actions.length ? { buttons: notificationButtons(n.id, actions) } : {}),
  };
}

function describeResult(result: unknown): string | undefined {
  if (result && typeof result === 'object' && 'message' in result && typeof (result as { message: unknown }).message === 'string') {
    return (result as { message: string }).message;
  }
  return undefined;
}

export const notificationButtonPress: BotMiddleware = async (ctx, next) => {
  const { event } = ctx;
  if (event.type !== 'button' || event.button.action !== NOTIFICATION_BUTTON) return next();
  const staff = ctx.staff!;
  const id = dbId(event.button.caseRef);
  const index = Number(event.button.value);
  const row = id !== undefined ? await ctx.prisma.notification.findUnique({ where: { id } }) : null;
  const action = row?.workflowId ? notificationActions(row.actions)[index] : undefined;
  if (!row || !row.workflowId || !action) {
    ctx.auditNotes.outcome = 'unknown-button';
    await ctx.reply('该按钮已失效，请发送 /我的待办 查看当前事项。');
    return;
  }
  ctx.auditNotes.notificationId = row.id;
  ctx.auditNotes.update = action.update;
  if (row.recipientStaffId !== staff.id) {
    ctx.auditNotes.outcome = 'not-recipient';
    const owner = await ctx.prisma.staff.findUnique({ where: { id: row.recipientStaffId }, select: { name: true } });
    await ctx.reply(`此事项只能由${owner?.name ?? '卡片上指定的人员'}本人处理。`);
    return;
  }
  const gateway = ctx.deps.workflows;
  if (!gateway) {
    ctx.auditNotes.outcome = 'no-gateway';
    await ctx.reply('审批服务暂不可用，请稍后再试。');
    return;
  }
  const outcome = await gateway.update({
    workflowId: row.workflowId,
    update: action.update,
    args: { ...(action.args ?? {}), byStaffId: staff.id },
    updateId: `${event.platform}:${event.eventId}`,
  });
  if (!outcome.ok) {
    ctx.auditNotes.outcome = 'refused';
    await ctx.reply(`未能办理：${outcome.message}`);
    return;
  }
  ctx.auditNotes.outcome = 'done';
  const detail = describeResult(outcome.result);
  await ctx.answer({
    title: `${NOTIFICATION_TITLES[row.kind] ?? '通知'}：已处理`,
    text: row.text,
    fields: [
      { label: '处理结果', value: detail ?? action.label },
      { label: '处理人', value: staff.name },
      { label: '时间', value: formatBeijing(ctx.deps.now()) },
    ],
    buttons: [],
  });
};
