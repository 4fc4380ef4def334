//! A token handed to a process in an environment variable, for an MCP server
//! on stdio: there is no HTTP request to carry one, so the deployment puts it
//! in a variable of its choice.

use std::fmt;

use zeroize::Zeroizing;

use crate::resource::validator::{Validator, VerifiedToken};
use crate::store::revocation::RevocationStore;
use crate::vocab::error::ValidationError;
use crate::vocab::time::UnixTime;

/// A token read once from an environment variable, checked with
/// [`check`](Self::check) at start-up and again whenever it is used: it
/// expires like any other. Its `Debug` shows the variable's name only, and the
/// token is wiped from memory when dropped.
pub struct EnvToken {
    variable: String,
    token: Zeroizing<String>,
}

impl fmt::Debug for EnvToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvToken")
            .field("variable", &self.variable)
            .finish_non_exhaustive()
    }
}

/// Why an [`EnvToken`] is refused.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvTokenError {
    /// The variable is unset, empty, or not Unicode.
    #[error("the environment variable {0} holds no token")]
    Missing(String),
    /// The validator refused the token.
    #[error("the token in {variable} is refused: {error}")]
    Invalid {
        /// The variable's name.
        variable: String,
        /// The validator's reason.
        error: ValidationError,
    },
}

impl EnvToken {
    /// Reads the token from `variable` (surrounding whitespace removed).
    ///
    /// # Errors
    /// [`EnvTokenError::Missing`] when it holds none.
    pub fn read(variable: &str) -> Result<Self, EnvTokenError> {
        Self::read_with(variable, |name| std::env::var(name).ok())
    }

    /// [`read`](Self::read) through `lookup` instead of the process
    /// environment (a configuration layer, a test).
    ///
    /// # Errors
    /// [`EnvTokenError::Missing`] when it holds none.
    pub fn read_with(
        variable: &str,
        lookup: impl FnOnce(&str) -> Option<String>,
    ) -> Result<Self, EnvTokenError> {
        let value = Zeroizing::new(lookup(variable).unwrap_or_default());
        let token = value.trim();
        if token.is_empty() {
            return Err(EnvTokenError::Missing(variable.to_owned()));
        }
        Ok(Self {
            variable: variable.to_owned(),
            token: Zeroizing::new(token.to_owned()),
        })
    }

    /// The variable the token came from.
    pub fn variable(&self) -> &str {
        &self.variable
    }

    /// Checks the token with `validator` at `now`: call it at start-up and
    /// before each use.
    ///
    /// # Errors
    /// [`EnvTokenError::Invalid`] with the validator's reason.
    pub async fn check<R: RevocationStore>(
        &self,
        validator: &Validator<R>,
        now: UnixTime,
    ) -> Result<VerifiedToken, EnvTokenError> {
        validator
            .validate(&self.token, now)
            .await
            .map_err(|error| EnvTokenError::Invalid {
                variable: self.variable.clone(),
                error,
            })
    }
}

/// Reads the token in `variable` and checks it with `validator` at `now`, in
/// one call: what a stdio MCP server does at start-up and before serving each
/// request.
///
/// # Errors
/// As [`EnvToken::read`] and [`EnvToken::check`].
pub async fn validate_env_token<R: RevocationStore>(
    validator: &Validator<R>,
    variable: &str,
    now: UnixTime,
) -> Result<VerifiedToken, EnvTokenError> {
    EnvToken::read(variable)?.check(validator, now).await
}
