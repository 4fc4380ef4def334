//! The parts of an HTTP request that the issuer's endpoints read, and the
//! checks every form-posting endpoint shares (RFC 6749 §3.2).

use std::fmt;
use std::net::IpAddr;

use crate::vocab::error::Reason;
use crate::wire::form::FormPairs;

/// The default limit on a token request body: far above any real request (an
/// RSA-4096 client assertion is under 2 KiB), far below anything that hurts.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024;

/// The parts of an HTTP request that the token endpoint reads. Every framework has
/// them; adapters fill them in and hand them to [`TokenRequest::parse`](crate::TokenRequest::parse) or
/// [`Issuer::handle_token_request`](crate::Issuer::handle_token_request).
///
/// Its `Debug` never shows the `Authorization` header or the body.
#[derive(Clone, Copy)]
pub struct RequestParts<'a> {
    method: &'a str,
    content_type: Option<&'a str>,
    authorization: Option<&'a str>,
    /// How many `Authorization` header lines the request carried.
    authorization_lines: u8,
    /// One of them was not UTF-8, so cannot be a Basic credential.
    authorization_not_utf8: bool,
    query: Option<&'a str>,
    body: &'a [u8],
    source: Option<IpAddr>,
    dpop: Option<&'a str>,
    /// How many `DPoP` header lines the request carried (or were not ASCII).
    dpop_lines: u8,
}

impl<'a> RequestParts<'a> {
    /// A request with this method and body, and no headers yet.
    pub fn new(method: &'a str, body: &'a [u8]) -> Self {
        Self {
            method,
            content_type: None,
            authorization: None,
            authorization_lines: 0,
            authorization_not_utf8: false,
            query: None,
            body,
            source: None,
            dpop: None,
            dpop_lines: 0,
        }
    }

    /// A `POST` of a form body, the usual token request.
    pub fn form_post(body: &'a [u8]) -> Self {
        Self::new("POST", body).content_type("application/x-www-form-urlencoded")
    }

    /// Sets the `Content-Type` header value.
    #[must_use]
    pub fn content_type(mut self, value: &'a str) -> Self {
        self.content_type = Some(value);
        self
    }

    /// Adds an `Authorization` header value. Call it once per header line the
    /// request carried: two lines are two credentials, which
    /// [`TokenRequest::parse`](crate::TokenRequest::parse) refuses with `invalid_request` (C7).
    #[must_use]
    pub fn authorization(mut self, value: &'a str) -> Self {
        self.authorization = Some(value);
        self.authorization_lines = self.authorization_lines.saturating_add(1);
        self
    }

    /// Adds an `Authorization` header value as raw bytes, the form most
    /// frameworks hold it in. A value that is not UTF-8 cannot be a Basic
    /// credential and is refused as malformed rather than ignored: ignoring it
    /// would let a request carry a second credential unseen.
    #[must_use]
    pub fn authorization_bytes(mut self, value: &'a [u8]) -> Self {
        match std::str::from_utf8(value) {
            Ok(text) => self.authorization(text),
            Err(_) => {
                self.authorization_not_utf8 = true;
                self.authorization_lines = self.authorization_lines.saturating_add(1);
                self
            }
        }
    }

    /// Sets the request URI's query string (without `?`), which must never carry
    /// credentials (C11).
    #[must_use]
    pub fn query(mut self, value: &'a str) -> Self {
        self.query = Some(value);
        self
    }

    /// Sets the caller's address: the peer of the connection, or the client
    /// address a trusted reverse proxy reports. The brute-force throttle counts
    /// failures per (client id, source), so that callers elsewhere are not
    /// held back by one that fails.
    #[must_use]
    pub fn source(mut self, addr: IpAddr) -> Self {
        self.source = Some(addr);
        self
    }

    /// Adds a `DPoP` header value (RFC 9449 §4.1). Call it once per header
    /// line: two lines are refused with `invalid_dpop_proof` (C102).
    #[must_use]
    pub fn dpop(mut self, value: &'a str) -> Self {
        self.dpop = Some(value);
        self.dpop_lines = self.dpop_lines.saturating_add(1);
        self
    }

