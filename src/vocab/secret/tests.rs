use super::*;

#[test]
fn generated_secrets_are_long_distinct_and_url_safe() {
    let a = ClientSecret::generate();
    let b = ClientSecret::generate();
    assert_eq!(a.expose_secret().len(), 43);
    assert_ne!(a.expose_secret(), b.expose_secret());
    assert!(
        a.expose_secret()
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    );
}

#[test]
fn debug_is_redacted() {
    let s = ClientSecret::new("s3cr3t-value");
    let d = format!("{s:?} {s:#?}");
    assert!(!d.contains("s3cr3t"));
    assert!(d.contains("redacted"));
}
