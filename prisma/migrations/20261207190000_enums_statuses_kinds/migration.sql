-- Issue 16 (typed state): closed sets of statuses and kinds become enums. Existing rows are converted
-- by a cast; a row with a value outside the set makes the cast (and so the whole migration) fail,
-- naming the value ("invalid input value for enum …").

CREATE TYPE "InboxStatus" AS ENUM ('pending', 'done', 'failed');
CREATE TYPE "ChatKind" AS ENUM ('group', 'private');
CREATE TYPE "OutboxReplyKind" AS ENUM ('send', 'edit');
CREATE TYPE "ChatPlatform" AS ENUM ('feishu', 'telegram', 'console');
CREATE TYPE "ApplicationStatus" AS ENUM ('UNDER_REVIEW', 'INVESTIGATING', 'PUBLICITY', 'COUNTY_REVIEW', 'APPROVED', 'REFUSED', 'REFUSED_NOTIFIED');
CREATE TYPE "WorkOrderKind" AS ENUM ('deathReview', 'prisonExit', 'rectification', 'askFiling', 'applicationReview');

ALTER TABLE "ProcessedEvent" ALTER COLUMN "status" DROP DEFAULT;
ALTER TABLE "ProcessedEvent" ALTER COLUMN "status" TYPE "InboxStatus" USING "status"::"InboxStatus";
ALTER TABLE "ProcessedEvent" ALTER COLUMN "status" SET DEFAULT 'done';

ALTER TABLE "OutboxReply" ALTER COLUMN "chatKind" TYPE "ChatKind" USING "chatKind"::"ChatKind";
ALTER TABLE "OutboxReply" ALTER COLUMN "kind" DROP DEFAULT;
ALTER TABLE "OutboxReply" ALTER COLUMN "kind" TYPE "OutboxReplyKind" USING "kind"::"OutboxReplyKind";
ALTER TABLE "OutboxReply" ALTER COLUMN "kind" SET DEFAULT 'send';

ALTER TABLE "StaffBinding" ALTER COLUMN "platform" TYPE "ChatPlatform" USING "platform"::"ChatPlatform";

ALTER TABLE "Application" ALTER COLUMN "status" DROP DEFAULT;
ALTER TABLE "Application" ALTER COLUMN "status" TYPE "ApplicationStatus" USING "status"::"ApplicationStatus";
ALTER TABLE "Application" ALTER COLUMN "status" SET DEFAULT 'UNDER_REVIEW';

ALTER TABLE "WorkOrder" ALTER COLUMN "kind" TYPE "WorkOrderKind" USING "kind"::"WorkOrderKind";
