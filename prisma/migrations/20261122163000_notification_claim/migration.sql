-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "claimedUntil" TIMESTAMPTZ(3);

