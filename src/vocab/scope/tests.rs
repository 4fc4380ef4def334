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
fn the_empty_set_has_no_scope() {
    let empty = ScopeSet::new();
    assert_eq!((empty.len(), empty.iter().count()), (0, 0));
    assert!(empty.is_empty() && empty.is_subset(&ScopeSet::parse("a").unwrap()));
    assert_eq!(ScopeSet::from_strs(Vec::<String>::new()).unwrap(), empty);
}

#[test]
fn sorted_and_unsorted_values_parse_alike() {
    for value in ["a b c", "c b a", "b a c a", "a a b c"] {
        let set = ScopeSet::parse(value).unwrap();
        assert_eq!(set.as_joined(), "a b c", "{value:?}");
        assert_eq!(set.iter().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(set.len(), 3);
    }
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
    assert_eq!(format!("{a:?}"), r#"ScopeSet({"a", "b"})"#);
    assert!(a.is_subset(&b) && a.is_subset(&a) && !b.is_subset(&a));
}

#[test]
fn subset_and_intersection() {
    let allowed = ScopeSet::from_strs(["a", "b"]).unwrap();
    let asked = ScopeSet::from_strs(["a", "c"]).unwrap();
    assert!(!asked.is_subset(&allowed));
    assert_eq!(asked.intersection(&allowed).to_string(), "a");
    assert!(allowed.contains("b") && allowed.contains("a"));
    assert!(!allowed.contains("c") && !allowed.contains("") && !allowed.contains("a b"));
    assert!(!ScopeSet::new().contains(""));
}
