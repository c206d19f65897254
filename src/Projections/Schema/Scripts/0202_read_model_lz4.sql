-- Family documents are written whole and often: every event and every deadline rewrites one, and a
-- rebuild writes all of them. PostgreSQL's default compression (pglz) of those documents cost a
-- rebuild more CPU than anything else the database did; lz4 compresses them for a fraction of it.
-- The tables are still made by read_model_create_tables, so a rebuild's fresh schema gets the same.
ALTER FUNCTION read_model_create_tables(text) RENAME TO read_model_create_tables_0201;

CREATE FUNCTION read_model_create_tables(target text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM read_model_create_tables_0201(target);
    EXECUTE format('ALTER TABLE %I.families ALTER COLUMN document SET COMPRESSION lz4', target);
END
$fn$;

ALTER TABLE read_model.families ALTER COLUMN document SET COMPRESSION lz4;
