//! The platform token of a JWT-bearer grant: read without trust
//! ([`PlatformToken::read`]), then verified against its trusted issuer
//! (RFC 7523 §3) into a [`VerifiedPlatformToken`].

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::issuer::federation::trusted_issuer::TrustedIssuer;
use crate::jose::algorithm::Algorithm;
use crate::jose::jws::{
    self, CompactJws, JoseHeader, MAX_ASSERTION_HEADER_B64, MAX_SIGNATURE_B64, decode_buffer_len,
};
use crate::jose::verification_keys::VerificationKeys;
use crate::vocab::error::ValidationError;
use crate::vocab::grant_refusal::GrantRefusal;
use crate::vocab::time::UnixTime;

/// The longest platform token read: Kubernetes, GitHub Actions and SPIFFE
/// tokens are 1 to 2 KiB.
pub(crate) const MAX_PLATFORM_TOKEN_BYTES: usize = 16 * 1024;

/// A platform token whose syntax is checked, **not yet verified**: its `iss`
/// only says which trusted issuer's keys to try.
pub(crate) struct PlatformToken<'t> {
    jws: CompactJws<'t>,
    alg: String,
    typ: Option<String>,
    kid: Option<String>,
    crit: bool,
    claims: Map<String, Value>,
}

/// A platform token that passed every check of its trusted issuer.
#[derive(Debug)]
pub(crate) struct VerifiedPlatformToken {
    pub(crate) subject: String,
    pub(crate) jti: Option<String>,
    pub(crate) expires: UnixTime,
    pub(crate) claims: Map<String, Value>,
}

impl<'t> PlatformToken<'t> {
    /// Reads the compact serialization: three base64url parts, the first two
    /// JSON objects, `alg` present (C47-like syntax, reported `invalid_grant`).
    /// Of the claims, only the registered ones the grant checks and those
    /// named in `wanted` (the claims some rule compares) are kept; the rest
    /// (Kubernetes's nested `kubernetes.io`, most of GitHub's) are skipped
    /// unread.
    pub(crate) fn read(text: &'t str, wanted: &[String]) -> Result<Self, GrantRefusal> {
        let malformed = GrantRefusal::Malformed;
        if text.len() > MAX_PLATFORM_TOKEN_BYTES {
            return Err(malformed);
        }
        let jws = CompactJws::split(text, MAX_ASSERTION_HEADER_B64).ok_or(malformed)?;
        let mut header_buf = [0u8; decode_buffer_len(MAX_ASSERTION_HEADER_B64)];
        let header = jws::decode_into(jws.header_b64, &mut header_buf)
            .and_then(JoseHeader::read)
            .ok_or(malformed)?;
        let payload = URL_SAFE_NO_PAD
            .decode(jws.payload_b64)
            .map_err(|_| malformed)?;
        let claims = kept_claims(&payload, wanted).ok_or(malformed)?;
        Ok(Self {
            alg: header.alg.map(Cow::into_owned).ok_or(malformed)?,
            typ: header.typ.map(Cow::into_owned),
            kid: header.kid.map(Cow::into_owned),
            crit: header.crit,
            jws,
            claims,
        })
    }

    /// The `iss` claim, unverified; `MissingClaim` or `MalformedClaims` when
    /// it is absent or not a string.
    pub(crate) fn unverified_issuer(&self) -> Result<&str, GrantRefusal> {
        string_claim(&self.claims, "iss")?.ok_or(GrantRefusal::MissingClaim)
    }

