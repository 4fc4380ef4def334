//! # Secretless workloads: the JWT-bearer grant with trusted issuers
//!
//! Most machines that ask for tokens already hold a credential of their
//! platform: a Kubernetes projected service-account token, a SPIFFE JWT-SVID,
//! a GitHub Actions OIDC token. With trusted issuers configured, the token
//! endpoint accepts that token through the JWT-bearer authorization grant
//! (RFC 7523 §2.1), so the workload needs no client secret or key of its own:
//!
//! ```text
//! POST /token
//! Content-Type: application/x-www-form-urlencoded
//!
//! grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer
//! &assertion=eyJhbGciOiJSUzI1NiIsImtpZCI6…
//! &resource=https%3A%2F%2Fmcp.example.com%2Fmcp
//! &scope=payments%3Aread
//! ```
//!
//! The answer is an RFC 9068 access token, as for the client-credentials
//! grant. Its `sub` is the workload's subject (`system:serviceaccount:payments:api`),
//! its `client_id` the logical client the matching rule names, its
//! `credential_id` the rule's name; the audit event records the platform
//! issuer and subject. Every refusal is `400 invalid_grant` with one
//! description for every cause (RFC 7523 §3.1); audit events say which.
//!
//! ## What is checked, in order
//!
//! 1. The `assertion` is one compact JWT; its unverified `iss` must be a
//!    configured [`TrustedIssuer`](crate::issuer::TrustedIssuer), compared
//!    as a plain string. An issuer not configured is refused before anything
//!    is fetched, so a token cannot make the server fetch a URL of the
//!    token's choosing.
//! 2. `alg` is not `none`, is among the issuer's algorithms (never HS256),
//!    and is the algorithm of the key the `kid` names: a token cannot choose
//!    how it is verified, so HS256 keyed with the issuer's public key fails.
//!    Keys named by the token itself (`jwk`, `jku`, `x5u`, `x5c`) are never
//!    used. `typ` is absent, `JWT` or `JOSE`; `crit` is refused.
//! 3. The signature verifies under the issuer's keys. Fetched keys are cached;
//!    a `kid` the cached set lacks triggers one refetch (at most once per
//!    `kid_miss_interval`), so a rotation at the platform is followed without
//!    a restart; while a refresh runs, known keys keep verifying.
//! 4. `sub` is a non-empty string; `aud` contains the issuer's expected
//!    audience; `exp` is present and not passed; `nbf` and `iat` are not in
//!    the future; the token lives at most the maximum assertion lifetime
//!    (`exp − iat`, and from now to `exp`); all with the issuer's leeway.
//!    A standard claim of the wrong JSON type is refused.
//! 5. The first [`ClaimRule`](crate::issuer::ClaimRule) of that issuer, in the
//!    configured order, whose subject matcher and claim values match decides.
//!    No match is `invalid_grant`.
//! 6. If the request also authenticates a client (or names a `client_id`),
//!    it must be the rule's client.
//! 7. Neither the rule's client nor the rule is revoked in the
//!    [`RevocationStore`](crate::RevocationStore) (revoke the client, or the
//!    rule's name as its credential, to cut a workload class off at once).
//! 8. Scopes, resources and lifetime: the issuer's [`Policy`](crate::issuer::Policy)
//!    with the rule's limits, exactly as for a registered client
//!    (`invalid_scope`, `invalid_target`).
//! 9. Unless the rule allows reuse, the token's `jti` is required and recorded
//!    in the [`ReplayGuard`](crate::ReplayGuard) until the token expires, under
//!    a key of its own: a replayed token is `invalid_grant`.
//!
//! ## Why `aud` must be checked
//!
//! A platform token is a bearer credential that its workload shows to many
//! relying parties. Without an audience check, any service the workload
//! talks to (another API, a compromised sidecar, a log sink that captures
//! headers) could replay the token here and obtain this server's access
//! tokens as that workload. So the token must name this server
//! ([`ExpectedAudience`](crate::issuer::ExpectedAudience)): the token
//! endpoint URL by default, as the MCP workload identity federation draft
//! asks, or a value set in the platform (a Kubernetes projected volume's
//! `audience`, the audience a GitHub workflow requests). Pick a value no
//! other relying party accepts. On GitHub Actions, the default audience is
//! the repository owner's URL, which every consumer of that organisation's
//! tokens accepts: always request a dedicated one.
//!
//! ## Why subject patterns must be anchored
//!
//! Rules match the whole `sub`, never a part of it ([`SubjectMatch`](crate::issuer::SubjectMatch)):
//!
//! - `Pattern("system:serviceaccount:payments:*")` matches every service
//!   account of the `payments` namespace, and not `payments-evil`, because the
//!   `:` before the `*` is literal. `Pattern("system:serviceaccount:payments*")`
//!   would match `payments-evil:anything`: end the fixed part with the
//!   platform's separator.
//! - `*` stands for one or more characters of any kind, `/` and `:` included:
//!   `spiffe://example.org/ns/payments/*` matches
//!   `spiffe://example.org/ns/payments/sa/api`, and
//!   `repo:octo-org/*` matches every repository of `octo-org`, every branch
//!   and environment included.
//! - A `Prefix` has the same caveat as a pattern ending in `*`, and an empty
//!   prefix, a pattern of stars alone, or no subject matcher at all cannot be
//!   configured: a rule always says which subjects it is for.
//!
//! Shared issuers deserve the most care. Every repository on GitHub gets
//! tokens from `https://token.actions.githubusercontent.com`: a rule that
//! matched on the issuer alone would hand tokens to anyone's workflow. Match
//! the repository (its `sub`, or the `repository` claim) and, for anything
//! that writes, the branch or environment (`ref`, `environment`) or the
//! reusable workflow (`job_workflow_ref`).
//!
//! Rule claims compare **top-level** claims with JSON **string** values,
//! exactly. A missing claim, or one of another type, does not match. Nested
//! claims (Kubernetes's `kubernetes.io`) cannot be named; the namespace and
//! service account are in the `sub`.
//!
//! ## First match wins
//!
//! Rules are tried in the order given to the builder; the first that
//! matches decides, even if a later one would grant more. Put narrow rules
//! (one service account, one repository on `main`) before broad ones (a
//! namespace, an organisation). The order is the policy, and reading the
//! list top to bottom tells what any token gets.
//!
//! ## Replay and reuse
//!
//! By default a platform token must carry a `jti` and is exchanged once
//! (RFC 7523 §3 allows it, the MCP draft lists `jti` as required), which
//! suits short-lived tokens minted per use (GitHub Actions, SPIFFE JWT-SVIDs
//! fetched per request). A Kubernetes pod rereads its projected token until
//! the kubelet renews it (at 80 % of its life), so a rule for pods needs
//! [`allow_token_reuse`](crate::issuer::ClaimRuleBuilder::allow_token_reuse);
//! then a stolen token buys access tokens until it expires, so keep the
//! projected token's `expirationSeconds` short and the audience dedicated.
//!
//! ## Keys and their fetching
//!
//! Keys come from a JWK Set configured in advance, a `jwks_uri`, or
//! discovery (OpenID Connect Discovery for Kubernetes, GitHub Actions and
//! SPIRE's OIDC discovery provider; RFC 8414 metadata for OAuth servers),
//! always over `https` (loopback `http` only behind the explicit
//! `danger_allow_http_loopback` of tests). They are fetched through the
//! application's [`HttpGet`](crate::resource::HttpGet), whose contract asks
//! for a short timeout: an issuer that does not answer fails the request
//! with `invalid_grant` within that timeout, and later requests are refused
//! at once until `retry_interval` has passed, rather than each waiting on it.
//! A set that was fetched keeps serving while refreshes fail, up to its
//! `max_age`.
