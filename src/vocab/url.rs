//! The URL rules for identifiers and endpoints (RFC 8414 §2, RFC 9728 §2):
//! TLS, an authority, no fragment.

use fluent_uri::Uri;

/// `https` (or loopback `http` when allowed), an authority, no fragment, and — for
/// an issuer identifier — no query.
pub(crate) fn is_acceptable_url(url: &str, allow_http_loopback: bool, query_allowed: bool) -> bool {
    let Ok(uri) = Uri::parse(url) else {
        return false;
    };
    let Some(authority) = uri.authority() else {
        return false;
    };
    if uri.has_fragment() || (!query_allowed && uri.has_query()) {
        return false;
    }
    match uri.scheme().as_str() {
        "https" => true,
        "http" if allow_http_loopback => {
            matches!(authority.host(), "127.0.0.1" | "localhost" | "[::1]")
        }
        _ => false,
    }
}
