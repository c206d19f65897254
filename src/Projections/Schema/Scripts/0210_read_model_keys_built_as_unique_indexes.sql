-- A rebuild adds each table's primary key with ALTER TABLE ... ADD PRIMARY KEY, which locks the
-- table exclusively while it sorts: the obligations' key took 0.6 to 1.1 s, and a connection ready
-- to build the table's other indexes waited for it. A unique index is built under a share lock,
-- alongside the table's other indexes, and then becomes the primary key at once
-- (ADD CONSTRAINT ... PRIMARY KEY USING INDEX, with the same name and definition as before). So each
-- key is now built as a unique index, and made the key after every index is built.
ALTER FUNCTION read_model_index_statements(text) RENAME TO read_model_index_statements_0208;

CREATE FUNCTION read_model_index_statements(target text) RETURNS TABLE (table_name text, statement text)
LANGUAGE sql STABLE AS $fn$
    WITH s AS (
        SELECT s.table_name, s.statement, s.n, regexp_match(s.statement, '^ALTER TABLE (.+) ADD PRIMARY KEY (\(.+\))$') AS key
        FROM read_model_index_statements_0208(target) WITH ORDINALITY AS s(table_name, statement, n)
    )
    SELECT x.table_name, x.statement FROM (
        SELECT s.table_name,
               CASE WHEN s.key IS NULL THEN s.statement
                    ELSE format('CREATE UNIQUE INDEX %I ON %s %s', s.table_name || '_pkey', s.key[1], s.key[2])
               END AS statement,
               0 AS phase, s.n
        FROM s
        UNION ALL
        SELECT s.table_name, format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY USING INDEX %I', s.key[1], s.table_name || '_pkey', s.table_name || '_pkey'), 1, s.n
        FROM s
        WHERE s.key IS NOT NULL
    ) x
    ORDER BY x.phase, x.n
$fn$;
