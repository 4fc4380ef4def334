//! Character-set rules (RFC 6749 Appendix A), C31–C35.

mod fixtures;

use client_credentials::{ClientId, ConfigError, Scope, ScopeSet};
use fixtures::*;

#[test]
fn c31_client_ids_outside_vschar_cannot_be_registered() {
    for bad in ["naïve", "c\n1", "c\t1", "", "c\u{7f}1", "c\u{0}1", "ｃ１"] {
        assert!(
            matches!(ClientId::new(bad), Err(ConfigError::InvalidClientId(_))),
            "{bad:?}"
        );
    }
    for ok in ["c1", SVC, "~!#$%&'()*+,-./:;<=>?@[\\]^_`{|}", " "] {
        assert!(ClientId::new(ok).is_ok(), "{ok:?}");
    }
}

#[tokio::test]
async fn c31_basic_username_decoding_to_a_non_vschar_byte_is_invalid_client() {
    let fx = Fixture::new();
    for username in ["c%0A1", "na%C3%AFve", "c%7F1", "c%001", "c%091"] {
        let header = basic_raw(username, C1_SECRET);
        assert_error(&fx.post_auth(&header, GRANT).await, 401, "invalid_client");
    }
}

#[tokio::test]
async fn c31_body_client_id_outside_vschar_is_invalid_client() {
    let fx = Fixture::new();
    for id in ["c\n1", "naïve", "c1\u{0}"] {
        let body = form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", C1_SECRET),
        ]);
        assert_error(&fx.post(&body).await, 401, "invalid_client");
    }
}

#[tokio::test]
async fn c31_secrets_use_the_whole_vschar_range() {
    let fx = Fixture::new();
    let secret: String = (0x20u8..=0x7e).map(char::from).collect();
    let client = secret_client("vschar", &secret).build().unwrap();
    fx.issuer.store().insert(client);
    assert_token(&fx.post_auth(&basic("vschar", &secret), GRANT).await);
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", "vschar"),
        ("client_secret", &secret),
    ]);
    assert_token(&fx.post(&body).await);
}

#[tokio::test]
async fn c32_malformed_scope_values_are_invalid_scope() {
    let fx = Fixture::new();
    for scope in [
        "a%22b",          // "
        "a%5Cb",          // \
        "caf%C3%A9",      // non-ASCII
        "a%09b",          // tab
        "a++b",           // two spaces: an empty token
        "+mcp:read",      // leading space
        "mcp:read+",      // trailing space
        "mcp:read%0A",    // newline
        "mcp:read%7F",    // DEL
        "%22mcp:read%22", // quoted
    ] {
        let body = format!("{GRANT}&scope={scope}");
        assert_error(&fx.post_c1_basic(&body).await, 400, "invalid_scope");
    }
}

#[tokio::test]
async fn c32_malformed_scope_is_refused_even_under_downscoping() {
    let fx = Fixture::with(|b| b.policy(downscope_policy()));
    let body = format!("{GRANT}&scope=mcp:read+a%22b");
    assert_error(&fx.post_c1_basic(&body).await, 400, "invalid_scope");
}

#[test]
fn c32_scopes_with_space_quote_or_backslash_cannot_be_configured() {
    for bad in ["a b", "x\"", "x\\y", "", "caf\u{e9}", "a\tb"] {
        assert!(
            matches!(Scope::new(bad), Err(ConfigError::InvalidScope(_))),
            "{bad:?}"
        );
        assert!(ScopeSet::from_strs([bad]).is_err(), "{bad:?}");
    }
    assert!(Scope::new("!#[]~").is_ok());
}

#[tokio::test]
async fn c33_descriptions_never_echo_hostile_input() {
    let fx = Fixture::new();
    let hostile = [
        format!("{GRANT}&scope=x%22y"),
        format!("{GRANT}&scope=x%5Cy%0A%C3%A9"),
        format!("{GRANT}&resource=https%3A%2F%2Fx%22%5C%0A%C3%A9"),
        format!("{GRANT}&resource=https%3A%2F%2Funknown.example%2F%22"),
        "grant_type=%22%5C%0A%C3%A9".to_owned(),
        format!("{GRANT}&scope=%22&scope=%5C"),
    ];
    for body in &hostile {
        let r = fx.post_c1_basic(body).await;
        assert!(r.status >= 400, "{body}");
        let v = json(&r);
        let error = v["error"].as_str().unwrap();
        assert_error(&r, r.status, error);
    }
    let r = fx.post_auth(&basic("x\"y\\\né", "s\"\\\n"), GRANT).await;
    assert_error(&r, 401, "invalid_client");
}

#[tokio::test]
async fn c34_no_error_uri_is_emitted() {
    let fx = Fixture::new();
    for r in [
        fx.post_c1_basic("").await,
        fx.post_auth(&basic(C1, "x"), GRANT).await,
        fx.post_c1_basic("grant_type=client_credentials&scope=admin")
            .await,
    ] {
        assert!(json(&r).get("error_uri").is_none());
    }
}

#[tokio::test]
async fn c35_response_fields_have_their_syntax() {
    let fx = Fixture::new();
    let issued = assert_token(&fx.post_c1_basic(GRANT).await);
    assert!(issued.token.bytes().all(|b| (0x20..=0x7e).contains(&b)));
    // token-type = type-name: name-char = "-" / "." / "_" / DIGIT / ALPHA.
    let token_type = issued.body["token_type"].as_str().unwrap();
    assert!(
        token_type
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    );
    // scope = scope-token *( SP scope-token ).
    let scope = issued.body["scope"].as_str().unwrap();
    assert_eq!(ScopeSet::parse(scope).unwrap().to_string(), scope);
    assert!(issued.body["expires_in"].as_u64().is_some());
}

#[tokio::test]
async fn c35_unsupported_uri_grant_type_is_unsupported_grant_type() {
    let fx = Fixture::new();
    let body = form(&[
        ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
        ("assertion", "eyJ.eyJ.sig"),
    ]);
    assert_error(
        &fx.post_c1_basic(&body).await,
        400,
        "unsupported_grant_type",
    );
}
