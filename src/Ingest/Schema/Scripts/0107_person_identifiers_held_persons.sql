-- person_identifiers' foreign key checked each new identifier with a query and a row lock of its
-- own, about as dear as the rest of the identifier's insert. The guarantee it gave (no identifier
-- names a person a concurrent merge deleted) now costs one statement a transaction:
-- - a person created in the same transaction cannot be deleted by another before it commits;
-- - existing persons that gain identifiers are held first (person_index_hold_persons), so a merge
--   deleting one waits for the commit, and one that deleted it first makes the holder fail with
--   serialization_failure, which the store retries from the start;
-- - a merge deletes the absorbed persons before it re-points their identifiers, so the re-pointing
--   (a statement of its own, with a fresh snapshot) also moves identifiers committed while it waited.
-- Ingest's merges are the only writes that delete persons.
ALTER TABLE person_identifiers DROP CONSTRAINT person_identifiers_person_id_fkey;

CREATE FUNCTION person_index_hold_persons(person_ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    held integer;
BEGIN
    SELECT count(*) INTO held
    FROM (SELECT 1 FROM persons WHERE person_id = ANY(person_ids) ORDER BY person_id FOR KEY SHARE) AS kept;
    IF held < (SELECT count(DISTINCT id) FROM unnest(person_ids) AS id) THEN
        RAISE EXCEPTION 'a person this transaction attaches identifiers to was merged away by a concurrent transaction'
            USING ERRCODE = 'serialization_failure';
    END IF;
END
$$;
