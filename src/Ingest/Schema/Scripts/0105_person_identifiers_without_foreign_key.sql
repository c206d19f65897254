-- The person index is written only by the ingest transaction and the integration team's merges and
-- splits, which re-point identifiers before deleting a person, under the identity locks. The foreign
-- key's per-row check nearly doubled the cost of inserting new identifiers, on the ingest hot path.
ALTER TABLE person_identifiers DROP CONSTRAINT person_identifiers_person_id_fkey;
