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

/// The reference: `*` stands for one or more characters, by trying every
/// split (exponential, for short inputs only).
fn model(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (1..=text.len()).any(|n| model(rest, &text[n..])),
        Some((c, rest)) => text.first() == Some(c) && model(rest, &text[1..]),
    }
}

/// Short strings over a small alphabet, so that matches are frequent.
fn short(max: usize) -> impl proptest::strategy::Strategy<Value = String> {
    proptest::collection::vec(
        proptest::sample::select(vec!['a', 'b', ':', '/', '\u{e9}']),
        0..max,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn short_pattern() -> impl proptest::strategy::Strategy<Value = String> {
    proptest::collection::vec(
        proptest::sample::select(vec!['a', 'b', ':', '\u{e9}', '*', '*']),
        0..7,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

use proptest::strategy::Strategy as _;

proptest::proptest! {
    #[test]
    fn a_pattern_matches_as_the_model_does(p in short_pattern(), text in short(9)) {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        proptest::prop_assert_eq!(
            pattern(&p).matches(&text),
            model(&chars(&p), &chars(&text)),
            "{:?} on {:?}", p, text
        );
    }

    #[test]
    fn an_anchored_pattern_never_matches_without_its_prefix(
        prefix in "[a-z:/]{1,12}",
        tail in short_pattern(),
        subject in "[a-z:/\u{e9}]{0,20}",
    ) {
        let p = pattern(&format!("{prefix}*{tail}"));
        if !subject.starts_with(&prefix) {
            proptest::prop_assert!(!p.matches(&subject), "{:?} matched {:?}", p, subject);
        }
        // The `*` takes at least one character: the prefix alone never matches.
        proptest::prop_assert!(!p.matches(&prefix));
        let trailing = pattern(&format!("{prefix}*"));
        proptest::prop_assert_eq!(
            trailing.matches(&subject),
            subject.len() > prefix.len() && subject.starts_with(&prefix)
        );
    }

    #[test]
    fn exact_matches_nothing_else(value in "\\PC{1,16}", subject in "\\PC{0,16}") {
        let exact = SubjectMatch::Exact(value.clone());
        proptest::prop_assert!(exact.matches(&value));
        proptest::prop_assert_eq!(exact.matches(&subject), subject == value);
        let longer = format!("{value}x");
        proptest::prop_assert!(!exact.matches(&longer));
        let last = value.chars().last().map_or(0, char::len_utf8);
        proptest::prop_assert!(!exact.matches(&value[..value.len() - last]));
    }

    #[test]
    fn prefix_matches_exactly_the_subjects_starting_with_it(
        prefix in "[a-z:/]{1,8}",
        subject in "[a-z:/]{0,12}",
    ) {
        let m = SubjectMatch::Prefix(prefix.clone());
        proptest::prop_assert_eq!(m.matches(&subject), subject.starts_with(&prefix));
    }
}
