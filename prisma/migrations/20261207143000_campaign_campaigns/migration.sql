-- CreateTable
CREATE TABLE "Campaign" (
    "id" SERIAL NOT NULL,
    "countyCode" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "windowStart" DATE NOT NULL,
    "windowEnd" DATE NOT NULL,
    "policy" JSONB NOT NULL,
    "source" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "supersededAt" TIMESTAMPTZ(3),

    CONSTRAINT "Campaign_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Campaign_countyCode_windowStart_idx" ON "Campaign"("countyCode", "windowStart");
