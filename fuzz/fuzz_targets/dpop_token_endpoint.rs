//! Fuzzes the `DPoP` header of a token request to an `Issuer` with DPoP
//! enabled (see `client_credentials::fuzzing::dpop_token_endpoint`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    client_credentials::fuzzing::dpop_token_endpoint(data);
});
