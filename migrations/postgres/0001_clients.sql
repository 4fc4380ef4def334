-- The client registry. `{schema}` is replaced by the configured schema,
-- quoted, before this file runs; the whole file runs in one transaction.

CREATE TABLE {schema}.clients (
    id text PRIMARY KEY,
    enabled boolean NOT NULL DEFAULT true,
    client_credentials_grant boolean NOT NULL DEFAULT true,
    allowed_scopes text[] NOT NULL DEFAULT '{}',
    default_scopes text[] NOT NULL DEFAULT '{}',
    allowed_audiences text[] NOT NULL DEFAULT '{}',
    default_audience text,
    -- Seconds; NULL means the issuer's default lifetime.
    token_lifetime_secs bigint CHECK (token_lifetime_secs >= 0),
    -- RFC 7591 method names, e.g. client_secret_basic.
    auth_methods text[] NOT NULL,
    -- JWS algorithm names; empty means any the server accepts.
    assertion_algorithms text[] NOT NULL DEFAULT '{}',
    jwks_uri text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Secrets are stored as self-describing hashes (`SecretHash`'s text form),
-- never in plaintext.
CREATE TABLE {schema}.client_secrets (
    client_id text NOT NULL REFERENCES {schema}.clients (id) ON DELETE CASCADE,
    credential_id text NOT NULL,
    hash text NOT NULL,
    -- Unix seconds; NULL means the secret does not expire.
    expires_at bigint CHECK (expires_at >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, credential_id)
);
