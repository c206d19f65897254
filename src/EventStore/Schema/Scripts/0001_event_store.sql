-- Streams: one per family. The row is the per-stream lock and carries the version that
-- optimistic concurrency checks, plus the transaction that last appended to it (see events).
CREATE TABLE streams (
    stream_id               text        PRIMARY KEY,
    version                 bigint      NOT NULL DEFAULT 0 CHECK (version >= 0),
    last_transaction_id     xid8,
    created_at              timestamptz NOT NULL DEFAULT now(),
    archived_at             timestamptz,
    successor_id            text        REFERENCES streams (stream_id),
    CHECK ((archived_at IS NULL) = (successor_id IS NULL)),
    CHECK (successor_id IS DISTINCT FROM stream_id)
);

-- Events. seq is the global sequence; transaction_id is the writing transaction, which is what
-- makes the all-events reader gap-safe: it only reads rows of transactions older than the oldest
-- transaction still running, so a row that commits late can never be overtaken and skipped.
-- No foreign key to streams: the append path maintains it, and a per-row trigger would halve
-- bulk append throughput.
CREATE TABLE events (
    seq                     bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id          xid8        NOT NULL DEFAULT pg_current_xact_id(),
    stream_id               text        NOT NULL,
    stream_version          bigint      NOT NULL CHECK (stream_version > 0),
    type                    text        NOT NULL,
    data                    jsonb       NOT NULL,
    metadata                jsonb       NOT NULL DEFAULT '{}'::jsonb,
    source                  text        NOT NULL,
    source_event_id         text        NOT NULL,
    occurred_at             timestamptz NOT NULL,
    recorded_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version),
    CONSTRAINT events_source_event_key UNIQUE (source, source_event_id)
);

CREATE INDEX events_transaction_order ON events (transaction_id, seq);

-- Where each projection has got to in the all-events order (transaction_id, seq).
CREATE TABLE projection_checkpoints (
    projection              text        PRIMARY KEY,
    transaction_id          xid8        NOT NULL,
    seq                     bigint      NOT NULL,
    updated_at              timestamptz NOT NULL DEFAULT now()
);
