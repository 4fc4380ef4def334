//! The design rationale, for people deciding how to run the crate.
//!
//! Nothing here is code; each page answers one question:
//!
//! - [`rfc9068`]: why access tokens are RFC 9068 JWTs, and what is in them.
//! - [`no_refresh_tokens`]: why the client-credentials grant never issues refresh tokens.
//! - [`secrets`]: how client secrets are generated, stored and checked, and why.
//! - [`rotation`]: how to rotate client secrets and signing keys without downtime.
//! - [`scaling`]: how to run several instances of an issuer.
//! - [`conformance`]: which RFC rules the crate holds and which tests hold them (the ids `C1`…).

pub mod conformance;
pub mod no_refresh_tokens;
pub mod rfc9068;
pub mod rotation;
pub mod scaling;
pub mod secrets;
