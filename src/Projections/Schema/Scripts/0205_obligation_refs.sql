-- GET /obligations names each obligation by an opaque ref (ObligationRefs: the SHA-256 hex of
-- family id, '/', obligation id) and pages by (due_on, family_id, ref). Hashing and sorting every
-- row of a page on each request was half of the page query's cost; stored and indexed, a page is an
-- index range scan. The projection writes the ref; the rows already here get the same hash, so refs
-- and cursors handed out before stay valid.
ALTER FUNCTION read_model_create_tables(text) RENAME TO read_model_create_tables_0202;

CREATE FUNCTION read_model_create_tables(target text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM read_model_create_tables_0202(target);
    EXECUTE format('ALTER TABLE %I.obligations ADD COLUMN ref text NOT NULL', target);
END
$fn$;

-- The obligations list's three indexes end in ref instead of obligation_id (the primary key stays).
ALTER FUNCTION read_model_index_statements(text) RENAME TO read_model_index_statements_0203;

CREATE FUNCTION read_model_index_statements(target text) RETURNS TABLE (table_name text, statement text)
LANGUAGE sql STABLE AS $fn$
    SELECT s.table_name, replace(s.statement, 'due_on, family_id, obligation_id)', 'due_on, family_id, ref)')
    FROM read_model_index_statements_0203(target) WITH ORDINALITY AS s(table_name, statement, n)
    ORDER BY s.n
$fn$;

ALTER TABLE read_model.obligations ADD COLUMN ref text;
UPDATE read_model.obligations SET ref = encode(sha256(convert_to(family_id || '/' || obligation_id, 'UTF8')), 'hex');
ALTER TABLE read_model.obligations ALTER COLUMN ref SET NOT NULL;

DROP INDEX IF EXISTS read_model.obligations_status_owed_by_due_on_family_id_obligation_id_idx;
DROP INDEX IF EXISTS read_model.obligations_owed_by_due_on_family_id_obligation_id_idx;
DROP INDEX IF EXISTS read_model.obligations_due_on_family_id_obligation_id_idx;
CREATE INDEX ON read_model.obligations (status, owed_by, due_on, family_id, ref);
CREATE INDEX ON read_model.obligations (owed_by, due_on, family_id, ref);
CREATE INDEX ON read_model.obligations (due_on, family_id, ref);

ANALYZE read_model.obligations;
