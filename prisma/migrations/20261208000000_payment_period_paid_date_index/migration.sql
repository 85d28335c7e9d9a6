-- payment_late reads, per month, the payments paid after the month's deadline: an index range scan of
-- (period, paidDate) instead of a pass over every payment. Same name, so bulk loads rebuild it as before.
DROP INDEX "Payment_period_idx";
CREATE INDEX "Payment_period_idx" ON "Payment"("period", "paidDate");
