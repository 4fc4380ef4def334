//! Fuzzes `Validator::validate` with arbitrary and mutated access tokens (see
//! `client_credentials::fuzzing::access_token`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    client_credentials::fuzzing::access_token(data);
});
