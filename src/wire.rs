//! The HTTP boundary: request parts in, response parts out, form and Basic
//! decoding, and JSON writing. It imports only the shared vocabulary.

pub(crate) mod basic;
pub(crate) mod form;
#[cfg(feature = "http")]
pub(crate) mod http_compat;
pub(crate) mod json;
pub(crate) mod request;
pub(crate) mod response;
