-- Read model rebuilds requested over HTTP (POST /admin/projections/rebuild), with their progress,
-- so any instance can answer for one. A worker runs a queued rebuild while holding a session
-- advisory lock; a row left 'running' when no session holds that lock belonged to an instance that
-- stopped, and is marked failed rather than shown running for ever.
CREATE TABLE projection_rebuilds (
    rebuild_id       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status           text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    requested_at     timestamptz NOT NULL DEFAULT now(),
    requested_by     text        NOT NULL,
    started_at       timestamptz,
    finished_at      timestamptz,
    phase            text,
    events_processed bigint      NOT NULL DEFAULT 0,
    families         integer,
    error            text
);

-- One rebuild at a time: a request while one is queued or running is refused.
CREATE UNIQUE INDEX projection_rebuilds_one_active ON projection_rebuilds ((true)) WHERE status IN ('queued', 'running');
