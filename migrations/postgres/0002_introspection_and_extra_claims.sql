-- Who may call the introspection endpoint (RFC 7662 §4), and the claims
-- every token of a client carries beside the registered ones (RFC 9068 §2.2).
-- `{schema}` is replaced by the configured schema, quoted, before this file
-- runs; the whole file runs in one transaction.

ALTER TABLE {schema}.clients
    ADD COLUMN introspection boolean NOT NULL DEFAULT false,
    -- A JSON object: claim name to value. Registered claim names are refused
    -- when the client is read back.
    ADD COLUMN extra_claims jsonb NOT NULL DEFAULT '{}'
        CHECK (jsonb_typeof(extra_claims) = 'object');
