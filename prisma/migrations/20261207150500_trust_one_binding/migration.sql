-- One binding per person and platform: keep each person's newest binding per platform.
DELETE FROM "StaffBinding" a USING "StaffBinding" b
 WHERE a."staffId" = b."staffId" AND a."platform" = b."platform" AND a."id" < b."id";

CREATE UNIQUE INDEX "StaffBinding_staffId_platform_key" ON "StaffBinding"("staffId", "platform");
