-- Incremental re-matching (issue 15): what changed in the data the cross-matching reads, recorded by
-- statement-level triggers (one row per household and period touched, one per period for new payments),
-- with the id of the
-- writing transaction. A match run stores its snapshot (MatchRun.watermarks); the next run reconsiders
-- only what the changes its snapshot did not see can affect (activities/matching/incremental.ts).
CREATE TABLE "MatchChange" (
    "id" BIGSERIAL NOT NULL,
    "xid" BIGINT NOT NULL,
    "source" TEXT NOT NULL,
    "householdId" INTEGER,
    "period" TEXT,
    "idNumber" TEXT,

    CONSTRAINT "MatchChange_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "MatchChange_xid_idx" ON "MatchChange"("xid");

CREATE FUNCTION match_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  x bigint := pg_current_xact_id()::text::bigint;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    INSERT INTO "MatchChange" (xid, source) VALUES (x, TG_TABLE_NAME || ':truncate');
    RETURN NULL;
  END IF;
  IF TG_TABLE_NAME = 'Payment' THEN
    IF TG_OP = 'INSERT' THEN
      -- New payments (a monthly import): their periods only; the run finds the households it needs from the
      -- payments themselves. Corrections and deletions: household and period, before and after.
      INSERT INTO "MatchChange" (xid, source, period) SELECT DISTINCT x, 'Payment:new', period FROM new_rows;
    ELSE
      INSERT INTO "MatchChange" (xid, source, "householdId", period) SELECT DISTINCT x, 'Payment', "householdId", period FROM old_rows;
    END IF;
    IF TG_OP = 'UPDATE' THEN
      INSERT INTO "MatchChange" (xid, source, "householdId", period) SELECT DISTINCT x, 'Payment', "householdId", period FROM new_rows;
    END IF;
  ELSIF TG_TABLE_NAME = 'Enrolment' THEN
    IF TG_OP <> 'DELETE' THEN INSERT INTO "MatchChange" (xid, source, "householdId") SELECT DISTINCT x, 'Enrolment', "householdId" FROM new_rows; END IF;
    IF TG_OP <> 'INSERT' THEN INSERT INTO "MatchChange" (xid, source, "householdId") SELECT DISTINCT x, 'Enrolment', "householdId" FROM old_rows; END IF;
  ELSIF TG_TABLE_NAME = 'Household' THEN
    IF TG_OP <> 'DELETE' THEN INSERT INTO "MatchChange" (xid, source, "householdId", "idNumber") SELECT x, 'Household', id, "headIdNumber" FROM new_rows; END IF;
    IF TG_OP <> 'INSERT' THEN INSERT INTO "MatchChange" (xid, source, "householdId", "idNumber") SELECT x, 'Household', id, "headIdNumber" FROM old_rows; END IF;
  ELSIF TG_TABLE_NAME = 'Member' THEN
    IF TG_OP <> 'DELETE' THEN INSERT INTO "MatchChange" (xid, source, "householdId", "idNumber") SELECT DISTINCT x, 'Member', "householdId", "idNumber" FROM new_rows; END IF;
    IF TG_OP <> 'INSERT' THEN INSERT INTO "MatchChange" (xid, source, "householdId", "idNumber") SELECT DISTINCT x, 'Member', "householdId", "idNumber" FROM old_rows; END IF;
  ELSIF TG_TABLE_NAME IN ('DeathRecord', 'PrisonRecord') THEN
    IF TG_OP <> 'DELETE' THEN INSERT INTO "MatchChange" (xid, source, "idNumber") SELECT DISTINCT x, TG_TABLE_NAME, "idNumber" FROM new_rows; END IF;
    IF TG_OP <> 'INSERT' THEN INSERT INTO "MatchChange" (xid, source, "idNumber") SELECT DISTINCT x, TG_TABLE_NAME, "idNumber" FROM old_rows; END IF;
  ELSIF TG_TABLE_NAME = 'Case' THEN
    IF TG_OP <> 'DELETE' THEN
      INSERT INTO "MatchChange" (xid, source, "idNumber")
      SELECT DISTINCT x, 'Case', "subjectIdNumber" FROM new_rows WHERE kind = 'DEATH_REVIEW' AND "subjectIdNumber" IS NOT NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
      INSERT INTO "MatchChange" (xid, source, "idNumber")
      SELECT DISTINCT x, 'Case', "subjectIdNumber" FROM old_rows WHERE kind = 'DEATH_REVIEW' AND "subjectIdNumber" IS NOT NULL;
    END IF;
  ELSE
    -- Staff, StaffRelative, NearRelativeFiling, Application (the near-relative check), Institution, Region:
    -- one row per statement.
    INSERT INTO "MatchChange" (xid, source) VALUES (x, TG_TABLE_NAME);
  END IF;
  RETURN NULL;
END $$;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['Payment', 'Enrolment', 'Household', 'Member', 'DeathRecord', 'PrisonRecord', 'Case'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION match_change()', t || '_match_ins', t);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION match_change()', t || '_match_upd', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION match_change()', t || '_match_del', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['Staff', 'StaffRelative', 'NearRelativeFiling', 'Application', 'Institution', 'Region'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH STATEMENT EXECUTE FUNCTION match_change()', t || '_match_chg', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['Payment', 'Enrolment', 'Household', 'Member', 'DeathRecord', 'PrisonRecord', 'Case', 'Staff', 'StaffRelative', 'NearRelativeFiling', 'Application', 'Institution', 'Region'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION match_change()', t || '_match_trunc', t);
  END LOOP;
END $$;
