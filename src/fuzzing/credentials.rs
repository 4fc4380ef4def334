//! `credentials`: how the tower layer reads the token of a request head
//! ([`credentials`]), from `Authorization: Bearer` (RFC 6750 §2.1) or from a
//! configured header.

use http::HeaderValue;
use http::header::{AUTHORIZATION, HeaderName};

use super::{Outcome, split_flags};
use crate::resource::{BearerError, Credentials, Scheme, TokenLocation, bearer_token, credentials};

/// The configured header of [`TokenLocation::Header`].
const UPSTREAM: &str = "x-upstream-token";

/// A request head read by [`credentials`].
///
/// Input layout: one flags byte, then `value NUL second-value`. Flags bit 0
/// reads the token from `x-upstream-token` rather than `Authorization`; bit 1
/// sends the value in that header, bit 2 sends the second value as a second
/// line of it; bit 3 sends the value in the other header too. A value the
/// `http` crate refuses (control characters) is not sent.
///
/// # Panics
/// When a refusal is not 400 `invalid_request`, or refuses a head with one
/// line of visible ASCII; when a token is read from a head with two lines or
/// no line, differs from [`bearer_token`] of the `Authorization` value (or
/// from the configured header's value, trimmed), has spaces or tabs at its
/// ends, comes with another scheme, method or URI, or shows in `Debug`.
pub fn credentials_reader(data: &[u8]) -> Outcome {
    let (flags, rest) = split_flags(data);
    let mut fields = rest.splitn(2, |&b| b == 0);
    let first = HeaderValue::from_bytes(fields.next().unwrap_or_default()).ok();
    let second = HeaderValue::from_bytes(fields.next().unwrap_or_default()).ok();
    let (source, name, other) = if flags & 1 == 0 {
        (TokenLocation::Authorization, AUTHORIZATION, upstream())
    } else {
        (TokenLocation::Header(upstream()), upstream(), AUTHORIZATION)
    };
    let mut request = http::Request::builder().method("POST").uri("/mcp");
    let mut lines = Vec::new();
    if flags & 0b10 != 0
        && let Some(value) = &first
    {
        lines.push(value.clone());
    }
    if flags & 0b100 != 0
        && let Some(value) = &second
    {
        lines.push(value.clone());
    }
    for line in &lines {
        request = request.header(&name, line);
    }
    if flags & 0b1000 != 0
        && let Some(value) = &first
    {
        request = request.header(&other, value);
    }
    let (head, ()) = request.body(()).expect("a valid head").into_parts();

    match credentials(&head, &source) {
        Err(challenge) => {
            assert_eq!(challenge.error(), Some(BearerError::InvalidRequest));
            assert_eq!(challenge.status(), 400);
            assert!(
                lines.len() == 2 || lines.first().is_some_and(|v| v.to_str().is_err()),
                "refused one line of visible ASCII"
            );
            Outcome::Refused
        }
        Ok(None) => {
            match lines.as_slice() {
                [] => {}
                [value] => {
                    let text = value.to_str().expect("read, so visible ASCII");
                    if source != TokenLocation::Authorization {
                        // A configured header read as absent holds no token.
                        assert!(
                            text.trim_matches([' ', '\t']).is_empty(),
                            "a header was not read"
                        );
                        return Outcome::Refused;
                    }
                    assert_eq!(
                        bearer_token(Some(text)),
                        None,
                        "a Bearer token was not read"
                    );
                }
                _ => panic!("two lines were read"),
            }
            Outcome::Refused
        }
        Ok(Some(read)) => {
            let [value] = lines.as_slice() else {
                panic!("{} lines gave a token", lines.len());
            };
            let text = value.to_str().expect("read, so visible ASCII");
            let expected = match source {
                TokenLocation::Authorization => {
                    assert_eq!(read.scheme, Scheme::Bearer);
                    bearer_token(Some(text)).expect("a Bearer token")
                }
                _ => {
                    assert_eq!(read.scheme, Scheme::ConfiguredHeader);
                    text.trim_matches([' ', '\t'])
                }
            };
            assert_eq!(read.token, expected);
            assert_eq!(read.token, read.token.trim_matches([' ', '\t']));
            assert_eq!(read.method, "POST");
            assert_eq!(read.uri, "/mcp");
            let redacted = Credentials { token: "", ..read };
            assert_eq!(
                format!("{read:?}"),
                format!("{redacted:?}"),
                "Debug shows the token"
            );
            Outcome::Accepted
        }
    }
}

fn upstream() -> HeaderName {
    HeaderName::from_static(UPSTREAM)
}
