//! # Design decisions
//!
//! Where the RFCs leave a choice open, or where interoperability pulls against
//! the letter of a specification, the crate takes one position and tests it
//! (`tests/decisions.rs` and the area tests beside it). Rule ids in parentheses
//! are those of the conformance map in the `manual::conformance` page.
//!
//! ## The token request
//!
//! | point | decision |
//! |---|---|
//! | No `scope` requested (C19) | the client's default scopes; `invalid_scope` if it has none |
//! | Scope beyond the client's allowance (C21, C22) | refused with `invalid_scope` by default; [`ScopePolicy::Downscope`](crate::issuer::ScopePolicy::Downscope) grants the allowed part. The response always carries `scope` |
//! | `aud` for a canonicalised resource (C135) | the client's *registered* audience, whatever the spelling of the request (scheme and host case, default port, `https://host` = `https://host/`) |
//! | Several `resource` values (C70, C59) | refused with `invalid_target` by default (`max_resources_per_token = 1`): scopes are per client, so a token for several audiences would be ambiguous |
//! | No `resource` and no default audience (C58) | `invalid_target`; a token never lacks `aud` |
//! | Basic versus body secrets (C136) | both supported and advertised |
//! | `invalid_client` status (C139) | always 401 with `WWW-Authenticate: Basic`, for assertions too, with one description for every cause |
//! | `Pragma: no-cache` (C138) | sent with `Cache-Control: no-store` on every token endpoint response |
//! | Refresh tokens | never issued (see [`no_refresh_tokens`](super::no_refresh_tokens)) |
//! | OAuth 2.1 (C125) | the token endpoint of OAuth 2.1 for client credentials only; no authorization-code grant or PKCE |
//!
//! ## Metadata
//!
//! | point | decision |
//! |---|---|
//! | `response_types_supported` (C134) | omitted: the server has no authorization endpoint, and RFC 8414 §3.2 forbids empty arrays |
//!
//! ## JWT client assertions
//!
//! | point | decision |
//! |---|---|
//! | Assertion `aud` (C41, C137) | the issuer identifier, with or without one trailing `/`, as a string or a one-element array; the token endpoint URL (and `aud` arrays naming others too) only behind [`IssuerBuilder::accept_token_endpoint_as_assertion_audience`](crate::issuer::IssuerBuilder::accept_token_endpoint_as_assertion_audience) |
//! | Assertion `typ` (C50) | absent, `JWT` (what the MCP TypeScript SDK and PyJWT send) or `client-authentication+jwt`, with or without `application/`; anything else, such as `at+jwt`, refused |
//! | Assertion lifetime (C42, C44) | `exp` at most 5 minutes ahead and `iat` at most 5 minutes back, plus 30 s leeway ([`AssertionSettings`](crate::issuer::AssertionSettings)) |
//! | `jti` (C45) | required; each assertion accepted once |
//! | Throttling and assertions | assertion failures are not counted: a signature cannot be guessed, and counting would let anyone lock a key client out |
//!
//! ## Revocation and introspection
//!
//! | point | decision |
//! |---|---|
//! | Revoking another client's token (C89) | refused with `400 unauthorized_client`, token left alone (RFC 7009 §2.1: "the request is refused and the client is informed") |
//! | Revoking an invalid, foreign or expired token (C90) | `200`, nothing happens |
//! | `token_type_hint` (C91) | ignored: the issuer has access tokens only |
//! | Who may introspect (C93) | only clients marked for it (`ClientBuilder::introspection`, off by default), as RFC 7662 §4 asks; others get `403 unauthorized_client` (RFC 7662 §2.3), not `{"active":false}`, which would make a misconfigured resource server refuse every token with no sign of why |
//! | Inactive tokens (C96) | exactly `{"active":false}`; the issuer judges expiry by its own clock without leeway |
//! | Revocation cutoffs | inclusive (`iat <= cutoff`), since `iat` has whole seconds; a cutoff in the future also refuses new tokens until then |
//! | Revocation store failure | validators refuse the token (fail closed); the endpoints answer `server_error` |
//! | A store, the replay guard or the slow-hash runner not answering | `503` with `server_error` and `Retry-After: 1`, never a token that skipped the check; a signing failure stays `500` |
//!
//! ## The resource server
//!
//! | point | decision |
//! |---|---|
//! | `aud` at the resource server (C63, C135) | must contain one of the configured identifiers byte for byte |
//!
//! ## Shape of the crate
//!
//! - **Sans-IO core.** The crate opens no socket and reads no file: HTTP parts
//!   come in as [`RequestParts`](crate::RequestParts), responses leave as
//!   [`HttpResponse`](crate::HttpResponse), and storage sits behind small async
//!   traits ([`ClientStore`](crate::ClientStore),
//!   [`RevocationStore`](crate::RevocationStore)) and synchronous ones that must
//!   not block ([`ReplayGuard`](crate::ReplayGuard),
//!   [`AuthThrottle`](crate::AuthThrottle)). Any HTTP stack wires it in a few
//!   lines; the examples show axum, hyper and actix-web.
//! - **Wings.** The source is laid out along the request's path, and each wing
//!   imports only those before it in the crate map: the resource-server side
//!   never links the token endpoint.
//! - **Keys parsed once.** Signing and verification keys are parsed into `ring`
//!   keys at start-up and bound to one `kid` and one algorithm, so nothing in a
//!   request picks the algorithm or the key material.
//! - **Self-contained tokens.** RFC 9068 JWTs (see [`rfc9068`](super::rfc9068)),
//!   so issuers scale out without coordination (see [`scaling`](super::scaling)).
