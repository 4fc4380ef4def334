//! The claims of an RFC 9068 JWT access token, as minted and as read back.

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
    #[serde(with = "crate::jose::aud")]
    pub aud: Vec<String>,
    /// The client the token was issued to (RFC 8693 §4.3, RFC 9068 §2.2).
    pub client_id: String,
    /// Issued-at time (RFC 7519 §4.1.6).
    #[serde(with = "crate::jose::numeric_date")]
    pub iat: UnixTime,
    /// Expiry time (RFC 7519 §4.1.4); resource servers reject the token from then on.
    #[serde(with = "crate::jose::numeric_date")]
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

    fn to_json(claims: &MintClaims<'_>) -> String {
        let mut out = Vec::new();
        claims.write_json(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn written_exactly_as_serde_json_writes_access_token_claims() {
        // Ids and `jti`s may hold anything JSON escapes; `iss` (a URI) and
        // `scope` (scope tokens) cannot by their types.
        let odd = "q\"b\\s/\u{1}\u{1f}\u{7f}\u{e9}\n";
        let iss = "https://as.example.com/t?x=1";
        for aud in [
            audiences(&["https://a.example.com/"]),
            audiences(&["https://a.example.com/", "urn:b"]),
        ] {
            for (scope, credential_id) in [(None, None), (Some("a:b! c#"), Some(odd))] {
                let claims = MintClaims {
                    iss,
                    sub: odd,
                    aud: &aud,
                    client_id: odd,
                    iat: UnixTime::from_secs(0),
                    exp: UnixTime::from_secs(u64::MAX),
                    jti: odd,
                    scope,
                    credential_id,
                };
                let owned = AccessTokenClaims {
                    iss: iss.into(),
                    sub: odd.into(),
                    aud: aud.iter().map(|a| a.as_str().to_owned()).collect(),
                    client_id: odd.into(),
                    iat: claims.iat,
                    exp: claims.exp,
                    jti: odd.into(),
                    scope: scope.map(str::to_owned),
                    credential_id: credential_id.map(str::to_owned),
                };
                assert_eq!(to_json(&claims), serde_json::to_string(&owned).unwrap());
            }
        }
    }

    #[test]
    fn c54_members_in_fixed_order_with_one_audience_as_a_string() {
        let aud = audiences(&["https://mcp.example.com/mcp"]);
        let json = to_json(&mint_claims(&aud));
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
        let json = to_json(&claims);
        assert!(json.contains(r#""aud":["https://a.example.com/","https://b.example.com/"]"#));
        assert!(!json.contains("scope"));
        assert!(!json.contains("credential_id"));
    }

    #[test]
    fn access_token_claims_read_what_mint_claims_write() {
        let aud = audiences(&["https://mcp.example.com/mcp"]);
        let json = to_json(&mint_claims(&aud));
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