    /// Checks the token against `trusted`, its issuer, at `now` (RFC 7523
    /// §3): header (`alg` not `none`, accepted for the issuer, `typ`, no
    /// `crit`), the signature under the key its `kid` names (C46-like: the
    /// key's algorithm must be `alg`), then `sub`, `aud` (must contain
    /// `audience`), `exp` (present, not passed, at most the maximum lifetime
    /// ahead), `nbf` and `iat` (not in the future), and `exp − iat` within
    /// the maximum lifetime; all with the issuer's leeway.
    pub(crate) async fn verify(
        self,
        trusted: &TrustedIssuer,
        audience: &str,
        now: UnixTime,
    ) -> Result<VerifiedPlatformToken, GrantRefusal> {
        if self.alg.eq_ignore_ascii_case("none") {
            return Err(GrantRefusal::Unsigned);
        }
        let alg: Algorithm = self
            .alg
            .parse()
            .map_err(|_| GrantRefusal::AlgorithmNotAllowed)?;
        if !trusted.algorithms.contains(&alg) {
            return Err(GrantRefusal::AlgorithmNotAllowed);
        }
        if !is_acceptable_type(self.typ.as_deref()) {
            return Err(GrantRefusal::TypeRefused);
        }
        if self.crit {
            return Err(GrantRefusal::CriticalHeader);
        }
        let mut signature = [0u8; decode_buffer_len(MAX_SIGNATURE_B64)];
        let signature = jws::decode_into(self.jws.signature_b64, &mut signature)
            .ok_or(GrantRefusal::Malformed)?;
        let input = self.jws.signing_input.as_bytes();
        let kid = self.kid.as_deref();
        trusted
            .with_current_keys(now, |keys| {
                check_signature(keys, kid, alg, input, signature)
            })
            .await
            .map_err(|e| match e {
                ValidationError::UnknownKey => GrantRefusal::UnknownKey,
                ValidationError::AlgorithmMismatch => GrantRefusal::AlgorithmNotAllowed,
                ValidationError::InvalidSignature => GrantRefusal::BadSignature,
                _ => GrantRefusal::IssuerKeysUnavailable,
            })?;
        self.check_claims(trusted, audience, now)
    }

    fn check_claims(
        self,
        trusted: &TrustedIssuer,
        audience: &str,
        now: UnixTime,
    ) -> Result<VerifiedPlatformToken, GrantRefusal> {
        let claims = &self.claims;
        let subject = string_claim(claims, "sub")?
            .filter(|s| !s.is_empty())
            .ok_or(GrantRefusal::MissingClaim)?
            .to_owned();
        let names_us = match claims.get("aud") {
            None => return Err(GrantRefusal::MissingClaim),
            Some(Value::String(one)) => one == audience,
            Some(Value::Array(list)) => {
                if !list.iter().all(Value::is_string) {
                    return Err(GrantRefusal::MalformedClaims);
                }
                list.iter().any(|a| a.as_str() == Some(audience))
            }
            Some(_) => return Err(GrantRefusal::MalformedClaims),
        };
        if !names_us {
            return Err(GrantRefusal::AudienceMismatch);
        }
        let exp = date_claim(claims, "exp")?.ok_or(GrantRefusal::MissingClaim)?;
        let nbf = date_claim(claims, "nbf")?;
        let iat = date_claim(claims, "iat")?;
        let jti = string_claim(claims, "jti")?
            .filter(|j| !j.is_empty())
            .map(str::to_owned);
        let now_s = now.as_secs();
        let leeway = trusted.leeway.as_secs();
        let max = trusted.max_assertion_lifetime.as_secs();
        if exp.saturating_add(leeway) <= now_s {
            return Err(GrantRefusal::Expired);
        }
        let ahead = |t: Option<u64>| t.is_some_and(|t| t > now_s.saturating_add(leeway));
        if ahead(nbf) || ahead(iat) {
            return Err(GrantRefusal::NotYetValid);
        }
        let too_far = exp > now_s.saturating_add(max).saturating_add(leeway);
        let too_long = iat.is_some_and(|iat| exp.saturating_sub(iat) > max.saturating_add(leeway));
        if too_far || too_long {
            return Err(GrantRefusal::LifetimeTooLong);
        }
        Ok(VerifiedPlatformToken {
            subject,
            jti,
            expires: UnixTime::from_secs(exp),
            claims: self.claims,
        })
    }
}

