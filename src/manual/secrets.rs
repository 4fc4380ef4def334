//! # How client secrets are stored, and why
//!
//! A secret is generated once ([`ClientSecret::generate`](crate::ClientSecret::generate):
//! 256 bits from the operating system's CSPRNG, 43 base64url characters), shown
//! once to the client's operator, and stored only as a
//! [`SecretHash`](crate::SecretHash) string.
//!
//! - **Generated secrets: salted SHA-256** (`$sha256$salt$digest`). A slow hash
//!   exists to make guessing *low-entropy* passwords expensive. Nobody guesses 256
//!   random bits, so a slow hash buys nothing here and would cost 1–400 ms of CPU
//!   per token request: the peers that hash machine secrets with bcrypt or PBKDF2
//!   top out at tens to hundreds of token requests per second per core for that
//!   reason alone. A SHA-256 check costs about a tenth of a microsecond.
//! - **Human-chosen secrets: PBKDF2-HMAC-SHA256** (`$pbkdf2-sha256$i=600000$salt$hash`).
//!   [`SecretHash::fast`](crate::SecretHash::fast) refuses secrets shorter than
//!   32 bytes, so a short secret cannot end up behind the fast hash by accident.
//!
//! The string form names its scheme, so the policy can change later without a
//! migration: old hashes keep verifying while new ones use the new scheme.
//!
//! Checks are constant-time (`subtle`). A request naming an unknown client gets
//! the same answer as one with a wrong secret, and does the same hash work as a
//! wrong secret of a client stored with the fast hash: among such clients,
//! neither timing nor error text tells an attacker which client ids exist. A
//! client stored with PBKDF2 takes far longer to refuse than an unknown id, so
//! its existence shows in the response time (see the security page).
//! Failed attempts are throttled per presented client id and caller source
//! ([`MemoryThrottle`](crate::store::MemoryThrottle)), as RFC 6749 §2.3.1
//! requires; a generated secret is checked whatever the count, a human one
//! only while its key is not locked.
//!
//! Plaintext secrets live only in [`ClientSecret`](crate::ClientSecret), whose
//! memory is zeroized on drop and whose `Debug` prints `[redacted]`.
