//! JWT client assertions (RFC 7521 §4.2, RFC 7523 §2.2 and §3): the parsed but
//! unverified [`ClientAssertion`], and `verify_assertion`, the pure check that
//! turns one into a `VerifiedAssertion`. The issuer runs it inside client
//! authentication, together with the key lookup and the replay guard that its
//! guarantees depend on, so it is not public on its own.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::digest;
use serde::Deserialize;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::store::client::Client;

use crate::jose::algorithm::Algorithm;
use crate::jose::client_keys::ClientKey;
use crate::jose::decoy::verify_with_decoy;
use crate::jose::jws::{self, CompactJws, JoseHeader, MAX_ASSERTION_HEADER_B64, decode_buffer_len};
use crate::jose::{aud, numeric_date};
use crate::vocab::error::Reason;
use crate::vocab::ids::{AuthMethod, CredentialId};
use crate::vocab::time::UnixTime;

/// The only `client_assertion_type` accepted (RFC 7523 §2.2, C36).
pub const JWT_BEARER_ASSERTION_TYPE: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A `client_assertion`: one compact JWS whose header and claims parsed as JSON,
/// **not yet verified**.
///
/// Nothing read from it can be trusted before the issuer has verified it; the
/// issuer reads its `sub` only to find which client's keys to verify it with.
/// The text is zeroized on drop and `Debug` never shows it.
pub struct ClientAssertion {
    compact: Zeroizing<String>,
    /// Where `header.payload` ends, i.e. the second `.`.
    signing_input_len: usize,
    // Boxed, so a `ClientAuth` stays small whichever method it holds.
    header: Box<Header>,
    claims: Box<Claims>,
    signature: Zeroizing<Vec<u8>>,
}

/// The header members kept from the [`JoseHeader`] read at parse time.
#[derive(Zeroize, ZeroizeOnDrop)]
struct Header {
    alg: String,
    typ: Option<String>,
    kid: Option<String>,
    /// Present (whatever its value) means the signer demands extensions this
    /// server does not know.
    #[zeroize(skip)]
    crit: bool,
}

/// The claims, zeroized on drop like the text they were read from.
#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
struct Claims {
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    sub: Option<String>,
    #[serde(default, deserialize_with = "aud::option")]
    aud: Option<Vec<String>>,
    #[serde(default, deserialize_with = "numeric_date::option_clamped")]
    #[zeroize(skip)]
    exp: Option<UnixTime>,
    #[serde(default, deserialize_with = "numeric_date::option_clamped")]
    #[zeroize(skip)]
    nbf: Option<UnixTime>,
    #[serde(default, deserialize_with = "numeric_date::option_clamped")]
    #[zeroize(skip)]
    iat: Option<UnixTime>,
    #[serde(default)]
    jti: Option<String>,
}

impl ClientAssertion {
    /// Parses the compact serialization: exactly three base64url (no padding)
    /// parts, the first two JSON objects (C37, C47). Only syntax is checked.
    ///
    /// # Errors
    /// [`Reason::MalformedAssertion`].
    pub fn parse(compact: impl Into<String>) -> Result<Self, Reason> {
        Self::parse_zeroizing(Zeroizing::new(compact.into()))
    }

    /// [`ClientAssertion::parse`] of a text already held for zeroizing. Every
    /// buffer decoded from it (header, claims, signature) is zeroized too.
    pub(crate) fn parse_zeroizing(compact: Zeroizing<String>) -> Result<Self, Reason> {
        let malformed = Reason::MalformedAssertion;
        let jws = CompactJws::split(&compact, MAX_ASSERTION_HEADER_B64).ok_or(malformed)?;
        let mut header_buf = Zeroizing::new([0u8; decode_buffer_len(MAX_ASSERTION_HEADER_B64)]);
        let header = jws::decode_into(jws.header_b64, &mut header_buf[..])
            .and_then(JoseHeader::read)
            .ok_or(malformed)?;
        let header = Box::new(Header {
            alg: header.alg.ok_or(malformed)?.into_owned(),
            typ: header.typ.map(Cow::into_owned),
            kid: header.kid.map(Cow::into_owned),
            crit: header.crit,
        });
        let payload = decode(jws.payload_b64)?;
        let claims: Box<Claims> = jws::json_object(&payload).ok_or(malformed)?;
        let signature = decode(jws.signature_b64)?;
        let signing_input_len = jws.signing_input.len();
        Ok(Self {
            signing_input_len,
            header,
            claims,
            signature,
            compact,
        })
    }

