//! Readers for the cookies that consent banners write, one module per banner.
//!
//! Each reader turns the raw value of the banner's own cookie into the names
//! that banner uses (a Cookiebot key, a OneTrust group id, a TCF purpose) and
//! whether the record grants each one. Mapping those names onto the policy's
//! categories is the caller's business, so the readers know nothing of
//! policies and can be tested and fuzzed alone.
//!
//! Every reader works on bytes, never panics, never allocates (values are
//! decoded into stack buffers), runs in time linear in its input, and fails
//! closed: a value it does not fully understand is [`Outcome::Malformed`],
//! which grants nothing.
//!
//! A name may be reported more than once by one read (a JSON key written
//! twice, two copies of a Complianz cookie). A `false` for a name then
//! outranks any `true` for it in that read: the refusal wins, which is the
//! caller's rule for aliases of one category too.

pub(crate) mod complianz;
pub(crate) mod cookiebot;
pub(crate) mod cookieyes;
pub(crate) mod django;
pub(crate) mod govuk;
pub(crate) mod klaro;
pub(crate) mod onetrust;
pub(crate) mod orestbida;
pub(crate) mod tcf;

use super::default_format::MAX_VALUE_LEN;
use super::json::{self, RawStr, Value};
use super::percent;
use crate::ascii;

/// How a format reader ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The format's cookie is absent, or the record says no choice was made yet.
    NotSet,
    /// Truncated, percent-encoded twice, or not fully understood: grants nothing.
    Malformed,
    /// A format-level "declined everything" / "withdrawn" signal: grants nothing, but a choice was made.
    Refused,
    /// A valid record. Its choices were passed to `emit`. `revision` is the record's own
    /// consent-revision number when the format carries one (orestbida `revision`, Cookiebot `ver`,
    /// Complianz `cmplz_policy_id`), else None.
    Choices { revision: Option<u64> },
    /// Cookiebot's whole value `-1`: the visitor is outside a consent-requiring region.
    /// (The caller honours it only behind an explicit option that is off by default.)
    Unregulated,
}

/// Names longer than this many decoded bytes are skipped, not reported: no
/// banner writes one, and the caller matches names against aliases no
/// longer than this.
pub(crate) const MAX_NAME_LEN: usize = crate::policy::MAX_ALIAS_LEN;

/// The first steps every reader takes on a raw `Cookie` header value: SP
/// and HTAB around it are trimmed (RFC 6265bis section 5.6), a value over
/// [`MAX_VALUE_LEN`] bytes or holding a control character is malformed (a
/// browser stores neither), and one pair of surrounding double quotes (an
/// RFC 6265 `cookie-value`) is removed. An empty value records nothing.
fn prepare(value: &[u8]) -> Result<&[u8], Outcome> {
    let value = ascii::trim_wsp(value);
    if value.len() > MAX_VALUE_LEN || value.iter().any(|&b| ascii::is_ctl(b)) {
        return Err(Outcome::Malformed);
    }
    let value = match value {
        [b'"', inner @ .., b'"'] => inner,
        _ => value,
    };
    if value.is_empty() {
        return Err(Outcome::NotSet);
    }
    Ok(value)
}

/// Whether `bytes` is UTF-8 text; banners write nothing else.
fn is_text(bytes: &[u8]) -> bool {
    bytes.is_ascii() || std::str::from_utf8(bytes).is_ok()
}

/// The text of a value that a banner wrote with `encodeURIComponent` (and
/// its reader undoes with `decodeURIComponent`): decoded once into `buf`
/// when it holds a `%`, else as it is. `None` when an escape is broken, an
/// escape survives the decoding (encoded twice), or the text is not UTF-8.
fn uri_decoded<'b>(value: &'b [u8], buf: &'b mut [u8; MAX_VALUE_LEN]) -> Option<&'b [u8]> {
    let text = if ascii::find_byte(value, b'%').is_some() {
        let len = percent::decode_into(value, buf)?;
        let text = &buf[..len];
        if percent::has_escape(text) {
            return None;
        }
        text
    } else {
        value
    };
    is_text(text).then_some(text)
}

