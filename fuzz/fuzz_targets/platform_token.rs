//! Fuzzes the platform token of a JWT-bearer grant at an `Issuer` with one
//! trusted issuer (see `client_credentials::fuzzing::platform_token`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    client_credentials::fuzzing::platform_token(data);
});
