//! The design rationale and the security model, for people deciding how to run
//! the crate.
//!
//! Nothing here is code; each page answers one question:
//!
//! - [`security`]: what each protection does, what it costs an attacker, and
//!   what it cannot stop.
//! - [`design`]: the positions the crate takes where the RFCs leave a choice,
//!   and the shape of the crate.
//! - [`semver`]: what counts as a breaking change, the minimum Rust version, and
//!   which types of other crates appear in the public API.
//! - [`rfc9068`]: why access tokens are RFC 9068 JWTs, and what is in them.
//! - [`no_refresh_tokens`]: why the client-credentials grant never issues refresh tokens.
//! - [`secrets`]: how client secrets are generated, stored and checked, and why.
//! - [`rotation`]: how to rotate client secrets and signing keys without downtime.
//! - [`scaling`]: running as a fleet: what is shared on Redis and PostgreSQL, how stale a replica can be, what each outage does.
//! - [`operations`]: what an operator sees (logs, metrics) and what each
//!   refusal reason means and asks of them.
//! - [`federation`]: secretless workloads: trusting platform issuers for the
//!   JWT-bearer grant, and writing claim rules safely.
//! - [`dpop`]: sender-constrained tokens with DPoP: when to use them, what they
//!   protect against and what not, and how nonces work in a fleet.
//! - [`conformance`]: which RFC rules the crate holds and which tests hold them (the ids `C1`…).

pub mod conformance;
pub mod design;
pub mod dpop;
pub mod federation;
pub mod no_refresh_tokens;
pub mod operations;
pub mod rfc9068;
pub mod rotation;
pub mod scaling;
pub mod secrets;
pub mod security;
pub mod semver;
