//! The JWT `aud` claim (RFC 7519 §4.1.3): one string or an array of strings.
//!
//! The one reader and writer of it, for access tokens and client assertions.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};

/// Most audiences pre-allocated for from an array's size hint.
const MAX_PREALLOCATED: usize = 16;

/// One audience as a string, several as an array: single strings are what most
/// resource servers and libraries expect.
pub(crate) fn serialize<S: Serializer>(aud: &[String], s: S) -> Result<S::Ok, S::Error> {
    if let [only] = aud {
        return s.serialize_str(only);
    }
    let mut seq = s.serialize_seq(Some(aud.len()))?;
    for value in aud {
        seq.serialize_element(value)?;
    }
    seq.end()
}

/// Reads a string as one audience or an array of strings as several; an
/// empty array reads as none.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    d.deserialize_any(AudVisitor)
}

/// [`deserialize`] for an optional claim (with `#[serde(default)]`), reading
/// `null` as absent, as serde reads an `Option`.
pub(crate) fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    struct Aud(Vec<String>);
    impl<'de> Deserialize<'de> for Aud {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            deserialize(d).map(Aud)
        }
    }
    Option::<Aud>::deserialize(d).map(|aud| aud.map(|Aud(aud)| aud))
}

struct AudVisitor;

impl<'de> Visitor<'de> for AudVisitor {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or an array of strings")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(vec![v.to_owned()])
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(vec![v])
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(1).min(MAX_PREALLOCATED));
        while let Some(value) = seq.next_element()? {
            values.push(value);
        }
        Ok(values)
    }
}

#[cfg(test)]
mod tests;
