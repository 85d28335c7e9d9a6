-- Each region carries its county and township (issue 16: one home for region lookups): a trigger
-- fills them from the parent on insert and when the parent changes, so no code walks the tree.
ALTER TABLE "Region" ADD COLUMN "countyId" INTEGER, ADD COLUMN "townshipId" INTEGER;

CREATE FUNCTION region_place() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  p RECORD;
BEGIN
  IF NEW.level = 'COUNTY' THEN
    NEW."countyId" := NEW.id;
    NEW."townshipId" := NULL;
    RETURN NEW;
  END IF;
  SELECT id, level, "countyId", "townshipId" INTO p FROM "Region" WHERE id = NEW."parentId";
  IF NOT FOUND THEN
    NEW."countyId" := NULL;
    NEW."townshipId" := NULL;
  ELSIF NEW.level = 'TOWNSHIP' THEN
    NEW."countyId" := p."countyId";
    NEW."townshipId" := NEW.id;
  ELSE
    NEW."countyId" := p."countyId";
    NEW."townshipId" := CASE WHEN p.level = 'TOWNSHIP' THEN p.id ELSE p."townshipId" END;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER region_place BEFORE INSERT OR UPDATE OF "parentId", level ON "Region"
  FOR EACH ROW EXECUTE FUNCTION region_place();

-- A region that moves takes its children along.
CREATE FUNCTION region_place_children() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."countyId" IS DISTINCT FROM OLD."countyId" OR NEW."townshipId" IS DISTINCT FROM OLD."townshipId" THEN
    UPDATE "Region" SET "parentId" = "parentId" WHERE "parentId" = NEW.id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER region_place_children AFTER UPDATE OF "parentId", level ON "Region"
  FOR EACH ROW EXECUTE FUNCTION region_place_children();

UPDATE "Region" SET "parentId" = "parentId" WHERE level = 'COUNTY';
UPDATE "Region" SET "parentId" = "parentId" WHERE level = 'TOWNSHIP';
UPDATE "Region" SET "parentId" = "parentId" WHERE level = 'VILLAGE';

CREATE INDEX "Region_countyId_idx" ON "Region"("countyId");
CREATE INDEX "Region_townshipId_idx" ON "Region"("townshipId");
