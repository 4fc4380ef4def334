use super::*;
use crate::jose::dpop_sign::DpopProof;
use crate::jose::keys::SigningKey;

const HTU: &str = "https://mcp.example.com/mcp";

fn target<'a>(token: Option<&'a str>, body: Option<&'a [u8]>) -> ProofRequest<'a> {
    ProofRequest {
        method: "POST",
        htu: HTU,
        access_token: token,
        body,
    }
}

#[test]
fn c104_htu_normal_form() {
    for (given, normal) in [
        ("https://mcp.example.com/mcp", Some(HTU)),
        ("HTTPS://MCP.example.com:443/mcp?q=1#f", Some(HTU)),
        ("https://mcp.example.com/a/../mcp", Some(HTU)),
        ("http://localhost:80", Some("http://localhost/")),
        (
            "https://mcp.example.com:8443/mcp",
            Some("https://mcp.example.com:8443/mcp"),
        ),
        ("urn:x:y", None),
        ("/mcp", None),
    ] {
        assert_eq!(htu_normal_form(given).as_deref(), normal, "{given}");
    }
}

#[test]
fn c112_ath_and_content_digest_are_checked() {
    let (key, _) = SigningKey::generate(Algorithm::ES256).unwrap();
    let now = UnixTime::from_secs(1_000_000);
    let body = br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;
    let proof = DpopProof::new("POST", HTU, now)
        .access_token("tok")
        .body(body)
        .sign(&key)
        .unwrap();
    let config = DpopConfig::mcp();
    let ok = config
        .verify(&proof, &target(Some("tok"), Some(body)), now)
        .unwrap();
    assert_eq!(ok.thumbprint(), key.kid());
    assert_eq!(ok.replay_key().len(), 43);
    assert_eq!(
        config.verify(&proof, &target(Some("other"), Some(body)), now),
        Err(DpopError::WrongAth)
    );
    assert_eq!(
        config.verify(&proof, &target(Some("tok"), Some(b"{}")), now),
        Err(DpopError::WrongContentDigest)
    );
    // Five minutes either way under the MCP profile.
    let later = UnixTime::from_secs(now.as_secs() + 300);
    assert!(
        config
            .verify(&proof, &target(Some("tok"), Some(body)), later)
            .is_ok()
    );
    let too_late = UnixTime::from_secs(now.as_secs() + 301);
    assert_eq!(
        config.verify(&proof, &target(Some("tok"), Some(body)), too_late),
        Err(DpopError::Stale)
    );
}

#[test]
fn content_digest_dictionaries_with_other_members() {
    let body = b"hello";
    let sha = content_digest(body);
    assert!(content_digest_matches(&sha, body));
    assert!(content_digest_matches(
        &format!("sha-512=:AAAA:, {sha}"),
        body
    ));
    assert!(!content_digest_matches("sha-512=:AAAA:", body));
    assert!(!content_digest_matches(&sha, b"hello!"));
    assert!(!content_digest_matches("sha-256=AAAA", body));
}

#[test]
fn a_content_digest_without_its_padding_still_matches() {
    let body = b"hello";
    let padded = content_digest(body);
    assert!(
        padded.ends_with("=:"),
        "a SHA-256 in base64 is padded: {padded}"
    );
    let unpadded = padded.replace('=', "").replacen("sha-256", "sha-256=", 1);
    assert!(content_digest_matches(&unpadded, body), "{unpadded}");
    assert!(!content_digest_matches(&unpadded, b"hello!"));
}

#[test]
fn symmetric_or_empty_algorithm_lists_are_refused() {
    let mut config = DpopConfig::default();
    assert!(config.check().is_ok());
    config.algorithms = vec![];
    assert!(config.check().is_err());
    config.algorithms = vec![Algorithm::HS256, Algorithm::ES256];
    assert!(config.check().is_err());
}

#[test]
fn c103_the_header_kept_from_the_last_proof_never_skips_a_check() {
    let (key, _) = SigningKey::generate(Algorithm::ES256).unwrap();
    let now = UnixTime::from_secs(1_000_000);
    let proof = DpopProof::new("POST", HTU, now).sign(&key).unwrap();
    let es256 = DpopConfig::default();
    assert!(es256.verify(&proof, &target(None, None), now).is_ok());
    // The same header under a configuration without ES256.
    let eddsa_only = DpopConfig {
        algorithms: vec![Algorithm::EdDSA],
        ..DpopConfig::default()
    };
    assert_eq!(
        eddsa_only.verify(&proof, &target(None, None), now),
        Err(DpopError::UnsupportedAlgorithm)
    );
    // The same header with a signature by another key.
    let (other, _) = SigningKey::generate(Algorithm::ES256).unwrap();
    let forged = DpopProof::new("POST", HTU, now).sign(&other).unwrap();
    let (forged_input, forged_sig) = forged.rsplit_once('.').unwrap();
    let (_, forged_payload) = forged_input.split_once('.').unwrap();
    let (header, _) = proof.split_once('.').unwrap();
    let mixed = format!("{header}.{forged_payload}.{forged_sig}");
    assert_eq!(
        es256.verify(&mixed, &target(None, None), now),
        Err(DpopError::InvalidSignature)
    );
    // Another proof in between, then the first again.
    assert!(es256.verify(&forged, &target(None, None), now).is_ok());
    assert!(es256.verify(&proof, &target(None, None), now).is_ok());
}

/// A dictionary member of another algorithm, as RFC 9530 allows beside
/// `sha-256`.
fn other_member() -> impl proptest::strategy::Strategy<Value = String> {
    proptest::prop_oneof![
        proptest::strategy::Just("sha-512=:AAAA:".to_owned()),
        "[a-z0-9-]{1,8}=:[A-Za-z0-9+/]{0,12}={0,2}:",
        "[a-z0-9-]{1,8}=[0-9]{1,3}",
    ]
}

proptest::proptest! {
    #[test]
    fn content_digest_reads_back_what_it_writes(
        body in proptest::collection::vec(proptest::num::u8::ANY, 0..256),
        other in proptest::collection::vec(proptest::num::u8::ANY, 0..256),
        before in proptest::collection::vec(other_member(), 0..3),
        after in proptest::collection::vec(other_member(), 0..3),
        spaces in "[ \t]{0,2}",
        upper in proptest::bool::ANY,
    ) {
        let digest = content_digest(&body);
        proptest::prop_assert!(content_digest_matches(&digest, &body));
        proptest::prop_assert_eq!(content_digest_matches(&digest, &other), other == body);
        // Among other members, with optional whitespace around each.
        let member = if upper { digest.replacen("sha-256", "SHA-256", 1) } else { digest.clone() };
        let mut members = before.clone();
        members.push(member);
        members.extend(after.iter().cloned());
        let dictionary = members.join(&format!(",{spaces}"));
        proptest::prop_assert!(content_digest_matches(&dictionary, &body), "{}", dictionary);
        // Without the sha-256 member, never.
        let rest: Vec<String> = before.into_iter().chain(after).collect();
        proptest::prop_assert!(!content_digest_matches(&rest.join(", "), &body));
    }

    #[test]
    fn content_digest_reader_never_panics(dictionary in "\\PC{0,64}", body in "\\PC{0,16}") {
        let matched = content_digest_matches(&dictionary, body.as_bytes());
        if matched {
            proptest::prop_assert!(
                dictionary.contains(content_digest(body.as_bytes()).trim_start_matches("sha-256="))
            );
        }
    }
}
