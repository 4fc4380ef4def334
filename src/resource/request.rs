//! [`ResourceRequest`]: what a resource server's check of a request reads —
//! method, URI, `Authorization` and `DPoP` headers, body — from any HTTP
//! stack.

use std::fmt;

/// The parts of a protected-resource request that
/// [`Validator::authorize`](crate::Validator::authorize) reads: the method and
/// URI (a DPoP proof's `htm` and `htu`), the `Authorization` and `DPoP`
/// headers, and the body (the MCP DPoP profile's `content_digest`).
///
/// A tower or axum layer fills it from the request it holds:
///
/// ```
/// use client_credentials::resource::ResourceRequest;
///
/// let request = ResourceRequest::new("POST", "https://mcp.example.com/mcp")
///     .authorization("DPoP eyJ…")
///     .dpop("eyJ…")
///     .body(br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#);
/// # let _ = request;
/// ```
///
/// Its `Debug` never shows the headers or the body.
#[derive(Clone, Copy)]
pub struct ResourceRequest<'a> {
    method: &'a str,
    uri: &'a str,
    authorization: Option<&'a str>,
    authorization_lines: u8,
    dpop: Option<&'a str>,
    dpop_lines: u8,
    body: Option<&'a [u8]>,
}

impl<'a> ResourceRequest<'a> {
    /// A request with this method and URI: the absolute URI the client
    /// called (scheme, host, path; a query is ignored), as the server is
    /// reached from outside. A server behind a proxy that cannot know it
    /// sets its endpoint with
    /// [`ValidatorBuilder::dpop_endpoint`](crate::resource::ValidatorBuilder::dpop_endpoint)
    /// instead.
    pub fn new(method: &'a str, uri: &'a str) -> Self {
        Self {
            method,
            uri,
            authorization: None,
            authorization_lines: 0,
            dpop: None,
            dpop_lines: 0,
            body: None,
        }
    }

    /// Adds an `Authorization` header value; call it once per header line.
    #[must_use]
    pub fn authorization(mut self, value: &'a str) -> Self {
        self.authorization = Some(value);
        self.authorization_lines = self.authorization_lines.saturating_add(1);
        self
    }

    /// Adds a `DPoP` header value; call it once per header line (two are
    /// refused, RFC 9449 §4.3).
    #[must_use]
    pub fn dpop(mut self, value: &'a str) -> Self {
        self.dpop = Some(value);
        self.dpop_lines = self.dpop_lines.saturating_add(1);
        self
    }

    /// Sets the raw request body, as received.
    #[must_use]
    pub fn body(mut self, body: &'a [u8]) -> Self {
        self.body = Some(body);
        self
    }

    /// The method.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The URI.
    pub fn uri(&self) -> &'a str {
        self.uri
    }

    /// The one `Authorization` value; `Err` for more than one.
    pub(crate) fn authorization_header(&self) -> Result<Option<&'a str>, ()> {
        match self.authorization_lines {
            0 | 1 => Ok(self.authorization),
            _ => Err(()),
        }
    }

    /// The `DPoP` header value and how many lines there were.
    pub(crate) fn dpop_header(&self) -> (Option<&'a str>, u8) {
        (self.dpop, self.dpop_lines)
    }

    /// The body, if one was given.
    pub(crate) fn body_bytes(&self) -> Option<&'a [u8]> {
        self.body
    }
}

#[cfg(feature = "http")]
impl<'a> ResourceRequest<'a> {
    /// The parts of an `http` request head and its collected body, with
    /// `uri` the absolute URI the client called (an `http::Uri` in a server
    /// usually holds only the path and query).
    ///
    /// Header values that are not visible ASCII count as present but never
    /// match: a token or proof is ASCII.
    pub fn from_http(
        method: &'a http::Method,
        uri: &'a str,
        headers: &'a http::HeaderMap,
        body: &'a [u8],
    ) -> Self {
        let mut request = Self::new(method.as_str(), uri).body(body);
        for value in headers.get_all(http::header::AUTHORIZATION) {
            request = request.authorization(value.to_str().unwrap_or("\u{0}"));
        }
        for value in headers.get_all("dpop") {
            request = request.dpop(value.to_str().unwrap_or("\u{0}"));
        }
        request
    }
}

impl fmt::Debug for ResourceRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceRequest")
            .field("method", &self.method)
            .field("uri", &self.uri.split(['?', '#']).next())
            .field("authorization_lines", &self.authorization_lines)
            .field("dpop_lines", &self.dpop_lines)
            .field("body_len", &self.body.map(<[u8]>::len))
            .finish()
    }
}
