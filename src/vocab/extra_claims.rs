//! Extra claims: members of an access token beyond the registered ones, such
//! as a tenant, an owner or an agent run id. RFC 9068 §2.2 lets an
//! authorization server add them; they never replace a registered claim.

use std::fmt;

use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserializer, Serialize, Serializer};

use crate::vocab::error::{ConfigError, ValidationError};

/// The claim names an extra claim may never take: the registered JWT claims
/// (RFC 7519 §4.1), those of RFC 9068 §2.2 (`client_id`, `scope`,
/// `auth_time`, `acr`, `amr`), confirmation (`cnf`, RFC 7800 §3.1, used by
/// RFC 9449 and RFC 8705), delegation (`act`, `may_act`, RFC 8693 §4.1,
/// §4.4), the members of an introspection answer that are not claims
/// (`active`, `token_type`, `username`, RFC 7662 §2.2: the answer carries
/// every claim of the token beside them), and this crate's own
/// `credential_id`.
pub const REGISTERED_CLAIMS: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "client_id",
    "scope",
    "auth_time",
    "acr",
    "amr",
    "cnf",
    "act",
    "may_act",
    "active",
    "token_type",
    "username",
    "credential_id",
];

/// The most bytes the extra claims of one token may take as JSON (names,
/// values and punctuation): a token must stay well under a resource server's
/// size limit (8 KiB by default).
pub const MAX_EXTRA_CLAIMS_BYTES: usize = 2048;

/// The longest extra claim name, in bytes.
const MAX_CLAIM_NAME_BYTES: usize = 256;

/// Whether `name` is a claim no extra claim may set ([`REGISTERED_CLAIMS`]).
pub(crate) fn is_registered_claim(name: &str) -> bool {
    REGISTERED_CLAIMS.contains(&name)
}

/// Claims added to a token beside the registered ones: the per-client claims
/// of a [`Client`](crate::Client), what an
/// [`issuer::ClaimsHook`](crate::issuer::ClaimsHook) adds, and what a
/// [`VerifiedToken`](crate::VerifiedToken) carries.
///
/// Each value is kept as its compact JSON text, in insertion order; setting a
/// name again replaces its value. Names are printable ASCII without `"` or
/// `\` (so a name needs no escaping anywhere), at most 256 bytes, and never a
/// [registered claim](REGISTERED_CLAIMS); the whole set is at most
/// [`MAX_EXTRA_CLAIMS_BYTES`] of JSON.
///
/// ```
/// use client_credentials::ExtraClaims;
///
/// let claims = ExtraClaims::new().with("tenant", "acme")?.with("owner", "alice")?;
/// assert_eq!(claims.get::<String>("tenant")?.as_deref(), Some("acme"));
/// assert_eq!(claims.to_string(), r#"{"tenant":"acme","owner":"alice"}"#);
/// assert!(ExtraClaims::new().with("sub", "someone-else").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ExtraClaims {
    /// (name, compact JSON value), in insertion order, names unique.
    members: Vec<(Box<str>, Box<str>)>,
    /// Every member as `,"name":value`: what minting appends.
    rendered: String,
}

