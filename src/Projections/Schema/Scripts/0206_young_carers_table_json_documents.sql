-- GET /young-carers read every family's document and unpacked its members on each request (some
-- 650 ms with 110,000 families). Young carers with a birth date now have rows of their own, written
-- with the family's other rows and indexed by the day they turn 18.
--
-- Nothing queries inside the documents any more, so they are stored as json (the text as written)
-- rather than jsonb: PostgreSQL no longer parses every document it is given into jsonb, which cost
-- more than twice what the rest of copying one in did, nor prints it back as text on every GET
-- /families/{id}.
CREATE FUNCTION read_model_create_young_carers(target text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    EXECUTE format($table$
        CREATE TABLE %I.young_carers (
            family_id           text        NOT NULL,
            person_key          text        NOT NULL,
            identifiers         text[]      NOT NULL,
            given_name          text,
            family_name         text,
            birth_date          date        NOT NULL,
            age                 integer,
            turns_18            date        NOT NULL,
            cares_for           text[]      NOT NULL
        )
        $table$, target);
END
$fn$;

ALTER FUNCTION read_model_create_tables(text) RENAME TO read_model_create_tables_0205;

CREATE FUNCTION read_model_create_tables(target text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM read_model_create_tables_0205(target);
    EXECUTE format('ALTER TABLE %I.families ALTER COLUMN document TYPE json, ALTER COLUMN document SET COMPRESSION lz4', target);
    PERFORM read_model_create_young_carers(target);
END
$fn$;

ALTER FUNCTION read_model_index_statements(text) RENAME TO read_model_index_statements_0205;

CREATE FUNCTION read_model_index_statements(target text) RETURNS TABLE (table_name text, statement text)
LANGUAGE sql STABLE AS $fn$
    SELECT s.table_name, s.statement FROM (
        SELECT p.table_name, p.statement, p.n
        FROM read_model_index_statements_0205(target) WITH ORDINALITY AS p(table_name, statement, n)
        UNION ALL
        SELECT 'young_carers', format(d.s, target), 100 + d.n FROM (VALUES
            (1, 'ALTER TABLE %I.young_carers ADD PRIMARY KEY (family_id, person_key)'),
            (2, 'CREATE INDEX ON %I.young_carers (turns_18, family_id, person_key)')
        ) AS d(n, s)
    ) s
    ORDER BY s.n
$fn$;

-- The live schema: its young carers from the documents it holds, as the projection would write them.
SELECT read_model_create_young_carers('read_model');

INSERT INTO read_model.young_carers
SELECT f.family_id,
       m.value->>'key',
       ARRAY(SELECT jsonb_array_elements_text(m.value->'identifiers')),
       m.value->>'givenName',
       m.value->>'familyName',
       (m.value->>'birthDate')::date,
       (m.value->>'age')::integer,
       ((m.value->>'birthDate')::date + interval '18 years')::date,
       ARRAY(SELECT jsonb_array_elements_text(m.value->'caresFor'))
FROM read_model.families f CROSS JOIN LATERAL jsonb_array_elements(f.document->'members') m
WHERE f.survivor_id IS NULL
  AND m.value->'roles' @> '["young-carer"]'::jsonb
  AND jsonb_typeof(m.value->'birthDate') = 'string';

ALTER TABLE read_model.young_carers ADD PRIMARY KEY (family_id, person_key);
CREATE INDEX ON read_model.young_carers (turns_18, family_id, person_key);
ANALYZE read_model.young_carers;

ALTER TABLE read_model.families ALTER COLUMN document TYPE json USING document::json, ALTER COLUMN document SET COMPRESSION lz4;
