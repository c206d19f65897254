-- How far a file replay got: the byte offset just past the last line of the last batch that was
-- durably ingested, so an interrupted replay resumes there. The key names the file by its full
-- path, its size and a hash of its first 64 KiB, so a different (or rewritten) file at the same
-- path never resumes at an offset that belonged to another.
CREATE TABLE replay_checkpoints (
    file_key        text        PRIMARY KEY,
    byte_offset     bigint      NOT NULL CHECK (byte_offset >= 0),
    lines           bigint      NOT NULL CHECK (lines >= 0),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
