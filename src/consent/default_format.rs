//! The default consent-cookie format: a list of category names, a JSON
//! object or a JSON array, optionally percent-encoded.

use super::json::{self, Value};
use super::percent;
use crate::ascii;
use crate::policy::{Categories, Grants};

/// The longest consent value read. Browsers refuse a cookie whose name and
/// value exceed 4096 bytes, so a longer value did not come from one.
pub(crate) const MAX_VALUE_LEN: usize = 4096;

/// Values up to this length decode into a small stack buffer; longer ones
/// (rare) into one of [`MAX_VALUE_LEN`] bytes.
const SMALL_VALUE_LEN: usize = 512;

/// Reads a consent cookie value. `None` when it is empty or malformed,
/// which grants nothing but the necessary cookies (fail closed).
///
/// Accepted, auto-detected:
/// - `statistics,marketing` (`,`, `|` or spaces between names; `all`);
/// - `{"statistics":true,"marketing":false}` (only `true` grants; `all`);
/// - `["statistics"]` (`all`).
///
/// One pair of surrounding double quotes is removed first; a value
/// containing `%` is percent-decoded once.
pub(crate) fn read(value: &[u8], policy: &Categories) -> Option<Grants> {
    let value = ascii::trim_wsp(value);
    if value.len() > MAX_VALUE_LEN {
        return None;
    }
    let value = match value {
        [b'"', inner @ .., b'"'] => inner,
        _ => value,
    };
    if ascii::find_byte(value, b'%').is_none() {
        return parse(value, policy);
    }
    if value.len() <= SMALL_VALUE_LEN {
        let mut buf = [0u8; SMALL_VALUE_LEN];
        let len = percent::decode_into(value, &mut buf)?;
        parse(&buf[..len], policy)
    } else {
        let mut buf = [0u8; MAX_VALUE_LEN];
        let len = percent::decode_into(value, &mut buf)?;
        parse(&buf[..len], policy)
    }
}

fn parse(value: &[u8], policy: &Categories) -> Option<Grants> {
    // Category names are text; bytes that are not UTF-8 (raw, or from a
    // `%FF` escape) did not come from a banner.
    if !value.is_ascii() {
        std::str::from_utf8(value).ok()?;
    }
    let start = value
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))?;
    match value[start] {
        b'{' => object(value, policy),
        b'[' => array(value, policy),
        _ => list(value, policy),
    }
}

/// What a byte is to the list format: part of a name, between names, or
/// the end of the reading.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ListByte {
    Name,
    Separator,
    /// A `%` left after decoding means the value was encoded twice; a
    /// control character was never typed by a banner.
    Invalid,
}

/// [`ListByte`] of every byte value, so that the loop over a value looks
/// each byte up once instead of comparing it with six.
static LIST_BYTES: [ListByte; 256] = {
    let mut table = [ListByte::Name; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = match byte as u8 {
            b',' | b'|' | b' ' | b'\t' => ListByte::Separator,
            b'%' => ListByte::Invalid,
            b if ascii::is_ctl(b) => ListByte::Invalid,
            _ => ListByte::Name,
        };
        byte += 1;
    }
    table
};

/// `statistics,marketing`, `statistics|marketing` or `statistics marketing`.
///
/// One pass over the bytes: this is the format of every request that
/// carries the default consent cookie.
fn list(value: &[u8], policy: &Categories) -> Option<Grants> {
    let mut granted = Grants::NONE;
    let mut names = 0;
    let mut grant = |token: &[u8]| {
        if token.is_empty() {
            return;
        }
        names += 1;
        if ascii::eq_ignore_case(token, b"all") {
            granted = policy.all();
        } else if let Some(index) = policy.index_of(token) {
            granted.insert(index);
        }
    };
    let mut start = 0;
    for (at, &byte) in value.iter().enumerate() {
        match LIST_BYTES[usize::from(byte)] {
            ListByte::Name => continue,
            ListByte::Separator => {}
            ListByte::Invalid => return None,
        }
        grant(&value[start..at]);
        start = at + 1;
    }
    grant(&value[start..]);
    (names > 0).then_some(granted)
}

/// `{"statistics":true,"marketing":false}`: the last key that matches a
/// category decides it (as `JSON.parse` keeps the last duplicate), and only
/// `true` grants. `"all": true` grants every category that no key decides.
fn object(value: &[u8], policy: &Categories) -> Option<Grants> {
    let mut granted = Grants::NONE;
    let mut decided = Grants::NONE;
    let mut all = false;
    json::object_members(value, |key, value| {
        let grants = matches!(value, Value::True);
        if key.eq_ignore_ascii_case(b"all") {
            all = grants;
        } else if let Some(index) = policy.index_of(&key) {
            decided.insert(index);
            if grants {
                granted.insert(index);
            } else {
                granted.remove(index);
            }
        }
    })?;
    if all {
        granted = granted.union(policy.all().difference(decided));
    }
    Some(granted)
}

/// `["statistics"]`: strings name granted categories; other items are
/// ignored.
fn array(value: &[u8], policy: &Categories) -> Option<Grants> {
    let mut granted = Grants::NONE;
    json::array_items(value, |item| {
        if let Value::Str(name) = item {
            if name.eq_ignore_ascii_case(b"all") {
                granted = policy.all();
            } else if let Some(index) = policy.index_of(&name) {
                granted.insert(index);
            }
        }
    })?;
    Some(granted)
}
