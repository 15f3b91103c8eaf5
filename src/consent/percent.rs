//! Percent-decoding into a caller's stack buffer.
//!
//! Consent banners store their value with `encodeURIComponent`; decoding it
//! must not allocate, so the bytes go into a fixed buffer on the stack.

/// Decodes `%XX` escapes of `input` into `out`, returning the decoded length.
///
/// `None` when an escape is not `%` followed by two hex digits (what
/// `decodeURIComponent` refuses) or when `out` is too small. `+` stays a
/// `+`: this is URI encoding, not form encoding.
pub(crate) fn decode_into(input: &[u8], out: &mut [u8]) -> Option<usize> {
    let mut len = 0;
    let mut rest = input;
    while let Some((&byte, tail)) = rest.split_first() {
        let (decoded, tail) = match byte {
            b'%' => match tail {
                [hi, lo, tail @ ..] => (hex(*hi)? << 4 | hex(*lo)?, tail),
                _ => return None,
            },
            _ => (byte, tail),
        };
        *out.get_mut(len)? = decoded;
        len += 1;
        rest = tail;
    }
    Some(len)
}

fn hex(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Like [`decode_into`], but as `application/x-www-form-urlencoded` is
/// decoded: `+` is a space (WHATWG URL, "application/x-www-form-urlencoded
/// parsing"). OneTrust writes its `OptanonConsent` cookie this way.
pub(crate) fn decode_form_into(input: &[u8], out: &mut [u8]) -> Option<usize> {
    let mut len = 0;
    for (index, run) in input.split(|&b| b == b'+').enumerate() {
        if index > 0 {
            *out.get_mut(len)? = b' ';
            len += 1;
        }
        len += decode_into(run, out.get_mut(len..)?)?;
    }
    Some(len)
}

/// Whether `bytes` still holds a `%XX` escape: after the one decoding a
/// format does, that means the value was encoded twice.
pub(crate) fn has_escape(bytes: &[u8]) -> bool {
    bytes
        .windows(3)
        .any(|w| w[0] == b'%' && hex(w[1]).is_some() && hex(w[2]).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(input: &str) -> Option<Vec<u8>> {
        let mut buf = [0u8; 64];
        decode_into(input.as_bytes(), &mut buf).map(|len| buf[..len].to_vec())
    }

    #[test]
    fn decodes_escapes_once() {
        assert_eq!(decode("%7B%22a%22%3Atrue%7d").unwrap(), br#"{"a":true}"#);
        assert_eq!(decode("a+b").unwrap(), b"a+b");
        assert_eq!(decode("%2525").unwrap(), b"%25");
        assert_eq!(decode("%FF%00").unwrap(), b"\xff\x00");
    }

    #[test]
    fn refuses_bad_escapes_and_overflow() {
        assert_eq!(decode("%"), None);
        assert_eq!(decode("%4"), None);
        assert_eq!(decode("%zz"), None);
        assert_eq!(decode("%4g"), None);
        let mut tiny = [0u8; 2];
        assert_eq!(decode_into(b"abc", &mut tiny), None);
    }

    #[test]
    fn form_decoding_turns_plus_into_space() {
        let form = |input: &str| {
            let mut buf = [0u8; 64];
            decode_form_into(input.as_bytes(), &mut buf).map(|len| buf[..len].to_vec())
        };
        assert_eq!(form("C0001%3A1%2CC0002%3A0").unwrap(), b"C0001:1,C0002:0");
        assert_eq!(form("Mon+Apr+07").unwrap(), b"Mon Apr 07");
        assert_eq!(form("%2B").unwrap(), b"+");
        assert_eq!(form("%252B").unwrap(), b"%2B");
        assert_eq!(form("%3"), None);
        assert_eq!(form("%"), None);
        let mut tiny = [0u8; 2];
        assert_eq!(decode_form_into(b"a+b", &mut tiny), None);
    }

    #[test]
    fn finds_leftover_escapes() {
        assert!(has_escape(b"%27"));
        assert!(has_escape(b"a%2cb"));
        assert!(!has_escape(b"100%"));
        assert!(!has_escape(b"%2"));
        assert!(!has_escape(b"%zz"));
        assert!(!has_escape(b""));
    }
}
