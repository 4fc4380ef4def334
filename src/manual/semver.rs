//! # Versions and compatibility
//!
//! The crate follows [Semantic Versioning](https://semver.org/spec/v2.0.0.html).
//! While it is 0.x, a release that breaks the public API raises the minor number
//! (0.1 → 0.2); the `CHANGELOG.md` at the repository root lists every renamed or
//! removed path.
//!
//! ## Minimum supported Rust version
//!
//! Rust 1.88 (set by `jsonwebtoken` 11), declared as `rust-version` in
//! `Cargo.toml`. Raising it is a minor release.
//!
//! ## Types of other crates in the public API
//!
//! The public API names the types of four other crates (two only behind
//! features), each on purpose. A major release of one of them that changes these
//! types is a breaking release of this crate.
//!
//! | type | crate | where | why it stays |
//! |---|---|---|---|
//! | [`Jwk`](crate::jose::Jwk), [`JwkSet`](crate::jose::JwkSet) | `jsonwebtoken` 11, re-exported in [`jose`](crate::jose) | taken by [`ClientKey::from_jwk`](crate::ClientKey::from_jwk), [`ClientJwks::from_jwk_set`](crate::ClientJwks::from_jwk_set), [`VerificationKeys::from_jwks`](crate::VerificationKeys::from_jwks); returned by [`SigningKey::public_jwk`](crate::SigningKey::public_jwk), [`KeySet::jwks`](crate::KeySet::jwks) and [`JwksFetcher::fetch`](crate::jose::JwksFetcher::fetch) | a JWK Set is a JSON document passed between issuer, clients and resource servers, and `jsonwebtoken`'s typed form is the one the Rust JWT ecosystem shares. Name it through the re-export so your code follows this crate's version; the JSON-text twins [`ClientJwks::from_json`](crate::ClientJwks::from_json), [`VerificationKeys::from_jwks_json`](crate::VerificationKeys::from_jwks_json) and [`KeySet::jwks_json`](crate::KeySet::jwks_json) name no other crate |
//! | `http::request::Parts`, `http::Request<B>`, `http::Response<Vec<u8>>` | `http` 1.x, feature `http` only | `RequestParts::from_http`, `RequestParts::from_http_request`, `From<HttpResponse> for http::Response<Vec<u8>>` | the conversions are what the feature is for; not re-exported, as code that turns it on already has `http` 1.x types in hand |
//! | `time::OffsetDateTime` | `time` 0.3, feature `time` only | `From` conversions with [`UnixTime`](crate::UnixTime) | a convenience for code already on `time`; off by default, so the API names no 0.x date-time crate unless you ask for it |
//! | the `Serialize` and `Deserialize` traits | `serde` 1.x | implemented by [`AccessTokenClaims`](crate::AccessTokenClaims); bounds of [`ExtraClaims`](crate::ExtraClaims)' insertion and typed reading | the claim set is a JSON object; serde's traits read and write it in any serde format, and serde 1.x is the ecosystem's stable interface |
//!
//! Everything else is internal and can change in any release: `ring`, `base64`,
//! `base64-simd`, `memchr`, `percent-encoding`, `fluent-uri`, `serde_json`,
//! `subtle`, `thiserror` and `zeroize` appear in no signature (secrets keep their
//! `Zeroizing` buffers private; errors carry strings or a
//! [`StoreError`](crate::StoreError)), and `tracing` (feature `tracing`) is used
//! only inside `audit::TracingAudit`. Instants are the crate's own
//! [`UnixTime`](crate::UnixTime), which converts from `std::time::SystemTime`
//! (and, with the `time` feature, from and to `time::OffsetDateTime`); from
//! `chrono`, go through Unix seconds with [`UnixTime::from_secs`](crate::UnixTime::from_secs).
//!
//! ## Types that may grow
//!
//! Public enums that may gain variants and structs with public fields that may
//! gain members are `#[non_exhaustive]`, so adding one is not a breaking change:
//! match them with a wildcard arm, and start configuration structs from
//! `Default`:
//!
//! ```
//! use std::time::Duration;
//! use client_credentials::store::{MemoryRevocationStore, RevocationConfig, ThrottleConfig};
//!
//! let mut revocation = RevocationConfig::default();
//! revocation.max_revoked_tokens = 10_000;
//! let store = MemoryRevocationStore::new(revocation);
//!
//! let mut throttle = ThrottleConfig::default();
//! throttle.lockout = Duration::from_secs(300);
//! # let _ = (store, throttle);
//! ```
