use super::*;

#[test]
fn c143_replay_keys_are_apart_per_issuer_and_from_client_assertions() {
    let a = replay_key("https://issuer.example", "jti-1");
    assert_eq!(a.len(), 43);
    assert_eq!(a, replay_key("https://issuer.example", "jti-1"));
    assert_ne!(a, replay_key("https://other.example", "jti-1"));
    assert_ne!(a, replay_key("https://issuer.example", "jti-2"));
    // The length prefix keeps (issuer, jti) pairs from running together.
    assert_ne!(replay_key("ab", "c"), replay_key("a", "bc"));
    assert!(!a.contains("jti-1"));
}
