use super::*;
use crate::wire::request::DEFAULT_MAX_BODY_BYTES;

fn parse(body: &str) -> Result<RevokeOrIntrospectRequest, Reason> {
    RevokeOrIntrospectRequest::parse(
        &RequestParts::form_post(body.as_bytes()),
        DEFAULT_MAX_BODY_BYTES,
    )
}

#[test]
fn c88_c94_token_and_client_authentication() {
    let q = parse("token=a.b.c&client_id=c1&client_secret=s").unwrap();
    assert_eq!(q.token(), "a.b.c");
    assert_eq!(q.token_type_hint(), None);
    assert_eq!(q.auth().client_id(), Some("c1"));
    let basic = RequestParts::form_post(b"token=a.b.c").authorization("Basic YzE6cw==");
    let q = RevokeOrIntrospectRequest::parse(&basic, DEFAULT_MAX_BODY_BYTES).unwrap();
    assert!(matches!(q.auth(), ClientAuth::SecretBasic { client_id, .. } if client_id == "c1"));
    let q = parse("token=a.b.c").unwrap();
    assert!(matches!(q.auth(), ClientAuth::Absent));
}

#[test]
fn c88_c94_a_missing_or_empty_token_is_invalid_request() {
    for body in ["", "client_id=c1&client_secret=s", "token=&client_id=c1"] {
        assert_eq!(parse(body).err(), Some(Reason::MissingToken), "{body}");
    }
    assert_eq!(Reason::MissingToken.code().as_str(), "invalid_request");
}

#[test]
fn c91_any_hint_is_accepted_and_kept() {
    for hint in ["access_token", "refresh_token", "foo"] {
        let q = parse(&format!("token=t&token_type_hint={hint}")).unwrap();
        assert_eq!(q.token_type_hint(), Some(hint));
    }
}

#[test]
fn the_token_endpoints_hygiene_applies() {
    let cases = [
        ("token=a&token=b", Reason::RepeatedParameter("token")),
        (
            "token=a&token_type_hint=x&token_type_hint=y",
            Reason::RepeatedParameter("token_type_hint"),
        ),
        (
            "token=a&client_id=c&client_id=d",
            Reason::RepeatedParameter("client_id"),
        ),
        ("token=a&client_secret=s", Reason::SecretWithoutClientId),
        ("token=%FF", Reason::MalformedBody),
    ];
    for (body, reason) in cases {
        assert_eq!(parse(body).err(), Some(reason), "{body}");
    }
    let get = RequestParts::new("GET", b"");
    assert_eq!(
        RevokeOrIntrospectRequest::parse(&get, DEFAULT_MAX_BODY_BYTES).err(),
        Some(Reason::MethodNotAllowed)
    );
    let json = RequestParts::new("POST", b"{}").content_type("application/json");
    assert_eq!(
        RevokeOrIntrospectRequest::parse(&json, DEFAULT_MAX_BODY_BYTES).err(),
        Some(Reason::UnsupportedContentType)
    );
    let in_uri = RequestParts::form_post(b"token=a").query("client_secret=s");
    assert_eq!(
        RevokeOrIntrospectRequest::parse(&in_uri, DEFAULT_MAX_BODY_BYTES).err(),
        Some(Reason::CredentialsInUri)
    );
    assert_eq!(
        RevokeOrIntrospectRequest::parse(&RequestParts::form_post(b"token=abcdef"), 5).err(),
        Some(Reason::BodyTooLarge)
    );
    let mixed = RequestParts::form_post(b"token=a&client_id=c1&client_secret=s")
        .authorization("Basic YzE6cw==");
    assert_eq!(
        RevokeOrIntrospectRequest::parse(&mixed, DEFAULT_MAX_BODY_BYTES).err(),
        Some(Reason::MultipleAuthMethods)
    );
}

#[test]
fn debug_never_shows_the_token_or_secret() {
    let q = parse("token=eyJ.secret-token.sig&client_id=c1&client_secret=hunter2").unwrap();
    let d = format!("{q:?}");
    assert!(!d.contains("secret-token"), "{d}");
    assert!(!d.contains("hunter2"), "{d}");
    assert!(d.contains("[redacted]"));
}
