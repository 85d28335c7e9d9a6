-- Findings become work (issue 13): the applications import kind (the cleared marker of a finding
-- comes from 20261207143500_perf_finding_cleared),
-- and the ledger of work that imports and matches must open (opened by the findings-to-work workflow).

-- AlterEnum
ALTER TYPE "ImportKind" ADD VALUE 'applications';

-- CreateTable
CREATE TABLE "WorkOrder" (
    "id" SERIAL NOT NULL,
    "countyRegionId" INTEGER NOT NULL,
    "workflowId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "findingId" INTEGER,
    "input" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "openedAt" TIMESTAMPTZ(3),
    "outcome" TEXT,
    "lastError" TEXT,

    CONSTRAINT "WorkOrder_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "WorkOrder_workflowId_key" ON "WorkOrder"("workflowId");

-- CreateIndex
CREATE INDEX "WorkOrder_countyRegionId_openedAt_idx" ON "WorkOrder"("countyRegionId", "openedAt");

-- CreateIndex
CREATE INDEX "WorkOrder_findingId_idx" ON "WorkOrder"("findingId");
