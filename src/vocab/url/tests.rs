//! Properties of the DPoP `htu` comparison form (RFC 9449 §4.3, RFC 3986
//! §6.2.2–§6.2.3).

use proptest::prelude::*;

use super::htu_normal_form;

/// An absolute `http` or `https` URI, spelt in parts.
#[derive(Clone, Debug)]
struct Parts {
    https: bool,
    host: String,
    port: Option<u16>,
    path: String,
    query: Option<String>,
    fragment: Option<String>,
}

impl Parts {
    fn scheme(&self) -> &'static str {
        if self.https { "https" } else { "http" }
    }

    fn default_port(&self) -> u16 {
        if self.https { 443 } else { 80 }
    }

    /// The URI, with the scheme and host as given and `port` in place of the
    /// parts' own.
    fn spell(&self, scheme: &str, host: &str, port: Option<u16>) -> String {
        let mut uri = format!("{scheme}://{host}");
        if let Some(port) = port {
            uri.push_str(&format!(":{port}"));
        }
        uri.push_str(&self.path);
        if let Some(query) = &self.query {
            uri.push('?');
            uri.push_str(query);
        }
        if let Some(fragment) = &self.fragment {
            uri.push('#');
            uri.push_str(fragment);
        }
        uri
    }

    fn uri(&self) -> String {
        self.spell(self.scheme(), &self.host, self.port)
    }
}

fn parts() -> impl Strategy<Value = Parts> {
    (
        any::<bool>(),
        "[a-z][a-z0-9-]{0,8}(\\.[a-z][a-z0-9]{0,5}){0,2}",
        prop::option::of(any::<u16>()),
        "(/[a-zA-Z0-9._~-]{0,6}){0,3}",
        prop::option::of("[a-zA-Z0-9=&/?:@._~-]{0,10}"),
        prop::option::of("[a-zA-Z0-9=&/?:@._~-]{0,10}"),
    )
        .prop_map(|(https, host, port, path, query, fragment)| Parts {
            https,
            host,
            port,
            path,
            query,
            fragment,
        })
}

/// `s` with the case of each ASCII letter flipped where `mask` says so.
fn recase(s: &str, mask: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            } else {
                c
            }
        })
        .collect()
}

/// Strings rich in what URI syntax cares about, most of them not URIs.
fn uri_like() -> impl Strategy<Value = String> {
    let alphabet = vec![
        "http", "https", "HTTP", "://", ":", "/", "//", "?", "#", "%", "%2", "%41", "%7e", "[",
        "]", "@", ".", "..", "a", "B", "0", "443", "80", " ", "\u{e9}", "\\",
    ];
    prop::collection::vec(prop::sample::select(alphabet), 0..12).prop_map(|p| p.concat())
}

proptest! {
    #[test]
    fn htu_normal_form_is_idempotent(p in parts(), s in uri_like()) {
        for uri in [p.uri(), s] {
            if let Some(normal) = htu_normal_form(&uri) {
                prop_assert_eq!(htu_normal_form(&normal), Some(normal.clone()), "{}", uri);
                prop_assert!(
                    normal.starts_with("http://") || normal.starts_with("https://"),
                    "{}", normal
                );
                prop_assert!(!normal.contains(['?', '#']), "{}", normal);
            }
        }
    }

    #[test]
    fn htu_normal_form_ignores_the_case_of_scheme_and_host(
        p in parts(),
        scheme_mask in any::<u64>(),
        host_mask in any::<u64>(),
    ) {
        let normal = htu_normal_form(&p.uri());
        prop_assert!(normal.is_some(), "{}", p.uri());
        let recased = p.spell(&recase(p.scheme(), scheme_mask), &recase(&p.host, host_mask), p.port);
        prop_assert_eq!(htu_normal_form(&recased), normal, "{}", recased);
    }

    #[test]
    fn htu_normal_form_drops_the_default_port_only(p in parts()) {
        let without = htu_normal_form(&p.spell(p.scheme(), &p.host, None));
        let default = htu_normal_form(&p.spell(p.scheme(), &p.host, Some(p.default_port())));
        prop_assert!(without.is_some());
        prop_assert_eq!(&default, &without);
        if let Some(port) = p.port.filter(|&port| port != p.default_port()) {
            let other = htu_normal_form(&p.spell(p.scheme(), &p.host, Some(port)));
            prop_assert!(other.is_some());
            prop_assert_ne!(&other, &without);
        }
    }

    #[test]
    fn htu_normal_form_ignores_query_and_fragment(p in parts()) {
        let bare = Parts { query: None, fragment: None, ..p.clone() };
        prop_assert_eq!(htu_normal_form(&p.uri()), htu_normal_form(&bare.uri()), "{}", p.uri());
    }
}
