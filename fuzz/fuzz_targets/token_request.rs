//! Fuzzes `TokenRequest::parse` with an arbitrary method, content type,
//! authorization header, query and body (see `client_credentials::fuzzing::token_request`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    client_credentials::fuzzing::token_request(data);
});
