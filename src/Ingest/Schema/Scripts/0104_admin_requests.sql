-- The answer to each administrative write, by the calling client's Idempotency-Key, written in the
-- same transaction as the write itself: a retry (after a timeout, or after the service restarted)
-- gets the stored answer and nothing is done twice. request_hash is the method, path and body, so
-- a key reused for a different request is recognised and refused. The answer is json, not jsonb,
-- so a replay is byte for byte the first answer.
CREATE TABLE admin_requests (
    client          text        NOT NULL,
    idempotency_key text        NOT NULL,
    request_hash    bytea       NOT NULL,
    status_code     integer     NOT NULL,
    location        text,
    response        json        NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client, idempotency_key)
);

-- Who did which administrative action, to what, when and with what outcome: the integration team's
-- merges, splits, resubmissions and rebuild requests. Append-only, like access_audit.
CREATE TABLE admin_audit (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    client          text        NOT NULL,
    actor           text        NOT NULL,
    action          text        NOT NULL,
    target          text        NOT NULL,
    idempotency_key text,
    outcome         jsonb       NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX admin_audit_by_target ON admin_audit (target, id);

CREATE FUNCTION admin_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'admin_audit is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER admin_audit_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON admin_audit
    FOR EACH STATEMENT EXECUTE FUNCTION admin_audit_refuse_change();

REVOKE UPDATE, DELETE, TRUNCATE ON admin_audit FROM PUBLIC;
