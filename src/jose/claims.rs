//! The claims of an RFC 9068 JWT access token, described once and derived
//! three ways: [`AccessTokenClaims`] (the owned claims, read and written with
//! serde), `MintClaims` (borrowed from a grant and written by a hand-made
//! writer when a token is minted) and `ReceivedClaims` (every member optional,
//! so the verifier names a missing claim).
//!
//! Adding a claim is one line in the `access_token_claims!` invocation below:
//! its owned type, its borrowed type for minting and its writer. A test holds
//! the fast writer byte for byte to what `serde_json` writes.

use serde::de::Deserializer;
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::jose::confirmation::Confirmation;
use crate::jose::{aud, numeric_date};
use crate::vocab::audience::Audience;
use crate::vocab::time::UnixTime;
use crate::wire::json;

/// The types a claim may have, each with its one JSON form.
pub(crate) trait ClaimValue: Sized {
    /// Writes the value as `serde_json` does.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
    /// Reads the value.
    fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
    /// Reads a member that may be `null`: only text reads `null` as absent,
    /// as serde reads an `Option<String>`; a `null` date or audience is
    /// malformed.
    fn deserialize_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        Self::deserialize(d).map(Some)
    }
    /// Whether a required claim with this value counts as present: text and
    /// audiences must not be empty.
    fn is_present(&self) -> bool;
}

impl ClaimValue for String {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self)
    }
    fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <String as Deserialize>::deserialize(d)
    }
    fn deserialize_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        Option::<String>::deserialize(d)
    }
    fn is_present(&self) -> bool {
        !self.is_empty()
    }
}

/// `aud`: one string or an array of strings (RFC 7519 §4.1.3).
impl ClaimValue for Vec<String> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        aud::serialize(self, s)
    }
    fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        aud::deserialize(d)
    }
    fn is_present(&self) -> bool {
        !self.is_empty()
    }
}

/// A NumericDate (RFC 7519 §2), as access tokens carry it: whole seconds.
impl ClaimValue for UnixTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        numeric_date::serialize(self, s)
    }
    fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        numeric_date::deserialize(d)
    }
    fn is_present(&self) -> bool {
        true
    }
}

/// `cnf`: an object of confirmation members (RFC 7800 §3.1).
impl ClaimValue for Confirmation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Serialize::serialize(self, s)
    }
    fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <Self as Deserialize>::deserialize(d)
    }
    fn is_present(&self) -> bool {
        true
    }
}

/// `#[serde(with = …)]` for a claim of any [`ClaimValue`] type.
mod claim_value {
    use super::{ClaimValue, Deserializer, Serializer};

    pub(super) fn serialize<T: ClaimValue, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }

    pub(super) fn deserialize<'de, T: ClaimValue, D: Deserializer<'de>>(
        d: D,
    ) -> Result<T, D::Error> {
        T::deserialize(d)
    }

    /// For an optional claim (with `default` and `skip_serializing_if`).
    pub(super) mod option {
        use super::{ClaimValue, Deserializer, Serializer};

        pub(in super::super) fn serialize<T: ClaimValue, S: Serializer>(
            v: &Option<T>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => v.serialize(s),
                None => s.serialize_none(),
            }
        }

        pub(in super::super) fn deserialize<'de, T: ClaimValue, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<T>, D::Error> {
            T::deserialize_option(d)
        }
    }
}

