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

/// The form in which a DPoP `htu` and a request URI are compared (RFC 9449
/// §4.3): an absolute `http` or `https` URI, syntax- and scheme-normalised
/// (RFC 3986 §6.2.2, §6.2.3: case of scheme and host, percent-encoding, dot
/// segments, default port, empty path as `/`), without its query and
/// fragment. `None` for anything else.
pub(crate) fn htu_normal_form(url: &str) -> Option<String> {
    let uri = Uri::parse(url).ok()?.normalize();
    let scheme = uri.scheme().as_str();
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let authority = uri.authority()?;
    let path = uri.path().as_str();
    let path = if path.is_empty() { "/" } else { path };
    Some(format!("{scheme}://{}{path}", authority.as_str()))
}

#[cfg(test)]
mod tests;
