-- Which version of the rules (and of the documents they write) built the read model. A release that
-- changes either raises ReadModelRules.Current; the service then rebuilds the read model once on
-- start, so families no event has touched since are not left in the old shape. A read model that
-- the projection has already built counts as version 1, the rules before this table.
CREATE TABLE read_model_rules (
    projection  text        PRIMARY KEY,
    version     integer     NOT NULL CHECK (version > 0),
    recorded_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO read_model_rules (projection, version)
SELECT projection, 1 FROM projection_checkpoints WHERE projection = 'family-read-model';
