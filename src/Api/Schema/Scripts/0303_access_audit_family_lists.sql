-- A list read (obligations, families by flag, disputes, young carers) returns a page of families. It
-- is recorded as one row naming every family on its page in family_ids, as a single request is one
-- access; a read of one family keeps naming it in family_id. One row per family on the page cost four
-- index entries and a heap row each, most of a list request's work. GET /audit/access?familyId=
-- finds a family in either column.
ALTER TABLE access_audit ADD COLUMN family_ids text[];
-- A page's ids run past the size at which a row is compressed; lz4 costs a fraction of pglz's CPU.
ALTER TABLE access_audit ALTER COLUMN family_ids SET COMPRESSION lz4;

-- NOT VALID: the rows already written all pass (family_ids is new), and validating them would hold
-- the table's lock, and so every family read, for a scan of the whole log.
ALTER TABLE access_audit ADD CONSTRAINT access_audit_one_family_column
    CHECK (family_id IS NULL OR family_ids IS NULL) NOT VALID;

CREATE INDEX access_audit_by_families ON access_audit USING gin (family_ids) WHERE family_ids IS NOT NULL;

-- Without statistics for the new column the planner guesses that many rows match a family, and
-- answers GET /audit/access?familyId= by walking the whole log backwards.
ANALYZE access_audit;
