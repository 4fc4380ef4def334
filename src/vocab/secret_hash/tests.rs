use super::*;

const TEST_ITERATIONS: NonZeroU32 = NonZeroU32::new(1_000).unwrap();

#[test]
fn fast_round_trips_and_verifies() {
    let secret = ClientSecret::generate();
    let hash = SecretHash::fast(&secret).unwrap();
    let text = hash.to_string();
    assert!(text.starts_with("$sha256$"), "{text}");
    assert_eq!(text.len(), "$sha256$".len() + 22 + 1 + 43);

    let parsed: SecretHash = text.parse().unwrap();
    assert_eq!(parsed.to_string(), text);
    assert!(parsed.verify(secret.expose_secret().as_bytes()));
    assert!(!parsed.verify(ClientSecret::generate().expose_secret().as_bytes()));
    assert!(!parsed.verify(b""));
}

#[test]
fn a_digest_differing_in_any_one_bit_does_not_match() {
    let digest = sha256(b"salt", b"secret");
    assert!(bool::from(digests_equal(&digest, &digest)));
    for byte in 0..DIGEST_BYTES {
        for bit in 0..8 {
            let mut other = digest;
            other[byte] ^= 1 << bit;
            assert!(!bool::from(digests_equal(&digest, &other)), "{byte}/{bit}");
        }
    }
}

