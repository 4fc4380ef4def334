use super::*;

fn scope(s: &str) -> Scope {
    Scope::new(s).unwrap()
}

fn mcp() -> ScopeHierarchy {
    ScopeHierarchy::new()
        .imply(scope("mcp:admin"), [scope("mcp:write")])
        .imply(scope("mcp:write"), [scope("mcp:read")])
}

#[test]
fn c122_broader_scopes_imply_narrower_ones_transitively() {
    let h = mcp();
    assert!(h.implies("mcp:admin", "mcp:write"));
    assert!(h.implies("mcp:admin", "mcp:read"));
    assert!(h.implies("mcp:write", "mcp:read"));
    assert!(h.implies("mcp:read", "mcp:read"));
    assert!(!h.implies("mcp:read", "mcp:write"));
    assert!(!h.implies("mcp:write", "mcp:admin"));
    assert!(!h.implies("other", "mcp:read"));
}

#[test]
fn rules_added_in_any_order_close_the_same() {
    let reversed = ScopeHierarchy::new()
        .imply(scope("mcp:write"), [scope("mcp:read")])
        .imply(scope("mcp:admin"), [scope("mcp:write")]);
    assert_eq!(reversed, mcp());
}

#[test]
fn cycles_terminate_and_make_scopes_equivalent() {
    let h = ScopeHierarchy::new()
        .imply(scope("a"), [scope("b")])
        .imply(scope("b"), [scope("a")]);
    assert!(h.implies("a", "b") && h.implies("b", "a"));
    assert!(!h.implied[&scope("a")].contains(&scope("a")));
}

#[test]
fn satisfies_checks_every_granted_scope() {
    let granted = ScopeSet::from_strs(["x", "mcp:admin"]).unwrap();
    assert!(mcp().satisfies(&granted, "mcp:read"));
    assert!(mcp().satisfies(&granted, "x"));
    assert!(!mcp().satisfies(&granted, "y"));
    assert!(!ScopeHierarchy::new().satisfies(&granted, "mcp:read"));
}
