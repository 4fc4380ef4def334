//! How client secrets are stored: salted hashes in a self-describing string, never
//! plaintext, checked in constant time.
//!
//! # Why SHA-256 is enough for generated secrets
//!
//! A secret from [`ClientSecret::generate`] holds 256 random bits. Guessing it from
//! its hash means trying about 2^255 candidates, which no amount of hardware will
//! ever do, so a slow hash adds no safety: it only makes every token request pay
//! for it. One salted SHA-256 and a constant-time compare cost about 100 ns, where
//! the bcrypt or PBKDF2 that peers use costs 1–400 ms per request and caps a core
//! at tens to hundreds of token requests per second.
//!
//! # Why human-chosen secrets need PBKDF2
//!
//! A secret a person typed has little entropy, and a fast hash of it can be
//! brute-forced offline from a leaked store at billions of guesses per second.
//! PBKDF2-HMAC-SHA256 with [`SecretHash::PBKDF2_DEFAULT_ITERATIONS`] makes each guess cost
//! 600,000 HMAC computations instead of one hash. [`SecretHash::fast`] therefore refuses short
//! secrets; store anything not from [`ClientSecret::generate`] with
//! [`SecretHash::pbkdf2_default`].

use std::fmt;
use std::hint::black_box;
use std::num::NonZeroU32;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::digest;
use ring::pbkdf2;
use ring::rand::SecureRandom;
use subtle::{Choice, ConstantTimeEq};

use crate::{ClientSecret, ConfigError};

use crate::vocab::random::system_random;

/// More iterations than this are refused when parsing: a stored hash that would
/// take seconds per check is a mistake or an attack on the issuer's CPU.
const PBKDF2_MAX_ITERATIONS: u32 = 10_000_000;

/// Shortest secret [`SecretHash::fast`] accepts, in bytes.
const FAST_MIN_SECRET_BYTES: usize = 32;

const SALT_BYTES: usize = 16;
const DIGEST_BYTES: usize = 32;

const SHA256: &str = "sha256";
const PBKDF2_SHA256: &str = "pbkdf2-sha256";

/// A stored client secret: a salted hash, never the secret itself.
///
/// It is written as a self-describing string, so the hashing policy can change
/// without a migration (old hashes keep verifying):
///
/// - `$sha256$<salt>$<digest>`: SHA-256(salt ‖ secret), for secrets from
///   [`ClientSecret::generate`] (see [`SecretHash::fast`]);
/// - `$pbkdf2-sha256$i=<iterations>$<salt>$<hash>`: PBKDF2-HMAC-SHA256, for
///   secrets a person chose (see [`SecretHash::pbkdf2`]).
///
/// Salts are 16 random bytes and digests 32 bytes, both base64url without padding.
/// Read one with [`str::parse`] and write it with [`Display`](fmt::Display).
///
/// Its `Debug` shows only the scheme.
#[derive(Clone)]
pub struct SecretHash(Scheme);

#[derive(Clone)]
enum Scheme {
    Sha256 {
        salt: [u8; SALT_BYTES],
        digest: [u8; DIGEST_BYTES],
    },
    Pbkdf2Sha256 {
        iterations: NonZeroU32,
        salt: [u8; SALT_BYTES],
        hash: [u8; DIGEST_BYTES],
    },
}

/// What an unknown client id is checked against, so it costs what a wrong secret
/// costs. Nothing can match it: [`SecretHash::verify_unknown_client`] ignores the
/// result.
static UNKNOWN_CLIENT: SecretHash = SecretHash(Scheme::Sha256 {
    salt: *b"unknown-client!!",
    digest: [0; DIGEST_BYTES],
});

impl SecretHash {
    /// PBKDF2-HMAC-SHA256 iterations used by [`SecretHash::pbkdf2_default`]: OWASP's
    /// 2023 recommendation.
    pub const PBKDF2_DEFAULT_ITERATIONS: u32 = 600_000;

