//! Scope hierarchies on the resource server: a broader scope implies narrower
//! ones (MCP "Step-Up Authorization Flow", C122).

use std::collections::{BTreeSet, HashMap};

use crate::vocab::scope::{Scope, ScopeSet};

/// Which scopes imply which, e.g. `mcp:admin` ⊇ `mcp:write` ⊇ `mcp:read`.
///
/// Implication is reflexive and transitive: with `admin → write` and
/// `write → read`, a token with `admin` satisfies a check for `read`. The closure
/// is computed when rules are added, so a check is a couple of hash lookups.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScopeHierarchy {
    /// Every scope with a rule, mapped to every scope it implies (itself excluded).
    implied: HashMap<Scope, BTreeSet<Scope>>,
}

impl ScopeHierarchy {
    /// No scope implies another.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the rule "`broader` implies each of `narrower`".
    #[must_use]
    pub fn imply(mut self, broader: Scope, narrower: impl IntoIterator<Item = Scope>) -> Self {
        let entry = self.implied.entry(broader).or_default();
        entry.extend(narrower);
        self.close();
        self
    }

    /// Whether holding `granted` satisfies a requirement for `required`.
    pub fn implies(&self, granted: &str, required: &str) -> bool {
        granted == required
            || self
                .implied
                .get(granted)
                .is_some_and(|implied| implied.iter().any(|s| s.as_str() == required))
    }

    /// Whether a token granted `granted` satisfies a requirement for `required`.
    pub fn satisfies(&self, granted: &ScopeSet, required: &str) -> bool {
        granted.contains(required) || granted.iter().any(|g| self.implies(g, required))
    }

    /// Makes `implied` transitive: repeat until nothing changes (hierarchies are
    /// small, and this runs at configuration time only).
    fn close(&mut self) {
        loop {
            let mut changed = false;
            let snapshot = self.implied.clone();
            for (broader, implied) in &mut self.implied {
                let reachable: Vec<Scope> = implied
                    .iter()
                    .filter_map(|narrower| snapshot.get(narrower))
                    .flatten()
                    .filter(|s| *s != broader)
                    .cloned()
                    .collect();
                for scope in reachable {
                    changed |= implied.insert(scope);
                }
                changed |= implied.remove(broader);
            }
            if !changed {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests;
