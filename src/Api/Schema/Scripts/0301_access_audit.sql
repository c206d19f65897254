-- Every read of a family's data by a downstream caller: who (the token's client), with which scopes,
-- which family, which resource, when, and the purpose the caller stated. Append-only: the trigger
-- below refuses UPDATE, DELETE and TRUNCATE for every role, the service's own and the owner's
-- included, and no role but the owner is granted them in the first place.
CREATE TABLE access_audit (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    client      text        NOT NULL,
    scopes      text[]      NOT NULL DEFAULT '{}',
    family_id   text,
    resource    text        NOT NULL,
    purpose     text        NOT NULL CHECK (length(btrim(purpose)) > 0),
    trace_id    text
);

CREATE INDEX access_audit_by_family ON access_audit (family_id, id) WHERE family_id IS NOT NULL;
CREATE INDEX access_audit_by_client ON access_audit (client, id);
CREATE INDEX access_audit_by_time ON access_audit (at);

CREATE FUNCTION access_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'access_audit is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

-- Statement-level, so even a statement that would touch no row is refused.
CREATE TRIGGER access_audit_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON access_audit
    FOR EACH STATEMENT EXECUTE FUNCTION access_audit_refuse_change();

REVOKE UPDATE, DELETE, TRUNCATE ON access_audit FROM PUBLIC;
