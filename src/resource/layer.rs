//! [`BearerLayer`]: a `tower::Layer` (feature `tower`) that lets through only
//! requests with a valid token holding the scopes the route needs, and puts
//! the [`VerifiedToken`] in the request's extensions.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::request::Parts;
use http::{Request, Response};
use http_body::Body;
use http_body_util::{BodyExt, Limited};
use tower_layer::Layer;
use tower_service::Service;

use crate::resource::challenge::BearerChallenge;
use crate::resource::credentials::{TokenLocation, credentials};
use crate::resource::metadata::ResourceMetadata;
use crate::resource::request::ResourceRequest;
use crate::resource::validator::{Validator, VerifiedToken};
use crate::store::revocation::{NoRevocation, RevocationStore};
use crate::vocab::clock::{Clock, SystemClock};
use crate::wire::response::HttpResponse;

/// The default limit on a body the layer reads for [`BearerLayer::scope_for`].
pub const DEFAULT_MAX_INSPECTED_BODY_BYTES: usize = 1024 * 1024;

/// A rule naming the scope one request needs, from its head and body.
type ScopeRule = dyn Fn(&Parts, &[u8]) -> Option<Cow<'static, str>> + Send + Sync;

/// The `resource_metadata` URL of the route, in the request extensions beside
/// the [`VerifiedToken`], for refusals made after the layer (the axum
/// extractors' 403s).
#[derive(Clone, Debug)]
pub(crate) struct ChallengeContext {
    pub(crate) metadata_url: Arc<str>,
}

/// Validates the token of every request with a [`Validator`], and requires
/// the scopes set with [`require_scope`](Self::require_scope) and
/// [`scope_for`](Self::scope_for).
///
/// ```
/// # use std::sync::Arc;
/// # use client_credentials::{ResourceMetadata, Validator};
/// use client_credentials::resource::BearerLayer;
/// # fn layer(validator: Validator, metadata: &ResourceMetadata) {
/// let validator = Arc::new(validator);
/// let read = BearerLayer::new(Arc::clone(&validator), metadata).require_scope("mcp:read");
/// let write = BearerLayer::new(validator, metadata).require_scope("mcp:write");
/// # let _ = (read, write);
/// # }
/// ```
///
/// Each refusal is the RFC 6750 challenge of a [`BearerChallenge`], with the
/// RFC 9728 `resource_metadata` URL (C118) and the scope needed:
///
/// | request | answer |
/// |---|---|
/// | no token | 401, `WWW-Authenticate: Bearer scope="…", resource_metadata="…"` (C64) |
/// | a token the [`Validator`] refuses | 401 `invalid_token` (C119) |
/// | a valid token without a required scope | 403 `insufficient_scope` naming it (C122) |
/// | two credentials, a header that is not ASCII | 400 `invalid_request` |
///
/// The layer protects what it wraps: serve the metadata document outside it.
pub struct BearerLayer<R = NoRevocation> {
    shared: Arc<Shared<R>>,
}

struct Shared<R> {
    validator: Arc<Validator<R>>,
    context: ChallengeContext,
    source: TokenLocation,
    scope: Option<String>,
    rule: Option<Arc<ScopeRule>>,
    clock: Arc<dyn Clock>,
    max_body_bytes: usize,
}

impl<R> Clone for Shared<R> {
    fn clone(&self) -> Self {
        Self {
            validator: Arc::clone(&self.validator),
            context: self.context.clone(),
            source: self.source.clone(),
            scope: self.scope.clone(),
            rule: self.rule.clone(),
            clock: Arc::clone(&self.clock),
            max_body_bytes: self.max_body_bytes,
        }
    }
}

impl<R> Clone for BearerLayer<R> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<R> fmt::Debug for BearerLayer<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerLayer")
            .field("validator", &self.shared.validator)
            .field("resource_metadata", &self.shared.context.metadata_url)
            .field("token_source", &self.shared.source)
            .field("scope", &self.shared.scope)
            .field("scope_for", &self.shared.rule.is_some())
            .finish_non_exhaustive()
    }
}