    /// The `alg` header, as sent (unverified).
    pub fn algorithm_name(&self) -> &str {
        &self.header.alg
    }

    /// The algorithm, when it is one this crate knows (unverified).
    pub fn algorithm(&self) -> Option<Algorithm> {
        self.header.alg.parse().ok()
    }

    /// The `kid` header, if any (unverified).
    pub fn key_id(&self) -> Option<&str> {
        self.header.kid.as_deref()
    }

    /// The `iss` claim, if any (unverified).
    pub fn unverified_issuer(&self) -> Option<&str> {
        self.claims.iss.as_deref()
    }

    /// The `sub` claim, if any (unverified): for client authentication it names
    /// the client (RFC 7523 §3).
    pub fn unverified_subject(&self) -> Option<&str> {
        self.claims.sub.as_deref()
    }

    /// The authentication method the assertion claims: `client_secret_jwt` for
    /// HS256, `private_key_jwt` otherwise.
    pub(crate) fn method(&self) -> AuthMethod {
        if self.algorithm() == Some(Algorithm::HS256) {
            AuthMethod::ClientSecretJwt
        } else {
            AuthMethod::PrivateKeyJwt
        }
    }

    /// A decoy verification of the signature, with a key of the family its
    /// `alg` names: called where the assertion is refused before any key of
    /// the client was tried, so the refusal costs what a bad signature costs.
    /// Only when the checks that come before the signature and do not depend
    /// on the client pass (`alg` accepted by `settings`, `typ`, no `crit`): a
    /// real client refuses the others without a signature check too.
    pub(crate) fn verify_decoy(&self, settings: &AssertionSettings) {
        let Some(alg) = self.algorithm() else {
            return;
        };
        if settings.algorithms.contains(&alg)
            && is_acceptable_type(self.header.typ.as_deref())
            && !self.header.crit
        {
            verify_with_decoy(alg, self.signing_input(), &self.signature);
        }
    }

    fn signing_input(&self) -> &[u8] {
        &self.compact.as_bytes()[..self.signing_input_len]
    }
}

impl fmt::Debug for ClientAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientAssertion([redacted])")
    }
}

/// Strict base64url: no padding, no stray bits, nothing but the alphabet.
/// Decoded into a buffer sized up front, so no reallocation leaves a copy.
fn decode(part: &str) -> Result<Zeroizing<Vec<u8>>, Reason> {
    let mut out = Zeroizing::new(vec![0; base64::decoded_len_estimate(part.len())]);
    let len = URL_SAFE_NO_PAD
        .decode_slice(part, &mut out[..])
        .map_err(|_| Reason::MalformedAssertion)?;
    out.truncate(len);
    Ok(out)
}

/// How assertions are judged: lifetimes, clock skew, algorithms and audience.
///
/// # Defaults
/// - `max_lifetime`: 5 minutes. An assertion whose `exp` lies further ahead
///   (beyond the leeway) is refused, and so is one whose `iat` lies further back
///   (C42, C44): the MCP SDKs sign assertions for 300 s.
/// - `leeway`: 30 seconds of clock skew, both ways, on `exp`, `nbf` and `iat`
///   (the MCP conformance suite's `clockTolerance`).
/// - `algorithms`: ES256, ES384, EdDSA, RS256, PS256 and HS256.
/// - audience: the draft-ietf-oauth-rfc7523bis rule (C41, C137): `aud` must be
///   this server's issuer identifier (one trailing `/` either way is
///   tolerated), as a string or as a one-element array. These settings cannot
///   change that; only the explicit opt-in
///   [`IssuerBuilder::accept_token_endpoint_as_assertion_audience`] can, which
///   restores the RFC 7523 §3 rule: the token endpoint URL is accepted too, and
///   `aud` may name other audiences beside one of ours.
///
/// [`IssuerBuilder::accept_token_endpoint_as_assertion_audience`]: crate::issuer::IssuerBuilder::accept_token_endpoint_as_assertion_audience
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct AssertionSettings {
    /// The longest an assertion may live, measured from now to its `exp` and
    /// from its `iat` to now.
    pub max_lifetime: Duration,
    /// Allowed clock skew between the client and this server.
    pub leeway: Duration,
    /// The algorithms accepted at all; a client may pin fewer.
    pub algorithms: Vec<Algorithm>,
    /// RFC 7523 compatibility: the token endpoint URL, accepted as an audience.
    /// Set only by
    /// [`IssuerBuilder::accept_token_endpoint_as_assertion_audience`].
    pub(crate) token_endpoint_audience: Option<String>,
}

