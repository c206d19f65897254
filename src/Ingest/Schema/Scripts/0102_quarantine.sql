-- Everything that arrived and failed validation, exactly as it arrived (bytes, since it may not
-- even be text), with the reasons, until the integration team resubmits a corrected version.
CREATE TABLE quarantine (
    quarantine_id   bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel         text        NOT NULL,
    origin          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    received_at     timestamptz NOT NULL DEFAULT now(),
    source          text,
    source_event_id text,
    type            text,
    payload         bytea       NOT NULL,
    payload_hash    bytea       NOT NULL,
    errors          jsonb       NOT NULL,
    deliveries      integer     NOT NULL DEFAULT 1,
    status          text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    resolved_at     timestamptz,
    resolved_by     text,
    resolution      jsonb
);

-- The same bad payload delivered again (a Kafka redelivery, a client retry) is counted, not duplicated.
CREATE UNIQUE INDEX quarantine_open_payload ON quarantine (payload_hash) WHERE status = 'open';
CREATE INDEX quarantine_open_by_arrival ON quarantine (quarantine_id) WHERE status = 'open';
