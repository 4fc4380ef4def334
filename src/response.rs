//! Framework-free HTTP responses of the token endpoint (RFC 6749 §5.1, §5.2).

use std::borrow::Cow;

use serde::Serialize;

use crate::error::{ErrorCode, TokenError};

/// A complete HTTP response: status, headers and body, ready for any framework.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names (lowercase) and values.
    pub headers: Vec<(&'static str, Cow<'static, str>)>,
    /// The body bytes.
    pub body: Vec<u8>,
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
/// Its `Debug` shows everything but the token itself.
#[derive(Clone)]
pub struct TokenResponse {
    /// The JWT access token: a bearer credential.
    access_token: String,
    /// Always `Bearer`.
    token_type: &'static str,
    /// Lifetime in seconds, a JSON integer (C24).
    expires_in: u64,
    /// The granted scope, always present (C22).
    scope: String,
}

impl TokenResponse {
    pub(crate) fn new(access_token: String, expires_in: u64, scope: String) -> Self {
        Self {
            access_token,
            token_type: "Bearer",
            expires_in,
            scope,
        }
    }

    /// The access token.
    pub fn access_token(&self) -> &str {
        &self.access_token
    }

    /// The token type, `Bearer`.
    pub fn token_type(&self) -> &str {
        self.token_type
    }

    /// Lifetime in seconds.
    pub fn expires_in(&self) -> u64 {
        self.expires_in
    }

    /// The granted scope, space-delimited.
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// Renders the 200 response.
    pub fn to_http(&self) -> HttpResponse {
        #[derive(Serialize)]
        struct Wire<'a> {
            access_token: &'a str,
            token_type: &'a str,
            expires_in: u64,
            scope: &'a str,
        }
        let body = serde_json::to_vec(&Wire {
            access_token: &self.access_token,
            token_type: self.token_type,
            expires_in: self.expires_in,
            scope: &self.scope,
        })
        .expect("serialising strings and integers cannot fail");
        HttpResponse::no_store_json(200, body)
    }
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"[redacted]")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
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
            error_description: self.reason().description(),
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
mod tests {
    use super::*;
    use crate::error::Reason;

    #[test]
    fn c24_c25_c23_success_body_and_headers() {
        let r = TokenResponse::new("a.b.c".into(), 600, "mcp:read".into()).to_http();
        assert_eq!(r.status, 200);
        assert_eq!(r.header("cache-control"), Some("no-store"));
        assert_eq!(r.header("pragma"), Some("no-cache"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["access_token"], "a.b.c");
        assert_eq!(v["token_type"], "Bearer");
        assert!(v["expires_in"].is_u64());
        assert_eq!(v["scope"], "mcp:read");
        assert!(v.get("refresh_token").is_none());
    }

    #[test]
    fn c27_c28_errors_render_with_challenge_and_no_store() {
        let r = TokenError::new(Reason::WrongSecret).to_http();
        assert_eq!(r.status, 401);
        assert!(
            r.header("www-authenticate")
                .unwrap()
                .starts_with("Basic realm=")
        );
        assert_eq!(r.header("cache-control"), Some("no-store"));
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["error"], "invalid_client");

        let r = TokenError::new(Reason::MissingGrantType).to_http();
        assert_eq!(r.status, 400);
        assert!(r.header("www-authenticate").is_none());
        assert_eq!(r.header("pragma"), Some("no-cache"));

        let r = TokenError::new(Reason::MethodNotAllowed).to_http();
        assert_eq!((r.status, r.header("allow")), (405, Some("POST")));

        let r = TokenError::throttled(42).to_http();
        assert_eq!((r.status, r.header("retry-after")), (429, Some("42")));
    }

    #[test]
    fn token_response_debug_hides_the_token() {
        let t = TokenResponse::new("secret.token.value".into(), 1, "a".into());
        let d = format!("{t:?} {t:#?}");
        assert!(!d.contains("secret.token.value"));
        assert!(d.contains("[redacted]"));
    }
}
