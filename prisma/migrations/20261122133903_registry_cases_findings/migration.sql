-- The domain registry, cases, filings and findings; SliceRecord becomes Notice
-- (renamed in place, data kept: hand-edited from the generated DROP/CREATE).
-- CreateEnum
CREATE TYPE "RegionLevel" AS ENUM ('COUNTY', 'TOWNSHIP', 'VILLAGE');

-- CreateEnum
CREATE TYPE "StaffRole" AS ENUM ('VILLAGE_COMMITTEE', 'TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD', 'SECTION_CASEWORKER', 'SECTION_HEAD', 'TASKFORCE_OFFICE', 'TASKFORCE_LEADER', 'DISCIPLINE_LIAISON', 'ADMIN');

-- CreateEnum
CREATE TYPE "MemberStatus" AS ENUM ('ALIVE', 'DEAD', 'IN_PRISON');

-- CreateEnum
CREATE TYPE "AssistanceKind" AS ENUM ('URBAN_DIBAO', 'RURAL_DIBAO', 'TEKUN_DISPERSED', 'TEKUN_CENTRALIZED');

-- CreateEnum
CREATE TYPE "EnrolmentStatus" AS ENUM ('ACTIVE', 'ENDED');

-- CreateEnum
CREATE TYPE "PayeeKind" AS ENUM ('HOUSEHOLD', 'INSTITUTION', 'OTHER');

-- CreateEnum
CREATE TYPE "ImportKind" AS ENUM ('roster', 'payments', 'deaths', 'prison', 'relatives', 'staff');

-- CreateEnum
CREATE TYPE "CaseKind" AS ENUM ('DEATH_REVIEW', 'PRISON_EXIT', 'APPLICATION', 'NEAR_RELATIVE_FILING', 'COMPLAINT', 'RECTIFICATION');

-- CreateEnum
CREATE TYPE "CaseStatus" AS ENUM ('OPEN', 'CLOSED');

-- CreateEnum
CREATE TYPE "FilingStatus" AS ENUM ('SUBMITTED', 'MORE_INFO_REQUESTED', 'APPROVED', 'REJECTED');

-- CreateEnum
CREATE TYPE "FindingKind" AS ENUM ('paid_after_death', 'paid_in_prison', 'death_review_overdue', 'duplicate_enrolment', 'payment_missing', 'payment_late', 'payment_short', 'payment_wrong_payee', 'undeclared_near_relative');

-- CreateEnum
CREATE TYPE "FindingStatus" AS ENUM ('OPEN', 'RESOLVED');

-- DropTable
ALTER TABLE "SliceRecord" RENAME TO "Notice";
ALTER TABLE "Notice" RENAME CONSTRAINT "SliceRecord_pkey" TO "Notice_pkey";
ALTER INDEX "SliceRecord_workflowId_key" RENAME TO "Notice_workflowId_key";

