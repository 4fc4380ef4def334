//! Fuzzes the reader of a token's extra claims, alone and through a
//! `Validator` (see `client_credentials::fuzzing::extra_claims`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    client_credentials::fuzzing::extra_claims(data);
});
