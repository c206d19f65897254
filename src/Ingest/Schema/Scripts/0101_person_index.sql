-- The person index: who is who, and which family each person is in. It is written in the same
-- transaction as the events that teach it, so it never disagrees with the event store.
CREATE TABLE persons (
    person_id       uuid        PRIMARY KEY,
    family_id       text        NOT NULL,
    given_name      text,
    family_name     text,
    birth_date      date,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX persons_family ON persons (family_id);
CREATE INDEX persons_name_and_birth_date ON persons (lower(family_name), birth_date) WHERE birth_date IS NOT NULL;

-- An identifier is a case system's id ('system:LAS', '7781') or an NHS number ('nhs', '9434765919').
CREATE TABLE person_identifiers (
    scheme          text        NOT NULL,
    value           text        NOT NULL,
    person_id       uuid        NOT NULL REFERENCES persons (person_id),
    PRIMARY KEY (scheme, value)
);

CREATE INDEX person_identifiers_person ON person_identifiers (person_id);

-- Possible matches on name and birth date alone: never merged automatically, offered to the
-- integration team to merge or dismiss.
CREATE TABLE identity_candidates (
    candidate_id    bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id       uuid        NOT NULL,
    other_person_id uuid        NOT NULL,
    reason          text        NOT NULL,
    status          text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'merged', 'dismissed')),
    found_at        timestamptz NOT NULL DEFAULT now(),
    decided_at      timestamptz,
    decided_by      text,
    CHECK (person_id < other_person_id),
    UNIQUE (person_id, other_person_id)
);
