-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "deliveryAttempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lastDeliveryError" TEXT;
