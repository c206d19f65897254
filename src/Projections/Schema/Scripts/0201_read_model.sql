-- The family read model lives in its own schema so that a rebuild can build a complete fresh copy
-- next to it and swap the two by renaming schemas in one transaction. The table and index
-- definitions are functions of the target schema, so the live schema and a rebuild's are built by
-- the same code; a rebuild creates the tables, bulk loads them, then creates the indexes.

-- Finding the streams merged into a family (their successor) is how a family's facts are gathered.
CREATE INDEX streams_successor ON streams (successor_id) WHERE successor_id IS NOT NULL;

CREATE FUNCTION read_model_create_tables(target text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    EXECUTE format('CREATE SCHEMA %I', target);

    -- One row per family: a live family's whole document, or for a family merged into another a
    -- pointer to the survivor (survivor_id) and a document saying so.
    EXECUTE format($sql$
        CREATE TABLE %I.families (
            family_id           text        NOT NULL,
            survivor_id         text,
            stream_version      bigint      NOT NULL,
            fact_count          integer     NOT NULL,
            last_recorded_at    timestamptz,
            policy_version      text        NOT NULL,
            evaluated_at        timestamptz NOT NULL,
            next_change_at      timestamptz,
            document            jsonb       NOT NULL,
            updated_at          timestamptz NOT NULL DEFAULT now()
        )$sql$, target);

    -- One row per obligation of a live family (SPEC section 5), as evaluated at evaluated_at.
    EXECUTE format($sql$
        CREATE TABLE %I.obligations (
            family_id           text        NOT NULL,
            obligation_id       text        NOT NULL,
            kind                text        NOT NULL,
            owed_by             text        NOT NULL,
            person_key          text        NOT NULL,
            status              text        NOT NULL,
            opened_on           date        NOT NULL,
            due_on              date        NOT NULL,
            deadline            timestamptz NOT NULL,
            met_on              date,
            opened_by_source    text        NOT NULL,
            opened_by_event_id  text        NOT NULL,
            met_by_source       text,
            met_by_event_id     text,
            basis               text        NOT NULL,
            policy_version      text        NOT NULL
        )$sql$, target);

    -- One row per flag of a live family (SPEC section 7). services: the services the flag concerns
    -- (those owing the obligations it cites, and those involved with the persons it names).
    EXECUTE format($sql$
        CREATE TABLE %I.flags (
            family_id           text        NOT NULL,
            ordinal             integer     NOT NULL,
            flag                text        NOT NULL,
            person_keys         text[]      NOT NULL,
            obligation_kinds    text[]      NOT NULL,
            services            text[]      NOT NULL,
            reason              text        NOT NULL,
            policy_version      text        NOT NULL
        )$sql$, target);

    -- One row per dispute of a live family (SPEC section 6), as evaluated at evaluated_at.
    EXECUTE format($sql$
        CREATE TABLE %I.disputes (
            family_id           text        NOT NULL,
            dispute_id          text        NOT NULL,
            status              text        NOT NULL,
            subject             text        NOT NULL,
            raised_by           text        NOT NULL,
            raised_on           timestamptz NOT NULL,
            stage               integer     NOT NULL,
            stage_name          text        NOT NULL,
            stage_deadline      timestamptz NOT NULL,
            past_deadline       boolean     NOT NULL,
            interim_lead_status text        NOT NULL,
            overdue             text,
            policy_version      text        NOT NULL
        )$sql$, target);

    -- The durable deadline schedule: when each family's answers next change with no new event.
    EXECUTE format($sql$
        CREATE TABLE %I.deadlines (
            family_id           text        NOT NULL,
            due_at              timestamptz NOT NULL
        )$sql$, target);
END
$fn$;

CREATE FUNCTION read_model_create_indexes(target text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    EXECUTE format('ALTER TABLE %I.families ADD PRIMARY KEY (family_id)', target);
    EXECUTE format('CREATE INDEX ON %I.families (survivor_id) WHERE survivor_id IS NOT NULL', target);
    EXECUTE format('ALTER TABLE %I.obligations ADD PRIMARY KEY (family_id, obligation_id)', target);
    -- GET /obligations?status&owedBy&dueBefore, paged by (due_on, family_id, obligation_id).
    EXECUTE format('CREATE INDEX ON %I.obligations (status, owed_by, due_on, family_id, obligation_id)', target);
    EXECUTE format('CREATE INDEX ON %I.obligations (owed_by, due_on, family_id, obligation_id)', target);
    EXECUTE format('CREATE INDEX ON %I.obligations (due_on, family_id, obligation_id)', target);
    EXECUTE format('ALTER TABLE %I.flags ADD PRIMARY KEY (family_id, ordinal)', target);
    -- GET /families?flag&service, paged by family_id.
    EXECUTE format('CREATE INDEX ON %I.flags (flag, family_id)', target);
    EXECUTE format('CREATE INDEX ON %I.flags USING gin (services)', target);
    EXECUTE format('ALTER TABLE %I.disputes ADD PRIMARY KEY (family_id, dispute_id)', target);
    -- GET /disputes?status=open, paged by (stage_deadline, family_id, dispute_id).
    EXECUTE format('CREATE INDEX ON %I.disputes (status, stage_deadline, family_id, dispute_id)', target);
    EXECUTE format('ALTER TABLE %I.deadlines ADD PRIMARY KEY (family_id)', target);
    EXECUTE format('CREATE INDEX ON %I.deadlines (due_at)', target);
END
$fn$;

SELECT read_model_create_tables('read_model');
SELECT read_model_create_indexes('read_model');
