//! Requests that name one token for the issuer to act on: revocation
//! (RFC 7009 §2.1) and introspection (RFC 7662 §2.1) share one syntax.

use std::fmt;
use std::net::IpAddr;

use zeroize::Zeroizing;

use crate::issuer::client_auth::AuthParams;
use crate::issuer::client_auth::ClientAuth;
use crate::vocab::error::Reason;
use crate::wire::form::set_once;
use crate::wire::request::{RequestParts, form_post_pairs};

/// A syntactically valid revocation or introspection request: the token it
/// names, the optional `token_type_hint`, and the client authentication.
///
/// Its `Debug` never shows the token.
pub struct RevokeOrIntrospectRequest {
    token: Zeroizing<String>,
    token_type_hint: Option<String>,
    auth: ClientAuth,
    source: Option<IpAddr>,
}

impl RevokeOrIntrospectRequest {
    /// Parses and checks a revocation or introspection request.
    ///
    /// Checks, in order: `POST` only (C94); the body size limit; a form body in
    /// UTF-8; no credentials in the URI; no repeated parameter (empty ones count
    /// as omitted, unknown ones are ignored); `token` present (C88, C94); one
    /// client authentication method, read exactly as at the token endpoint
    /// (C88). The hint is kept as sent: an unknown value is ignored, never an
    /// error (C91).
    ///
    /// # Errors
    /// The [`Reason`] for the first check that fails.
    pub fn parse(parts: &RequestParts<'_>, max_body_bytes: usize) -> Result<Self, Reason> {
        let mut token = None;
        let mut token_type_hint = None;
        let mut auth = AuthParams::default();
        for pair in form_post_pairs(parts, max_body_bytes)? {
            let (name, value) = pair?;
            if value.is_empty() {
                continue;
            }
            let Some(value) = auth.take(&name, value)? else {
                continue;
            };
            match &*name {
                "token" => set_once(&mut token, "token", value.into_owned())?,
                "token_type_hint" => {
                    set_once(&mut token_type_hint, "token_type_hint", value.into_owned())?;
                }
                _ => {}
            }
        }
        let token = Zeroizing::new(token.ok_or(Reason::MissingToken)?);
        let auth = auth.into_client_auth(parts)?;
        Ok(Self {
            token,
            token_type_hint,
            auth,
            source: parts.source_addr(),
        })
    }

    /// The caller's address, from [`RequestParts::source`](crate::RequestParts::source).
    pub fn source(&self) -> Option<IpAddr> {
        self.source
    }

    /// The token the request names.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The `token_type_hint`, as sent. This issuer has access tokens only, so
    /// the hint changes nothing.
    pub fn token_type_hint(&self) -> Option<&str> {
        self.token_type_hint.as_deref()
    }

    /// The client authentication presented.
    pub fn auth(&self) -> &ClientAuth {
        &self.auth
    }
}

impl fmt::Debug for RevokeOrIntrospectRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RevokeOrIntrospectRequest")
            .field("token", &"[redacted]")
            .field("token_type_hint", &self.token_type_hint)
            .field("auth", &self.auth)
            .finish()
    }
}

#[cfg(test)]
mod tests;