impl<R> BearerLayer<R> {
    /// A layer checking tokens with `validator`, whose refusals point at
    /// `metadata`'s URL. No scope is required until one is set.
    pub fn new(validator: Arc<Validator<R>>, metadata: &ResourceMetadata) -> Self {
        Self {
            shared: Arc::new(Shared {
                validator,
                context: ChallengeContext {
                    metadata_url: metadata.metadata_url().into(),
                },
                source: TokenLocation::Authorization,
                scope: None,
                rule: None,
                clock: Arc::new(SystemClock),
                max_body_bytes: DEFAULT_MAX_INSPECTED_BODY_BYTES,
            }),
        }
    }

    fn with(self, change: impl FnOnce(&mut Shared<R>)) -> Self {
        let mut shared = Arc::unwrap_or_clone(self.shared);
        change(&mut shared);
        Self {
            shared: Arc::new(shared),
        }
    }

    /// Requires `scope` of every request (directly or through the validator's
    /// [`ScopeHierarchy`](crate::resource::ScopeHierarchy)); it is also the
    /// `scope` of the 401 challenges.
    #[must_use]
    pub fn require_scope(self, scope: impl Into<String>) -> Self {
        let scope = scope.into();
        self.with(|s| s.scope = Some(scope))
    }

    /// Also requires the scope `rule` names for each request, from its head
    /// and its body: for example the scope of the tool an MCP `tools/call`
    /// names. The body is read (up to
    /// [`max_body_bytes`](Self::max_body_bytes)) only once the token is valid,
    /// and handed on whole. `None` requires nothing more.
    #[must_use]
    pub fn scope_for<F>(self, rule: F) -> Self
    where
        F: Fn(&Parts, &[u8]) -> Option<Cow<'static, str>> + Send + Sync + 'static,
    {
        self.with(|s| s.rule = Some(Arc::new(rule)))
    }

    /// Reads the token from `source` instead of `Authorization: Bearer`.
    #[must_use]
    pub fn token_source(self, source: TokenLocation) -> Self {
        self.with(|s| s.source = source)
    }

    /// Sets the clock tokens are checked against; [`SystemClock`] by default.
    #[must_use]
    pub fn clock(self, clock: Arc<dyn Clock>) -> Self {
        self.with(|s| s.clock = clock)
    }

    /// Sets the largest body read for [`scope_for`](Self::scope_for); a larger
    /// one is answered `413`.
    #[must_use]
    pub fn max_body_bytes(self, limit: usize) -> Self {
        self.with(|s| s.max_body_bytes = limit)
    }
}

impl<R: RevocationStore> BearerLayer<R> {
    /// The check the layer makes of a request head, without its body: the
    /// credentials, the token, and the scope set with
    /// [`require_scope`](Self::require_scope).
    ///
    /// # Errors
    /// The challenge to answer, with `resource_metadata` set.
    pub async fn authenticate(&self, head: &Parts) -> Result<VerifiedToken, BearerChallenge> {
        self.shared.authenticate(head).await
    }
}

impl<R: RevocationStore> Shared<R> {
    /// Whether requests are checked as a whole ([`Validator::authorize`]):
    /// the validator accepts DPoP and the token is read from `Authorization`,
    /// where a `DPoP` scheme can appear. The body is then read before the
    /// check, since a proof may cover it (`content_digest`).
    fn checks_whole_requests(&self) -> bool {
        self.validator.dpop_algorithms().is_some()
            && matches!(self.source, TokenLocation::Authorization)
    }

    /// [`authenticate`](Self::authenticate) through
    /// [`Validator::authorize`]: `Bearer` or `DPoP` with its proof over this
    /// method, URI and body (RFC 9449 §7), challenges in the scheme used.
    async fn authorize(&self, head: &Parts, body: &[u8]) -> Result<VerifiedToken, BearerChallenge> {
        let refuse =
            |challenge: BearerChallenge| challenge.resource_metadata(&*self.context.metadata_url);
        let uri = head.uri.to_string();
        let request = ResourceRequest::from_http(&head.method, &uri, &head.headers, body);
        let token = match self.validator.authorize(&request, self.clock.now()).await {
            Ok(token) => token,
            Err(challenge) if challenge.error().is_none() => {
                return Err(refuse(match &self.scope {
                    Some(scope) => challenge.scope(scope.as_str()),
                    None => challenge,
                }));
            }
            Err(challenge) => return Err(refuse(challenge)),
        };
        if let Some(scope) = &self.scope {
            token
                .require_scope(scope)
                .map_err(|e| refuse(self.validator.insufficient_scope(&token, &e)))?;
        }
        Ok(token)
    }

