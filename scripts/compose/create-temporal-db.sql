-- Temporal's auto-setup creates its own databases when missing; this only makes
-- sure the application role may do so on first start.
ALTER ROLE jiuzhu CREATEDB;