-- CreateTable
CREATE TABLE "Region" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "level" "RegionLevel" NOT NULL,
    "parentId" INTEGER,

    CONSTRAINT "Region_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Staff" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "idNumber" TEXT NOT NULL,
    "phone" TEXT,
    "role" "StaffRole" NOT NULL,
    "unit" TEXT NOT NULL,
    "regionId" INTEGER NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Staff_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StaffRelative" (
    "id" SERIAL NOT NULL,
    "staffId" INTEGER NOT NULL,
    "relativeName" TEXT NOT NULL,
    "relativeIdNumber" TEXT NOT NULL,
    "relation" TEXT NOT NULL,
    "declaredAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StaffRelative_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Institution" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "regionId" INTEGER,

    CONSTRAINT "Institution_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Household" (
    "id" SERIAL NOT NULL,
    "regionId" INTEGER NOT NULL,
    "headName" TEXT NOT NULL,
    "headIdNumber" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Household_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Member" (
    "id" SERIAL NOT NULL,
    "householdId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "idNumber" TEXT NOT NULL,
    "relationToHead" TEXT NOT NULL,
    "status" "MemberStatus" NOT NULL DEFAULT 'ALIVE',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Enrolment" (
    "id" SERIAL NOT NULL,
    "householdId" INTEGER NOT NULL,
    "kind" "AssistanceKind" NOT NULL,
    "institutionId" INTEGER,
    "monthlyAmount" DECIMAL(12,2) NOT NULL,
    "startDate" DATE NOT NULL,
    "endDate" DATE,
    "status" "EnrolmentStatus" NOT NULL DEFAULT 'ACTIVE',

    CONSTRAINT "Enrolment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Payment" (
    "id" SERIAL NOT NULL,
    "enrolmentId" INTEGER NOT NULL,
    "householdId" INTEGER NOT NULL,
    "period" TEXT NOT NULL,
    "dueDate" DATE NOT NULL,
    "amountDue" DECIMAL(12,2) NOT NULL,
    "amountPaid" DECIMAL(12,2) NOT NULL,
    "paidDate" DATE,
    "payeeKind" "PayeeKind" NOT NULL,
    "payeeName" TEXT NOT NULL,
    "accountMasked" TEXT,
    "accountHash" TEXT,
    "batchId" INTEGER,

    CONSTRAINT "Payment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeathRecord" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "idNumber" TEXT NOT NULL,
    "deathDate" DATE NOT NULL,
    "source" TEXT NOT NULL,
    "batchId" INTEGER,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DeathRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PrisonRecord" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "idNumber" TEXT NOT NULL,
    "custodyDate" DATE NOT NULL,
    "releaseDate" DATE,
    "source" TEXT NOT NULL,
    "batchId" INTEGER,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PrisonRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ImportBatch" (
    "id" SERIAL NOT NULL,
    "kind" "ImportKind" NOT NULL,
    "fileName" TEXT NOT NULL,
    "fileSha256" TEXT NOT NULL,
    "rowCount" INTEGER NOT NULL,
    "accepted" INTEGER NOT NULL,
    "rejected" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ImportBatch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Case" (
    "id" SERIAL NOT NULL,
    "kind" "CaseKind" NOT NULL,
    "workflowId" TEXT NOT NULL,
    "subjectIdNumber" TEXT,
    "householdId" INTEGER,
    "regionId" INTEGER,
    "assigneeStaffId" INTEGER,
    "status" "CaseStatus" NOT NULL DEFAULT 'OPEN',
    "anchorDate" DATE,
    "dueAt" TIMESTAMPTZ(3),
    "openedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedAt" TIMESTAMPTZ(3),
    "data" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "Case_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NearRelativeFiling" (
    "id" SERIAL NOT NULL,
    "staffId" INTEGER NOT NULL,
    "relativeIdNumber" TEXT NOT NULL,
    "relativeName" TEXT NOT NULL,
    "relation" TEXT NOT NULL,
    "status" "FilingStatus" NOT NULL DEFAULT 'SUBMITTED',
    "filedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" TIMESTAMPTZ(3),
    "decidedByStaffId" INTEGER,
    "homeVisitDate" DATE,
    "homeVisitResult" TEXT,

    CONSTRAINT "NearRelativeFiling_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Application" (
    "id" SERIAL NOT NULL,
    "applicantName" TEXT NOT NULL,
    "applicantIdNumber" TEXT NOT NULL,
    "kind" "AssistanceKind" NOT NULL,
    "regionId" INTEGER NOT NULL,
    "acceptedAt" DATE NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'UNDER_REVIEW',
    "workflowId" TEXT,

    CONSTRAINT "Application_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Finding" (
    "id" SERIAL NOT NULL,
    "kind" "FindingKind" NOT NULL,
    "key" TEXT NOT NULL,
    "idNumber" TEXT NOT NULL,
    "householdId" INTEGER,
    "regionId" INTEGER,
    "period" TEXT,
    "amount" DECIMAL(14,2),
    "evidence" JSONB NOT NULL,
    "status" "FindingStatus" NOT NULL DEFAULT 'OPEN',
    "foundAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Finding_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Region_level_idx" ON "Region"("level");

-- CreateIndex
CREATE UNIQUE INDEX "Region_parentId_name_key" ON "Region"("parentId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Staff_idNumber_key" ON "Staff"("idNumber");

-- CreateIndex
CREATE INDEX "Staff_regionId_role_idx" ON "Staff"("regionId", "role");

-- CreateIndex
CREATE INDEX "StaffRelative_relativeIdNumber_idx" ON "StaffRelative"("relativeIdNumber");

-- CreateIndex
CREATE UNIQUE INDEX "StaffRelative_staffId_relativeIdNumber_key" ON "StaffRelative"("staffId", "relativeIdNumber");

-- CreateIndex
CREATE UNIQUE INDEX "Institution_name_key" ON "Institution"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Household_headIdNumber_key" ON "Household"("headIdNumber");

-- CreateIndex
CREATE INDEX "Household_regionId_idx" ON "Household"("regionId");

-- CreateIndex
CREATE INDEX "Member_idNumber_idx" ON "Member"("idNumber");

-- CreateIndex
CREATE UNIQUE INDEX "Member_householdId_idNumber_key" ON "Member"("householdId", "idNumber");

-- CreateIndex
CREATE INDEX "Enrolment_kind_status_idx" ON "Enrolment"("kind", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Enrolment_householdId_kind_key" ON "Enrolment"("householdId", "kind");

-- CreateIndex
CREATE INDEX "Payment_period_idx" ON "Payment"("period");

-- CreateIndex
CREATE INDEX "Payment_householdId_idx" ON "Payment"("householdId");

-- CreateIndex
CREATE UNIQUE INDEX "Payment_enrolmentId_period_key" ON "Payment"("enrolmentId", "period");

-- CreateIndex
CREATE UNIQUE INDEX "DeathRecord_idNumber_key" ON "DeathRecord"("idNumber");

-- CreateIndex
CREATE UNIQUE INDEX "PrisonRecord_idNumber_custodyDate_key" ON "PrisonRecord"("idNumber", "custodyDate");

-- CreateIndex
CREATE UNIQUE INDEX "ImportBatch_kind_fileSha256_key" ON "ImportBatch"("kind", "fileSha256");

-- CreateIndex
CREATE UNIQUE INDEX "Case_workflowId_key" ON "Case"("workflowId");

-- CreateIndex
CREATE INDEX "Case_kind_status_idx" ON "Case"("kind", "status");

-- CreateIndex
CREATE INDEX "Case_subjectIdNumber_idx" ON "Case"("subjectIdNumber");

-- CreateIndex
CREATE INDEX "Case_assigneeStaffId_status_idx" ON "Case"("assigneeStaffId", "status");

-- CreateIndex
CREATE INDEX "NearRelativeFiling_relativeIdNumber_idx" ON "NearRelativeFiling"("relativeIdNumber");

-- CreateIndex
CREATE INDEX "NearRelativeFiling_staffId_relativeIdNumber_idx" ON "NearRelativeFiling"("staffId", "relativeIdNumber");

-- CreateIndex
CREATE UNIQUE INDEX "Application_workflowId_key" ON "Application"("workflowId");

-- CreateIndex
CREATE INDEX "Application_applicantIdNumber_idx" ON "Application"("applicantIdNumber");

-- CreateIndex
CREATE UNIQUE INDEX "Finding_key_key" ON "Finding"("key");

-- CreateIndex
CREATE INDEX "Finding_kind_status_idx" ON "Finding"("kind", "status");

-- CreateIndex
CREATE INDEX "Finding_regionId_idx" ON "Finding"("regionId");

-- AddForeignKey
ALTER TABLE "Region" ADD CONSTRAINT "Region_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Region"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Staff" ADD CONSTRAINT "Staff_regionId_fkey" FOREIGN KEY ("regionId") REFERENCES "Region"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StaffRelative" ADD CONSTRAINT "StaffRelative_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Institution" ADD CONSTRAINT "Institution_regionId_fkey" FOREIGN KEY ("regionId") REFERENCES "Region"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Household" ADD CONSTRAINT "Household_regionId_fkey" FOREIGN KEY ("regionId") REFERENCES "Region"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Member" ADD CONSTRAINT "Member_householdId_fkey" FOREIGN KEY ("householdId") REFERENCES "Household"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Enrolment" ADD CONSTRAINT "Enrolment_householdId_fkey" FOREIGN KEY ("householdId") REFERENCES "Household"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Enrolment" ADD CONSTRAINT "Enrolment_institutionId_fkey" FOREIGN KEY ("institutionId") REFERENCES "Institution"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Payment" ADD CONSTRAINT "Payment_enrolmentId_fkey" FOREIGN KEY ("enrolmentId") REFERENCES "Enrolment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Payment" ADD CONSTRAINT "Payment_householdId_fkey" FOREIGN KEY ("householdId") REFERENCES "Household"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Payment" ADD CONSTRAINT "Payment_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "ImportBatch"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeathRecord" ADD CONSTRAINT "DeathRecord_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "ImportBatch"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PrisonRecord" ADD CONSTRAINT "PrisonRecord_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "ImportBatch"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NearRelativeFiling" ADD CONSTRAINT "NearRelativeFiling_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