/// Reads a value that is one URI-encoded (or raw) JSON object, calling
/// `member` for each member in order; `member` returns `false` for one it
/// does not understand. A valid record unless the text does not decode or
/// parse, or some member was not understood.
fn json_object_members(
    value: &[u8],
    mut member: impl FnMut(RawStr<'_>, Value<'_>) -> bool,
) -> Outcome {
    let mut buf = [0u8; MAX_VALUE_LEN];
    let Some(text) = uri_decoded(value, &mut buf) else {
        return Outcome::Malformed;
    };
    let mut understood = true;
    let parsed = json::object_members(text, |name, value| understood &= member(name, value));
    match parsed {
        Some(()) if understood => Outcome::Choices { revision: None },
        _ => Outcome::Malformed,
    }
}

/// Reports `name` unless it is longer than [`MAX_NAME_LEN`].
fn emit_name(name: &[u8], granted: bool, emit: &mut impl FnMut(&[u8], bool)) {
    if name.len() <= MAX_NAME_LEN {
        emit(name, granted);
    }
}

/// Reports a JSON string as a name, decoded. `false` when the string does
/// not decode (a lone surrogate), which makes the value malformed.
fn emit_json_name(name: RawStr<'_>, granted: bool, emit: &mut impl FnMut(&[u8], bool)) -> bool {
    let mut buf = [0u8; MAX_NAME_LEN];
    match name.unescape_into(&mut buf) {
        Some(len) if len <= MAX_NAME_LEN => {
            emit(&buf[..len], granted);
            true
        }
        Some(_) => true,
        None => false,
    }
}

/// Whether the JSON string `key` decodes to exactly `target` (JSON property
/// names are case-sensitive).
fn json_key_is(key: RawStr<'_>, target: &[u8]) -> bool {
    let mut buf = [0u8; 32];
    matches!(key.unescape_into(&mut buf), Some(len) if buf.get(..len) == Some(target))
}

