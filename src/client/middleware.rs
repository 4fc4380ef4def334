//! A [`TokenSource`] as a `reqwest-middleware` middleware: every request
//! through the client carries a fresh token.

use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest_middleware::{Middleware, Next};

use crate::client::error::TokenSourceError;
use crate::client::token_source::TokenSource;

/// Adds `Authorization: Bearer <token>` from a [`TokenSource`] to each request
/// that has no `Authorization` header yet. When the resource server answers
/// `401`, the token that was sent is forgotten, so the next request carries a
/// new one (the `401` itself is returned: the request's body may be a stream
/// that cannot be sent twice).
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
        }
    }

    /// Tokens for `scope` and `resource` instead (one middleware per API).
    pub fn for_resource(source: TokenSource, scope: Option<&str>, resource: Option<&str>) -> Self {
        Self {
            source,
            scope: scope.map(str::to_owned),
            resource: resource.map(str::to_owned),
        }
    }
}

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
        let mut value = HeaderValue::from_str(&token.authorization())
            .map_err(|_| reqwest_middleware::Error::middleware(UnsendableToken))?;
        value.set_sensitive(true);
        request.headers_mut().insert(AUTHORIZATION, value);
        let response = next.run(request, extensions).await?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED {
            self.source
                .invalidate(self.scope.as_deref(), self.resource.as_deref(), &token);
        }
        Ok(response)
    }
}
