use super::*;

fn pattern(p: &str) -> SubjectMatch {
    SubjectMatch::Pattern(p.to_owned())
}

#[test]
fn c145_kubernetes_namespace_pattern_is_anchored() {
    let p = pattern("system:serviceaccount:payments:*");
    assert!(p.matches("system:serviceaccount:payments:api"));
    assert!(p.matches("system:serviceaccount:payments:a"));
    assert!(!p.matches("system:serviceaccount:payments:"));
    assert!(!p.matches("system:serviceaccount:payments-evil:api"));
    assert!(!p.matches("system:serviceaccount:payroll:api"));
    assert!(!p.matches("xsystem:serviceaccount:payments:api"));
    assert!(!p.matches("system:serviceaccount:payments"));
}

#[test]
fn c145_spiffe_pattern_spans_path_segments() {
    let p = pattern("spiffe://example.org/ns/payments/*");
    assert!(p.matches("spiffe://example.org/ns/payments/sa/billing"));
    assert!(!p.matches("spiffe://example.org/ns/payments/"));
    assert!(!p.matches("spiffe://example.org/ns/paymentsx/sa/billing"));
    assert!(!p.matches("spiffe://evil.org/ns/payments/sa/billing"));
}

#[test]
fn c145_stars_in_the_middle_and_several_stars() {
    let p = pattern("repo:octo-org/*:ref:refs/heads/*");
    assert!(p.matches("repo:octo-org/octo-repo:ref:refs/heads/main"));
    assert!(!p.matches("repo:octo-org/octo-repo:environment:prod"));
    assert!(!p.matches("repo:octo-org/:ref:refs/heads/main"));
    // The middle star may take a piece that looks like what follows it.
    assert!(p.matches("repo:octo-org/a:ref:b:ref:refs/heads/main"));
    let p = pattern("a*b*c");
    assert!(p.matches("axbyc"));
    assert!(p.matches("axbbybc"));
    assert!(!p.matches("abc"));
    assert!(!p.matches("axbc"));
    let p = pattern("*:api");
    assert!(p.matches("ns:api"));
    assert!(!p.matches(":api"));
    let p = pattern("no-star");
    assert!(p.matches("no-star"));
    assert!(!p.matches("no-star-x"));
}

#[test]
fn c145_exact_and_prefix() {
    let exact = SubjectMatch::Exact("system:serviceaccount:payments:api".into());
    assert!(exact.matches("system:serviceaccount:payments:api"));
    assert!(!exact.matches("system:serviceaccount:payments:api2"));
    let prefix = SubjectMatch::Prefix("spiffe://example.org/ns/payments/".into());
    assert!(prefix.matches("spiffe://example.org/ns/payments/sa/x"));
    assert!(!prefix.matches("spiffe://example.org/ns/payroll/sa/x"));
}

#[test]
fn matchers_that_match_everything_are_refused() {
    for m in [
        SubjectMatch::Exact(String::new()),
        SubjectMatch::Prefix(String::new()),
        pattern("*"),
        pattern("**"),
        pattern(""),
    ] {
        assert!(m.check().is_err(), "{m:?}");
    }
    assert!(pattern("a*").check().is_ok());
}
