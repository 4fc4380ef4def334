//! [`SubjectMatch`]: how a claim rule matches a platform token's `sub`.

use crate::vocab::error::ConfigError;

/// How a [`ClaimRule`](crate::issuer::ClaimRule) matches the `sub` of a
/// platform token. Every form is anchored at both ends: it matches the whole
/// subject, never a part of it.
///
/// - `Exact("system:serviceaccount:payments:api")`: that subject only.
/// - `Prefix("spiffe://example.org/ns/payments/")`: every subject starting
///   with it. End a prefix with the platform's separator (`/`, `:`): the
///   prefix `system:serviceaccount:pay` also matches the namespace
///   `payroll`.
/// - `Pattern("system:serviceaccount:payments:*")`: `*` stands for one or
///   more characters of any kind, `/` and `:` included; everything else is
///   literal. A pattern may hold several `*`, and must hold something else
///   too.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubjectMatch {
    /// The subject equals this value.
    Exact(String),
    /// The subject starts with this value.
    Prefix(String),
    /// The subject matches this pattern, where `*` stands for one or more
    /// characters.
    Pattern(String),
}

impl SubjectMatch {
    /// Checks the matcher once, at configuration.
    pub(super) fn check(&self) -> Result<(), ConfigError> {
        match self {
            Self::Exact(v) | Self::Prefix(v) if v.is_empty() => {
                Err(ConfigError::Invalid("a subject to match may not be empty"))
            }
            Self::Pattern(p) if p.chars().all(|c| c == '*') => Err(ConfigError::Invalid(
                "a subject pattern must hold more than `*`",
            )),
            _ => Ok(()),
        }
    }

    /// Whether `subject` matches.
    pub(super) fn matches(&self, subject: &str) -> bool {
        match self {
            Self::Exact(v) => subject == v,
            Self::Prefix(p) => subject.starts_with(p.as_str()),
            Self::Pattern(p) => matches_pattern(p, subject),
        }
    }
}

/// Whether `text` matches `pattern` as a whole, where each `*` stands for one
/// or more characters. The pieces between stars are found leftmost first,
/// which for patterns made of literals and `*` alone finds a match whenever
/// there is one; no backtracking, so the cost is linear in practice.
fn matches_pattern(pattern: &str, text: &str) -> bool {
    let mut pieces = pattern.split('*');
    let first = pieces.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let mut pieces: Vec<&str> = pieces.collect();
    let Some(last) = pieces.pop() else {
        return rest.is_empty(); // No `*` at all: an exact match.
    };
    for piece in pieces {
        // The `*` before this piece takes at least one character.
        let Some(c) = rest.chars().next() else {
            return false;
        };
        let after = &rest[c.len_utf8()..];
        match after.find(piece) {
            Some(at) => rest = &after[at + piece.len()..],
            None => return false,
        }
    }
    // The last `*` takes at least one character, then `last` ends the text.
    rest.len() > last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests;
