//! # The security model
//!
//! For each protection: what it does, what it costs an attacker, and what it
//! cannot stop. Rule ids in parentheses (`C15`) are those of the conformance
//! map in the `manual::conformance` page.
//!
//! ## Stored secrets
//!
//! Client secrets are kept only as [`SecretHash`](crate::SecretHash) strings
//! (see [`secrets`](super::secrets) for the reasoning).
//!
//! - **Does:** generated secrets (256 random bits,
//!   [`ClientSecret::generate`](crate::ClientSecret::generate)) are stored as
//!   salted SHA-256, `$sha256$salt$digest`; secrets chosen by people as
//!   PBKDF2-HMAC-SHA256 with 600,000 iterations, `$pbkdf2-sha256$i=600000$salt$hash`.
//!   Comparisons are constant-time (`subtle`).
//! - **Costs an attacker:** someone who steals the client table must still find
//!   a preimage: 2^256 guesses for a generated secret, 600,000 HMACs per guess
//!   for a human one.
//! - **Cannot stop:** a weak human secret falls to a dictionary in time, PBKDF2 or
//!   not. A stolen plaintext secret (from the client's side) works until it is
//!   removed or its credential revoked.
//!
//! ## Unknown ids and wrong secrets
//!
//! Every client-authentication failure gets the same `invalid_client` answer
//! and the same description, whatever the cause; what follows is about
//! *timing*, measured inside [`Issuer::authenticate`](crate::Issuer::authenticate)
//! after the [`ClientStore`](crate::ClientStore) lookup (how long the store
//! takes to find an id, or to miss one, is the store's).
//!
//! - **Does, for secrets (Basic or body):** a request naming an unknown client
//!   id (or a string that is no client id), or a client that may not use the
//!   method it presented, is checked against a dummy *fast* hash: one salted
//!   SHA-256 and a constant-time compare, what a wrong secret of a client
//!   stored with [`SecretHash::fast`](crate::SecretHash::fast) with one live
//!   secret costs.
//! - **Does, for JWT assertions:** an assertion whose `sub` names no client (or
//!   is no client id), a client that may not use the assertion's method, a
//!   client whose pinned algorithms exclude the `alg`, a client with no live
//!   key for the `kid` and `alg`, or a `jwks_uri` client whose keys cannot be
//!   had, is refused only after a *decoy* verification of its signature: a
//!   key of the family the `alg` names (P-256, P-384, Ed25519, an HMAC key, or
//!   an RSA modulus as long as the signature), made once per process. That is
//!   what a bad signature of a client with one matching key costs. Refusals
//!   that do not depend on the client (syntax, an `alg` the server does not
//!   accept, a `typ` it refuses, a `crit` header, `iss` ≠ `sub`, a `client_id`
//!   parameter that differs from `sub`) cost the same for every `sub` and
//!   verify nothing, real or decoy; the checks after the
//!   signature (`aud`, times, `jti`, replay) are reached only with the
//!   client's key.
//! - **Costs an attacker:** among fast-hash clients, and among key clients with
//!   one key per algorithm, neither the answer nor the time tells which ids
//!   exist.
//! - **Cannot stop (these are told apart by timing):**
//!   - a client stored with PBKDF2 takes far longer to refuse than an unknown
//!     id (600,000 HMACs, about 100 ms, against one SHA-256), so timing reveals
//!     that such an id exists. A
//!     [`SlowHashRunner`](crate::issuer::SlowHashRunner) moves that work off the
//!     async worker thread; it does not make the answer any faster;
//!   - a wrong secret costs one hash per *live* secret of the client: a client
//!     in the middle of a rotation (two live secrets) costs one SHA-256 more
//!     than an unknown id, about 100 ns;
//!   - an assertion without `kid` is tried against every key of the client
//!     that suits its `alg`: a client with `n` such keys costs `n`
//!     verifications, the decoy one;
//!   - an RSA signature whose length differs from the client's modulus is
//!     refused by `ring` before any arithmetic, while the decoy's modulus
//!     always matches the signature: a signature of the wrong length tells a
//!     client whose key has another length from an unknown one;
//!   - a `kid` the cache does not hold makes a `jwks_uri` client's keys be
//!     fetched (at most once per short interval), which takes a network round
//!     trip that an unknown `sub` does not.
//!
//!   Treat client ids as public, and use generated secrets or one key per
//!   algorithm where their existence matters.
//!
//! ## Brute-force throttling (C15)
//!
//! RFC 6749 §2.3.1 asks the server to protect password authentication against
//! brute force. A lockout keyed on the client id alone does that, and also
//! hands anyone who knows an id a way to lock the client out (ten requests a
//! minute with a wrong secret, or none at all, kept a real client from every
//! token). The throttle ([`AuthThrottle`](crate::AuthThrottle),
//! [`MemoryThrottle`](crate::store::MemoryThrottle)) is shaped so that it
//! cannot be used that way:
//!
//! - **Does:**
//!   - failures are counted per (client id as presented, caller source), the
//!     source being the address the adapter hands over with
//!     [`RequestParts::source`](crate::RequestParts::source); a pair that fails
//!     10 times within 60 s waits 60 s, then 120 s, 240 s, … up to 15 minutes
//!     ([`ThrottleConfig`](crate::store::ThrottleConfig));
//!   - a **generated secret** (stored with a fast hash, 256 bits) is always
//!     checked: a correct one is never refused because someone else failed. A
//!     wrong one is counted and answered `429` with `Retry-After` while its
//!     pair waits;
//!   - a **human-chosen secret** (PBKDF2) keeps a lockout: the attempt is
//!     reserved before the hash is computed, counting attempts in flight, so
//!     concurrent guesses cannot pass the limit together and cannot burn CPU
//!     past it; 100 failures within 60 s from all sources together lock the
//!     client id itself for 60 s;
//!   - a request that presents no credential (a bare `client_id`) counts as
//!     nothing, and JWT assertion failures are not counted (a signature
//!     cannot be guessed);
//!   - unknown ids are counted like known ones, so the answers do not tell
//!     them apart; memory is bounded, and an unexpired lock is never dropped
//!     to make room, so a flood of decoy ids cannot reset one.
//! - **Costs an attacker:** 10 guesses a minute per source and client id, then
//!   an exponential wait; against a generated secret nothing at all, since
//!   2^256 guesses are out of reach anyway.
//! - **Cannot stop:** an attacker with many addresses can lock out a client
//!   with a *human-chosen* secret (100 failures a minute across sources), the
//!   price of keeping guessable secrets guessable only slowly: use generated
//!   secrets or keys for machines. Without a source from the adapter, every
//!   caller of an id shares one count. A [`MemoryThrottle`](crate::store::MemoryThrottle)
//!   counts per process, so `n` replicas allow `n` times the attempts; the
//!   `redis` feature's `RedisThrottle` counts for the whole fleet (and per
//!   process again while Redis is unreachable). It does not limit how often
//!   a *valid* client asks for tokens.
//! - **Elsewhere:** Keycloak's brute-force detection covers user logins, not
//!   client authentication (extending it to client credentials is an open
//!   request there); Ory Hydra and node-oidc-provider leave rate limiting to
//!   the deployment (a proxy or middleware in front). None distinguishes a
//!   generated secret from a guessable one.
//!
//! ## Shared tables: one tenant cannot fill them for the others
//!
//! - **Does:** the [`MemoryReplayGuard`](crate::store::MemoryReplayGuard) picks
//!   its shards with a key drawn per process, so nobody can aim `jti`s at one
//!   shard, and gives each client a share (1/32 of its capacity by default): a
//!   client over its share alone is refused, with `invalid_client`. The
//!   [`MemoryRevocationStore`](crate::store::MemoryRevocationStore) gives each
//!   client a share of `jti` revocations (10,000 by default); past it, a
//!   revocation becomes a cutoff for that client, so its tokens die and nobody
//!   else loses room.
//! - **Costs an attacker:** a registered client can only exhaust its own share.
//! - **Cannot stop:** many registered clients acting together can still fill a
//!   guard or store sized too small for them; size them for the number of
//!   clients (the memory per entry is documented on each type).
//!
//! ## JWT client assertions (RFC 7523)
//!
//! - **Does:** an assertion is verified with `ring` against keys registered for
//!   the client in advance (inline, or fetched from its `jwks_uri`), never keys the
//!   assertion names through `jwk`, `jku` or `x5u`. `alg: none` is refused; the
//!   `alg` must suit the key and the client's pinned list, and HS256 is checked
//!   only against a registered [`JwtSecretCredential`](crate::JwtSecretCredential),
//!   never against public-key bytes. `iss` and `sub` must be the client id, `aud`
//!   the issuer identifier, `exp` at most 5 minutes ahead, `nbf`/`iat` within
//!   30 s of leeway, and the `jti` is recorded by the [`ReplayGuard`](crate::ReplayGuard)
//!   in one atomic call, so each assertion is accepted once.
//! - **Costs an attacker:** a captured assertion is worth nothing after its first
//!   use, and at most 5 minutes before it; forging one needs the client's
//!   private key.
//! - **Cannot stop:** a stolen private key. The in-memory
//!   [`MemoryReplayGuard`](crate::store::MemoryReplayGuard) is per process (it
//!   refuses new assertions when full rather than forget one): replicas need a
//!   shared guard: `store::redis::RedisReplayGuard` (feature `redis`).
//!
//! ## Platform tokens (the JWT-bearer grant)
//!
//! - **Does:** only configured [`TrustedIssuer`](crate::issuer::TrustedIssuer)s
//!   are trusted, decided on the token's `iss` before anything is fetched, so a
//!   token cannot make the server fetch a URL of its choosing. Their keys come
//!   from configuration or `https` URLs, each bound to one algorithm (never
//!   HS256); `alg: none`, algorithm confusion and keys named by the token are
//!   refused. `aud` must name this server; `exp`, `nbf`, `iat` and the maximum
//!   lifetime are enforced; a [`ClaimRule`](crate::issuer::ClaimRule) must match
//!   the whole `sub`, and the first match decides. By default the `jti` is
//!   recorded by the [`ReplayGuard`](crate::ReplayGuard), so each platform token
//!   is exchanged once.
//! - **Costs an attacker:** a platform token captured elsewhere is useless
//!   here unless it names this server as its audience; a made-up `kid` causes
//!   at most one key fetch per issuer every few seconds.
//! - **Cannot stop:** a rule that is too broad (a shared issuer such as GitHub
//!   Actions matched on a loose pattern) or a platform token stolen from a rule
//!   that allows reuse, until it expires: see
//!   [`manual::federation`](crate::manual::federation).
//!
//! ## Token validation at the resource server (RFC 9068 §4)
//!
//! - **Does:** the [`Validator`](crate::Validator) parses its keys once, each bound
//!   to one `kid` and one algorithm; a token's `alg` must equal its key's (no
//!   `none`, no HS256 keyed with a public key), `typ` must be `at+jwt`, keys offered
//!   in the header (`jwk`, `jku`, `x5u`) are ignored, `iss` and `aud` are compared
//!   byte for byte, and `exp`/`nbf`/`iat` get a leeway of at most 5 minutes
//!   (60 s by default). Oversized tokens are refused before any decoding.
//! - **Costs an attacker:** a token is accepted only if the issuer signed it for
//!   this resource and it has not expired; an ID token or a client assertion
//!   cannot pass as an access token.
//! - **Cannot stop:** a stolen, unexpired token is a bearer token: whoever holds
//!   it can use it (RFC 6750). Keep lifetimes short (10 minutes by default) and
//!   send tokens over TLS only.
//!
//! ## Revocation (RFC 7009)
//!
//! - **Does:** a [`RevocationStore`](crate::RevocationStore) revokes one token,
//!   every token of a client, or every token one credential obtained, up to a
//!   cutoff; the issuer mints no token that would be born revoked, and a store
//!   failure refuses the token (fail closed).
//!   [`MemoryRevocationStore`](crate::store::MemoryRevocationStore) is bounded
//!   (at most 39 bytes per revoked `jti`) and refuses new revocations when full
//!   rather than forget one.
//! - **Costs an attacker:** a revoked token or credential stops working wherever
//!   the store is consulted: at the issuer's endpoints, in validators sharing the
//!   store, and for resource servers that introspect.
//! - **Cannot stop:** a resource server that checks signatures alone accepts a
//!   revoked token until it expires.
//!
//! ## Redaction
//!
//! - **Does:** [`ClientSecret`](crate::ClientSecret), signing keys, client
//!   assertions, [`RequestParts`](crate::RequestParts), [`ClientAuth`](crate::ClientAuth)
//!   and token responses print `[redacted]` in `Debug`; plaintext secrets are
//!   zeroized on drop; errors and [`audit`](crate::audit) events carry ids,
//!   scopes and reasons, never a secret, token or `Authorization` header. The
//!   client id an attacker presents reaches an audit event as sent only when
//!   it is a valid client id of at most 256 bytes (printable ASCII); any other
//!   is escaped (`\xHH` for every other byte, `\\` for `\`), cut at 256
//!   bytes, and marked with
//!   [`client_id_escaped`](crate::audit::AuditEvent::client_id_escaped), so no
//!   id can break a log line or forge one.
//! - **Costs an attacker:** logs and crash reports hold nothing that
//!   authenticates.
//! - **Cannot stop:** your own code logging the raw request, or a memory dump of a
//!   running process.
//!
//! ## Secrets in memory
//!
//! - **Does:** every buffer this crate owns that holds a client secret, a
//!   client assertion or private key material is zeroized when dropped:
//!   [`ClientSecret`](crate::ClientSecret) and
//!   [`PrivateKeyPem`](crate::jose::PrivateKeyPem); the decoded `Basic`
//!   credentials; form values decoded from `client_secret` and
//!   `client_assertion`, including one refused as repeated or as invalid
//!   UTF-8; a [`ClientAssertion`](crate::issuer::ClientAssertion)'s text and
//!   the header, claims and signature decoded from it; the copy of a presented
//!   secret handed to a [`SlowHashRunner`](crate::issuer::SlowHashRunner); and
//!   the base64 text and DER decoded from a PEM key. Buffers are sized before
//!   they are filled, so no reallocation leaves a copy behind.
//! - **Cannot stop:** private key material held inside `ring` types is not
//!   wiped on drop, because `ring` offers no way to: the key pairs of
//!   [`SigningKey`](crate::SigningKey), the HMAC keys of HS256 signing keys
//!   and of [`JwtSecretCredential`](crate::JwtSecretCredential)s, and the
//!   PKCS#8 document `ring` returns from
//!   [`SigningKey::generate`](crate::SigningKey::generate). Nor can the crate
//!   wipe what it never owned: the request body and headers the HTTP stack
//!   buffered, and the scratch buffers `serde_json` uses while it reads an
//!   assertion's claims. A memory dump or swap of a running process can hold
//!   them.
//!
//! ## Transport
//!
//! - **Does:** the issuer identifier and the URLs it advertises (token, JWKS,
//!   revocation, introspection) and every client `jwks_uri` must be `https`;
//!   `http` is accepted only for loopback hosts behind
//!   [`IssuerBuilder::dangerous_allow_http_loopback`](crate::issuer::IssuerBuilder::dangerous_allow_http_loopback).
//!   Every token endpoint response carries `Cache-Control: no-store`.
//! - **Cannot stop:** the crate opens no socket, so TLS is the HTTP stack's job;
//!   it checks the URLs it is given, not the connection a request came in on.
//!
//! ## Out of scope
//!
//! Denial of service beyond the body-size and token-size limits, rate limits
//! for valid clients, storage of the signing keys, and the security of your
//! [`ClientStore`](crate::ClientStore) are the application's.
