-- 0105 dropped this key on the grounds that every writer re-points identifiers under the identity
-- locks, but those locks are per identifier bucket: a batch attaching a new identifier to a person it
-- found through one identifier does not exclude a concurrent batch that reaches the same person
-- through another and merges it away, which would leave the new identifier naming a deleted person.
-- With the key, one of the two transactions fails instead (and is retried by its route) and the
-- index stays whole.
ALTER TABLE person_identifiers
    ADD CONSTRAINT person_identifiers_person_id_fkey FOREIGN KEY (person_id) REFERENCES persons (person_id);
