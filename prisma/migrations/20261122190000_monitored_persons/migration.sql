-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "ImportKind" ADD VALUE 'monitored';
ALTER TYPE "ImportKind" ADD VALUE 'units';

-- CreateTable
CREATE TABLE "MonitoredPerson" (
    "id" SERIAL NOT NULL,
    "regionId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "idNumber" TEXT NOT NULL,
    "disabilityKind" TEXT NOT NULL,
    "disabilityGrade" INTEGER NOT NULL,
    "identifiedAt" DATE NOT NULL,
    "source" TEXT NOT NULL,
    "measure" TEXT,
    "measureDate" DATE,
    "remarks" TEXT,
    "batchId" INTEGER,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "MonitoredPerson_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "MonitoredPerson_regionId_idx" ON "MonitoredPerson"("regionId");

-- CreateIndex
CREATE UNIQUE INDEX "MonitoredPerson_idNumber_identifiedAt_key" ON "MonitoredPerson"("idNumber", "identifiedAt");

-- AddForeignKey
ALTER TABLE "MonitoredPerson" ADD CONSTRAINT "MonitoredPerson_regionId_fkey" FOREIGN KEY ("regionId") REFERENCES "Region"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MonitoredPerson" ADD CONSTRAINT "MonitoredPerson_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "ImportBatch"("id") ON DELETE SET NULL ON UPDATE CASCADE;

