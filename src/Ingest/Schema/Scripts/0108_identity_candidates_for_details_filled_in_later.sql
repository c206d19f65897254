-- Name-and-birth-date candidates were looked for only when a person was first recorded, so a person
-- whose birth date or name came in a later event was never offered. Ingest now matches persons when
-- their details are filled in; this offers the pairs it missed before. Decided pairs keep their row
-- (and so their decision): only pairs never offered are added.
INSERT INTO identity_candidates (person_id, other_person_id, reason)
SELECT n.person_id, p.person_id, 'same-name-and-birth-date'
FROM persons n
JOIN persons p
  ON lower(p.family_name) = lower(n.family_name) AND p.birth_date = n.birth_date
 AND lower(p.given_name) = lower(n.given_name) AND p.family_id <> n.family_id
WHERE n.birth_date IS NOT NULL AND n.person_id < p.person_id
ON CONFLICT (person_id, other_person_id) DO NOTHING;
