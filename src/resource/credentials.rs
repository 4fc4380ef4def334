//! What an HTTP request presents to a resource server: [`Credentials`], read
//! by one function, [`credentials`], from the request head. The
//! [`BearerLayer`](crate::resource::BearerLayer) calls it once per request.
//!
//! A token is a credential of a scheme (RFC 9110 §11.4); the request's method
//! and URI stay beside it, so that a check that binds a token to the request
//! it came with (a proof of possession) is handed everything it reads without
//! a second look at the request.

use std::fmt;

use http::header::{AUTHORIZATION, HeaderName};
use http::request::Parts;

use crate::resource::challenge::{BearerChallenge, bearer_token};

/// Where a resource server reads the access token.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenLocation {
    /// `Authorization: Bearer <token>` (RFC 6750 §2.1): the default, and the
    /// only place MCP clients put it.
    #[default]
    Authorization,
    /// The whole value of a header of the deployment's choice, holding the
    /// token alone: for gateways that pass a token they obtained in a header
    /// of their own (for example `X-Upstream-Token`), leaving `Authorization`
    /// to the gateway's own scheme. Never a query parameter or the body (C121).
    Header(HeaderName),
}

/// The authentication scheme a token came with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scheme {
    /// `Authorization: Bearer` (RFC 6750).
    Bearer,
    /// The token alone, in the configured header of [`TokenLocation::Header`].
    ConfiguredHeader,
}

/// The credentials a request presents, borrowed from its head: the scheme, the
/// token, and the method and URI a proof of possession would be checked
/// against. Its `Debug` never shows the token.
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    /// How the token was presented.
    pub scheme: Scheme,
    /// The access token.
    pub token: &'a str,
    /// The request's method.
    pub method: &'a http::Method,
    /// The request's URI, as the server received it.
    pub uri: &'a http::Uri,
}

impl fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("scheme", &self.scheme)
            .field("token", &"[redacted]")
            .field("method", self.method)
            .field("uri", self.uri)
            .finish()
    }
}

/// Reads the credentials of `head` from `source`.
///
/// - `Ok(None)`: the request carries no token there (no header, or an
///   `Authorization` of another scheme): a 401 challenge without an error
///   code (RFC 6750 §3.1).
/// - `Err`: the request is malformed: two header lines (two credentials), or
///   a value that is not visible ASCII: 400 `invalid_request`.
///
/// # Errors
/// [`BearerChallenge::invalid_request`] as above.
pub fn credentials<'a>(
    head: &'a Parts,
    source: &TokenLocation,
) -> Result<Option<Credentials<'a>>, BearerChallenge> {
    let (name, scheme) = match source {
        TokenLocation::Authorization => (&AUTHORIZATION, Scheme::Bearer),
        TokenLocation::Header(name) => (name, Scheme::ConfiguredHeader),
    };
    let mut lines = head.headers.get_all(name).iter();
    let Some(value) = lines.next() else {
        return Ok(None);
    };
    if lines.next().is_some() {
        return Err(BearerChallenge::invalid_request());
    }
    let value = value
        .to_str()
        .map_err(|_| BearerChallenge::invalid_request())?;
    let token = match scheme {
        Scheme::Bearer => match bearer_token(Some(value)) {
            Some(token) => token,
            None => return Ok(None),
        },
        // An empty header carries no token: a challenge without an error code.
        Scheme::ConfiguredHeader => match value.trim_matches([' ', '\t']) {
            "" => return Ok(None),
            token => token,
        },
    };
    Ok(Some(Credentials {
        scheme,
        token,
        method: &head.method,
        uri: &head.uri,
    }))
}

#[cfg(test)]
mod tests;
