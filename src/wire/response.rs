//! Framework-free HTTP responses of the token endpoint (RFC 6749 §5.1, §5.2).

use std::borrow::Cow;
use std::ops::Range;

use serde::Serialize;

use crate::vocab::error::{ErrorCode, TokenError};
use crate::wire::json;

/// A complete HTTP response: status, headers and body, ready for any framework.
///
/// Its `Debug` shows the status, the headers and the body's length, never the
/// body, which may hold an access token.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names (lowercase) and values.
    pub headers: Vec<(&'static str, Cow<'static, str>)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl HttpResponse {
    /// The first value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| &**v)
    }

    /// A JSON response that must never be cached: every token endpoint response
    /// carries `Cache-Control: no-store` and `Pragma: no-cache` (C25, C138).
    pub(crate) fn no_store_json(status: u16, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: vec![
                ("content-type", Cow::Borrowed("application/json")),
                ("cache-control", Cow::Borrowed("no-store")),
                ("pragma", Cow::Borrowed("no-cache")),
            ],
            body,
        }
    }

    /// An empty response that must never be cached (a revocation's 200, a
    /// challenge without an error code).
    pub(crate) fn no_store_empty(status: u16) -> Self {
        Self {
            status,
            headers: vec![
                ("cache-control", Cow::Borrowed("no-store")),
                ("pragma", Cow::Borrowed("no-cache")),
            ],
            body: Vec::new(),
        }
    }

    /// A cacheable public JSON document (metadata, JWKS).
    pub(crate) fn public_json(body: &str) -> Self {
        Self {
            status: 200,
            headers: vec![("content-type", Cow::Borrowed("application/json"))],
            body: body.as_bytes().to_vec(),
        }
    }
}

/// A successful token response (RFC 6749 §5.1): never a `refresh_token` (C23).
///
/// It holds its JSON body, rendered once as the token was minted into it, so
/// answering copies nothing. Its `Debug` shows everything but the token itself.
#[derive(Clone)]
pub struct TokenResponse {
    /// `{"access_token":"…","token_type":"Bearer","expires_in":…,"scope":"…"}`,
    /// UTF-8 (it is written from `str`s only).
    body: Vec<u8>,
    /// Where the JWT access token, a bearer credential, lies in `body`.
    access_token: Range<usize>,
    /// Lifetime in seconds, a JSON integer (C24).
    expires_in: u64,
    /// Where the granted scope, always present (C22), lies in `body`.
    scope: Range<usize>,
    /// Whether the token is DPoP-bound (`token_type` `DPoP`, C107).
    dpop: bool,
}

/// How a token response body starts: the token follows.
const BODY_START: &str = "{\"access_token\":\"";

/// Bytes to reserve after the token for the rest of a response body with a
/// `scope` of `scope_len` bytes.
const fn body_tail_len(scope_len: usize) -> usize {
    // `","token_type":"Bearer","expires_in":`, up to 20 digits, `,"scope":`,
    // the scope between quotes (scope tokens need no escape), `}`.
    TOKEN_TYPE_AND_EXPIRES_IN.len() + 20 + SCOPE_MEMBER.len() + scope_len + 3
}

const TOKEN_TYPE_AND_EXPIRES_IN: &str = "\",\"token_type\":\"Bearer\",\"expires_in\":";
/// As [`TOKEN_TYPE_AND_EXPIRES_IN`] for a DPoP-bound token (same length).
const DPOP_TYPE_AND_EXPIRES_IN: &str = "\",\"token_type\":\"DPoP\",\"expires_in\":";
const SCOPE_MEMBER: &str = ",\"scope\":";

/// Where an access token is written: straight into the body of its token
/// response, after the body's opening. Only [`TokenResponse::write`] hands one
/// out, so whoever writes the token never needs to know the layout around it.
pub(crate) struct AccessTokenSlot<'b> {
    body: &'b mut Vec<u8>,
    before: &'static str,
    reserve_after: usize,
}

impl<'b> AccessTokenSlot<'b> {
    /// A slot that is all of `out`: for a bare token, outside any response.
    #[cfg(test)]
    pub(crate) fn bare(out: &'b mut Vec<u8>) -> Self {
        Self {
            body: out,
            before: "",
            reserve_after: 0,
        }
    }

    /// Grows the body once, for a token of `token_len` bytes and everything
    /// around it, and returns it ready for the token to be appended. The token
    /// must be base64url and dots: nothing JSON would escape.
    pub(crate) fn open(self, token_len: usize) -> &'b mut Vec<u8> {
        self.body
            .reserve(self.before.len() + token_len + self.reserve_after);
        self.body.extend_from_slice(self.before.as_bytes());
        self.body
    }
}

impl TokenResponse {
    #[cfg(test)]
    pub(crate) fn new(access_token: &str, expires_in: u64, scope: &str) -> Self {
        Self::write(expires_in, scope, false, |slot| {
            let body = slot.open(access_token.len());
            let start = body.len();
            body.extend_from_slice(access_token.as_bytes());
            Ok::<_, ()>(start..body.len())
        })
        .expect("infallible")
    }

