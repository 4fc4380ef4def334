use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::*;
use crate::issuer::token_request::TokenRequest;
use crate::vocab::error::{Reason, TokenError};
use crate::wire::request::DEFAULT_MAX_BODY_BYTES;

const FORM: &str = "application/x-www-form-urlencoded";

fn basic(user: &str, pass: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{pass}")))
}

fn head(build: http::request::Builder) -> http::request::Parts {
    build.body(()).unwrap().into_parts().0
}

fn parse(parts: &RequestParts<'_>) -> Result<TokenRequest, Reason> {
    TokenRequest::parse(parts, DEFAULT_MAX_BODY_BYTES)
}

#[test]
fn reads_method_content_type_authorization_and_query() {
    let head = head(
        http::Request::post("/token?foo=bar")
            .header(CONTENT_TYPE, FORM)
            .header(AUTHORIZATION, basic("c1", "s3cr3t")),
    );
    let body = b"grant_type=client_credentials&scope=a";
    let parts = RequestParts::from_http(&head, body);
    assert_eq!(parts.method(), "POST");
    assert_eq!(parts.body(), body);
    assert!(parts.has_authorization());
    let request = parse(&parts).unwrap();
    assert_eq!(request.auth().client_id(), Some("c1"));
    assert_eq!(request.scope().unwrap().to_string(), "a");
}

#[test]
fn c1_method_is_passed_through() {
    let head = head(http::Request::get("/token").header(CONTENT_TYPE, FORM));
    let parts = RequestParts::from_http(&head, b"grant_type=client_credentials");
    assert_eq!(parse(&parts).unwrap_err(), Reason::MethodNotAllowed);
}

#[test]
fn c2_content_type_is_read_and_opaque_bytes_are_no_form() {
    let body = b"grant_type=client_credentials&client_id=a&client_secret=b";
    let json = head(http::Request::post("/token").header(CONTENT_TYPE, "application/json"));
    assert_eq!(
        parse(&RequestParts::from_http(&json, body)).unwrap_err(),
        Reason::UnsupportedContentType
    );
    let opaque = HeaderValue::from_bytes(b"application/x-www-form-urlencoded\xff").unwrap();
    let opaque = head(http::Request::post("/token").header(CONTENT_TYPE, opaque));
    assert_eq!(
        parse(&RequestParts::from_http(&opaque, body)).unwrap_err(),
        Reason::UnsupportedContentType
    );
}

#[test]
fn c11_query_is_read() {
    let head =
        head(http::Request::post("/token?client_id=c1&client_secret=s").header(CONTENT_TYPE, FORM));
    let parts = RequestParts::from_http(&head, b"grant_type=client_credentials");
    assert_eq!(parse(&parts).unwrap_err(), Reason::CredentialsInUri);
}

#[test]
fn c7_two_authorization_headers_are_refused() {
    let head = head(
        http::Request::post("/token")
            .header(CONTENT_TYPE, FORM)
            .header(AUTHORIZATION, basic("c1", "s3cr3t"))
            .header(AUTHORIZATION, basic("c2", "other")),
    );
    let parts = RequestParts::from_http(&head, b"grant_type=client_credentials");
    let reason = parse(&parts).unwrap_err();
    assert_eq!(reason, Reason::RepeatedAuthorization);
    let response = http::Response::from(TokenError::new(reason).to_http());
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["error"], "invalid_request");
}

#[test]
fn authorization_that_is_not_utf8_is_malformed_not_ignored() {
    let opaque = HeaderValue::from_bytes(b"Basic \xff\xfe").unwrap();
    let head = head(
        http::Request::post("/token")
            .header(CONTENT_TYPE, FORM)
            .header(AUTHORIZATION, opaque),
    );
    let parts = RequestParts::from_http(
        &head,
        b"grant_type=client_credentials&client_id=a&client_secret=b",
    );
    assert_eq!(parse(&parts).unwrap_err(), Reason::MalformedAuthorization);
}

#[test]
fn whole_request_reads_the_same_as_head_and_body() {
    let request = http::Request::post("/token")
        .header(CONTENT_TYPE, FORM)
        .header(AUTHORIZATION, basic("c1", "s3cr3t"))
        .body(b"grant_type=client_credentials".to_vec())
        .unwrap();
    let parts = RequestParts::from_http_request(&request);
    assert_eq!(parts.body(), request.body().as_slice());
    assert_eq!(parse(&parts).unwrap().auth().client_id(), Some("c1"));
}

#[test]
fn debug_of_converted_parts_hides_the_authorization_header() {
    let header = basic("c1", "topsecret");
    let head = head(http::Request::post("/token").header(AUTHORIZATION, &header));
    let shown = format!("{:?}", RequestParts::from_http(&head, b""));
    assert!(!shown.contains(&header));
    assert!(!shown.contains(&header["Basic ".len()..]));
}

#[test]
fn response_keeps_status_every_header_and_body() {
    let error = TokenError::new(Reason::WrongSecret).to_http();
    let expected = error.clone();
    let response = http::Response::from(error);
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(response.body(), &expected.body);
    assert_eq!(response.headers().len(), expected.headers.len());
    for (name, value) in &expected.headers {
        assert_eq!(response.headers()[*name], **value, "{name}");
    }
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(
        response.headers()["www-authenticate"].to_str().unwrap(),
        expected.header("www-authenticate").unwrap()
    );
}

#[test]
fn response_keeps_repeated_headers_and_drops_unrepresentable_ones() {
    let response = http::Response::from(HttpResponse {
        status: 1000,
        headers: vec![
            ("vary", Cow::Borrowed("a")),
            ("vary", Cow::Borrowed("b")),
            ("x-bad", Cow::Borrowed("line\nbreak")),
            ("Bad Name", Cow::Borrowed("v")),
        ],
        body: b"{}".to_vec(),
    });
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let vary: Vec<_> = response.headers().get_all("vary").iter().collect();
    assert_eq!(vary, ["a", "b"]);
    assert_eq!(response.headers().len(), 2);
}