    async fn authenticate(&self, head: &Parts) -> Result<VerifiedToken, BearerChallenge> {
        let refuse =
            |challenge: BearerChallenge| challenge.resource_metadata(&*self.context.metadata_url);
        let presented = credentials(head, &self.source).map_err(refuse)?;
        let Some(presented) = presented else {
            let challenge = BearerChallenge::missing_token();
            return Err(refuse(match &self.scope {
                Some(scope) => challenge.scope(scope.as_str()),
                None => challenge,
            }));
        };
        let token = self
            .validator
            .validate(presented.token, self.clock.now())
            .await
            .map_err(|e| refuse(BearerChallenge::invalid_token(e)))?;
        if let Some(scope) = &self.scope {
            token
                .require_scope(scope)
                .map_err(|e| refuse(BearerChallenge::insufficient_scope(&e)))?;
        }
        Ok(token)
    }

    fn require_rule_scope(
        &self,
        token: &VerifiedToken,
        head: &Parts,
        body: &[u8],
    ) -> Result<(), BearerChallenge> {
        let Some(scope) = self.rule.as_ref().and_then(|rule| rule(head, body)) else {
            return Ok(());
        };
        token.require_scope(&scope).map_err(|e| {
            self.validator
                .insufficient_scope(token, &e)
                .resource_metadata(&*self.context.metadata_url)
        })
    }
}

impl<S, R> Layer<S> for BearerLayer<R> {
    type Service = BearerService<S, R>;

    fn layer(&self, inner: S) -> Self::Service {
        BearerService {
            inner,
            shared: Arc::clone(&self.shared),
        }
    }
}

/// The service of a [`BearerLayer`].
pub struct BearerService<S, R = NoRevocation> {
    inner: S,
    shared: Arc<Shared<R>>,
}

impl<S: Clone, R> Clone for BearerService<S, R> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<S: fmt::Debug, R> fmt::Debug for BearerService<S, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S, R, B, ResBody> Service<Request<B>> for BearerService<S, R>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send,
    R: RevocationStore + 'static,
    B: Body + From<Bytes> + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    ResBody: From<Vec<u8>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ResBody>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone that was polled ready serves this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let shared = Arc::clone(&self.shared);
        Box::pin(async move {
            let (mut head, body) = request.into_parts();
            let read = async |body: B| {
                Limited::new(body, shared.max_body_bytes)
                    .collect()
                    .await
                    .map(|collected| collected.to_bytes())
            };
            let (token, body) = if shared.checks_whole_requests() {
                let Ok(bytes) = read(body).await else {
                    return Ok(into_response(HttpResponse::no_store_empty(413)));
                };
                match shared.authorize(&head, &bytes).await {
                    Ok(token) => (token, Ok(bytes)),
                    Err(challenge) => return Ok(into_response(challenge.to_http())),
                }
            } else {
                match shared.authenticate(&head).await {
                    Ok(token) => (token, Err(body)),
                    Err(challenge) => return Ok(into_response(challenge.to_http())),
                }
            };
            // The body is read only after the token is valid, and only when
            // a check needs it.
            let body = match (body, shared.rule.is_some()) {
                (Ok(bytes), _) => Ok(bytes),
                (Err(body), true) => match read(body).await {
                    Ok(bytes) => Ok(bytes),
                    Err(_) => return Ok(into_response(HttpResponse::no_store_empty(413))),
                },
                (Err(body), false) => Err(body),
            };
            let body = match body {
                Ok(bytes) => {
                    if let Err(challenge) = shared.require_rule_scope(&token, &head, &bytes) {
                        return Ok(into_response(challenge.to_http()));
                    }
                    B::from(bytes)
                }
                Err(body) => body,
            };
            head.extensions.insert(token);
            head.extensions.insert(shared.context.clone());
            inner.call(Request::from_parts(head, body)).await
        })
    }
}

/// An [`HttpResponse`] as an `http` response of the inner service's body type.
fn into_response<B: From<Vec<u8>>>(response: HttpResponse) -> Response<B> {
    Response::<Vec<u8>>::from(response).map(B::from)
}