impl Default for AssertionSettings {
    fn default() -> Self {
        Self {
            max_lifetime: Duration::from_secs(300),
            leeway: Duration::from_secs(30),
            algorithms: Algorithm::ALL.to_vec(),
            token_endpoint_audience: None,
        }
    }
}

/// Proof that an assertion passed every check of [`verify_assertion`]; only its
/// one-time use remains to be recorded (see [`ReplayGuard`](crate::ReplayGuard)).
#[derive(Clone, Debug)]
pub(crate) struct VerifiedAssertion {
    algorithm: Algorithm,
    credential_id: CredentialId,
    replay_key: String,
    replay_until: UnixTime,
}

impl VerifiedAssertion {
    /// `private_key_jwt`, or `client_secret_jwt` for HS256.
    pub(crate) fn method(&self) -> AuthMethod {
        if self.algorithm.is_symmetric() {
            AuthMethod::ClientSecretJwt
        } else {
            AuthMethod::PrivateKeyJwt
        }
    }

    /// The id (`kid` or thumbprint) of the key that verified it.
    pub(crate) fn credential_id(&self) -> &CredentialId {
        &self.credential_id
    }

    /// The key to hand to [`ReplayGuard::first_use`](crate::ReplayGuard::first_use):
    /// base64url(SHA-256) over the client id and the `jti`, length-prefixed so no
    /// two pairs collide. Fixed size (43 characters) and reveals neither.
    pub(crate) fn replay_key(&self) -> &str {
        &self.replay_key
    }

    /// How long the replay guard must remember the assertion: until it can no
    /// longer be accepted (`exp` plus the leeway).
    pub(crate) fn replay_until(&self) -> UnixTime {
        self.replay_until
    }
}