    /// Writes a token response: `write_token` appends the access token to the
    /// slot it is given and returns where the token lies in the body; the rest
    /// of the body follows it. The body is allocated once, by
    /// [`AccessTokenSlot::open`], and nothing is copied. `dpop` makes the
    /// `token_type` `DPoP` (RFC 9449 §5) rather than `Bearer`.
    ///
    /// # Errors
    /// `write_token`'s error.
    pub(crate) fn write<E>(
        expires_in: u64,
        scope: &str,
        dpop: bool,
        write_token: impl FnOnce(AccessTokenSlot<'_>) -> Result<Range<usize>, E>,
    ) -> Result<Self, E> {
        let mut body = Vec::new();
        let access_token = write_token(AccessTokenSlot {
            body: &mut body,
            before: BODY_START,
            reserve_after: body_tail_len(scope.len()),
        })?;
        debug_assert_eq!(access_token.start, BODY_START.len());
        debug_assert_eq!(access_token.end, body.len());
        Ok(Self::finish_body(
            body,
            access_token,
            expires_in,
            scope,
            dpop,
        ))
    }

    /// Completes a body that holds [`BODY_START`] then the access token (in
    /// `access_token`).
    fn finish_body(
        mut body: Vec<u8>,
        access_token: Range<usize>,
        expires_in: u64,
        scope: &str,
        dpop: bool,
    ) -> Self {
        body.extend_from_slice(if dpop {
            DPOP_TYPE_AND_EXPIRES_IN.as_bytes()
        } else {
            TOKEN_TYPE_AND_EXPIRES_IN.as_bytes()
        });
        json::push_u64(&mut body, expires_in);
        body.extend_from_slice(SCOPE_MEMBER.as_bytes());
        let scope_start = body.len() + 1;
        json::push_unescaped_str(&mut body, scope);
        let scope_end = body.len() - 1;
        body.push(b'}');
        Self {
            body,
            access_token,
            expires_in,
            scope: scope_start..scope_end,
            dpop,
        }
    }

    /// The access token.
    pub fn access_token(&self) -> &str {
        str_at(&self.body, &self.access_token)
    }

    /// The token type: `Bearer`, or `DPoP` for a DPoP-bound token (C107).
    pub fn token_type(&self) -> &str {
        if self.dpop { "DPoP" } else { "Bearer" }
    }

    /// Lifetime in seconds.
    pub fn expires_in(&self) -> u64 {
        self.expires_in
    }

    /// The granted scope, space-delimited.
    pub fn scope(&self) -> &str {
        // Scope tokens are NQCHAR (RFC 6749 §3.3), which JSON never escapes.
        str_at(&self.body, &self.scope)
    }

    /// Renders the 200 response.
    pub fn to_http(&self) -> HttpResponse {
        self.clone().into_http()
    }

    /// Renders the 200 response, handing over the body already written.
    pub fn into_http(self) -> HttpResponse {
        HttpResponse::no_store_json(200, self.body)
    }
}

/// The text at `range` of a body written from `str`s, at their boundaries.
fn str_at<'b>(body: &'b [u8], range: &Range<usize>) -> &'b str {
    std::str::from_utf8(&body[range.clone()]).expect("written from a str")
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"[redacted]")
            .field("token_type", &self.token_type())
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope())
            .finish()
    }
}

/// The realm named in `WWW-Authenticate: Basic` challenges.
const BASIC_CHALLENGE: &str = "Basic realm=\"token\", charset=\"UTF-8\"";

impl TokenError {
    /// Renders the RFC 6749 §5.2 error response: JSON `error` and
    /// `error_description`, `no-store`, and the headers the status calls for —
    /// `WWW-Authenticate: Basic` on 401 (C28), `Retry-After` on 429, `Allow` on 405.
    pub fn to_http(&self) -> HttpResponse {
        #[derive(Serialize)]
        struct Wire {
            error: &'static str,
            error_description: &'static str,
        }
        let body = serde_json::to_vec(&Wire {
            error: self.code().as_str(),
            error_description: self.reason().error_description(),
        })
        .expect("serialising static strings cannot fail");
        let mut response = HttpResponse::no_store_json(self.status(), body);
        match self.status() {
            401 if self.code() == ErrorCode::InvalidClient => {
                response
                    .headers
                    .push(("www-authenticate", Cow::Borrowed(BASIC_CHALLENGE)));
            }
            405 => response.headers.push(("allow", Cow::Borrowed("POST"))),
            _ => {}
        }
        if let Some(secs) = self.retry_after_secs() {
            response
                .headers
                .push(("retry-after", Cow::Owned(secs.to_string())));
        }
        response
    }
}

#[cfg(test)]
mod tests;
