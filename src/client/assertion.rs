//! Client assertions (RFC 7523 §2.2, §3) signed with the crate's own
//! [`SigningKey`]: `private_key_jwt`, or `client_secret_jwt` with an HS256 key.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SecureRandom as _;
use serde::Serialize;

use crate::client::error::TokenSourceError;
use crate::jose::keys::SigningKey;
use crate::vocab::random::system_random;
use crate::vocab::time::UnixTime;

/// How long an assertion is valid: long enough for clock skew and one
/// request, far below the five minutes issuers commonly allow.
pub(crate) const ASSERTION_LIFETIME_SECS: u64 = 60;

#[derive(Serialize)]
struct Header<'a> {
    alg: &'a str,
    typ: &'a str,
    kid: &'a str,
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
    jti: &'a str,
}

/// A compact JWS: `iss` and `sub` are the client id, `aud` the
/// authorization server, a fresh random `jti`, `iat` now and `exp` a minute on.
pub(crate) fn sign_assertion(
    key: &SigningKey,
    client_id: &str,
    audience: &str,
    now: UnixTime,
) -> Result<String, TokenSourceError> {
    let mut jti = [0u8; 16];
    system_random().fill(&mut jti).map_err(|_| {
        TokenSourceError::Credentials("no randomness for the assertion's jti".into())
    })?;
    let jti = URL_SAFE_NO_PAD.encode(jti);
    let header = serde_json::to_vec(&Header {
        alg: key.algorithm().as_str(),
        typ: "JWT",
        kid: key.kid(),
    })
    .map_err(|e| TokenSourceError::Credentials(e.to_string()))?;
    let claims = serde_json::to_vec(&Claims {
        iss: client_id,
        sub: client_id,
        aud: audience,
        iat: now.as_secs(),
        exp: now.as_secs() + ASSERTION_LIFETIME_SECS,
        jti: &jti,
    })
    .map_err(|e| TokenSourceError::Credentials(e.to_string()))?;
    let mut jws = URL_SAFE_NO_PAD.encode(header);
    jws.push('.');
    URL_SAFE_NO_PAD.encode_string(claims, &mut jws);
    let signature = key
        .sign(jws.as_bytes())
        .map_err(|_| TokenSourceError::Credentials("the assertion could not be signed".into()))?;
    jws.push('.');
    URL_SAFE_NO_PAD.encode_string(signature.as_ref(), &mut jws);
    Ok(jws)
}
