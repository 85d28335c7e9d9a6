-- One row per `jiuzhu match` run: what it judged (as-of date, counties, full or incremental), the
-- high-water marks of the data it saw (for the next incremental run) and its summary.
CREATE TABLE "MatchRun" (
    "id" SERIAL NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),
    "asOf" TEXT NOT NULL,
    "full" BOOLEAN NOT NULL,
    "countyIds" INTEGER[],
    "watermarks" JSONB NOT NULL DEFAULT '{}',
    "summary" JSONB,

    CONSTRAINT "MatchRun_pkey" PRIMARY KEY ("id")
);

-- A finding a later run no longer produces is cleared (线索已消除) by that run; it is reopened
-- (both columns back to NULL) when a run produces it again.
ALTER TABLE "Finding" ADD COLUMN "clearedAt" TIMESTAMPTZ(3),
ADD COLUMN "clearedByRunId" INTEGER;

ALTER TABLE "Finding" ADD CONSTRAINT "Finding_clearedByRunId_fkey" FOREIGN KEY ("clearedByRunId") REFERENCES "MatchRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE INDEX "Finding_clearedByRunId_idx" ON "Finding"("clearedByRunId");
