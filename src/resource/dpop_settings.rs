//! The DPoP settings of a resource server's [`Validator`](crate::Validator),
//! checked once when it is built, and the replay guard it may hold.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::jose::dpop_proof::DpopConfig;
use crate::store::replay::{ReplayCheck, ReplayGuard};
use crate::vocab::error::{ConfigError, StoreError};
use crate::vocab::time::UnixTime;
use crate::vocab::url::htu_normal_form;

/// The DPoP settings of a validator, checked.
#[derive(Clone, Debug)]
pub(crate) struct ResourceDpop {
    pub(crate) config: DpopConfig,
    /// The fixed `htu`, in normal form, when one is configured.
    pub(crate) endpoint: Option<String>,
    pub(crate) required: bool,
}

impl ResourceDpop {
    pub(crate) fn new(
        config: Option<DpopConfig>,
        endpoint: Option<String>,
        required: bool,
    ) -> Result<Option<Self>, ConfigError> {
        let Some(config) = config else {
            if required || endpoint.is_some() {
                return Err(ConfigError::Invalid(
                    "require_dpop and dpop_endpoint need dpop settings",
                ));
            }
            return Ok(None);
        };
        config.check()?;
        if config.nonces.is_some() {
            return Err(ConfigError::Invalid(
                "a resource server does not issue DPoP nonces: leave DpopConfig::nonces unset",
            ));
        }
        let endpoint = match endpoint {
            Some(url) => Some(htu_normal_form(&url).ok_or(ConfigError::InvalidEndpoint(url))?),
            None => None,
        };
        Ok(Some(Self {
            config,
            endpoint,
            required,
        }))
    }
}

/// [`ReplayGuard`] behind a pointer: the validator keeps one without a type
/// parameter of its own.
pub(crate) trait DynReplayGuard: Send + Sync {
    fn first_use_boxed<'a>(
        &'a self,
        client_id: &'a str,
        key: &'a str,
        until: UnixTime,
        now: UnixTime,
    ) -> Pin<Box<dyn Future<Output = Result<ReplayCheck, StoreError>> + Send + 'a>>;
}

impl<G: ReplayGuard> DynReplayGuard for G {
    fn first_use_boxed<'a>(
        &'a self,
        client_id: &'a str,
        key: &'a str,
        until: UnixTime,
        now: UnixTime,
    ) -> Pin<Box<dyn Future<Output = Result<ReplayCheck, StoreError>> + Send + 'a>> {
        Box::pin(self.first_use(client_id, key, until, now))
    }
}

impl fmt::Debug for dyn DynReplayGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReplayGuard")
    }
}
