//! Fuzzes the decoding of `Authorization: Basic` credentials through
//! `TokenRequest::parse` (see `client_credentials::fuzzing::basic_header`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    client_credentials::fuzzing::basic_header(data);
});
