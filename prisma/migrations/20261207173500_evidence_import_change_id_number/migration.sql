-- The person an import change is about, for the tables kept by ID number (DeathRecord, PrisonRecord,
-- StaffRelative: the relative): findings about that person match their changes by it.
-- AlterTable
ALTER TABLE "ImportChange" ADD COLUMN "idNumber" TEXT;

-- CreateIndex
CREATE INDEX "ImportChange_idNumber_idx" ON "ImportChange"("idNumber");
