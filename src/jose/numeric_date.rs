//! The JWT NumericDate (RFC 7519 §2): seconds since the Unix epoch, written as
//! a JSON integer and read from any JSON number.
//!
//! The one reader for `exp`, `nbf` and `iat`, in access tokens and client
//! assertions alike, with two rules:
//! - [`deserialize`] (access tokens): a non-negative JSON integer, as every
//!   RFC 9068 issuer writes it; anything else makes the claims malformed.
//! - [`deserialize_clamped`] (client assertions, signed by many kinds of
//!   client library): any JSON number, since RFC 7519 allows fractions, which
//!   round down; a value beyond `u64` saturates and a negative one reads as 0,
//!   so the time checks then refuse the assertion by name.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;

use crate::vocab::time::UnixTime;

/// Writes whole seconds.
pub(crate) fn serialize<S: Serializer>(t: &UnixTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(t.as_secs())
}

/// Reads a NumericDate that must be a non-negative integer.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<UnixTime, D::Error> {
    d.deserialize_any(DateVisitor { any_number: false })
}

/// Reads any JSON number as a NumericDate: fractions round down, negative
/// values read as 0, huge ones as `u64::MAX`.
pub(crate) fn deserialize_clamped<'de, D: Deserializer<'de>>(d: D) -> Result<UnixTime, D::Error> {
    d.deserialize_any(DateVisitor { any_number: true })
}

/// [`deserialize_clamped`] for an optional claim (with `#[serde(default)]`),
/// reading `null` as absent, as serde reads an `Option`.
pub(crate) fn option_clamped<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<UnixTime>, D::Error> {
    struct Clamped(UnixTime);
    impl<'de> Deserialize<'de> for Clamped {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            deserialize_clamped(d).map(Clamped)
        }
    }
    Option::<Clamped>::deserialize(d).map(|t| t.map(|Clamped(t)| t))
}

struct DateVisitor {
    /// Whether negative and non-integer numbers are read too.
    any_number: bool,
}

impl Visitor<'_> for DateVisitor {
    type Value = UnixTime;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.any_number {
            "a NumericDate: a number of seconds"
        } else {
            "a NumericDate: a non-negative integer number of seconds"
        })
    }

    fn visit_u64<E: de::Error>(self, secs: u64) -> Result<UnixTime, E> {
        Ok(UnixTime::from_secs(secs))
    }

    fn visit_i64<E: de::Error>(self, secs: i64) -> Result<UnixTime, E> {
        match u64::try_from(secs) {
            Ok(secs) => Ok(UnixTime::from_secs(secs)),
            Err(_) if self.any_number => Ok(UnixTime::from_secs(0)),
            Err(_) => Err(E::invalid_value(de::Unexpected::Signed(secs), &self)),
        }
    }

    fn visit_f64<E: de::Error>(self, secs: f64) -> Result<UnixTime, E> {
        if !self.any_number {
            return Err(E::invalid_type(de::Unexpected::Float(secs), &self));
        }
        // `as` rounds toward zero and saturates: negatives to 0, huge values
        // to u64::MAX.
        Ok(UnixTime::from_secs(secs as u64))
    }
}

#[cfg(test)]
mod tests;
