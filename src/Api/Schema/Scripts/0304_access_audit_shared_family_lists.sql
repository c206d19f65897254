-- A list page's families are stored once per distinct list, and each access names its list by the
-- list's SHA-256. Callers poll the same pages (the first page of overdue obligations, say), and a
-- row naming a page's 50 families inline cost about 2 kB of heap, 4.5 kB of WAL and 50 GIN entries
-- on every request: most of a list request's work in the database, and most of the log's size.
-- A list seen before now costs its access one 32-byte digest and one index entry.
CREATE TABLE access_audit_family_lists (
    digest      bytea   PRIMARY KEY CHECK (length(digest) = 32),
    family_ids  text[]  NOT NULL CHECK (cardinality(family_ids) > 1)
);
ALTER TABLE access_audit_family_lists ALTER COLUMN family_ids SET COMPRESSION lz4;
CREATE INDEX access_audit_family_lists_by_family ON access_audit_family_lists USING gin (family_ids);

-- Append-only like the log itself: a list, once named by an access, is evidence.
CREATE TRIGGER access_audit_family_lists_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON access_audit_family_lists
    FOR EACH STATEMENT EXECUTE FUNCTION access_audit_refuse_change();
REVOKE UPDATE, DELETE, TRUNCATE ON access_audit_family_lists FROM PUBLIC;

-- No foreign key: its per-row check would lock the shared list row on every access (a multixact on
-- the hottest rows). The insert writes the list in the same statement, or finds it committed.
ALTER TABLE access_audit ADD COLUMN family_list bytea;
CREATE INDEX access_audit_by_family_list ON access_audit (family_list, id) WHERE family_list IS NOT NULL;

-- Rows written before this migration keep their inline family_ids (the log cannot be updated);
-- new rows use family_list. NOT VALID for the reason 0303 gives.
ALTER TABLE access_audit ADD CONSTRAINT access_audit_one_family_reference
    CHECK (num_nonnulls(family_id, family_ids, family_list) <= 1) NOT VALID;

-- Each access with the families it read, however they are stored: what GET /audit/access lists,
-- and what an auditor querying the database directly should read.
CREATE VIEW access_audit_entries AS
SELECT a.id, a.at, a.client, a.scopes,
       CASE WHEN a.family_id IS NOT NULL THEN ARRAY[a.family_id] ELSE coalesce(a.family_ids, l.family_ids, '{}') END AS family_ids,
       a.resource, a.purpose, a.trace_id
FROM access_audit a
LEFT JOIN access_audit_family_lists l ON l.digest = a.family_list;
