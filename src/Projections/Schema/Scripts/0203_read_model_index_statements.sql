-- A rebuild creates its indexes after the bulk load, and one table's indexes at a time on each of
-- several connections is faster than all of them one after the other on one. So the definitions
-- become rows (table, statement), which read_model_create_indexes runs in order as before and a
-- rebuild shares out by table (an ALTER TABLE ... ADD PRIMARY KEY locks its table exclusively).
CREATE FUNCTION read_model_index_statements(target text) RETURNS TABLE (table_name text, statement text)
LANGUAGE sql STABLE AS $fn$
    SELECT t, format(s, target) FROM (VALUES
        (1, 'families', 'ALTER TABLE %I.families ADD PRIMARY KEY (family_id)'),
        (2, 'families', 'CREATE INDEX ON %I.families (survivor_id) WHERE survivor_id IS NOT NULL'),
        (3, 'obligations', 'ALTER TABLE %I.obligations ADD PRIMARY KEY (family_id, obligation_id)'),
        (4, 'obligations', 'CREATE INDEX ON %I.obligations (status, owed_by, due_on, family_id, obligation_id)'),
        (5, 'obligations', 'CREATE INDEX ON %I.obligations (owed_by, due_on, family_id, obligation_id)'),
        (6, 'obligations', 'CREATE INDEX ON %I.obligations (due_on, family_id, obligation_id)'),
        (7, 'flags', 'ALTER TABLE %I.flags ADD PRIMARY KEY (family_id, ordinal)'),
        (8, 'flags', 'CREATE INDEX ON %I.flags (flag, family_id)'),
        (9, 'flags', 'CREATE INDEX ON %I.flags USING gin (services)'),
        (10, 'disputes', 'ALTER TABLE %I.disputes ADD PRIMARY KEY (family_id, dispute_id)'),
        (11, 'disputes', 'CREATE INDEX ON %I.disputes (status, stage_deadline, family_id, dispute_id)'),
        (12, 'deadlines', 'ALTER TABLE %I.deadlines ADD PRIMARY KEY (family_id)'),
        (13, 'deadlines', 'CREATE INDEX ON %I.deadlines (due_at)')
    ) AS d(n, t, s)
    ORDER BY n
$fn$;

CREATE OR REPLACE FUNCTION read_model_create_indexes(target text) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    ddl text;
BEGIN
    FOR ddl IN SELECT statement FROM read_model_index_statements(target) LOOP
        EXECUTE ddl;
    END LOOP;
END
$fn$;
