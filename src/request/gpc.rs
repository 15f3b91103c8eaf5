//! Global Privacy Control: the `Sec-GPC` request header.

use http::header::HeaderName;
use http::HeaderMap;

use crate::ascii;

/// The header a browser sends when its user asks sites not to sell or
/// share their data.
const SEC_GPC: HeaderName = HeaderName::from_static("sec-gpc");

/// Whether the request carries the signal. The GPC specification defines
/// one value, `1`; `0` and anything else are no signal. When the header
/// is repeated, any `1` counts: honouring the signal can only withdraw
/// consent, so a doubtful request gets the more private reading.
pub(crate) fn gpc_signal(headers: &HeaderMap) -> bool {
    headers
        .get_all(SEC_GPC)
        .iter()
        .any(|value| ascii::trim_wsp(value.as_bytes()) == b"1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn only_the_value_one_is_a_signal() {
        let signal = |values: &[&'static str]| {
            let mut headers = HeaderMap::new();
            for value in values {
                headers.append(SEC_GPC, HeaderValue::from_static(value));
            }
            gpc_signal(&headers)
        };
        assert!(signal(&["1"]));
        assert!(signal(&[" 1\t"]));
        assert!(signal(&["0", "1"]));
        for none in [
            &[][..],
            &["0"],
            &["true"],
            &["01"],
            &["1, 1"],
            &[""],
            &["yes"],
        ] {
            assert!(!signal(none), "{none:?}");
        }
    }
}
