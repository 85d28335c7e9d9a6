-- 代理审批: a leader names a deputy for a period (leave); approval cards meant for the
-- leader go to the deputy, who may take the leader's steps.
CREATE TABLE "Delegation" (
    "id" SERIAL NOT NULL,
    "leaderStaffId" INTEGER NOT NULL,
    "deputyStaffId" INTEGER NOT NULL,
    "startsOn" DATE NOT NULL,
    "endsOn" DATE NOT NULL,
    "createdByStaffId" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Delegation_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "Delegation_deputyStaffId_endsOn_idx" ON "Delegation"("deputyStaffId", "endsOn");
CREATE INDEX "Delegation_leaderStaffId_endsOn_idx" ON "Delegation"("leaderStaffId", "endsOn");

ALTER TABLE "Delegation" ADD CONSTRAINT "Delegation_leaderStaffId_fkey" FOREIGN KEY ("leaderStaffId") REFERENCES "Staff"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Delegation" ADD CONSTRAINT "Delegation_deputyStaffId_fkey" FOREIGN KEY ("deputyStaffId") REFERENCES "Staff"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
