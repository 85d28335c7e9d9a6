-- Issue 16 (typed state): Notification.kind and ReportCycle.kind become enums. The enum values are the
-- hyphenated kinds already stored (schema.prisma maps them to TypeScript-friendly names with @map), so
-- existing rows keep their values: the columns are converted by a cast, and a row with a value outside
-- the set makes the cast (and so the whole migration) fail, naming the value
-- ("invalid input value for enum …"), instead of losing it.

CREATE TYPE "NotificationKind" AS ENUM ('notice', 'reminder', 'escalation', 'approval', 'approval-request', 'prompt', 'report-prompt', 'more-info', 'rectification-rejected', 'summary', 'digest', 'alert', 'refusal-notice', 'complaint', 'outcome', 'release', 'village-chain', 'payment-alert', 'payment-summary', 'report-aggregate', 'review-item', 'transfer', 'delegation', 'calendar-gap');
CREATE TYPE "ReportCycleKind" AS ENUM ('progress', 'phase-summary', 'village-chain');

ALTER TABLE "Notification" ALTER COLUMN "kind" TYPE "NotificationKind" USING "kind"::"NotificationKind";

ALTER TABLE "ReportCycle" ALTER COLUMN "kind" TYPE "ReportCycleKind" USING "kind"::"ReportCycleKind";
