//! axum integration (feature `axum`): the [`VerifiedToken`] that a
//! [`BearerLayer`](crate::resource::BearerLayer) put in the request as an
//! extractor, a [`RequireScope`] extractor for one more scope, and
//! `IntoResponse` for [`HttpResponse`] and [`BearerChallenge`].

use std::marker::PhantomData;

use axum_core::extract::FromRequestParts;
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;

use crate::resource::challenge::BearerChallenge;
use crate::resource::layer::ChallengeContext;
use crate::resource::validator::VerifiedToken;
use crate::wire::response::HttpResponse;

impl IntoResponse for HttpResponse {
    fn into_response(self) -> Response {
        http::Response::<Vec<u8>>::from(self).map(axum_core::body::Body::from)
    }
}

impl IntoResponse for BearerChallenge {
    fn into_response(self) -> Response {
        self.to_http().into_response()
    }
}

/// The token the layer verified. Without the layer on the route, the request
/// is refused as carrying no token: the handler never runs unprotected.
impl<S: Send + Sync> FromRequestParts<S> for VerifiedToken {
    type Rejection = BearerChallenge;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<VerifiedToken>()
            .cloned()
            .ok_or_else(BearerChallenge::missing_token)
    }
}

/// Names a scope at the type level, for [`RequireScope`].
pub trait ScopeName {
    /// The scope, e.g. `"mcp:write"`.
    const SCOPE: &'static str;
}

/// The verified token, which must also hold `N::SCOPE` (directly or through
/// the validator's scope hierarchy): otherwise 403 `insufficient_scope` with
/// the route's `resource_metadata` (C122).
///
/// ```
/// use client_credentials::VerifiedToken;
/// use client_credentials::resource::{RequireScope, ScopeName};
///
/// struct Write;
/// impl ScopeName for Write {
///     const SCOPE: &'static str = "notes:write";
/// }
///
/// async fn list(token: VerifiedToken) -> String {
///     format!("hello {}", token.client_id())
/// }
///
/// async fn write(RequireScope(token, ..): RequireScope<Write>) -> String {
///     format!("{} may write", token.client_id())
/// }
/// # let _ = (list, write);
/// ```
#[derive(Debug)]
pub struct RequireScope<N>(pub VerifiedToken, pub PhantomData<N>);

impl<S: Send + Sync, N: ScopeName> FromRequestParts<S> for RequireScope<N> {
    type Rejection = BearerChallenge;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = VerifiedToken::from_request_parts(parts, state).await?;
        match token.require_scope(N::SCOPE) {
            Ok(()) => Ok(Self(token, PhantomData)),
            Err(e) => {
                let challenge = BearerChallenge::insufficient_scope(&e);
                Err(match parts.extensions.get::<ChallengeContext>() {
                    Some(context) => challenge.resource_metadata(&*context.metadata_url),
                    None => challenge,
                })
            }
        }
    }
}
