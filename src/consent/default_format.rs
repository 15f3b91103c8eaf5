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

/// `statistics,marketing`, `statistics|marketing` or `statistics marketing`.
///
/// One pass over the bytes: this is the format of every request that
/// carries the default consent cookie.
fn list(value: &[u8], policy: &Categories) -> Option<Grants> {
    let mut granted = Grants::NONE;
    let mut names = 0;
    let mut start = 0;
    for end in 0..=value.len() {
        match value.get(end) {
            Some(b',' | b'|' | b' ' | b'\t') | None => {}
            // A `%` left after decoding means the value was encoded twice;
            // a control character was never typed by a banner.
            Some(&b) if b == b'%' || ascii::is_ctl(b) => return None,
            Some(_) => continue,
        }
        let token = &value[start..end];
        start = end + 1;
        if token.is_empty() {
            continue;
        }
        names += 1;
        if token.eq_ignore_ascii_case(b"all") {
            granted = policy.all();
        } else if let Some(index) = policy.index_of(token) {
            granted.insert(index);
        }
    }
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
