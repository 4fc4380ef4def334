//! # Rotating secrets and keys without downtime
//!
//! ## Client secrets
//!
//! A client holds several [`SecretCredential`](crate::SecretCredential)s, each
//! with its own id and optional expiry, and any live one authenticates it:
//!
//! 1. Generate a new secret and add its hash next to the old one
//!    (`Client::builder(..).secret(old).secret(new)`), then update the store.
//! 2. Hand the new secret to the client's operator; the client switches over
//!    whenever it likes, because both work.
//! 3. Give the old secret an expiry ([`SecretCredential::expires_at`](crate::SecretCredential::expires_at))
//!    or remove it. Tokens record the `credential_id` that obtained them, so if the
//!    old secret leaked, revoke everything it produced while the client lives on.
//!
//! ## Signing keys
//!
//! A [`KeySet`](crate::KeySet) has one active signing key and keeps older keys
//! published in the JWKS, so tokens they signed still verify:
//!
//! 1. Publish the new key first, as a previous key
//!    ([`KeySet::with_previous`](crate::KeySet::with_previous)), and wait until
//!    resource servers have refreshed their JWKS caches.
//! 2. Make it active ([`KeySet::rotate`](crate::KeySet::rotate)); the old key stays
//!    published.
//! 3. After the longest token lifetime has passed, retire the old key
//!    ([`KeySet::retire`](crate::KeySet::retire)).
//!
//! Every key has a `kid` (by default its RFC 7638 thumbprint), and every token
//! names the `kid` that signed it.
