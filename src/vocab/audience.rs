//! Resource indicators (RFC 8707) and the `aud` values they become (RFC 9068 §3).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use fluent_uri::Uri;

use crate::vocab::error::ConfigError;

/// A resource identifier: an absolute URI without a fragment (RFC 8707 §2), used as a
/// token audience.
///
/// Two audiences *match* when their normalised forms are equal: scheme and host
/// compared case-insensitively, default ports and dot segments removed,
/// percent-encoding case folded (RFC 3986 §6.2.2), and an empty path equal to `/`
/// (RFC 3986 §6.2.3). Everything else, path case included, must match exactly. The
/// audience placed in a token is always the *registered* value, never the client's
/// spelling (C73, C135), because resource servers compare `aud` with their own
/// identifier byte for byte.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Audience(Arc<Value>);

/// An audience and the key it is compared by, made once: cloning an
/// [`Audience`] (granting a client its registered one) copies nothing.
///
/// The key is a function of the value, so equality and hashing look at the value
/// alone. It is computed on first use: a request naming a resource exactly as
/// registered is matched without normalising anything.
struct Value {
    value: String,
    match_key: OnceLock<String>,
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

impl Audience {
    /// Validates a resource identifier.
    ///
    /// # Errors
    /// [`ConfigError::InvalidAudience`] unless `s` is an absolute URI of ASCII
    /// characters without a fragment.
    pub fn new(s: impl Into<String>) -> Result<Self, ConfigError> {
        let value = s.into();
        if parse(&value).is_none() {
            return Err(ConfigError::InvalidAudience(value));
        }
        Ok(Self(Arc::new(Value {
            value,
            match_key: OnceLock::new(),
        })))
    }

    /// Parses a `resource` request parameter; `None` when it is not an acceptable
    /// resource indicator (the caller answers `invalid_target`).
    pub(crate) fn parse_request(value: &str) -> Option<Self> {
        Self::new(value).ok()
    }

    /// The identifier as registered (or as sent, for a request value).
    pub fn as_str(&self) -> &str {
        &self.0.value
    }

    /// Whether `self` and `other` name the same resource.
    pub fn matches(&self, other: &Audience) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || self.0.value == other.0.value
            || self.match_key() == other.match_key()
    }

    fn match_key(&self) -> &str {
        self.0.match_key.get_or_init(|| {
            let uri = parse(&self.0.value).expect("checked when the audience was made");
            match_key(&uri)
        })
    }
}

/// The URI `value` holds, or `None` for something that is no resource indicator:
/// not ASCII, with a control character or space, not an absolute URI, or with a
/// fragment.
fn parse(value: &str) -> Option<Uri<&str>> {
    if !value.is_ascii() || value.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return None;
    }
    Uri::parse(value).ok().filter(|uri| !uri.has_fragment())
}

/// The normalised comparison form.
fn match_key(uri: &Uri<&str>) -> String {
    let mut key = uri.normalize().into_string();
    let is_web = matches!(
        uri.scheme().as_str().to_ascii_lowercase().as_str(),
        "http" | "https"
    );
    if is_web && uri.has_authority() && uri.path().as_str().is_empty() {
        // `https://host` and `https://host/` are the same resource.
        match key.find(['?']) {
            Some(q) => key.insert(q, '/'),
            None => key.push('/'),
        }
    }
    key
}

impl fmt::Debug for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Audience").field(&self.0.value).finish()
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.value)
    }
}

#[cfg(test)]
mod tests;