/// A non-negative integer written with ASCII digits only, as a consent
/// revision is; `None` for anything else (a sign, a fraction, an exponent,
/// more than `u64` holds).
fn parse_revision(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Helpers shared by the readers' unit tests.

    use super::Outcome;

    /// Runs a reader and collects what it reports:
    /// `collect(|emit| read(value, &mut |n: &[u8], g| emit(n, g)))`.
    pub(crate) fn collect(
        read: impl FnOnce(&mut dyn FnMut(&[u8], bool)) -> Outcome,
    ) -> (Outcome, Vec<(String, bool)>) {
        let mut got = Vec::new();
        let outcome = read(&mut |name: &[u8], granted| {
            got.push((String::from_utf8_lossy(name).into_owned(), granted));
        });
        (outcome, got)
    }

    /// Defines `run(&str)`, `run_bytes(&[u8])` (both: outcome and reports),
    /// `outcome(&str)` and `read_only(&[u8])` in a reader's test module.
    macro_rules! reader_test_helpers {
        ($read:path) => {
            fn run(value: &str) -> (Outcome, Vec<(String, bool)>) {
                run_bytes(value.as_bytes())
            }

            fn run_bytes(value: &[u8]) -> (Outcome, Vec<(String, bool)>) {
                $crate::consent::formats::test_support::collect(|emit| {
                    $read(value, &mut |n: &[u8], g| emit(n, g))
                })
            }

            fn outcome(value: &str) -> Outcome {
                run(value).0
            }

            fn read_only(value: &[u8]) -> Outcome {
                $read(value, &mut |_: &[u8], _| {})
            }
        };
    }
    pub(crate) use reader_test_helpers;

    /// `[("a", true)]` as owned pairs, for comparisons.
    pub(crate) fn pairs(expected: &[(&str, bool)]) -> Vec<(String, bool)> {
        expected
            .iter()
            .map(|&(name, granted)| (name.to_owned(), granted))
            .collect()
    }

    /// Percent-encodes every byte that `encodeURIComponent` encodes.
    pub(crate) fn encode_uri_component(text: &str) -> String {
        let mut out = String::new();
        for &b in text.as_bytes() {
            if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }

    /// Bytes a hostile client might put anywhere in a value.
    pub(crate) const HOSTILE: &[u8] = &[
        0x00, b'"', b'%', b'\'', b',', b':', b'{', b'}', b'[', b'\\', b'|', b'=', b'&', b'.', b';',
        b' ', 0x7f, 0x80, 0xc3, 0xff,
    ];

    /// Feeds `read` every prefix of `value`, and `value` with each byte
    /// replaced by each hostile byte; nothing may panic.
    pub(crate) fn never_panics_bytes(read: &mut dyn FnMut(&[u8]) -> Outcome, value: &[u8]) {
        for end in 0..=value.len() {
            read(&value[..end]);
        }
        let mut mutated = value.to_vec();
        for at in 0..value.len() {
            for &byte in HOSTILE {
                mutated[at] = byte;
                read(&mutated);
            }
            mutated[at] = value[at];
        }
    }

    /// [`never_panics_bytes`] for each of `values`.
    pub(crate) fn never_panics(read: &mut dyn FnMut(&[u8]) -> Outcome, values: &[&str]) {
        for value in values {
            never_panics_bytes(read, value.as_bytes());
        }
    }

    /// Every cut of each of `values`, from one byte to all but the last,
    /// reads as malformed.
    pub(crate) fn assert_cuts_malformed(outcome: fn(&str) -> Outcome, values: &[&str]) {
        for value in values {
            for end in 1..value.len() {
                let cut = &value[..end];
                assert_eq!(outcome(cut), Outcome::Malformed, "{cut}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepare_trims_unquotes_and_bounds() {
        assert_eq!(prepare(b" \tabc\t "), Ok(&b"abc"[..]));
        assert_eq!(prepare(b"\"abc\""), Ok(&b"abc"[..]));
        assert_eq!(prepare(b"\"\"abc\"\""), Ok(&b"\"abc\""[..]));
        assert_eq!(prepare(b""), Err(Outcome::NotSet));
        assert_eq!(prepare(b"  "), Err(Outcome::NotSet));
        assert_eq!(prepare(b"\"\""), Err(Outcome::NotSet));
        assert_eq!(prepare(b"a\x00b"), Err(Outcome::Malformed));
        assert_eq!(prepare(b"a\tb"), Err(Outcome::Malformed));
        assert_eq!(prepare(b"a\x7fb"), Err(Outcome::Malformed));
        assert_eq!(prepare(&[b'a'; 4096]), Ok(&[b'a'; 4096][..]));
        assert_eq!(prepare(&[b'a'; 4097]), Err(Outcome::Malformed));
    }

    #[test]
    fn uri_decoding_once() {
        let mut buf = [0u8; MAX_VALUE_LEN];
        assert_eq!(uri_decoded(b"%7B%7D", &mut buf), Some(&b"{}"[..]));
        assert_eq!(uri_decoded(b"{}", &mut buf), Some(&b"{}"[..]));
        assert_eq!(uri_decoded(b"%257B%257D", &mut buf), None);
        assert_eq!(uri_decoded(b"%7B%3", &mut buf), None);
        assert_eq!(uri_decoded(b"%FF", &mut buf), None);
        assert_eq!(uri_decoded(b"\xff", &mut buf), None);
        assert_eq!(
            uri_decoded(b"caf%C3%A9", &mut buf),
            Some("caf\u{e9}".as_bytes())
        );
        let long = "%41".repeat(MAX_VALUE_LEN / 3 + 1);
        assert_eq!(
            uri_decoded(&long.as_bytes()[..MAX_VALUE_LEN - 1], &mut buf).map(<[u8]>::len),
            Some((MAX_VALUE_LEN - 1) / 3)
        );
    }

    #[test]
    fn revisions_are_plain_digits() {
        assert_eq!(parse_revision(b"0"), Some(0));
        assert_eq!(parse_revision(b"42"), Some(42));
        assert_eq!(parse_revision(b"18446744073709551615"), Some(u64::MAX));
        for bad in [
            &b""[..],
            b"-1",
            b"1.0",
            b"1e3",
            b"+1",
            b"18446744073709551616",
            b" 1",
        ] {
            assert_eq!(parse_revision(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn long_names_are_skipped() {
        let mut got = Vec::new();
        let mut emit = |name: &[u8], granted| got.push((name.len(), granted));
        emit_name(&[b'a'; MAX_NAME_LEN], true, &mut emit);
        emit_name(&[b'a'; MAX_NAME_LEN + 1], true, &mut emit);
        assert_eq!(got, [(MAX_NAME_LEN, true)]);
    }
}
