-- GET /obligations?owedBy=X without a status had an index of its own, (owed_by, due_on, family_id,
-- ref). With two services, the due-date index (due_on, family_id, ref) gives the same page in the
-- same order with owed_by as a filter, reading about twice the page's rows (a first page of 51 in
-- 1.4 ms against 0.8 on 346,000 obligations). The index it replaces cost every rebuild about 1.8 s
-- of PostgreSQL's CPU, a fifth of its index phase, and every write of an obligation an insertion.
-- With a status too, the list still has (status, owed_by, due_on, family_id, ref).
ALTER FUNCTION read_model_index_statements(text) RENAME TO read_model_index_statements_0206;

CREATE FUNCTION read_model_index_statements(target text) RETURNS TABLE (table_name text, statement text)
LANGUAGE sql STABLE AS $fn$
    SELECT s.table_name, s.statement
    FROM read_model_index_statements_0206(target) WITH ORDINALITY AS s(table_name, statement, n)
    WHERE s.statement NOT LIKE '%.obligations (owed_by, due_on, family_id, ref)'
    ORDER BY s.n
$fn$;

DROP INDEX IF EXISTS read_model.obligations_owed_by_due_on_family_id_ref_idx;