    /// Adds a `DPoP` header value as raw bytes; one that is not UTF-8 is
    /// counted, and refused as malformed.
    #[must_use]
    pub fn dpop_bytes(mut self, value: &'a [u8]) -> Self {
        match std::str::from_utf8(value) {
            Ok(text) => self.dpop(text),
            Err(_) => {
                self.dpop_lines = self.dpop_lines.saturating_add(2);
                self
            }
        }
    }

    /// The one `DPoP` header value: `Ok(None)` without one, an error for
    /// more than one (RFC 9449 §4.3 item 1).
    pub(crate) fn dpop_header(&self) -> Result<Option<&'a str>, crate::vocab::error::DpopError> {
        match self.dpop_lines {
            0 => Ok(None),
            1 => Ok(self.dpop),
            _ => Err(crate::vocab::error::DpopError::Repeated),
        }
    }

    /// The caller's address, if the HTTP stack gave it.
    pub fn source_addr(&self) -> Option<IpAddr> {
        self.source
    }

    /// The HTTP method.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The request body.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The `Authorization` header value, for parsers inside the crate only.
    pub(crate) fn authorization_header(&self) -> Option<&'a str> {
        self.authorization
    }

    /// How many `Authorization` header lines were seen.
    pub(crate) fn authorization_lines(&self) -> u8 {
        self.authorization_lines
    }

    /// Whether an `Authorization` header line was not UTF-8.
    pub(crate) fn authorization_not_utf8(&self) -> bool {
        self.authorization_not_utf8
    }

    /// Whether an `Authorization` header is present.
    pub fn has_authorization(&self) -> bool {
        self.authorization_lines > 0
    }
}

impl fmt::Debug for RequestParts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestParts")
            .field("method", &self.method)
            .field("content_type", &self.content_type)
            .field(
                "authorization",
                &self.has_authorization().then_some("[redacted]"),
            )
            .field("authorization_lines", &self.authorization_lines)
            .field("query", &self.query.map(|_| "[redacted]"))
            .field("body_len", &self.body.len())
            .field("dpop_lines", &self.dpop_lines)
            .finish()
    }
}

/// The checks every form-posting endpoint of the issuer shares — `POST` only
/// (C1, C94), the body size limit, a form body (C2), no credentials in the URI
/// (C11) — then the body's name/value pairs.
pub(crate) fn form_post_pairs<'b>(
    parts: &RequestParts<'b>,
    max_body_bytes: usize,
) -> Result<FormPairs<'b>, Reason> {
    if parts.method != "POST" {
        return Err(Reason::MethodNotAllowed);
    }
    if parts.body.len() > max_body_bytes {
        return Err(Reason::BodyTooLarge);
    }
    if !is_form_content_type(parts.content_type) {
        return Err(Reason::UnsupportedContentType);
    }
    if parts.query.is_some_and(query_has_credentials) {
        return Err(Reason::CredentialsInUri);
    }
    FormPairs::new(parts.body).ok_or(Reason::MalformedBody)
}

/// `application/x-www-form-urlencoded`, any case, with an optional UTF-8 charset.
fn is_form_content_type(value: Option<&str>) -> bool {
    const FORM: &str = "application/x-www-form-urlencoded";
    let Some(value) = value else { return false };
    // What nearly every client sends, settled by one comparison.
    if value == FORM {
        return true;
    }
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case(FORM) {
        return false;
    }
    parts.all(|param| {
        let (name, val) = param.split_once('=').unwrap_or((param, ""));
        let val = val.trim().trim_matches('"');
        !name.trim().eq_ignore_ascii_case("charset")
            || val.eq_ignore_ascii_case("utf-8")
            || val.eq_ignore_ascii_case("utf8")
    })
}

fn query_has_credentials(query: &str) -> bool {
    // A query that does not decode cannot be cleared of credentials.
    FormPairs::new(query.as_bytes()).is_none_or(|mut pairs| {
        pairs.any(|pair| match pair {
            Ok((name, _)) => matches!(&*name, "client_secret" | "client_assertion"),
            Err(_) => true,
        })
    })
}