impl ExtraClaims {
    /// No claims.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` to `value` (serialised with serde), replacing an earlier
    /// value of the same name.
    ///
    /// # Errors
    /// [`ConfigError::ReservedClaim`] for a [registered claim](REGISTERED_CLAIMS);
    /// [`ConfigError::Invalid`] for a malformed name, a value that does not
    /// serialise to JSON, or claims above [`MAX_EXTRA_CLAIMS_BYTES`].
    pub fn insert<T: Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: &T,
    ) -> Result<(), ConfigError> {
        check_name(name)?;
        let json = serde_json::to_string(value)
            .map_err(|_| ConfigError::Invalid("an extra claim value does not serialise to JSON"))?;
        self.insert_json(name, json.into_boxed_str())
    }

    /// [`insert`](Self::insert), by value: for building a set in one
    /// expression.
    ///
    /// # Errors
    /// As [`insert`](Self::insert).
    pub fn with<T: Serialize + ?Sized>(
        mut self,
        name: &str,
        value: &T,
    ) -> Result<Self, ConfigError> {
        self.insert(name, value)?;
        Ok(self)
    }

    /// Sets every claim of `other` here, replacing values of the same names.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] when the result exceeds
    /// [`MAX_EXTRA_CLAIMS_BYTES`].
    pub fn extend_from(&mut self, other: &Self) -> Result<(), ConfigError> {
        for (name, json) in &other.members {
            self.insert_json(name, json.clone())?;
        }
        Ok(())
    }

    fn insert_json(&mut self, name: &str, json: Box<str>) -> Result<(), ConfigError> {
        let mut members = self.members.clone();
        match members.iter_mut().find(|(n, _)| &**n == name) {
            Some(member) => member.1 = json,
            None => members.push((name.into(), json)),
        }
        let rendered = render(&members);
        if rendered.len() + 1 > MAX_EXTRA_CLAIMS_BYTES {
            return Err(ConfigError::Invalid(
                "extra claims exceed MAX_EXTRA_CLAIMS_BYTES",
            ));
        }
        self.members = members;
        self.rendered = rendered;
        Ok(())
    }

    /// The value of `name`, deserialised as `T`; `None` when absent.
    ///
    /// # Errors
    /// [`ValidationError::MalformedClaims`] when the value is not a `T`.
    pub fn get<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, ValidationError> {
        self.json(name)
            .map(|json| serde_json::from_str(json).map_err(|_| ValidationError::MalformedClaims))
            .transpose()
    }

    /// The value of `name` as compact JSON text.
    pub fn json(&self, name: &str) -> Option<&str> {
        self.members
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, json)| &**json)
    }

    /// Every claim as (name, compact JSON value), in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.members.iter().map(|(n, j)| (&**n, &**j))
    }

    /// How many claims there are.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Every member as `,"name":value`, ready to append to a claims object.
    pub(crate) fn rendered_members(&self) -> &str {
        &self.rendered
    }

    /// The members of a received claims object (`payload`, JSON) that are not
    /// [registered](REGISTERED_CLAIMS); `None` when the payload is not a JSON
    /// object in UTF-8 (RFC 8259 §8.1: also where a member is skipped unread)
    /// or repeats a member.
    pub(crate) fn from_payload(payload: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(payload).ok()?;
        let mut de = serde_json::Deserializer::from_str(text);
        let members = de.deserialize_map(ReceivedExtra).ok()?;
        de.end().ok()?;
        let rendered = render(&members);
        Some(Self { members, rendered })
    }
}

fn check_name(name: &str) -> Result<(), ConfigError> {
    if is_registered_claim(name) {
        return Err(ConfigError::ReservedClaim(name.to_owned()));
    }
    let printable = name
        .bytes()
        .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\');
    if name.is_empty() || name.len() > MAX_CLAIM_NAME_BYTES || !printable {
        return Err(ConfigError::Invalid(
            "an extra claim name is 1 to 256 printable ASCII characters without '\"' or '\\'",
        ));
    }
    Ok(())
}

/// `,"name":value` for each member; names need no escaping (see
/// [`check_name`]) and received ones are escaped by `serde_json`.
fn render(members: &[(Box<str>, Box<str>)]) -> String {
    let mut out = String::new();
    for (name, json) in members {
        out.push(',');
        out.push_str(&serde_json::to_string(&**name).unwrap_or_default());
        out.push(':');
        out.push_str(json);
    }
    out
}

/// Reads the unregistered members of a claims object, refusing repeats.
struct ReceivedExtra;

impl<'de> Visitor<'de> for ReceivedExtra {
    type Value = Vec<(Box<str>, Box<str>)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of claims")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members: Self::Value = Vec::new();
        while let Some(name) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if is_registered_claim(&name) {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            if members.iter().any(|(n, _)| **n == *name) {
                return Err(de::Error::custom("a repeated claim"));
            }
            let value: serde_json::Value = map.next_value()?;
            members.push((name.into(), value.to_string().into_boxed_str()));
        }
        Ok(members)
    }
}

/// As a JSON object of the claims.
impl fmt::Display for ExtraClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        f.write_str(self.rendered.strip_prefix(',').unwrap_or(""))?;
        f.write_str("}")
    }
}

/// As [`Display`](fmt::Display): the claims are in the token anyway, and no
/// secret belongs in them.
impl fmt::Debug for ExtraClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExtraClaims({self})")
    }
}

/// As a map of the claims, for a JSON answer that carries them (introspection).
impl Serialize for ExtraClaims {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.members.len()))?;
        for (name, json) in &self.members {
            let value: serde_json::Value =
                serde_json::from_str(json).map_err(serde::ser::Error::custom)?;
            map.serialize_entry(&**name, &value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests;