/// Writes `aud`: one audience as a string, several as an array (RFC 7519
/// §4.1.3). Audiences are absolute URIs: nothing in them needs escaping.
fn write_audiences(out: &mut Vec<u8>, aud: &[Audience]) {
    match aud {
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
}

/// Writes a NumericDate as whole seconds.
fn write_date(out: &mut Vec<u8>, t: UnixTime) {
    json::push_u64(out, t.as_secs());
}

/// Derives the three shapes of the claims from one list. Each claim gives its
/// doc, its name, its owned type (a [`ClaimValue`]), its borrowed type for
/// minting and the function that writes the borrowed value. Required claims
/// come first, in the order tokens carry them; then optional claims, written
/// only when present; then claims only checked when a token is received.
macro_rules! access_token_claims {
    (
        $(#[$doc:meta])*
        owned: $owned:ident;
        mint: $mint:ident<$lt:lifetime>;
        received: $received:ident, $checked:ident;
        required {
            $( $(#[$rdoc:meta])* $req:ident: $rty:ty, $rborrowed:ty => $rwrite:path; )+
        }
        optional {
            $( $(#[$odoc:meta])* $opt:ident: $oty:ty, $oborrowed:ty => $owrite:path; )*
        }
        checked {
            $( $(#[$cdoc:meta])* $chk:ident: $cty:ty; )*
        }
    ) => {
        $(#[$doc])*
        #[non_exhaustive]
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $owned {
            $(
                $(#[$rdoc])*
                #[serde(with = "claim_value")]
                pub $req: $rty,
            )+
            $(
                $(#[$odoc])*
                #[serde(
                    default,
                    skip_serializing_if = "Option::is_none",
                    with = "claim_value::option"
                )]
                pub $opt: Option<$oty>,
            )*
        }

        /// The claims of a token about to be minted, borrowed from the grant
        /// so minting copies nothing. [`write_json`](Self::write_json) writes
        /// them byte for byte as `serde_json` writes the owned claims.
        #[derive(Clone, Copy, Debug)]
        pub(crate) struct $mint<$lt> {
            $( pub(crate) $req: $rborrowed, )+
            $( pub(crate) $opt: Option<$oborrowed>, )*
        }

        impl $mint<'_> {
            /// Appends the claims as compact JSON to `out`, member by member:
            /// this runs once per token, and serialising the whole struct
            /// through `serde` costs more than signing does with HS256.
            pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
                // Every member is written after a comma; the first comma
                // becomes the opening brace.
                let start = out.len();
                $(
                    out.extend_from_slice(concat!(",\"", stringify!($req), "\":").as_bytes());
                    $rwrite(out, self.$req);
                )+
                $(
                    if let Some(value) = self.$opt {
                        out.extend_from_slice(concat!(",\"", stringify!($opt), "\":").as_bytes());
                        $owrite(out, value);
                    }
                )*
                out[start] = b'{';
                out.push(b'}');
            }
        }

        /// The claims as they arrive: every member optional, so a missing one
        /// is reported by name. Duplicate members are refused by serde.
        #[derive(Deserialize)]
        pub(crate) struct $received {
            $(
                #[serde(default, with = "claim_value::option")]
                $req: Option<$rty>,
            )+
            $(
                #[serde(default, with = "claim_value::option")]
                $opt: Option<$oty>,
            )*
            $(
                #[serde(default, with = "claim_value::option")]
                $chk: Option<$cty>,
            )*
        }

        /// The claims a received token may carry that are checked, not kept.
        #[derive(Clone, Copy, Debug, Default)]
        pub(crate) struct $checked {
            $( $(#[$cdoc])* pub(crate) $chk: Option<$cty>, )*
        }

        impl $received {
            /// The claims, or the name of the first required claim that is
            /// missing or empty.
            pub(crate) fn into_claims(self) -> Result<($owned, $checked), &'static str> {
                let claims = $owned {
                    $(
                        $req: self
                            .$req
                            .filter(ClaimValue::is_present)
                            .ok_or(stringify!($req))?,
                    )+
                    $( $opt: self.$opt, )*
                };
                Ok((claims, $checked { $( $chk: self.$chk, )* }))
            }
        }
    };
}

access_token_claims! {
    /// The claim set of an access token this crate issues (RFC 9068 §2.2).
    ///
    /// Serialises `aud` as a string when the token has one audience and as an
    /// array when it has several; reads either form.
    owned: AccessTokenClaims;
    mint: MintClaims<'a>;
    received: ReceivedClaims, CheckedClaims;
    required {
        /// Issuer: the authorization server's issuer identifier (RFC 7519 §4.1.1,
        /// RFC 9068 §2.2), which resource servers compare byte for byte (C63).
        // A URI: nothing in it needs escaping.
        iss: String, &'a str => json::push_unescaped_str;
        /// Subject (RFC 7519 §4.1.2). With no resource owner in the client-credentials
        /// grant, it names the client (RFC 9068 §2.2, C55).
        sub: String, &'a str => json::push_str;
        /// Audiences: the resources the token is for (RFC 7519 §4.1.3, RFC 9068 §3,
        /// RFC 8707). Never empty in a token this crate mints (C58).
        aud: Vec<String>, &'a [Audience] => write_audiences;
        /// The client the token was issued to (RFC 8693 §4.3, RFC 9068 §2.2).
        client_id: String, &'a str => json::push_str;
        /// Issued-at time (RFC 7519 §4.1.6).
        iat: UnixTime, UnixTime => write_date;
        /// Expiry time (RFC 7519 §4.1.4); resource servers reject the token from then on.
        exp: UnixTime, UnixTime => write_date;
        /// Unique token id (RFC 7519 §4.1.7), the handle for revoking one token.
        jti: String, &'a str => json::push_str;
    }
    optional {
        /// The granted scopes, space-delimited (RFC 8693 §4.2, RFC 9068 §2.2.3, C56).
        /// Never `Some("")` in a token this crate mints.
        // Scope tokens: nothing in them needs escaping.
        scope: String, &'a str => json::push_unescaped_str;
        /// The id of the client credential (secret, key or certificate) that
        /// authenticated the client. A private claim (RFC 7519 §4.3): it lets one leaked
        /// credential be revoked together with every token it obtained.
        credential_id: String, &'a str => json::push_str;
        /// The confirmation of a sender-constrained token (RFC 7800 §3.1):
        /// for a DPoP-bound token, the `jkt` of its key (RFC 9449 §6.1, C107).
        /// Minted from the thumbprint alone.
        cnf: Confirmation, &'a str => Confirmation::write_jkt;
    }
    checked {
        /// `nbf` (RFC 7519 §4.1.5), which tokens of this crate never carry but
        /// other issuers' may.
        nbf: UnixTime;
    }
}

#[cfg(test)]
mod tests;
