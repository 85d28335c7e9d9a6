-- The inbox: ProcessedEvent becomes record-then-process (rows from before are done).
ALTER TABLE "ProcessedEvent" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'done',
ADD COLUMN "event" JSONB,
ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "claimedUntil" TIMESTAMPTZ(3),
ADD COLUMN "lastError" TEXT,
ADD COLUMN "doneAt" TIMESTAMPTZ(3);

CREATE INDEX "ProcessedEvent_status_claimedUntil_idx" ON "ProcessedEvent"("status", "claimedUntil");

-- The outbox of replies to inbound events.
CREATE TABLE "OutboxReply" (
    "id" SERIAL NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "chatKind" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'send',
    "targetMessageId" TEXT,
    "message" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMPTZ(3),
    "claimedUntil" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,

    CONSTRAINT "OutboxReply_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "OutboxReply_dedupeKey_key" ON "OutboxReply"("dedupeKey");
CREATE INDEX "OutboxReply_deliveredAt_claimedUntil_idx" ON "OutboxReply"("deliveredAt", "claimedUntil");
