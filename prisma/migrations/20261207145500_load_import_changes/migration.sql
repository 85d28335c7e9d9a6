-- CreateTable
CREATE TABLE "ImportChange" (
    "id" SERIAL NOT NULL,
    "batchId" INTEGER NOT NULL,
    "table" TEXT NOT NULL,
    "rowId" INTEGER NOT NULL,
    "householdId" INTEGER,
    "period" TEXT,
    "previousBatchId" INTEGER,
    "oldValues" JSONB NOT NULL,
    "newValues" JSONB NOT NULL,
    "actor" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ImportChange_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ImportChange_table_rowId_idx" ON "ImportChange"("table", "rowId");

-- CreateIndex
CREATE INDEX "ImportChange_householdId_period_idx" ON "ImportChange"("householdId", "period");

-- CreateIndex
CREATE INDEX "ImportChange_batchId_idx" ON "ImportChange"("batchId");

-- AddForeignKey
ALTER TABLE "ImportChange" ADD CONSTRAINT "ImportChange_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "ImportBatch"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

