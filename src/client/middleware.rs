//! A [`TokenSource`] as a `reqwest-middleware` middleware: every request
//! through the client carries a fresh token.

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue, WWW_AUTHENTICATE};
use reqwest_middleware::{Middleware, Next};

use crate::client::access_token::AccessToken;
use crate::client::error::TokenSourceError;
use crate::client::token_source::TokenSource;

/// Adds `Authorization: Bearer <token>` from a [`TokenSource`] to each request
/// that has no `Authorization` header yet. When the resource server answers
/// `401`, the token that was sent is forgotten, so the next request carries a
/// new one (the `401` itself is returned: the request's body may be a stream
/// that cannot be sent twice).
///
/// With a DPoP-bound token (a source built with
/// [`dpop`](crate::client::TokenSourceBuilder::dpop)), each request carries
/// `Authorization: DPoP <token>` and a fresh `DPoP` proof for its method and
/// URL (RFC 9449 §7.1), with the `content_digest` of its body when
/// [`dpop_content_digest`](Self::dpop_content_digest) is on (the MCP DPoP
/// profile). A `401` with a `DPoP-Nonce` header and the `use_dpop_nonce`
/// error (RFC 9449 §9) is answered by sending the request once more with
/// the nonce, when its body can be sent twice; the nonce is remembered
/// for later requests either way.
///
/// ```no_run
/// # use client_credentials::client::{Credentials, Endpoint, TokenMiddleware, TokenSource};
/// # fn run(source: TokenSource) {
/// let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
///     .with(TokenMiddleware::new(source))
///     .build();
/// # let _ = client;
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct TokenMiddleware {
    source: TokenSource,
    scope: Option<String>,
    resource: Option<String>,
    content_digest: bool,
}

impl TokenMiddleware {
    /// Tokens for the source's configured scope and resource.
    pub fn new(source: TokenSource) -> Self {
        let scope = source.scope().map(str::to_owned);
        let resource = source.resource().map(str::to_owned);
        Self {
            source,
            scope,
            resource,
            content_digest: false,
        }
    }

    /// Tokens for `scope` and `resource` instead (one middleware per API).
    pub fn for_resource(source: TokenSource, scope: Option<&str>, resource: Option<&str>) -> Self {
        Self {
            source,
            scope: scope.map(str::to_owned),
            resource: resource.map(str::to_owned),
            content_digest: false,
        }
    }

    /// Whether the DPoP proofs carry the `content_digest` of the request
    /// body, as the MCP DPoP profile requires of calls to MCP servers. Off
    /// by default; a request whose body is a stream then fails, as its
    /// digest cannot be known before it is sent.
    #[must_use]
    pub fn dpop_content_digest(mut self, on: bool) -> Self {
        self.content_digest = on;
        self
    }

    /// Sets the `Authorization` header, and the `DPoP` proof for a bound
    /// token.
    fn authorize(
        &self,
        request: &mut reqwest::Request,
        token: &AccessToken,
    ) -> reqwest_middleware::Result<()> {
        let mut value = HeaderValue::from_str(&token.authorization())
            .map_err(|_| reqwest_middleware::Error::middleware(UnsendableToken))?;
        value.set_sensitive(true);
        request.headers_mut().insert(AUTHORIZATION, value);
        if token.is_dpop_bound() {
            let body = if self.content_digest {
                match request.body() {
                    None => Some(&b""[..]),
                    Some(body) => Some(
                        body.as_bytes()
                            .ok_or(reqwest_middleware::Error::middleware(StreamedBody))?,
                    ),
                }
            } else {
                None
            };
            let proof = token
                .dpop_proof(request.method().as_str(), request.url().as_str(), body)
                .map_err(reqwest_middleware::Error::middleware::<TokenSourceError>)?;
            if let Some(proof) = proof {
                let mut value = HeaderValue::from_str(&proof)
                    .map_err(|_| reqwest_middleware::Error::middleware(UnsendableToken))?;
                value.set_sensitive(true);
                request.headers_mut().insert(DPOP, value);
            }
        }
        Ok(())
    }
}

/// The `DPoP` header (RFC 9449 §4.1).
const DPOP: HeaderName = HeaderName::from_static("dpop");

/// Whether `response` asks for a DPoP nonce (RFC 9449 §9); the nonce.
fn nonce_demanded(response: &reqwest::Response) -> Option<String> {
    let nonce = response.headers().get("dpop-nonce")?.to_str().ok()?;
    let asks = response
        .headers()
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("use_dpop_nonce"));
    asks.then(|| nonce.to_owned())
}

/// A DPoP proof with `content_digest` cannot be made for a streamed body.
#[derive(Debug, thiserror::Error)]
#[error("a DPoP proof with content_digest needs the request body in memory, not a stream")]
struct StreamedBody;

/// The header value could not carry the token (a server that returns a token
/// with bytes a header cannot hold).
#[derive(Debug, thiserror::Error)]
#[error("the access token cannot be sent in an Authorization header")]
struct UnsendableToken;

#[async_trait::async_trait]
impl Middleware for TokenMiddleware {
    async fn handle(
        &self,
        mut request: reqwest::Request,
        extensions: &mut http::Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        if request.headers().contains_key(AUTHORIZATION) {
            return next.run(request, extensions).await;
        }
        let token = self
            .source
            .token_for(self.scope.as_deref(), self.resource.as_deref())
            .await
            .map_err(reqwest_middleware::Error::middleware::<TokenSourceError>)?;
        self.authorize(&mut request, &token)?;
        let retry = if token.is_dpop_bound() {
            request.try_clone()
        } else {
            None
        };
        let url = request.url().clone();
        let response = next.clone().run(request, extensions).await?;
        if response.status() != reqwest::StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        if token.is_dpop_bound()
            && let Some(nonce) = nonce_demanded(&response)
        {
            token.remember_dpop_nonce(url.as_str(), &nonce);
            if let Some(mut retry) = retry {
                self.authorize(&mut retry, &token)?;
                let response = next.run(retry, extensions).await?;
                if response.status() == reqwest::StatusCode::UNAUTHORIZED
                    && nonce_demanded(&response).is_none()
                {
                    self.source
                        .invalidate(self.scope.as_deref(), self.resource.as_deref(), &token);
                }
                return Ok(response);
            }
            return Ok(response);
        }
        self.source
            .invalidate(self.scope.as_deref(), self.resource.as_deref(), &token);
        Ok(response)
    }
}
