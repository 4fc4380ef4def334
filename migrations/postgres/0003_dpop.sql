-- DPoP (RFC 9449 §5.2): a client registered with `dpop_bound_access_tokens`
-- gets DPoP-bound tokens only. `{schema}` is replaced by the configured
-- schema, quoted, before this file runs.

ALTER TABLE {schema}.clients
    ADD COLUMN dpop_bound_access_tokens boolean NOT NULL DEFAULT false;
