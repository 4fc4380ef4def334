//! `application/x-www-form-urlencoded` writing (the WHATWG URL standard's
//! serializer, with `%20` for a space, which every decoder reads as a space).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Every byte but the unreserved `*-._` and alphanumerics is escaped.
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'*')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_');

/// `value` escaped for a form body or for RFC 6749 §2.3.1 Basic credentials.
pub(crate) fn encode(value: &str) -> String {
    utf8_percent_encode(value, FORM).to_string()
}

/// A form body under construction.
#[derive(Default)]
pub(crate) struct Form(String);

impl Form {
    /// Appends `name=value`.
    pub(crate) fn pair(&mut self, name: &str, value: &str) -> &mut Self {
        if !self.0.is_empty() {
            self.0.push('&');
        }
        self.0.push_str(&encode(name));
        self.0.push('=');
        self.0.push_str(&encode(value));
        self
    }

    /// The body.
    pub(crate) fn finish(self) -> String {
        self.0
    }
}
