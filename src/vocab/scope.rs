//! Scopes (RFC 6749 §3.3): case-sensitive tokens of `NQCHAR`, unordered, space-delimited.

use std::fmt;
use std::sync::Arc;

use crate::vocab::error::ConfigError;

/// One scope token: `1*NQCHAR` (RFC 6749 Appendix A.4), so never a space, `"` or `\`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope(String);

impl Scope {
    /// Validates a scope token.
    ///
    /// # Errors
    /// [`ConfigError::InvalidScope`] when `s` is empty or holds a byte outside
    /// `%x21 / %x23-5B / %x5D-7E`.
    pub fn new(s: impl Into<String>) -> Result<Self, ConfigError> {
        let s = s.into();
        if is_scope_token(&s) {
            Ok(Self(s))
        } else {
            Err(ConfigError::InvalidScope(s))
        }
    }

    /// The scope as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Scope {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `scope-token = 1*NQCHAR`, `NQCHAR = %x21 / %x23-5B / %x5D-7E`.
pub(crate) fn is_scope_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_nqchar)
}

const fn is_nqchar(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E)
}

/// A set of scopes. Order does not matter (RFC 6749 §3.3); it renders sorted and
/// space-delimited, so equal sets render equally.
///
/// It is held as that rendering alone, shared: a scope token never holds a
/// space, so the string is the set. Parsing a request's `scope` that is
/// already in that form (one scope, or several sorted) costs one allocation,
/// and cloning one (granting a client its registered scopes, or the scopes
/// it asked for) is a reference-count bump.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ScopeSet(Arc<str>);

impl Default for ScopeSet {
    fn default() -> Self {
        Self(Arc::from(""))
    }
}

impl fmt::Debug for ScopeSet {
    /// Shows the scopes as `ScopeSet({"a", "b"})`, as a set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct DebugSet<'a>(&'a ScopeSet);
        impl fmt::Debug for DebugSet<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_set().entries(self.0.iter()).finish()
            }
        }
        f.debug_tuple("ScopeSet").field(&DebugSet(self)).finish()
    }
}

impl ScopeSet {
    /// The empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a `scope` parameter value: `scope-token *( SP scope-token )`.
    ///
    /// Repeated tokens collapse into one. Returns `None` for malformed input: an
    /// empty token (leading, trailing or doubled space) or a byte outside `NQCHAR`.
    pub fn parse(value: &str) -> Option<Self> {
        // One pass checks the syntax and whether the value is already sorted
        // without repeats, as clients that send a fixed scope string mostly are.
        let mut canonical = true;
        let mut previous: Option<&str> = None;
        for token in value.split(' ') {
            if !is_scope_token(token) {
                return None;
            }
            canonical &= previous.is_none_or(|p| p < token);
            previous = Some(token);
        }
        if canonical {
            return Some(Self(Arc::from(value)));
        }
        Some(Self::from_tokens(value.split(' ').collect()))
    }

    /// Builds a set from scope strings, validating each.
    ///
    /// # Errors
    /// [`ConfigError::InvalidScope`] for the first string that is not a scope token.
    pub fn from_strs<I, S>(scopes: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        scopes.into_iter().map(Scope::new).collect()
    }

    /// Whether the set has no scope.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of scopes.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether `scope` is in the set.
    pub fn contains(&self, scope: &str) -> bool {
        // A plain scan of the bytes: sets are a few short tokens, too short for
        // `split`'s vectorised search to pay off.
        let scope = scope.as_bytes();
        let mut rest = self.0.as_bytes();
        loop {
            let end = rest.iter().position(|&b| b == b' ').unwrap_or(rest.len());
            if &rest[..end] == scope && !scope.is_empty() {
                return true;
            }
            let Some(next) = rest.get(end + 1..) else {
                return false;
            };
            rest = next;
        }
    }

    /// Whether every scope of `self` is in `other`.
    pub fn is_subset(&self, other: &ScopeSet) -> bool {
        self.0 == other.0 || self.iter().all(|s| other.contains(s))
    }

    /// The scopes in both sets.
    pub fn intersection(&self, other: &ScopeSet) -> ScopeSet {
        Self::from_tokens(self.iter().filter(|s| other.contains(s)).collect())
    }

    /// The scopes, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        // `split` would yield one empty token for the empty set.
        self.0.split(' ').filter(|s| !s.is_empty())
    }

    /// Adds a scope; returns whether it was new.
    pub fn insert(&mut self, scope: Scope) -> bool {
        if self.contains(scope.as_str()) {
            return false;
        }
        let mut tokens: Vec<&str> = self.iter().collect();
        tokens.push(scope.as_str());
        *self = Self::from_tokens(tokens);
        true
    }

    /// The scopes space-delimited and sorted, as [`Display`](fmt::Display)
    /// renders them, without rendering anything.
    pub(crate) fn as_joined(&self) -> &str {
        &self.0
    }

    /// The set of `tokens`, each a valid scope token.
    fn from_tokens(mut tokens: Vec<&str>) -> Self {
        tokens.sort_unstable();
        tokens.dedup();
        Self(Arc::from(tokens.join(" ")))
    }
}

impl FromIterator<Scope> for ScopeSet {
    fn from_iter<T: IntoIterator<Item = Scope>>(iter: T) -> Self {
        let scopes: Vec<Scope> = iter.into_iter().collect();
        Self::from_tokens(scopes.iter().map(Scope::as_str).collect())
    }
}

impl fmt::Display for ScopeSet {
    /// Space-delimited, sorted: the form of the `scope` parameter and claim.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests;