#[test]
fn pbkdf2_round_trips_and_verifies() {
    let secret = ClientSecret::new("correct horse");
    let hash = SecretHash::pbkdf2(&secret, TEST_ITERATIONS);
    let text = hash.to_string();
    assert!(text.starts_with("$pbkdf2-sha256$i=1000$"), "{text}");

    let parsed: SecretHash = text.parse().unwrap();
    assert_eq!(parsed.to_string(), text);
    assert!(parsed.verify(b"correct horse"));
    assert!(!parsed.verify(b"correct horse "));
    assert!(!parsed.verify(b"Correct horse"));
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn primitives_match_published_vectors() {
    // FIPS 180-2 "abc", split between salt and secret.
    assert_eq!(
        sha256(b"ab", b"c").to_vec(),
        hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
    // PBKDF2-HMAC-SHA256, P = "password", S = "salt", c = 2, dkLen = 32.
    assert_eq!(
        pbkdf2_sha256(NonZeroU32::new(2).unwrap(), b"salt", b"password").to_vec(),
        hex("ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43")
    );
}

#[test]
fn string_form_puts_salt_before_digest() {
    let (salt, secret) = ([7u8; 16], b"password");
    let sha = sha256(&salt, secret);
    let pbk = pbkdf2_sha256(NonZeroU32::new(3).unwrap(), &salt, secret);
    let salt = URL_SAFE_NO_PAD.encode(salt);
    for text in [
        format!("$sha256${salt}${}", URL_SAFE_NO_PAD.encode(sha)),
        format!("$pbkdf2-sha256$i=3${salt}${}", URL_SAFE_NO_PAD.encode(pbk)),
    ] {
        let hash: SecretHash = text.parse().unwrap();
        assert!(hash.verify(secret), "{text}");
        assert!(!hash.verify(b"passwore"), "{text}");
    }
}

#[test]
fn salts_differ_between_hashes_of_one_secret() {
    let secret = ClientSecret::generate();
    let a = SecretHash::fast(&secret).unwrap().to_string();
    let b = SecretHash::fast(&secret).unwrap().to_string();
    assert_ne!(a, b);
}

#[test]
fn fast_refuses_short_secrets() {
    let short = ClientSecret::new("a".repeat(31));
    assert!(matches!(
        SecretHash::fast(&short),
        Err(ConfigError::WeakSecret(31))
    ));
    assert!(SecretHash::fast(&ClientSecret::new("a".repeat(32))).is_ok());
}

#[test]
fn c131_rendering_and_debug_hold_no_plaintext() {
    let secret = ClientSecret::new("s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t");
    for hash in [
        SecretHash::fast(&secret).unwrap(),
        SecretHash::pbkdf2(&secret, TEST_ITERATIONS),
    ] {
        let text = hash.to_string();
        let debug = format!("{hash:?} {hash:#?}");
        for shown in [&text, &debug] {
            assert!(!shown.contains("s3cr3t"), "{shown}");
            assert!(!shown.contains(&URL_SAFE_NO_PAD.encode(secret.expose_secret())));
        }
        // Debug names the scheme and nothing else: no salt, no digest.
        let salt = text.split('$').rev().nth(1).unwrap();
        assert!(!debug.contains(salt), "{debug}");
    }
}

#[test]
fn debug_shows_only_the_scheme() {
    let secret = ClientSecret::generate();
    let fast = SecretHash::fast(&secret).unwrap();
    assert_eq!(
        format!("{fast:?}"),
        r#"SecretHash { scheme: "sha256", .. }"#
    );
    let slow = SecretHash::pbkdf2(&secret, TEST_ITERATIONS);
    assert_eq!(
        format!("{slow:?}"),
        r#"SecretHash { scheme: "pbkdf2-sha256", .. }"#
    );
}

#[test]
fn unknown_clients_never_verify() {
    assert!(!SecretHash::verify_unknown_client(b""));
    assert!(!SecretHash::verify_unknown_client(
        ClientSecret::generate().expose_secret().as_bytes()
    ));
}

#[test]
fn malformed_strings_are_refused() {
    let salt = URL_SAFE_NO_PAD.encode([1u8; 16]);
    let digest = URL_SAFE_NO_PAD.encode([2u8; 32]);
    let short_salt = URL_SAFE_NO_PAD.encode([1u8; 15]);
    let long_digest = URL_SAFE_NO_PAD.encode([2u8; 33]);
    // 22 characters whose last one carries bits beyond the 16 bytes.
    let loose_salt = format!("{}B", &salt[..21]);
    let cases: &[(String, &str)] = &[
        (String::new(), "must start with '$'"),
        (format!("sha256${salt}${digest}"), "must start with '$'"),
        ("$".into(), "unknown scheme"),
        (format!("$md5${salt}${digest}"), "unknown scheme"),
        (format!("$SHA256${salt}${digest}"), "unknown scheme"),
        (format!("$bcrypt$i=10${salt}${digest}"), "unknown scheme"),
        ("$sha256".into(), "wrong number of fields"),
        (format!("$sha256${salt}"), "wrong number of fields"),
        (
            format!("$sha256${salt}${digest}$"),
            "wrong number of fields",
        ),
        (
            format!("$sha256${salt}${digest}$x$y$z"),
            "wrong number of fields",
        ),
        (
            format!("$pbkdf2-sha256${salt}${digest}"),
            "wrong number of fields",
        ),
        (format!("$sha256${salt}="), "wrong number of fields"),
        (
            format!("$sha256${salt}==${digest}"),
            "salt is not base64url without padding",
        ),
        (
            format!("$sha256$+/+/+/+/+/+/+/+/+/+/+/${digest}"),
            "salt is not base64url without padding",
        ),
        (
            format!("$sha256${loose_salt}${digest}"),
            "salt is not base64url without padding",
        ),
        (
            format!("$sha256${salt}${digest}!"),
            "digest is not base64url without padding",
        ),
        (
            format!("$sha256${short_salt}${digest}"),
            "salt is not 16 bytes",
        ),
        (format!("$sha256$${digest}"), "salt is not 16 bytes"),
        (
            format!("$sha256${salt}${long_digest}"),
            "digest is not 32 bytes",
        ),
        (format!("$sha256${salt}${salt}"), "digest is not 32 bytes"),
        (
            format!("$pbkdf2-sha256$i=0${salt}${digest}"),
            "zero PBKDF2 iterations",
        ),
        (
            format!("$pbkdf2-sha256$i=10000001${salt}${digest}"),
            "too many PBKDF2 iterations",
        ),
        (
            format!("$pbkdf2-sha256$i=99999999999${salt}${digest}"),
            "too many PBKDF2 iterations",
        ),
        (
            format!("$pbkdf2-sha256$i=${salt}${digest}"),
            "iterations must be written i=<decimal>",
        ),
        (
            format!("$pbkdf2-sha256$1000${salt}${digest}"),
            "iterations must be written i=<decimal>",
        ),
        (
            format!("$pbkdf2-sha256$i=+1000${salt}${digest}"),
            "iterations must be written i=<decimal>",
        ),
        (
            format!("$pbkdf2-sha256$i=01000${salt}${digest}"),
            "iterations must be written i=<decimal>",
        ),
        (
            format!("$pbkdf2-sha256$i=-1${salt}${digest}"),
            "iterations must be written i=<decimal>",
        ),
        (
            format!("$pbkdf2-sha256$i=1000${short_salt}${digest}"),
            "salt is not 16 bytes",
        ),
        (
            format!("$pbkdf2-sha256$i=1000${salt}${long_digest}"),
            "digest is not 32 bytes",
        ),
    ];
    for (text, reason) in cases {
        match text.parse::<SecretHash>() {
            Err(ConfigError::InvalidSecretHash(r)) => assert_eq!(r, *reason, "{text:?}"),
            other => panic!("{text:?} gave {other:?}"),
        }
    }
    // The same fields, well formed, are accepted.
    assert!(
        format!("$sha256${salt}${digest}")
            .parse::<SecretHash>()
            .is_ok()
    );
    assert!(
        format!("$pbkdf2-sha256$i=10000000${salt}${digest}")
            .parse::<SecretHash>()
            .is_ok()
    );
}

#[test]
#[should_panic(expected = "PBKDF2 iterations above")]
fn pbkdf2_refuses_absurd_iteration_counts() {
    SecretHash::pbkdf2(
        &ClientSecret::new("x"),
        NonZeroU32::new(PBKDF2_MAX_ITERATIONS + 1).unwrap(),
    );
}