/// Checks a client assertion, purely: `keys` are the client's keys for the
/// assertion's algorithm (its JWKS, inline or fetched, or its JWT secrets),
/// `issuer` this server's issuer identifier, `now` the current time.
///
/// Checks, in order: `alg` is not `none` (C46) and is accepted by `settings` and
/// by the client's pinned [`Client::assertion_algorithms`] (C83); `typ` is
/// absent, `JWT` or `client-authentication+jwt` (C50); no `crit` header; `iss`
/// and `sub` both equal the client id, by simple string comparison (C40); a
/// key of the client with the header's `kid` (or, without one, any key suiting
/// `alg`) verifies the signature (C46) — never a key the assertion names itself
/// (`jwk`, `jku`, `x5u`), and never HS256 with a public key; `aud` names this
/// server (C41); `exp` is present, not passed and not too far ahead (C42); `nbf`
/// and `iat` are not in the future, and `iat` is not stale (C43, C44); `jti` is
/// present (C45). All within `settings.leeway`.
///
/// The `client_id` parameter, if the request had one, is compared by the caller;
/// one-time use is recorded by the caller with the returned
/// [`VerifiedAssertion::replay_key`].
///
/// # Errors
/// The [`Reason`] of the first failed check; all map to `invalid_client`.
pub(crate) fn verify_assertion(
    assertion: &ClientAssertion,
    client: &Client,
    keys: &[ClientKey],
    issuer: &str,
    now: UnixTime,
    settings: &AssertionSettings,
) -> Result<VerifiedAssertion, Reason> {
    let header = &assertion.header;
    let claims = &assertion.claims;
    if header.alg.eq_ignore_ascii_case("none") {
        return Err(Reason::AssertionUnsigned);
    }
    let alg: Algorithm = header
        .alg
        .parse()
        .map_err(|_| Reason::AssertionAlgorithmNotAllowed)?;
    if !settings.algorithms.contains(&alg) {
        return Err(Reason::AssertionAlgorithmNotAllowed);
    }
    if !client.allows_assertion_algorithm(alg) {
        // The client's own pin: refused at the cost of a signature check,
        // like an unknown client.
        assertion.verify_decoy(settings);
        return Err(Reason::AssertionAlgorithmNotAllowed);
    }
    if !is_acceptable_type(header.typ.as_deref()) {
        return Err(Reason::AssertionTypeHeaderRefused);
    }
    if header.crit {
        return Err(Reason::AssertionCriticalHeader);
    }
    let client_id = client.id().as_str();
    if claims.iss.as_deref() != Some(client_id) || claims.sub.as_deref() != Some(client_id) {
        return Err(Reason::AssertionIssuerMismatch);
    }

    let mut candidates = keys
        .iter()
        .filter(|k| k.accepts(alg) && k.is_live(now))
        .filter(|k| {
            header
                .kid
                .as_deref()
                .is_none_or(|kid| k.id().as_str() == kid)
        })
        .peekable();
    if candidates.peek().is_none() {
        assertion.verify_decoy(settings);
        return Err(Reason::AssertionUnknownKey);
    }
    let key = candidates
        .find(|k| k.verify(alg, assertion.signing_input(), &assertion.signature))
        .ok_or(Reason::AssertionBadSignature)?;

    if !audience_names_us(claims.aud.as_deref(), issuer, settings) {
        return Err(Reason::AssertionAudienceMismatch);
    }
    let now_s = now.as_secs();
    let leeway = settings.leeway.as_secs();
    let max_lifetime = settings.max_lifetime.as_secs();
    let exp = claims.exp.ok_or(Reason::AssertionMissingExpiry)?.as_secs();
    if exp.saturating_add(leeway) <= now_s {
        return Err(Reason::AssertionExpired);
    }
    if exp > now_s.saturating_add(max_lifetime).saturating_add(leeway) {
        return Err(Reason::AssertionLifetimeTooLong);
    }
    let in_future =
        |t: Option<UnixTime>| t.is_some_and(|t| t.as_secs() > now_s.saturating_add(leeway));
    if in_future(claims.nbf) || in_future(claims.iat) {
        return Err(Reason::AssertionNotYetValid);
    }
    if let Some(iat) = claims.iat
        && iat
            .as_secs()
            .saturating_add(max_lifetime)
            .saturating_add(leeway)
            < now_s
    {
        return Err(Reason::AssertionStale);
    }
    let jti = claims
        .jti
        .as_deref()
        .filter(|j| !j.is_empty())
        .ok_or(Reason::AssertionMissingJti)?;

    Ok(VerifiedAssertion {
        algorithm: alg,
        credential_id: key.id().clone(),
        replay_key: replay_key(client_id, jti),
        replay_until: UnixTime::from_secs(exp.saturating_add(leeway)),
    })
}

/// Absent (RFC 7523 interop), the generic `JWT` (RFC 7519 §5.1; the MCP
/// TypeScript SDK sends it, and PyJWT, used by the Python SDK, sets it by
/// default), or the explicit `client-authentication+jwt` of
/// draft-ietf-oauth-rfc7523bis. Media types are case-insensitive and may carry
/// `application/`. Any other explicit type, such as an access token's `at+jwt`,
/// names another kind of JWT and is refused (C50).
fn is_acceptable_type(typ: Option<&str>) -> bool {
    typ.is_none_or(|typ| {
        jws::is_media_type(typ, "jwt") || jws::is_media_type(typ, "client-authentication+jwt")
    })
}

/// Whether `aud` (one string or a one-element array alike) names this server.
fn audience_names_us(aud: Option<&[String]>, issuer: &str, settings: &AssertionSettings) -> bool {
    let legacy = settings.token_endpoint_audience.as_deref();
    let ours = |a: &str| same_issuer(a, issuer) || legacy == Some(a);
    match aud {
        None => false,
        Some([a]) => ours(a),
        // RFC 7523 §3 allows other audiences beside ours; 7523bis does not.
        Some(list) => legacy.is_some() && list.iter().any(|a| ours(a)),
    }
}

/// Simple string comparison, tolerating one trailing `/` on either side.
fn same_issuer(aud: &str, issuer: &str) -> bool {
    aud.strip_suffix('/').unwrap_or(aud) == issuer.strip_suffix('/').unwrap_or(issuer)
}

fn replay_key(client_id: &str, jti: &str) -> String {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(b"client-assertion\0");
    ctx.update(&(client_id.len() as u64).to_be_bytes());
    ctx.update(client_id.as_bytes());
    ctx.update(jti.as_bytes());
    URL_SAFE_NO_PAD.encode(ctx.finish())
}

#[cfg(test)]
mod tests;
