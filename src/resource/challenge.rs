//! RFC 6750 on the resource server: reading the bearer token of a request
//! ([`bearer_token`]) and answering a refusal with a `WWW-Authenticate: Bearer`
//! challenge ([`BearerChallenge`]).

use std::borrow::Cow;
use std::fmt::Write as _;

use serde::Serialize;

use crate::jose::algorithm::Algorithm;
use crate::resource::validator::InsufficientScope;
use crate::vocab::error::ValidationError;
use crate::wire::response::HttpResponse;

/// The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1).
///
/// `None` when there is no header or it names another scheme: the request then
/// "lacks any authentication information" and gets a challenge without an error
/// code (RFC 6750 §3.1, C64). A `Bearer` header with an empty or malformed token
/// gives that text, which the [`Validator`](crate::Validator) refuses. Tokens in
/// the query string or the body are never read (C121).
pub fn bearer_token(authorization: Option<&str>) -> Option<&str> {
    let value = authorization?.trim_matches([' ', '\t']);
    let (scheme, token) = value.split_once([' ', '\t']).unwrap_or((value, ""));
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim_matches([' ', '\t']))
}

/// The error codes of RFC 6750 §3.1.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BearerError {
    /// The request is malformed (400).
    InvalidRequest,
    /// The token is expired, revoked, malformed or otherwise invalid (401).
    InvalidToken,
    /// The token is valid but lacks the scope the request needs (403).
    InsufficientScope,
    /// The DPoP proof was refused (401, RFC 9449 §7.1).
    InvalidDpopProof,
}

impl BearerError {
    /// The wire value, e.g. `"invalid_token"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
            Self::InvalidDpopProof => "invalid_dpop_proof",
        }
    }

    /// The HTTP status RFC 6750 §3.1 gives the code.
    pub const fn status(self) -> u16 {
        match self {
            Self::InvalidRequest => 400,
            Self::InvalidToken | Self::InvalidDpopProof => 401,
            Self::InsufficientScope => 403,
        }
    }
}

/// A refusal of a protected-resource request, rendered as a
/// `WWW-Authenticate: Bearer` challenge (RFC 6750 §3) with the RFC 9728
/// `resource_metadata` parameter (C118).
///
/// | situation | status | `error` |
/// |---|--:|---|
/// | no token ([`missing_token`](Self::missing_token)) | 401 | none (C64) |
/// | invalid token ([`invalid_token`](Self::invalid_token)) | 401 | `invalid_token` |
/// | scope lacking ([`insufficient_scope`](Self::insufficient_scope)) | 403 | `insufficient_scope` (C122) |
/// | malformed request ([`invalid_request`](Self::invalid_request)) | 400 | `invalid_request` |
///
/// Parameter values are written as quoted strings: `"` and `\` are escaped with
/// `\`, and bytes that no header may carry (controls, non-ASCII) are
/// percent-encoded, so any value yields a valid header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BearerChallenge {
    error: Option<BearerError>,
    description: Option<&'static str>,
    // Boxed strings keep the challenge small: it travels in `Err` variants.
    scope: Option<Box<str>>,
    resource_metadata: Option<Box<str>>,
    realm: Option<Box<str>>,
    /// With the `DPoP` scheme, its `algs` (RFC 9449 §7.1).
    dpop_algs: Option<Box<str>>,
    validation_error: Option<ValidationError>,
}

impl BearerChallenge {
    fn new(error: Option<BearerError>, description: Option<&'static str>) -> Self {
        Self {
            error,
            description,
            scope: None,
            resource_metadata: None,
            realm: None,
            dpop_algs: None,
            validation_error: None,
        }
    }

    /// The request carried no token: 401 without an error code (RFC 6750 §3.1).
    /// Add the [`scope`](Self::scope) the resource needs and its
    /// [`resource_metadata`](Self::resource_metadata) URL (C118).
    pub fn missing_token() -> Self {
        Self::new(None, None)
    }

    /// The token was refused: 401 `invalid_token` (RFC 9068 §4, C64), with the
    /// error's fixed description.
    ///
    /// A refused DPoP proof gives `invalid_dpop_proof` instead (RFC 9449
    /// §7.1).
    pub fn invalid_token(error: ValidationError) -> Self {
        let code = match error.error_code() {
            "invalid_dpop_proof" => BearerError::InvalidDpopProof,
            _ => BearerError::InvalidToken,
        };
        let mut challenge = Self::new(Some(code), Some(error.error_description()));
        challenge.validation_error = Some(error);
        challenge
    }

