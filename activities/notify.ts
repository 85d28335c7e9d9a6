import type { Database } from './deps.js';
import { asJson, isUniqueViolation } from './rows.js';
import { deputyOf } from '../readmodels/delegation.js';
import { actingForLine, DELEGATING_ROLES } from '../domain/cases/delegation.js';
import { toChinaDate } from '../domain/time/instants.js';
import type { NotificationAttachment } from '../domain/tables/attachments.js';
import { columnValue, notificationActionsSchema, type NotificationAction } from '../domain/columns.js';
import type { NotificationKind } from '../domain/notification-kinds.js';
import { dbNotificationKind } from '../infra/db/kinds.js';

/** A button on a notification (the schema of Notification.actions: domain/columns.ts). */
export type { NotificationAction } from '../domain/columns.js';

export interface NotifyInput {
  recipientStaffId: number;
  /** 'reminder' | 'escalation' | … (stored as is: domain/notification-kinds.ts) */
  kind: NotificationKind;
  /** Chinese text shown to the recipient. */
  text: string;
  /** Deterministic key (`${workflowId}:reminder:7`): one row per key, ever. */
  dedupeKey: string;
  caseId?: number | null;
  /** The workflow the buttons act on. */
  workflowId?: string | null;
  /** Buttons (approve / reject / ask for more information …). */
  actions?: NotificationAction[];
  /** Files to attach (paths relative to the data folder), e.g. the tables of a cycle; delivered after the text. */
  attachments?: NotificationAttachment[];
  /** Workflow time of the notification, ISO-8601. */
  sentAt: string;
}

/**
 * The outbound notification port. For now it writes a `Notification` row that
 * the chat bot delivers later. Safe to retry: the dedupe key is unique, so a
 * second attempt (or a concurrent one) finds the first row and writes nothing.
 */
export function createNotifyActivities(db: Database) {
  return {
    async notify(input: NotifyInput): Promise<{ notificationId: number; created: boolean }> {
      // Written first, found on a conflict: one statement in the usual case (a retry or a concurrent
      // attempt hits the unique dedupe key and reads the row that is there).
      // 代理审批: a card with buttons for a leader with a deputy in force goes to the deputy, saying so.
      let recipientStaffId = input.recipientStaffId;
      let text = input.text;
      if (input.actions?.length) {
        const d = await deputyOf(db.prisma, input.recipientStaffId, toChinaDate(new Date(input.sentAt)));
        if (d && DELEGATING_ROLES.includes(d.leader.role)) {
          recipientStaffId = d.deputy.id;
          text = `【${actingForLine(d.deputy.name, d.leader.name)}】${input.text}`;
        }
      }
      try {
        const row = await db.prisma.notification.create({
          data: {
            dedupeKey: input.dedupeKey,
            recipientStaffId,
            kind: dbNotificationKind(input.kind),
            text,
            caseId: input.caseId ?? null,
            workflowId: input.workflowId ?? null,
            ...(input.actions ? { actions: columnValue(notificationActionsSchema, 'Notification.actions', input.actions) } : {}),
            ...(input.attachments?.length ? { attachments: asJson(input.attachments) } : {}),
            sentAt: new Date(input.sentAt),
          },
          select: { id: true },
        });
        return { notificationId: row.id, created: true };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const row = await db.prisma.notification.findUniqueOrThrow({ where: { dedupeKey: input.dedupeKey } });
        return { notificationId: row.id, created: false };
      }
    },
  };
}

export type NotifyActivities = ReturnType<typeof createNotifyActivities>;
