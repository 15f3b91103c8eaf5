//! The consent-cookie value reader, against every fuzz policy.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tower_cookie_consent::__private::fuzz_consent_value(data);
});