    /// The token lacks a scope: 403 `insufficient_scope` naming the scope
    /// needed (C122).
    pub fn insufficient_scope(error: &InsufficientScope) -> Self {
        Self::new(
            Some(BearerError::InsufficientScope),
            Some("the token lacks the scope this request needs"),
        )
        .scope(error.required_scope())
    }

    /// The request is malformed: 400 `invalid_request`.
    pub fn invalid_request() -> Self {
        Self::new(
            Some(BearerError::InvalidRequest),
            Some("the request is malformed"),
        )
    }

    /// Sets the `scope` parameter: the scopes, space-delimited, that the
    /// request needs (RFC 6750 §3, MCP "Scope Selection Strategy").
    #[must_use]
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into().into_boxed_str());
        self
    }

    /// Sets the `resource_metadata` parameter: the URL of the resource's
    /// RFC 9728 metadata (C118), from
    /// [`ResourceMetadata::metadata_url`](crate::ResourceMetadata::metadata_url).
    #[must_use]
    pub fn resource_metadata(mut self, url: impl Into<String>) -> Self {
        self.resource_metadata = Some(url.into().into_boxed_str());
        self
    }

    /// Sets the `realm` parameter (RFC 6750 §3).
    #[must_use]
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = Some(realm.into().into_boxed_str());
        self
    }

    /// Uses the `DPoP` authentication scheme (RFC 9449 §7.1) with its
    /// `algs` parameter, the proof algorithms the resource accepts, rather
    /// than `Bearer`.
    #[must_use]
    pub fn dpop(mut self, algorithms: &[Algorithm]) -> Self {
        let algs: Vec<&str> = Algorithm::ALL
            .into_iter()
            .filter(|alg| algorithms.contains(alg))
            .map(Algorithm::as_str)
            .collect();
        self.dpop_algs = Some(algs.join(" ").into_boxed_str());
        self
    }

    /// Whether the challenge uses the `DPoP` scheme.
    pub fn is_dpop(&self) -> bool {
        self.dpop_algs.is_some()
    }

    /// Why the token was refused, for logs: set by
    /// [`invalid_token`](Self::invalid_token).
    pub fn validation_error(&self) -> Option<ValidationError> {
        self.validation_error
    }

    /// The error code, if any.
    pub fn error(&self) -> Option<BearerError> {
        self.error
    }

    /// The HTTP status: 401 without an error code, else the code's.
    pub fn status(&self) -> u16 {
        self.error.map_or(401, BearerError::status)
    }

    /// The `WWW-Authenticate` header value, e.g.
    /// `Bearer error="invalid_token", error_description="the token has expired"`.
    pub fn header_value(&self) -> String {
        let mut out = String::from(if self.is_dpop() { "DPoP" } else { "Bearer" });
        let params = [
            ("realm", self.realm.as_deref()),
            ("algs", self.dpop_algs.as_deref()),
            ("error", self.error.map(BearerError::as_str)),
            ("error_description", self.description),
            ("scope", self.scope.as_deref()),
            ("resource_metadata", self.resource_metadata.as_deref()),
        ];
        let mut first = true;
        for (name, value) in params {
            let Some(value) = value else { continue };
            out.push_str(if first { " " } else { ", " });
            first = false;
            out.push_str(name);
            out.push('=');
            push_quoted(&mut out, value);
        }
        out
    }

    /// The complete response: status, `WWW-Authenticate`, `Cache-Control:
    /// no-store`, and with an error code a JSON body repeating `error` and
    /// `error_description`.
    pub fn to_http(&self) -> HttpResponse {
        #[derive(Serialize)]
        struct Wire {
            error: &'static str,
            #[serde(skip_serializing_if = "Option::is_none")]
            error_description: Option<&'static str>,
        }
        let mut response = match self.error {
            Some(error) => HttpResponse::no_store_json(
                self.status(),
                serde_json::to_vec(&Wire {
                    error: error.as_str(),
                    error_description: self.description,
                })
                .expect("serialising static strings cannot fail"),
            ),
            None => HttpResponse::no_store_empty(self.status()),
        };
        response
            .headers
            .push(("www-authenticate", Cow::Owned(self.header_value())));
        response
    }
}

/// Appends `value` as an RFC 9110 §5.6.4 quoted-string.
fn push_quoted(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' ' | '!'..='~' => out.push(c),
            _ => {
                let mut buf = [0; 4];
                for byte in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "%{byte:02X}");
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests;
