//! The shared vocabulary every wing speaks: identifiers, scopes, audiences,
//! time, secrets and errors. It imports no other wing.

pub(crate) mod audience;
pub(crate) mod clock;
pub(crate) mod error;
pub(crate) mod extra_claims;
pub(crate) mod grant_refusal;
pub(crate) mod ids;
pub(crate) mod random;
pub(crate) mod scope;
pub(crate) mod secret;
pub(crate) mod secret_hash;
pub(crate) mod time;
pub(crate) mod url;
