-- A projection whose page keeps failing is retried from its checkpoint forever; this records the
-- run of failures so that any instance (leader or standby) can report it in readiness. The leader
-- adds to it after each failed page and deletes it with its first page applied after taking the
-- lead. error names the exception type (and SQLSTATE), never its message, which may quote data.
CREATE TABLE projection_failures (
    projection              text        PRIMARY KEY,
    consecutive_failures    integer     NOT NULL CHECK (consecutive_failures > 0),
    first_failed_at         timestamptz NOT NULL,
    last_failed_at          timestamptz NOT NULL,
    error                   text        NOT NULL
);
