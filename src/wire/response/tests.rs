use super::*;
use crate::vocab::error::Reason;

#[test]
fn c24_c25_c23_success_body_and_headers() {
    let r = TokenResponse::new("a.b.c", 600, "mcp:read").to_http();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["access_token"], "a.b.c");
    assert_eq!(v["token_type"], "Bearer");
    assert!(v["expires_in"].is_u64());
    assert_eq!(v["scope"], "mcp:read");
    assert!(v.get("refresh_token").is_none());
    assert_eq!(
        r.body,
        br#"{"access_token":"a.b.c","token_type":"Bearer","expires_in":600,"scope":"mcp:read"}"#
    );
    let t = TokenResponse::new("h.p.s", 1, "a b");
    assert_eq!(
        (t.access_token(), t.token_type(), t.expires_in(), t.scope()),
        ("h.p.s", "Bearer", 1, "a b")
    );
    assert_eq!(t.clone().into_http(), t.to_http());
}

#[test]
fn the_reserved_tail_holds_the_longest_rest_of_a_body() {
    let scope = "mcp:read mcp:write";
    let mut capacity = 0;
    let t = TokenResponse::write(u64::MAX, scope, false, |slot| {
        let body = slot.open(5);
        capacity = body.capacity();
        let start = body.len();
        body.extend_from_slice(b"a.b.c");
        Ok::<_, ()>(start..body.len())
    })
    .unwrap();
    assert_eq!(t.access_token(), "a.b.c");
    assert_eq!(t.body.len(), capacity, "exactly the reservation, no more");
    assert_eq!(t.body.capacity(), capacity, "no reallocation");
}

#[test]
fn c27_c28_errors_render_with_challenge_and_no_store() {
    let r = TokenError::new(Reason::WrongSecret).to_http();
    assert_eq!(r.status, 401);
    assert!(
        r.header("www-authenticate")
            .unwrap()
            .starts_with("Basic realm=")
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["error"], "invalid_client");

    let r = TokenError::new(Reason::MissingGrantType).to_http();
    assert_eq!(r.status, 400);
    assert!(r.header("www-authenticate").is_none());
    assert_eq!(r.header("pragma"), Some("no-cache"));

    let r = TokenError::new(Reason::MethodNotAllowed).to_http();
    assert_eq!((r.status, r.header("allow")), (405, Some("POST")));

    let r = TokenError::throttled(42).to_http();
    assert_eq!((r.status, r.header("retry-after")), (429, Some("42")));
}

#[test]
fn token_response_debug_hides_the_token() {
    let t = TokenResponse::new("secret.token.value", 1, "a");
    let d = format!("{t:?} {t:#?}");
    assert!(!d.contains("secret.token.value"));
    assert!(d.contains("[redacted]"));
}