    /// Hashes a machine-generated secret with one salted SHA-256.
    ///
    /// Only for secrets from [`ClientSecret::generate`] (or with as much entropy):
    /// a human-chosen secret must use [`SecretHash::pbkdf2_default`]. Secrets
    /// shorter than 32 bytes are refused with [`ConfigError::WeakSecret`]; the
    /// length is a guard against mistakes, not a measure of entropy.
    ///
    /// # Panics
    /// Only if the operating system's random number generator fails.
    pub fn fast(secret: &ClientSecret) -> Result<Self, ConfigError> {
        let secret = secret.expose_secret().as_bytes();
        if secret.len() < FAST_MIN_SECRET_BYTES {
            return Err(ConfigError::WeakSecret(secret.len()));
        }
        let salt = random_salt();
        Ok(Self(Scheme::Sha256 {
            salt,
            digest: sha256(&salt, secret),
        }))
    }

    /// Hashes a human-chosen secret with PBKDF2-HMAC-SHA256 and `iterations`.
    ///
    /// # Panics
    /// If `iterations` is above 10,000,000 (such a hash could not be read back), or
    /// if the operating system's random number generator fails.
    pub fn pbkdf2(secret: &ClientSecret, iterations: NonZeroU32) -> Self {
        assert!(
            iterations.get() <= PBKDF2_MAX_ITERATIONS,
            "PBKDF2 iterations above {PBKDF2_MAX_ITERATIONS}"
        );
        let salt = random_salt();
        Self(Scheme::Pbkdf2Sha256 {
            iterations,
            salt,
            hash: pbkdf2_sha256(iterations, &salt, secret.expose_secret().as_bytes()),
        })
    }

    /// Hashes a human-chosen secret with PBKDF2-HMAC-SHA256 and
    /// [`SecretHash::PBKDF2_DEFAULT_ITERATIONS`] (about 100 ms per check).
    ///
    /// # Panics
    /// Only if the operating system's random number generator fails.
    pub fn pbkdf2_default(secret: &ClientSecret) -> Self {
        const ITERATIONS: NonZeroU32 =
            NonZeroU32::new(SecretHash::PBKDF2_DEFAULT_ITERATIONS).unwrap();
        Self::pbkdf2(secret, ITERATIONS)
    }

    /// Whether this is a PBKDF2 hash, the one for human-chosen secrets: such a
    /// secret can be guessed, so attempts at it are throttled before the check.
    pub fn is_pbkdf2(&self) -> bool {
        matches!(self.0, Scheme::Pbkdf2Sha256 { .. })
    }

    /// Whether `presented` is the secret this hash was made from. The digests are
    /// compared in constant time.
    pub fn verify(&self, presented: &[u8]) -> bool {
        let matches = match &self.0 {
            Scheme::Sha256 { salt, digest } => digests_equal(&sha256(salt, presented), digest),
            Scheme::Pbkdf2Sha256 {
                iterations,
                salt,
                hash,
            } => digests_equal(&pbkdf2_sha256(*iterations, salt, presented), hash),
        };
        matches.into()
    }

    /// Does the work of checking `presented` against a fast hash and returns
    /// `false`: called when no client has the presented id, so that an unknown id
    /// costs what a wrong secret costs and cannot be told apart by timing.
    ///
    /// It matches clients stored with [`SecretHash::fast`]; a client stored with
    /// PBKDF2 takes longer to refuse than an unknown id.
    pub(crate) fn verify_unknown_client(presented: &[u8]) -> bool {
        black_box(UNKNOWN_CLIENT.verify(black_box(presented)));
        false
    }

    /// The scheme name as written in the string form, e.g. `"sha256"`.
    fn scheme(&self) -> &'static str {
        match self.0 {
            Scheme::Sha256 { .. } => SHA256,
            Scheme::Pbkdf2Sha256 { .. } => PBKDF2_SHA256,
        }
    }
}

/// Compares two digests in constant time, eight bytes per `subtle` step:
/// byte by byte, `subtle`'s optimisation barrier runs 32 times per check.
fn digests_equal(a: &[u8; DIGEST_BYTES], b: &[u8; DIGEST_BYTES]) -> Choice {
    let word = |d: &[u8; DIGEST_BYTES], i: usize| {
        u64::from_le_bytes(d[i..i + 8].try_into().expect("8 bytes"))
    };
    (0..DIGEST_BYTES)
        .step_by(8)
        .fold(Choice::from(1), |equal, i| {
            equal & word(a, i).ct_eq(&word(b, i))
        })
}

