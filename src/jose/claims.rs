//! The claims of an RFC 9068 JWT access token, as minted and as read back.

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::vocab::audience::Audience;
use crate::vocab::time::UnixTime;
use crate::wire::json;

/// The claim set of an access token this crate issues (RFC 9068 §2.2).
///
/// Serialises `aud` as a string when the token has one audience and as an array
/// when it has several; reads either form.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    /// Issuer: the authorization server's issuer identifier (RFC 7519 §4.1.1,
    /// RFC 9068 §2.2), which resource servers compare byte for byte (C63).
    pub iss: String,
    /// Subject (RFC 7519 §4.1.2). With no resource owner in the client-credentials
    /// grant, it names the client (RFC 9068 §2.2, C55).
    pub sub: String,
    /// Audiences: the resources the token is for (RFC 7519 §4.1.3, RFC 9068 §3,
    /// RFC 8707). Never empty in a token this crate mints (C58).
    #[serde(
        serialize_with = "serialize_audience_strings",
        deserialize_with = "deserialize_audiences"
    )]
    pub aud: Vec<String>,
    /// The client the token was issued to (RFC 8693 §4.3, RFC 9068 §2.2).
    pub client_id: String,
    /// Issued-at time (RFC 7519 §4.1.6).
    #[serde(with = "numeric_date")]
    pub iat: UnixTime,
    /// Expiry time (RFC 7519 §4.1.4); resource servers reject the token from then on.
    #[serde(with = "numeric_date")]
    pub exp: UnixTime,
    /// Unique token id (RFC 7519 §4.1.7), the handle for revoking one token.
    pub jti: String,
    /// The granted scopes, space-delimited (RFC 8693 §4.2, RFC 9068 §2.2.3, C56).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The id of the client credential (secret, key or certificate) that
    /// authenticated the client. A private claim (RFC 7519 §4.3): it lets one leaked
    /// credential be revoked together with every token it obtained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<String>,
}

/// The claims of a token about to be minted, borrowed from the grant so minting
/// copies nothing. [`write_json`](Self::write_json) writes the members in the
/// order of [`AccessTokenClaims`]: iss, sub, aud, client_id, iat, exp, jti, scope,
/// credential_id, byte for byte as `serde_json` writes an [`AccessTokenClaims`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct MintClaims<'a> {
    pub(crate) iss: &'a str,
    pub(crate) sub: &'a str,
    pub(crate) aud: &'a [Audience],
    pub(crate) client_id: &'a str,
    pub(crate) iat: UnixTime,
    pub(crate) exp: UnixTime,
    pub(crate) jti: &'a str,
    /// `None` when no scope was granted; never `Some("")`.
    pub(crate) scope: Option<&'a str>,
    pub(crate) credential_id: Option<&'a str>,
}

impl MintClaims<'_> {
    /// Appends the claims as compact JSON to `out`, member by member (escapes
    /// and integers by `serde_json`): this runs once per token, and serialising
    /// the whole struct through `serde` costs more than signing does with HS256.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        // `iss` and `aud` are URIs and `scope` is scope tokens: nothing in
        // them needs escaping. Ids and `jti`s are checked.
        out.extend_from_slice(b"{\"iss\":");
        json::push_unescaped_str(out, self.iss);
        out.extend_from_slice(b",\"sub\":");
        json::push_str(out, self.sub);
        out.extend_from_slice(b",\"aud\":");
        // One audience as a string, several as an array (RFC 7519 §4.1.3).
        match self.aud {
            [only] => json::push_unescaped_str(out, only.as_str()),
            several => {
                out.push(b'[');
                for (i, aud) in several.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    json::push_unescaped_str(out, aud.as_str());
                }
                out.push(b']');
            }
        }
        out.extend_from_slice(b",\"client_id\":");
        json::push_str(out, self.client_id);
        out.extend_from_slice(b",\"iat\":");
        json::push_u64(out, self.iat.as_secs());
        out.extend_from_slice(b",\"exp\":");
        json::push_u64(out, self.exp.as_secs());
        out.extend_from_slice(b",\"jti\":");
        json::push_str(out, self.jti);
        if let Some(scope) = self.scope {
            out.extend_from_slice(b",\"scope\":");
            json::push_unescaped_str(out, scope);
        }
        if let Some(credential_id) = self.credential_id {
            out.extend_from_slice(b",\"credential_id\":");
            json::push_str(out, credential_id);
        }
        out.push(b'}');
    }
}

/// One audience as a string, several as an array (RFC 7519 §4.1.3): single
/// strings are what most resource servers and libraries expect.
fn serialize_audience_strings<S: Serializer>(aud: &[String], s: S) -> Result<S::Ok, S::Error> {
    if let [only] = aud {
        return s.serialize_str(only);
    }
    let mut seq = s.serialize_seq(Some(aud.len()))?;
    for value in aud {
        seq.serialize_element(value)?;
    }
    seq.end()
}

pub(crate) fn deserialize_audiences<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Vec<String>, D::Error> {
    struct AudVisitor;

    impl<'de> Visitor<'de> for AudVisitor {
        type Value = Vec<String>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string or an array of strings")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(vec![v.to_owned()])
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(1).min(16));
            while let Some(value) = seq.next_element()? {
                values.push(value);
            }
            Ok(values)
        }
    }

    d.deserialize_any(AudVisitor)
}

/// A JWT `NumericDate` (RFC 7519 §2), written as whole seconds.
pub(crate) mod numeric_date {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::vocab::time::UnixTime;

    pub(super) fn serialize<S: Serializer>(t: &UnixTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(t.as_secs())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<UnixTime, D::Error> {
        u64::deserialize(d).map(UnixTime::from_secs)
    }
}

#[cfg(test)]
mod tests;
