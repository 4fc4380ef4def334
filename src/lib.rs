//! OAuth 2.0 client-credentials token endpoint (RFC 6749 §4.4) issuing RFC 9068 JWT
//! access tokens.
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

mod audience;
mod claims;
mod clock;
mod error;
mod keys;
mod mint;
mod scope;
mod secret;
mod secret_hash;
mod throttle;
mod time;

// The public interface is:
pub use crate::audience::Audience;
pub use crate::claims::AccessTokenClaims;
pub use crate::clock::{Clock, FixedClock, SystemClock};
pub use crate::error::{ConfigError, ErrorCode, Reason, StoreError, TokenError};
pub use crate::keys::{Algorithm, KeySet, PrivateKeyPem, SigningKey};
pub use crate::mint::{JtiSource, RandomJti};
pub use crate::scope::{Scope, ScopeSet};
pub use crate::secret::{ClientSecret, GENERATED_SECRET_BYTES};
pub use crate::secret_hash::{PBKDF2_DEFAULT_ITERATIONS, SecretHash};
pub use crate::throttle::{AuthThrottle, MemoryThrottle, NoThrottle, ThrottleConfig};
pub use crate::time::UnixTime;
