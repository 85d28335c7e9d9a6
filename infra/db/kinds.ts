// The kinds stored in enum columns whose values are not TypeScript identifiers (issue 16, typed
// state). The domain and the workflows speak the stored values ('approval-request', 'phase-summary');
// Prisma names them with identifiers (`approvalRequest @map("approval-request")`). These tables
// convert at the database boundary; the compiler checks that they cover both sets, and
// test/unit/enum-kinds.test.ts that each pair is the schema's @map.
import type { NotificationKind as DbNotificationKind, ReportCycleKind as DbReportCycleKind } from '../../prisma/generated/enums.js';
import type { ReportCycleKind } from '../../domain/cycles/ids.js';
import type { NotificationKind } from '../../domain/notification-kinds.js';

export type { DbNotificationKind, DbReportCycleKind };

/** Every value of `V` is used: a Prisma enum member without a domain kind fails to compile. */
type Covers<M extends Record<string, string>, V extends string> = [Exclude<V, M[keyof M]>] extends [never] ? M : never;

const NOTIFICATION_KIND_DB = {
  notice: 'notice',
  reminder: 'reminder',
  escalation: 'escalation',
  approval: 'approval',
  'approval-request': 'approvalRequest',
  prompt: 'prompt',
  'report-prompt': 'reportPrompt',
  'more-info': 'moreInfo',
  'rectification-rejected': 'rectificationRejected',
  summary: 'summary',
  digest: 'digest',
  alert: 'alert',
  'refusal-notice': 'refusalNotice',
  complaint: 'complaint',
  outcome: 'outcome',
  release: 'release',
  'village-chain': 'villageChain',
  'payment-alert': 'paymentAlert',
  'payment-summary': 'paymentSummary',
  'report-aggregate': 'reportAggregate',
  'review-item': 'reviewItem',
  transfer: 'transfer',
  delegation: 'delegation',
  'calendar-gap': 'calendarGap',
} as const satisfies Record<NotificationKind, DbNotificationKind>;
const notificationKindDb: Covers<typeof NOTIFICATION_KIND_DB, DbNotificationKind> = NOTIFICATION_KIND_DB;

const REPORT_CYCLE_KIND_DB = {
  progress: 'progress',
  'phase-summary': 'phaseSummary',
  'village-chain': 'villageChain',
} as const satisfies Record<ReportCycleKind, DbReportCycleKind>;
const reportCycleKindDb: Covers<typeof REPORT_CYCLE_KIND_DB, DbReportCycleKind> = REPORT_CYCLE_KIND_DB;

function invert<K extends string, V extends string>(table: Readonly<Record<K, V>>, what: string): Readonly<Record<V, K>> {
  const out = {} as Record<V, K>;
  for (const [k, v] of Object.entries(table) as Array<[K, V]>) {
    if (out[v] !== undefined) throw new Error(`${what}: ${v} stands for both ${out[v]} and ${k}`);
    out[v] = k;
  }
  return out;
}

const NOTIFICATION_KIND_OF = invert<NotificationKind, DbNotificationKind>(notificationKindDb, 'NotificationKind');
const REPORT_CYCLE_KIND_OF = invert<ReportCycleKind, DbReportCycleKind>(reportCycleKindDb, 'ReportCycleKind');

function lookup<K extends string, V>(table: Readonly<Record<K, V>>, key: K, what: string): V {
  const v = Object.hasOwn(table, key) ? table[key] : undefined;
  if (v === undefined) throw new Error(`unknown ${what}: ${String(key)}`);
  return v;
}

/** The Prisma enum member of a notification kind (what a query writes or filters by). */
export const dbNotificationKind = (kind: NotificationKind): DbNotificationKind => lookup(notificationKindDb, kind, 'notification kind');
/** The notification kind of a Prisma enum member (what a row read says). */
export const notificationKindOf = (kind: DbNotificationKind): NotificationKind => lookup(NOTIFICATION_KIND_OF, kind, 'NotificationKind');
/** The Prisma enum member of a reporting cycle kind. */
export const dbReportCycleKind = (kind: ReportCycleKind): DbReportCycleKind => lookup(reportCycleKindDb, kind, 'report cycle kind');
/** The reporting cycle kind of a Prisma enum member. */
export const reportCycleKindOf = (kind: DbReportCycleKind): ReportCycleKind => lookup(REPORT_CYCLE_KIND_OF, kind, 'ReportCycleKind');

/** Both tables, for the test that compares them with schema.prisma. */
export const KIND_TABLES = { NotificationKind: notificationKindDb, ReportCycleKind: reportCycleKindDb } as const;
