//! Fuzzes the example server's `--config` TOML file (see
//! `client_credentials_examples::fuzzing::config_file`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    client_credentials_examples::fuzzing::config_file(data);
});
