-- CreateEnum
CREATE TYPE "RectificationStatus" AS ENUM ('IN_PROGRESS', 'AWAITING_CONFIRMATION', 'COMPLETED');

-- CreateEnum
CREATE TYPE "ReportingUnitKind" AS ENUM ('SECTION', 'TOWNSHIP', 'VILLAGE');

-- AlterTable
ALTER TABLE "Application" ADD COLUMN     "data" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "householdSize" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "monthlyAmount" DECIMAL(12,2);

-- AlterTable
ALTER TABLE "NearRelativeFiling" ADD COLUMN     "applicationId" INTEGER,
ADD COLUMN     "decisionNote" TEXT,
ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'staff',
ADD COLUMN     "workflowId" TEXT;

-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "actions" JSONB,
ADD COLUMN     "attachments" JSONB,
ADD COLUMN     "workflowId" TEXT;

-- CreateTable
CREATE TABLE "Complaint" (
    "id" SERIAL NOT NULL,
    "countyRegionId" INTEGER NOT NULL,
    "workflowId" TEXT NOT NULL,
    "caseId" INTEGER,
    "ledgerNo" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL,
    "complainantName" TEXT NOT NULL,
    "complainantPhone" TEXT,
    "complainantIdNumber" TEXT,
    "summary" TEXT NOT NULL,
    "subjectRegionId" INTEGER,
    "accusedStaffId" INTEGER,
    "acceptanceNoticeAt" TIMESTAMPTZ(3),
    "extendedAt" TIMESTAMPTZ(3),
    "extensionNoticeAt" TIMESTAMPTZ(3),
    "verificationResult" TEXT,
    "feedbackAt" TIMESTAMPTZ(3),
    "closedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Complaint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DisciplineClue" (
    "id" SERIAL NOT NULL,
    "complaintId" INTEGER,
    "countyRegionId" INTEGER NOT NULL,
    "accusedStaffId" INTEGER,
    "accusedRegionId" INTEGER,
    "summary" TEXT NOT NULL,
    "transferredAt" TIMESTAMPTZ(3),
    "transferredTo" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DisciplineClue_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RectificationItem" (
    "id" SERIAL NOT NULL,
    "countyRegionId" INTEGER NOT NULL,
    "workflowId" TEXT NOT NULL,
    "caseId" INTEGER,
    "seq" INTEGER NOT NULL,
    "problem" TEXT NOT NULL,
    "focusItem" TEXT,
    "source" TEXT NOT NULL,
    "sourceRef" TEXT,
    "responsibleRegionId" INTEGER NOT NULL,
    "responsibleUnit" TEXT NOT NULL,
    "responsibleStaffId" INTEGER NOT NULL,
    "measures" TEXT NOT NULL,
    "deadline" DATE NOT NULL,
    "status" "RectificationStatus" NOT NULL DEFAULT 'IN_PROGRESS',
    "completedAt" TIMESTAMPTZ(3),
    "confirmedByStaffId" INTEGER,
    "recoveredAmount" DECIMAL(14,2) NOT NULL DEFAULT 0,
    "clueTransferred" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RectificationItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RectificationProgress" (
    "id" SERIAL NOT NULL,
    "itemId" INTEGER NOT NULL,
    "updateId" TEXT NOT NULL,
    "note" TEXT NOT NULL,
    "staffId" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "RectificationProgress_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReportingUnit" (
    "id" SERIAL NOT NULL,
    "countyRegionId" INTEGER NOT NULL,
    "kind" "ReportingUnitKind" NOT NULL,
    "name" TEXT NOT NULL,
    "regionId" INTEGER,
    "reporterStaffId" INTEGER,
    "headStaffId" INTEGER,
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "ReportingUnit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReportCycle" (
    "id" SERIAL NOT NULL,
    "countyRegionId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "periodStart" DATE,
    "periodEnd" DATE,
    "dueAt" TIMESTAMPTZ(3) NOT NULL,
    "openedAt" TIMESTAMPTZ(3) NOT NULL,
    "closedAt" TIMESTAMPTZ(3),
    "summary" JSONB,

    CONSTRAINT "ReportCycle_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReportSubmission" (
    "id" SERIAL NOT NULL,
    "cycleId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "submittedByStaffId" INTEGER NOT NULL,
    "submittedAt" TIMESTAMPTZ(3) NOT NULL,
    "late" BOOLEAN NOT NULL DEFAULT false,
    "data" JSONB NOT NULL,
    "updateId" TEXT NOT NULL,

    CONSTRAINT "ReportSubmission_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Complaint_workflowId_key" ON "Complaint"("workflowId");

-- CreateIndex
CREATE UNIQUE INDEX "Complaint_caseId_key" ON "Complaint"("caseId");

-- CreateIndex
CREATE INDEX "Complaint_accusedStaffId_idx" ON "Complaint"("accusedStaffId");

-- CreateIndex
CREATE UNIQUE INDEX "Complaint_countyRegionId_ledgerNo_key" ON "Complaint"("countyRegionId", "ledgerNo");

-- CreateIndex
CREATE UNIQUE INDEX "DisciplineClue_complaintId_key" ON "DisciplineClue"("complaintId");

-- CreateIndex
CREATE UNIQUE INDEX "RectificationItem_workflowId_key" ON "RectificationItem"("workflowId");

-- CreateIndex
CREATE UNIQUE INDEX "RectificationItem_caseId_key" ON "RectificationItem"("caseId");

-- CreateIndex
CREATE INDEX "RectificationItem_responsibleRegionId_status_idx" ON "RectificationItem"("responsibleRegionId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "RectificationItem_countyRegionId_seq_key" ON "RectificationItem"("countyRegionId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "RectificationProgress_updateId_key" ON "RectificationProgress"("updateId");

-- CreateIndex
CREATE UNIQUE INDEX "ReportingUnit_countyRegionId_kind_name_key" ON "ReportingUnit"("countyRegionId", "kind", "name");

-- CreateIndex
CREATE UNIQUE INDEX "ReportCycle_workflowId_key" ON "ReportCycle"("workflowId");

-- CreateIndex
CREATE UNIQUE INDEX "ReportCycle_countyRegionId_kind_period_key" ON "ReportCycle"("countyRegionId", "kind", "period");

-- CreateIndex
CREATE UNIQUE INDEX "ReportSubmission_updateId_key" ON "ReportSubmission"("updateId");

-- CreateIndex
CREATE UNIQUE INDEX "ReportSubmission_cycleId_unitId_key" ON "ReportSubmission"("cycleId", "unitId");

-- CreateIndex
CREATE UNIQUE INDEX "NearRelativeFiling_workflowId_key" ON "NearRelativeFiling"("workflowId");

-- AddForeignKey
ALTER TABLE "RectificationProgress" ADD CONSTRAINT "RectificationProgress_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "RectificationItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReportSubmission" ADD CONSTRAINT "ReportSubmission_cycleId_fkey" FOREIGN KEY ("cycleId") REFERENCES "ReportCycle"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

