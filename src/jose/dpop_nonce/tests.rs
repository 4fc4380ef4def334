use super::*;

fn nonces() -> DpopNonces {
    DpopNonces::new(&[9; 32], Duration::from_secs(60)).unwrap()
}

#[test]
fn c106_a_nonce_lives_its_window_and_the_next() {
    let n = nonces();
    let t = UnixTime::from_secs(6_000);
    let nonce = n.current(t);
    assert_eq!(nonce.len(), 24);
    assert!(n.accepts(&nonce, t));
    assert!(n.accepts(&nonce, UnixTime::from_secs(6_119)));
    assert!(!n.accepts(&nonce, UnixTime::from_secs(6_120)));
    assert!(!n.accepts(&nonce, UnixTime::from_secs(5_999)));
    assert!(!n.accepts("", t));
}

#[test]
fn c106_replicas_sharing_the_secret_agree_and_others_do_not() {
    let t = UnixTime::from_secs(6_000);
    let other = DpopNonces::new(&[8; 32], Duration::from_secs(60)).unwrap();
    assert_eq!(nonces().current(t), nonces().current(t));
    assert!(!other.accepts(&nonces().current(t), t));
}

#[test]
fn short_secrets_and_empty_windows_are_refused_and_debug_is_redacted() {
    assert!(DpopNonces::new(&[1; 31], Duration::from_secs(60)).is_err());
    assert!(DpopNonces::new(&[1; 32], Duration::from_millis(500)).is_err());
    assert!(!format!("{:?}", nonces()).contains("9, 9"));
}