fn random_salt() -> [u8; SALT_BYTES] {
    let mut salt = [0; SALT_BYTES];
    system_random()
        .fill(&mut salt)
        .expect("the operating system's CSPRNG failed");
    salt
}

fn sha256(salt: &[u8], secret: &[u8]) -> [u8; DIGEST_BYTES] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(salt);
    ctx.update(secret);
    let mut out = [0; DIGEST_BYTES];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

fn pbkdf2_sha256(iterations: NonZeroU32, salt: &[u8], secret: &[u8]) -> [u8; DIGEST_BYTES] {
    let mut out = [0; DIGEST_BYTES];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        salt,
        secret,
        &mut out,
    );
    out
}

impl fmt::Display for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Scheme::Sha256 { salt, digest } => write!(
                f,
                "${SHA256}${}${}",
                URL_SAFE_NO_PAD.encode(salt),
                URL_SAFE_NO_PAD.encode(digest)
            ),
            Scheme::Pbkdf2Sha256 {
                iterations,
                salt,
                hash,
            } => write!(
                f,
                "${PBKDF2_SHA256}$i={iterations}${}${}",
                URL_SAFE_NO_PAD.encode(salt),
                URL_SAFE_NO_PAD.encode(hash)
            ),
        }
    }
}

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretHash")
            .field("scheme", &self.scheme())
            .finish_non_exhaustive()
    }
}

const BAD_SALT: &str = "salt is not base64url without padding";
const SALT_LENGTH: &str = "salt is not 16 bytes";
const BAD_DIGEST: &str = "digest is not base64url without padding";
const DIGEST_LENGTH: &str = "digest is not 32 bytes";

impl FromStr for SecretHash {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, ConfigError> {
        let invalid = ConfigError::InvalidSecretHash;
        let rest = s.strip_prefix('$').ok_or(invalid("must start with '$'"))?;
        let fields: Vec<&str> = rest.splitn(5, '$').collect();
        match fields[..] {
            [SHA256, salt, digest] => Ok(Self(Scheme::Sha256 {
                salt: decode(salt, BAD_SALT, SALT_LENGTH)?,
                digest: decode(digest, BAD_DIGEST, DIGEST_LENGTH)?,
            })),
            [PBKDF2_SHA256, iterations, salt, hash] => Ok(Self(Scheme::Pbkdf2Sha256 {
                iterations: parse_iterations(iterations)?,
                salt: decode(salt, BAD_SALT, SALT_LENGTH)?,
                hash: decode(hash, BAD_DIGEST, DIGEST_LENGTH)?,
            })),
            [SHA256 | PBKDF2_SHA256, ..] => Err(invalid("wrong number of fields")),
            _ => Err(invalid("unknown scheme")),
        }
    }
}

/// Decodes a base64url field of exactly `N` bytes, or says which rule it broke.
fn decode<const N: usize>(
    field: &str,
    not_base64: &'static str,
    wrong_length: &'static str,
) -> Result<[u8; N], ConfigError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(field)
        .map_err(|_| ConfigError::InvalidSecretHash(not_base64))?;
    bytes
        .try_into()
        .map_err(|_| ConfigError::InvalidSecretHash(wrong_length))
}

/// Parses `i=<iterations>`: decimal digits without a leading zero, in
/// `1..=PBKDF2_MAX_ITERATIONS`.
fn parse_iterations(field: &str) -> Result<NonZeroU32, ConfigError> {
    let invalid = ConfigError::InvalidSecretHash;
    let digits = field
        .strip_prefix("i=")
        .filter(|d| {
            !d.is_empty()
                && d.bytes().all(|b| b.is_ascii_digit())
                && (d.len() == 1 || !d.starts_with('0'))
        })
        .ok_or(invalid("iterations must be written i=<decimal>"))?;
    let n: u32 = digits
        .parse()
        .map_err(|_| invalid("too many PBKDF2 iterations"))?;
    match NonZeroU32::new(n) {
        None => Err(invalid("zero PBKDF2 iterations")),
        Some(_) if n > PBKDF2_MAX_ITERATIONS => Err(invalid("too many PBKDF2 iterations")),
        Some(n) => Ok(n),
    }
}

#[cfg(test)]
mod tests;
