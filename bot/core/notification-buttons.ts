// Buttons on alerts and approval cards (催办、升级、审批). A button names the
// Notification row and the index of its action: `n:<notificationId>:<index>`
// (well inside Telegram's 64 bytes); each stored action names a step (a step id
// of the registry, with the values it fills in). Every reminder, escalation and
// approval card also carries 「办理」 (`s:n<id>:next`): the first step of its
// case the presser may take now. Pressing an action button:
//   1. only the person the card was sent to may act (approvals only by the leader named on it);
//   2. the step opens (its form), or acts at once when the button's values answer every
//      required field — as an Update with the platform's event id as update id;
//   3. the card is edited to show the outcome and who decided, buttons removed;
//      a refusal is answered in Chinese and the card keeps its buttons.
import { notificationActionsSchema, parseColumn, type NotificationAction } from '../../domain/columns.js';
import type { NotificationKind } from '../../domain/notification-kinds.js';
import type { Prisma } from '../../prisma/generated/client.js';
import type { BotMiddleware } from './context.js';
import type { FormRunner } from './forms/engine.js';
import { openStepAction } from './steps/card.js';
import { openStep } from './steps/front-door.js';
import { stepOfAction } from './steps/registry.js';
import { notificationRef } from './steps/target.js';
import { dbId } from './ids.js';
import type { BotMessage, Button } from './types.js';

export const NOTIFICATION_BUTTON = 'n';

/**
 * Titles per notification kind, shown on the card: one for every kind (the
 * compiler checks); looked up by any string, a kind outside the set has none.
 */
export const NOTIFICATION_TITLES: Readonly<Record<NotificationKind, string>> & Readonly<Partial<Record<string, string>>> = {
  notice: '定时提醒',
  reminder: '催办提醒',
  escalation: '逾期升级',
  approval: '待您审批',
  'approval-request': '待您审批',
  prompt: '请填报',
  'report-prompt': '请填报',
  'more-info': '请补充材料',
  'rectification-rejected': '整改退回',
  summary: '汇总',
  digest: '今日待办',
  alert: '预警',
  'refusal-notice': '不予批准告知书待送达',
  complaint: '新投诉举报',
  outcome: '审批结果',
  release: '刑满释放',
  'village-chain': '村级月报',
  'payment-alert': '发放预警',
  'payment-summary': '发放汇总',
  'report-aggregate': '填报汇总',
  'review-item': '复核事项',
  transfer: '案件转办',
  delegation: '代理审批',
  'calendar-gap': '节假日数据待录入',
};

/** Kinds whose card carries 「办理」 for the case's next step. */
const ACTIONABLE: ReadonlySet<NotificationKind> = new Set<NotificationKind>(['reminder', 'escalation', 'approval', 'approval-request', 'prompt', 'report-prompt', 'more-info', 'rectification-rejected']);

/** The buttons of a notification row (none when the column is empty); a malformed column fails naming the field. */
export function notificationActions(value: Prisma.JsonValue | null | undefined, where?: string): NotificationAction[] {
  return value === null || value === undefined ? [] : parseColumn(notificationActionsSchema, 'Notification.actions', value, where);
}

export function notificationButtons(notificationId: number, actions: readonly NotificationAction[]): Button[] {
  return actions.map((a, i) => ({
    label: a.label,
    style: a.style ?? 'default',
    payload: { action: NOTIFICATION_BUTTON, caseRef: String(notificationId), value: String(i) },
  }));
}

/** The message a notification is delivered as. */
export function notificationMessage(n: { id: number; kind: NotificationKind; text: string; actions: Prisma.JsonValue | null; workflowId: string | null; caseId?: number | null }): BotMessage {
  const actions = n.workflowId ? notificationActions(n.actions, `#${n.id}`) : [];
  const buttons = notificationButtons(n.id, actions);
  if ((n.workflowId || n.caseId) && ACTIONABLE.has(n.kind)) {
    buttons.push({ label: actions.length ? '办理（填写意见）' : '办理', style: actions.length ? 'default' : 'primary', payload: openStepAction(notificationRef(n.id), 'next') });
  }
  return {
    title: NOTIFICATION_TITLES[n.kind],
    text: n.text,
    ...(buttons.length ? { buttons } : {}),
  };
}

/** The button's values as form values (legacy rows stored typed arguments). */
function presetOf(action: NotificationAction): Record<string, string> {
  if (action.values) return action.values;
  return Object.fromEntries(Object.entries(action.args ?? {}).map(([k, v]) => [k, String(v)]));
}

export function notificationButtonPress(forms: FormRunner): BotMiddleware {
  return async (ctx, next) => {
    const { event } = ctx;
    if (event.type !== 'button' || event.button.action !== NOTIFICATION_BUTTON) return next();
    const staff = ctx.staff!;
    const id = dbId(event.button.caseRef);
    const index = Number(event.button.value);
    const row = id !== undefined ? await ctx.prisma.notification.findUnique({ where: { id } }) : null;
    const action = row?.workflowId ? notificationActions(row.actions, `#${row.id}`)[index] : undefined;
    const reg = row?.workflowId && action ? stepOfAction(row.workflowId, action) : undefined;
    if (!row || !action || !reg) {
      ctx.auditNotes.outcome = 'unknown-button';
      await ctx.reply('该按钮已失效，请发送 /我的待办 查看当前事项。');
      return;
    }
    ctx.auditNotes.notificationId = row.id;
    ctx.auditNotes.step = reg.step.id;
    if (row.recipientStaffId !== staff.id) {
      ctx.auditNotes.outcome = 'not-recipient';
      const owner = await ctx.prisma.staff.findUnique({ where: { id: row.recipientStaffId }, select: { name: true } });
      await ctx.reply(`此事项只能由${owner?.name ?? '卡片上指定的人员'}本人处理。`);
      return;
    }
    if (!ctx.deps.workflows) {
      ctx.auditNotes.outcome = 'no-gateway';
      await ctx.reply('审批服务暂不可用，请稍后再试。');
      return;
    }
    await openStep(ctx, forms, reg.step.id, notificationRef(row.id), presetOf(action));
  };
}
