//! The claims of an RFC 9068 JWT access token, as minted and as read back.

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::audience::Audience;
use crate::time::UnixTime;

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
/// copies nothing. Members serialise in the order of [`AccessTokenClaims`]: iss,
/// sub, aud, client_id, iat, exp, jti, scope, credential_id.
#[derive(Clone, Copy, Debug, Serialize)]
pub(crate) struct MintClaims<'a> {
    pub(crate) iss: &'a str,
    pub(crate) sub: &'a str,
    #[serde(serialize_with = "serialize_audiences")]
    pub(crate) aud: &'a [Audience],
    pub(crate) client_id: &'a str,
    #[serde(with = "numeric_date")]
    pub(crate) iat: UnixTime,
    #[serde(with = "numeric_date")]
    pub(crate) exp: UnixTime,
    pub(crate) jti: &'a str,
    /// `None` when no scope was granted; never `Some("")`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) scope: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) credential_id: Option<&'a str>,
}

fn serialize_audiences<S: Serializer>(aud: &&[Audience], s: S) -> Result<S::Ok, S::Error> {
    serialize_aud(aud.iter().map(Audience::as_str), aud.len(), s)
}

fn serialize_audience_strings<S: Serializer>(aud: &[String], s: S) -> Result<S::Ok, S::Error> {
    serialize_aud(aud.iter().map(String::as_str), aud.len(), s)
}

/// One audience as a string, several as an array (RFC 7519 §4.1.3): single
/// strings are what most resource servers and libraries expect.
fn serialize_aud<'a, S: Serializer>(
    mut values: impl Iterator<Item = &'a str>,
    len: usize,
    s: S,
) -> Result<S::Ok, S::Error> {
    if len == 1
        && let Some(only) = values.next()
    {
        return s.serialize_str(only);
    }
    let mut seq = s.serialize_seq(Some(len))?;
    for value in values {
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

    use crate::time::UnixTime;

    pub(super) fn serialize<S: Serializer>(t: &UnixTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(t.as_secs())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<UnixTime, D::Error> {
        u64::deserialize(d).map(UnixTime::from_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audiences(values: &[&str]) -> Vec<Audience> {
        values.iter().map(|v| Audience::new(*v).unwrap()).collect()
    }

    fn mint_claims<'a>(aud: &'a [Audience]) -> MintClaims<'a> {
        MintClaims {
            iss: "https://as.example.com",
            sub: "c1",
            aud,
            client_id: "c1",
            iat: UnixTime::from_secs(1_700_000_000),
            exp: UnixTime::from_secs(1_700_000_300),
            jti: "j1",
            scope: Some("mcp:read mcp:write"),
            credential_id: Some("sec-1"),
        }
    }

    #[test]
    fn c54_members_in_fixed_order_with_one_audience_as_a_string() {
        let aud = audiences(&["https://mcp.example.com/mcp"]);
        let json = serde_json::to_string(&mint_claims(&aud)).unwrap();
        assert_eq!(
            json,
            r#"{"iss":"https://as.example.com","sub":"c1","aud":"https://mcp.example.com/mcp","client_id":"c1","iat":1700000000,"exp":1700000300,"jti":"j1","scope":"mcp:read mcp:write","credential_id":"sec-1"}"#
        );
    }

    #[test]
    fn several_audiences_are_an_array_and_absent_options_are_omitted() {
        let aud = audiences(&["https://a.example.com/", "https://b.example.com/"]);
        let claims = MintClaims {
            scope: None,
            credential_id: None,
            ..mint_claims(&aud)
        };
        let json = serde_json::to_string(&claims).unwrap();
        assert!(json.contains(r#""aud":["https://a.example.com/","https://b.example.com/"]"#));
        assert!(!json.contains("scope"));
        assert!(!json.contains("credential_id"));
    }

    #[test]
    fn access_token_claims_read_what_mint_claims_write() {
        let aud = audiences(&["https://mcp.example.com/mcp"]);
        let json = serde_json::to_string(&mint_claims(&aud)).unwrap();
        let claims: AccessTokenClaims = serde_json::from_str(&json).unwrap();
        assert_eq!(claims.aud, ["https://mcp.example.com/mcp"]);
        assert_eq!(claims.iat, UnixTime::from_secs(1_700_000_000));
        assert_eq!(claims.scope.as_deref(), Some("mcp:read mcp:write"));
        assert_eq!(claims.credential_id.as_deref(), Some("sec-1"));
        assert_eq!(serde_json::to_string(&claims).unwrap(), json);
    }

    #[test]
    fn aud_is_read_as_string_or_array() {
        let base = r#""iss":"i","sub":"s","client_id":"c","iat":1,"exp":2,"jti":"j""#;
        let one: AccessTokenClaims =
            serde_json::from_str(&format!(r#"{{{base},"aud":"https://a/"}}"#)).unwrap();
        let two: AccessTokenClaims =
            serde_json::from_str(&format!(r#"{{{base},"aud":["https://a/","https://b/"]}}"#))
                .unwrap();
        assert_eq!(one.aud, ["https://a/"]);
        assert_eq!(two.aud, ["https://a/", "https://b/"]);
        assert_eq!(one.scope, None);
        assert!(
            serde_json::to_string(&two)
                .unwrap()
                .contains(r#""aud":["https://a/","https://b/"]"#)
        );
    }

    #[test]
    fn c54_required_claims_are_required() {
        let full = r#"{"iss":"i","sub":"s","aud":"a","client_id":"c","iat":1,"exp":2,"jti":"j"}"#;
        assert!(serde_json::from_str::<AccessTokenClaims>(full).is_ok());
        for claim in ["iss", "sub", "aud", "client_id", "iat", "exp", "jti"] {
            let mut value: serde_json::Value = serde_json::from_str(full).unwrap();
            value.as_object_mut().unwrap().remove(claim);
            assert!(
                serde_json::from_value::<AccessTokenClaims>(value).is_err(),
                "{claim} must be required"
            );
        }
    }

    #[test]
    fn malformed_aud_and_dates_are_refused() {
        for bad in [
            r#"{"iss":"i","sub":"s","aud":1,"client_id":"c","iat":1,"exp":2,"jti":"j"}"#,
            r#"{"iss":"i","sub":"s","aud":[1],"client_id":"c","iat":1,"exp":2,"jti":"j"}"#,
            r#"{"iss":"i","sub":"s","aud":"a","client_id":"c","iat":-1,"exp":2,"jti":"j"}"#,
            r#"{"iss":"i","sub":"s","aud":"a","client_id":"c","iat":1,"exp":"2","jti":"j"}"#,
        ] {
            assert!(
                serde_json::from_str::<AccessTokenClaims>(bad).is_err(),
                "{bad}"
            );
        }
    }
}
