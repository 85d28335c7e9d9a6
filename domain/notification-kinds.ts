/**
 * What a notification is (Notification.kind): the closed set of kinds the
 * workflows and activities send. These are the values stored in the database
 * and recorded in workflow histories (hyphenated); the Prisma enum
 * `NotificationKind` gives each a TypeScript identifier with `@map` (e.g.
 * `approvalRequest @map("approval-request")`), and infra/db/kinds.ts converts
 * between the two at the database boundary.
 */
export const NOTIFICATION_KINDS = [
  'notice',
  'reminder',
  'escalation',
  'approval',
  'approval-request',
  'prompt',
  'report-prompt',
  'more-info',
  'rectification-rejected',
  'summary',
  'digest',
  'alert',
  'refusal-notice',
  'complaint',
  'outcome',
  'release',
  'village-chain',
  'payment-alert',
  'payment-summary',
  'report-aggregate',
  'review-item',
  'transfer',
  'delegation',
  'calendar-gap',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

const KIND_SET: ReadonlySet<string> = new Set(NOTIFICATION_KINDS);
export const isNotificationKind = (value: string): value is NotificationKind => KIND_SET.has(value);