/// The registered claims the grant reads.
const REGISTERED: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// The payload's registered claims and those in `wanted`, when the payload is
/// one JSON object in UTF-8. A member given twice reads as its last
/// occurrence (RFC 7519 §4).
fn kept_claims(payload: &[u8], wanted: &[String]) -> Option<Map<String, Value>> {
    let text = std::str::from_utf8(payload).ok()?;
    if text.trim_ascii_start().as_bytes().first() != Some(&b'{') {
        return None;
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let claims = Kept { wanted }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(claims)
}

/// Reads a JSON object keeping only the members the grant needs.
struct Kept<'w> {
    wanted: &'w [String],
}

impl<'de> DeserializeSeed<'de> for Kept<'_> {
    type Value = Map<String, Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Kept<'_> {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of claims")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut claims = Map::new();
        while let Some(Key(name)) = access.next_key()? {
            let name: &str = &name;
            if REGISTERED.contains(&name) || self.wanted.iter().any(|w| w == name) {
                let value: Value = access.next_value()?;
                claims.insert(name.to_owned(), value);
            } else {
                access.next_value::<IgnoredAny>()?;
            }
        }
        Ok(claims)
    }
}

/// A member name, borrowed from the payload unless it holds escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// The signature check inside the key source: the key the `kid` names, whose
/// algorithm must be `alg`; without a `kid`, any key of that algorithm.
/// Never a key the token names itself (`jwk`, `jku`, `x5u`, `x5c`).
fn check_signature(
    keys: &VerificationKeys,
    kid: Option<&str>,
    alg: Algorithm,
    input: &[u8],
    signature: &[u8],
) -> Result<(), ValidationError> {
    if let Some(kid) = kid {
        let key = keys.find(kid).ok_or(ValidationError::UnknownKey)?;
        if key.algorithm() != alg {
            return Err(ValidationError::AlgorithmMismatch);
        }
        return if key.verify(input, signature) {
            Ok(())
        } else {
            Err(ValidationError::InvalidSignature)
        };
    }
    let mut candidates = keys
        .iter()
        .filter(|(_, a)| *a == alg)
        .filter_map(|(kid, _)| keys.find(kid))
        .peekable();
    if candidates.peek().is_none() {
        return Err(ValidationError::UnknownKey);
    }
    if candidates.any(|key| key.verify(input, signature)) {
        Ok(())
    } else {
        Err(ValidationError::InvalidSignature)
    }
}

/// Absent, `JWT` or `JOSE` (RFC 7519 §5.1, RFC 7515 §4.1.9), as platforms
/// send them; any explicit type of another kind of JWT, such as an access
/// token's `at+jwt`, is refused.
fn is_acceptable_type(typ: Option<&str>) -> bool {
    typ.is_none_or(|typ| jws::is_media_type(typ, "jwt") || jws::is_media_type(typ, "jose"))
}

/// A string claim: `None` when absent (or `null`), `MalformedClaims` when of
/// another type.
fn string_claim<'c>(
    claims: &'c Map<String, Value>,
    name: &str,
) -> Result<Option<&'c str>, GrantRefusal> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(GrantRefusal::MalformedClaims),
    }
}

/// A NumericDate claim (RFC 7519 §2) in whole seconds: `None` when absent,
/// `MalformedClaims` when not a non-negative number.
fn date_claim(claims: &Map<String, Value>, name: &str) -> Result<Option<u64>, GrantRefusal> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => {
            if let Some(secs) = n.as_u64() {
                return Ok(Some(secs));
            }
            match n.as_f64() {
                // Fractions are cut; huge values saturate.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                Some(f) if f.is_finite() && f >= 0.0 => Ok(Some(f as u64)),
                _ => Err(GrantRefusal::MalformedClaims),
            }
        }
        Some(_) => Err(GrantRefusal::MalformedClaims),
    }
}

#[cfg(test)]
mod tests;
