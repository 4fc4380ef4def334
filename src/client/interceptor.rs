//! A [`TokenSource`] as a `tonic` interceptor.
//!
//! tonic's `Interceptor::call` is synchronous: it cannot wait for a token
//! request. So the interceptor reads the latest token from a watch channel,
//! and a background task keeps that token fresh: it asks the source for a
//! token, sleeps until the refresh margin before expiry, and asks again
//! (retrying with the source's backoff after a failure).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tonic::metadata::MetadataValue;

use crate::client::access_token::AccessToken;
use crate::client::error::TokenSourceError;
use crate::client::token_source::TokenSource;

/// Adds `authorization: Bearer <token>` to each gRPC request, from a token a
/// background task keeps fresh.
///
/// A call made before the first token arrived, or while the refresh has
/// failed for so long that the token expired, is refused with
/// `Status::unavailable` naming the source's last error. A DPoP source's
/// bound tokens are not sent (`Status::failed_precondition`): a proof
/// names the request's URL, which an interceptor does not see. Await
/// [`ready`](Self::ready) at start-up to begin with a token. The task ends
/// once every clone of the interceptor is dropped (at its next wake-up).
///
/// ```no_run
/// # use client_credentials::client::{TokenSource, TonicInterceptor};
/// # async fn run(source: TokenSource) -> Result<(), Box<dyn std::error::Error>> {
/// let interceptor = TonicInterceptor::spawn(source);
/// interceptor.ready().await?;
/// // MyServiceClient::with_interceptor(channel, interceptor)
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct TonicInterceptor {
    source: TokenSource,
    current: watch::Receiver<Option<AccessToken>>,
    last_error: Arc<Mutex<Option<TokenSourceError>>>,
}

impl TonicInterceptor {
    /// Starts the background refresh on the current tokio runtime, for the
    /// source's configured scope and resource.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub fn spawn(source: TokenSource) -> Self {
        let scope = source.scope().map(str::to_owned);
        let resource = source.resource().map(str::to_owned);
        Self::spawn_for(source, scope, resource)
    }

    /// [`spawn`](Self::spawn) for `scope` and `resource` instead.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub fn spawn_for(source: TokenSource, scope: Option<String>, resource: Option<String>) -> Self {
        let (sender, current) = watch::channel(None);
        let last_error = Arc::new(Mutex::new(None));
        tokio::spawn(refresh(
            source.clone(),
            scope,
            resource,
            sender,
            last_error.clone(),
        ));
        Self {
            source,
            current,
            last_error,
        }
    }

    /// Waits for the first token, or the first failure.
    ///
    /// # Errors
    /// The source's error when its first request failed (the task keeps
    /// trying).
    pub async fn ready(&self) -> Result<AccessToken, TokenSourceError> {
        let mut current = self.current.clone();
        loop {
            if let Some(token) = current.borrow_and_update().clone() {
                return Ok(token);
            }
            if let Some(error) = self.last_error() {
                return Err(error);
            }
            if current.changed().await.is_err() {
                return Err(self.last_error().unwrap_or_else(|| {
                    TokenSourceError::Credentials("the refresh task has stopped".into())
                }));
            }
        }
    }

    fn last_error(&self) -> Option<TokenSourceError> {
        self.last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl tonic::service::Interceptor for TonicInterceptor {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        let now = self.source.now();
        let token = self.current.borrow().clone();
        match token {
            Some(token) if token.is_dpop_bound() => Err(tonic::Status::failed_precondition(
                "the token is DPoP-bound, and an interceptor cannot sign its proofs (it does not \
                 see the request URL): use a source without DPoP for gRPC",
            )),
            Some(token) if now < token.expires_at() => {
                let mut value = MetadataValue::try_from(token.authorization()).map_err(|_| {
                    tonic::Status::internal("the access token cannot be sent as metadata")
                })?;
                value.set_sensitive(true);
                request.metadata_mut().insert("authorization", value);
                Ok(request)
            }
            _ => Err(tonic::Status::unavailable(match self.last_error() {
                Some(error) => format!("no valid access token: {error}"),
                None => "no access token yet: the token source is still asking".into(),
            })),
        }
    }
}

/// The background task: a token, then sleep until it is due for refresh.
async fn refresh(
    source: TokenSource,
    scope: Option<String>,
    resource: Option<String>,
    sender: watch::Sender<Option<AccessToken>>,
    last_error: Arc<Mutex<Option<TokenSourceError>>>,
) {
    let mut failures = 0;
    while !sender.is_closed() {
        let wait = match source
            .token_for(scope.as_deref(), resource.as_deref())
            .await
        {
            Ok(token) => {
                failures = 0;
                *last_error.lock().unwrap_or_else(|e| e.into_inner()) = None;
                let due = token
                    .expires_at()
                    .duration_since(source.now())
                    .saturating_sub(source.refresh_margin());
                sender.send_replace(Some(token));
                // One second into the margin, so the source refreshes.
                due + Duration::from_secs(1)
            }
            Err(error) => {
                failures += 1;
                *last_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(error);
                sender.send_modify(|_| {});
                source.retry_policy().backoff(failures)
            }
        };
        tokio::time::sleep(wait).await;
    }
}
