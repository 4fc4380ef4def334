//! Scopes (RFC 6749 §3.3): case-sensitive tokens of `NQCHAR`, unordered, space-delimited.

use std::fmt;
use std::sync::Arc;

use crate::error::ConfigError;

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
/// Cloning one is a reference-count bump: granting a client its registered
/// scopes, or the scopes it asked for, copies nothing.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct ScopeSet(Arc<Scopes>);

/// The scopes, and their rendering, made once.
#[derive(Default, PartialEq, Eq, Hash)]
struct Scopes {
    /// Sorted, without repeats. A slice rather than a tree: sets hold a few
    /// scopes, and a slice costs one allocation and no node walking.
    set: Box<[Scope]>,
    /// `set` space-delimited, in order.
    joined: String,
}

impl Scopes {
    fn new(mut set: Vec<Scope>) -> Self {
        set.sort_unstable();
        set.dedup();
        let set = set.into_boxed_slice();
        let mut joined = String::with_capacity(set.iter().map(|s| s.0.len() + 1).sum());
        for (i, scope) in set.iter().enumerate() {
            if i > 0 {
                joined.push(' ');
            }
            joined.push_str(&scope.0);
        }
        Self { set, joined }
    }
}

/// Shows the scopes as `{Scope("a"), Scope("b")}`, as a set.
struct DebugSet<'a>(&'a [Scope]);

impl fmt::Debug for DebugSet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0).finish()
    }
}

impl fmt::Debug for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ScopeSet")
            .field(&DebugSet(&self.0.set))
            .finish()
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
        let mut set = Vec::with_capacity(value.bytes().filter(|&b| b == b' ').count() + 1);
        for token in value.split(' ') {
            if !is_scope_token(token) {
                return None;
            }
            set.push(Scope(token.to_owned()));
        }
        Some(Self::from_set(set))
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
        self.0.set.is_empty()
    }

    /// The number of scopes.
    pub fn len(&self) -> usize {
        self.0.set.len()
    }

    /// Whether `scope` is in the set.
    pub fn contains(&self, scope: &str) -> bool {
        self.find(scope).is_ok()
    }

    /// Whether every scope of `self` is in `other`.
    pub fn is_subset(&self, other: &ScopeSet) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.iter().all(|s| other.find(&s.0).is_ok())
    }

    /// The scopes in both sets.
    pub fn intersection(&self, other: &ScopeSet) -> ScopeSet {
        self.iter()
            .filter(|s| other.find(&s.0).is_ok())
            .cloned()
            .collect()
    }

    /// The scopes, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &Scope> {
        self.0.set.iter()
    }

    /// Adds a scope; returns whether it was new.
    pub fn insert(&mut self, scope: Scope) -> bool {
        if self.find(&scope.0).is_ok() {
            return false;
        }
        let mut set = self.0.set.to_vec();
        set.push(scope);
        *self = Self::from_set(set);
        true
    }

    /// The scopes space-delimited and sorted, as [`Display`](fmt::Display)
    /// renders them, without rendering anything.
    pub(crate) fn as_joined(&self) -> &str {
        &self.0.joined
    }

    fn from_set(set: Vec<Scope>) -> Self {
        Self(Arc::new(Scopes::new(set)))
    }

    /// Where `scope` is, or would be, in the sorted scopes.
    fn find(&self, scope: &str) -> Result<usize, usize> {
        self.0.set.binary_search_by(|s| s.0.as_str().cmp(scope))
    }
}

impl FromIterator<Scope> for ScopeSet {
    fn from_iter<T: IntoIterator<Item = Scope>>(iter: T) -> Self {
        Self::from_set(iter.into_iter().collect())
    }
}

impl fmt::Display for ScopeSet {
    /// Space-delimited, sorted: the form of the `scope` parameter and claim.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.joined)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c20_order_does_not_matter_and_case_does() {
        let a = ScopeSet::parse("mcp:write mcp:read").unwrap();
        let b = ScopeSet::parse("mcp:read mcp:write").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "mcp:read mcp:write");
        assert_ne!(
            ScopeSet::parse("MCP:READ").unwrap(),
            ScopeSet::parse("mcp:read").unwrap()
        );
    }

    #[test]
    fn c32_malformed_scope_values_are_refused() {
        for bad in ["a\"b", "a\\b", "café", "a\tb", "a  b", " a", "a ", ""] {
            assert!(ScopeSet::parse(bad).is_none(), "{bad:?} must be refused");
        }
        assert!(Scope::new("a b").is_err());
        assert!(Scope::new("x\"").is_err());
        assert!(Scope::new("").is_err());
    }

    #[test]
    fn repeated_tokens_collapse() {
        let s = ScopeSet::parse("a b a").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s.to_string(), "a b");
    }

    #[test]
    fn clones_share_and_edits_do_not_leak() {
        let a = ScopeSet::parse("b a").unwrap();
        let mut b = a.clone();
        assert!(b.insert(Scope::new("c").unwrap()));
        assert!(!b.insert(Scope::new("a").unwrap()));
        assert_eq!((a.as_joined(), b.as_joined()), ("a b", "a b c"));
        assert_eq!(format!("{a:?}"), r#"ScopeSet({Scope("a"), Scope("b")})"#);
        assert!(a.is_subset(&b) && a.is_subset(&a) && !b.is_subset(&a));
    }

    #[test]
    fn subset_and_intersection() {
        let allowed = ScopeSet::from_strs(["a", "b"]).unwrap();
        let asked = ScopeSet::from_strs(["a", "c"]).unwrap();
        assert!(!asked.is_subset(&allowed));
        assert_eq!(asked.intersection(&allowed).to_string(), "a");
        assert!(allowed.contains("b"));
        assert!(!allowed.contains("c"));
    }
}
