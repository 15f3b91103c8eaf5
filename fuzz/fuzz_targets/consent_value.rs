//! The consent-cookie value reader, against every fuzz policy.
#![no_main]

#[path = "../../tests/common/oracles.rs"]
mod oracles;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oracles::fuzz_consent_value(data);
});
