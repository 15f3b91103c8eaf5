//! The snapshot as JSON, Markdown and a TOML policy fragment.
//!
//! Cookie names are bytes that the application chose, so every format
//! escapes them for its own syntax: none of them may let a name end a
//! string, a table cell or a comment early.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use super::snapshot::{InventoryEntry, InventorySnapshot, Sighting};
use crate::known::{KnownCategory, KnownCookie};
use crate::set_cookie;

// `write!` into a `String` cannot fail: its results are ignored below.

pub(super) fn json(snapshot: &InventorySnapshot) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"{{"capacity":{},"overflow":{},"cookies":["#,
        snapshot.capacity(),
        snapshot.overflow()
    );
    for (i, entry) in snapshot.entries().iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        json_entry(&mut out, entry);
    }
    if !snapshot.is_empty() {
        out.push('\n');
    }
    out.push_str("]}");
    out
}

fn json_entry(out: &mut String, entry: &InventoryEntry) {
    out.push_str(r#"{"name":"#);
    string_literal(out, &entry.name());
    out.push_str(r#","name_hex":""#);
    for byte in entry.name_bytes() {
        let _ = write!(out, "{byte:02x}");
    }
    let _ = write!(
        out,
        r#"","truncated":{},"kept":{},"stripped":{},"first_seen":"#,
        entry.is_truncated(),
        entry.kept(),
        entry.stripped()
    );
    json_sighting(out, entry.first_seen());
    out.push_str(r#","last_seen":"#);
    json_sighting(out, entry.last_seen());
    out.push_str(r#","known":"#);
    match entry.known() {
        None => out.push_str("null"),
        Some(known) => {
            out.push_str(r#"{"name":"#);
            string_literal(out, known.name());
            let _ = write!(out, r#","prefix":{},"platform":"#, known.is_prefix());
            string_literal(out, known.platform());
            out.push_str(r#","category":"#);
            string_literal(out, known.category().as_str());
            out.push_str(r#","description":"#);
            string_literal(out, known.description());
            out.push_str(r#","retention":"#);
            string_literal(out, known.retention());
            out.push('}');
        }
    }
    out.push('}');
}

fn json_sighting(out: &mut String, sighting: &Sighting) {
    let _ = write!(
        out,
        r#"{{"unix_ms":{},"path":"#,
        unix_millis(sighting.time())
    );
    string_literal(out, sighting.path());
    out.push('}');
}

/// A double-quoted string that JSON (RFC 8259 section 7) and TOML (a basic
/// string) read alike: `"` and `\` escaped, and every ASCII control
/// character, which a TOML basic string may not hold, as an escape that
/// both formats know. Everything else stands for itself.
fn string_literal(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_ascii_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

pub(super) fn markdown(snapshot: &InventorySnapshot) -> String {
    let mut out = String::from(
        "| Name | Kept | Stripped | First seen | Last seen | Platform | Category | Description |\n\
         | --- | ---: | ---: | --- | --- | --- | --- | --- |\n",
    );
    for entry in snapshot {
        out.push_str("| ");
        markdown_text(&mut out, entry.name_bytes());
        if entry.is_truncated() {
            out.push('…');
        }
        let _ = write!(out, " | {} | {} | ", entry.kept(), entry.stripped());
        markdown_sighting(&mut out, entry.first_seen());
        out.push_str(" | ");
        markdown_sighting(&mut out, entry.last_seen());
        out.push_str(" | ");
        if let Some(known) = entry.known() {
            markdown_text(&mut out, known.platform().as_bytes());
            let _ = write!(out, " | {} | ", known.category().as_str());
            markdown_text(&mut out, known.description().as_bytes());
        } else {
            out.push_str(" |  | ");
        }
        out.push_str(" |\n");
    }
    if snapshot.overflow() > 0 {
        let _ = write!(
            out,
            "\n{} more sightings of names past the capacity of {} are not listed.\n",
            snapshot.overflow(),
            snapshot.capacity()
        );
    }
    out
}

fn markdown_sighting(out: &mut String, sighting: &Sighting) {
    rfc3339(out, sighting.time());
    out.push(' ');
    markdown_text(out, sighting.path().as_bytes());
}

/// Text for one table cell: every character that means something inside a
/// line of CommonMark or of a GitHub table (emphasis, code, links, HTML,
/// entities, strikethrough, the cell delimiter `|`) is escaped with a
/// backslash (CommonMark 0.31 section 2.4, GFM section 4.10 for `|`), so no
/// name can end the cell or the row, or turn into a link or HTML.
fn markdown_text(out: &mut String, bytes: &[u8]) {
    escaped(out, bytes, "\\`*_[]<>|~&");
}

/// `bytes` as text on one line: each character of `special` escaped with
/// a backslash, a control character written `\xNN` (ASCII) or `\u{NNNN}`,
/// and a byte that is not UTF-8 written `\xNN`.
fn escaped(out: &mut String, bytes: &[u8], special: &str) {
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if special.contains(c) {
                out.push('\\');
                out.push(c);
            } else if c.is_ascii_control() {
                let _ = write!(out, "\\x{:02X}", u32::from(c));
            } else if c.is_control() {
                let _ = write!(out, "\\u{{{:04X}}}", u32::from(c));
            } else {
                out.push(c);
            }
        }
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02X}");
        }
    }
}

/// A policy fragment: see `Inventory::suggest_policy`.
pub(super) fn policy<'m>(
    snapshot: &InventorySnapshot,
    category_of: impl Fn(KnownCategory) -> Option<&'m str>,
) -> String {
    // Policy category -> policy entry name -> the entries it covers.
    let mut groups: BTreeMap<&str, BTreeMap<String, Suggestion<'_>>> = BTreeMap::new();
    let mut unmapped = Vec::new();
    let mut invalid = Vec::new();
    for entry in snapshot {
        let Some(name) = policy_name(entry) else {
            invalid.push(entry);
            continue;
        };
        let category = entry
            .known()
            .and_then(|known| category_of(known.category()).map(|category| (category, known)));
        match category {
            Some((category, known)) => groups
                .entry(category)
                .or_default()
                .entry(name)
                .or_insert_with(|| Suggestion {
                    known,
                    entries: Vec::new(),
                })
                .entries
                .push(entry),
            None => unmapped.push(entry),
        }
    }

    let mut out = String::from(
        "# Cookies the layer saw that the policy does not declare, under the\n\
         # category the Open Cookie Database gives them. Check each entry against\n\
         # what the site really does before adding it to the policy.\n",
    );
    if snapshot.overflow() > 0 {
        let _ = writeln!(
            out,
            "# {} more sightings of names past the capacity of {} are not listed.",
            snapshot.overflow(),
            snapshot.capacity()
        );
    }
    for (category, suggestions) in &groups {
        for (name, suggestion) in suggestions {
            out.push('\n');
            if category.eq_ignore_ascii_case("necessary") {
                out.push_str("[[necessary]]\n");
            } else {
                out.push_str("[[categories.");
                toml_key(&mut out, category);
                out.push_str("]]\n");
            }
            let known = suggestion.known;
            for (key, value) in [
                ("name", name.as_str()),
                ("provider", known.platform()),
                ("purpose", known.description()),
                ("lifetime", known.retention()),
            ] {
                if !value.is_empty() {
                    let _ = write!(out, "{key} = ");
                    string_literal(&mut out, value);
                    out.push('\n');
                }
            }
            out.push_str("# seen as ");
            for (i, entry) in suggestion.entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                comment_entry(&mut out, entry);
            }
            out.push('\n');
        }
    }
    if !unmapped.is_empty() {
        out.push_str(
            "\n# unknown: not in the Open Cookie Database, or in a database category\n\
             # that maps to no policy category. Declare each one by hand.\n",
        );
        for entry in unmapped {
            out.push_str("# ");
            comment_entry(&mut out, entry);
            if let Some(known) = entry.known() {
                let _ = write!(out, ": {} in the database", known.category().as_str());
                if !known.platform().is_empty() {
                    out.push_str(" (");
                    quoted(&mut out, known.platform().as_bytes());
                    out.push(')');
                }
            }
            out.push('\n');
        }
    }
    if !invalid.is_empty() {
        out.push_str(
            "\n# Names a policy cannot declare as they are (not UTF-8, cut to their\n\
             # first 256 bytes, or holding a character that a policy name may not):\n",
        );
        for entry in invalid {
            out.push_str("# ");
            comment_entry(&mut out, entry);
            out.push('\n');
        }
    }
    out
}

/// One policy entry and the names seen that it covers.
struct Suggestion<'s> {
    known: &'static KnownCookie,
    entries: Vec<&'s InventoryEntry>,
}

/// The name a policy entry for `entry` gets: the database's prefix with a
/// `*` when the database knows the name by a prefix (so `_pk_id.1.abcd` and
/// `_pk_id.2.ef01` make one `_pk_id.*` entry), else the name itself if a
/// policy can hold it.
fn policy_name(entry: &InventoryEntry) -> Option<String> {
    if let Some(known) = entry.known().filter(|known| known.is_prefix()) {
        let prefix = known.name();
        return is_policy_name(prefix.as_bytes()).then(|| format!("{prefix}*"));
    }
    if entry.is_truncated() || !is_policy_name(entry.name_bytes()) {
        return None;
    }
    String::from_utf8(entry.name_bytes().to_vec()).ok()
}

/// Whether a policy accepts `name` as an exact name: what a browser stores
/// as is (the builder's rule), and no `*`, which a policy reads as a prefix.
fn is_policy_name(name: &[u8]) -> bool {
    set_cookie::name_problem(name).is_none() && !name.contains(&b'*')
}

/// `"name" (kept 1, stripped 2)`, for a comment.
fn comment_entry(out: &mut String, entry: &InventoryEntry) {
    quoted(out, entry.name_bytes());
    if entry.is_truncated() {
        out.push('…');
    }
    let _ = write!(
        out,
        " (kept {}, stripped {})",
        entry.kept(),
        entry.stripped()
    );
}

/// Bytes in double quotes, for a comment: quotes and backslashes escaped,
/// like anything that could end the comment's line (see [`escaped`]).
fn quoted(out: &mut String, bytes: &[u8]) {
    out.push('"');
    escaped(out, bytes, "\"\\");
    out.push('"');
}

/// A TOML key: bare when it may be (`A-Za-z0-9_-`), quoted otherwise.
fn toml_key(out: &mut String, key: &str) {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        out.push_str(key);
    } else {
        string_literal(out, key);
    }
}

fn unix_millis(time: SystemTime) -> u128 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis())
}

/// `2024-05-01T12:00:00Z` (RFC 3339), to the second, in UTC.
fn rfc3339(out: &mut String, time: SystemTime) {
    let seconds = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (year, month, day) = civil_from_days(seconds / 86_400);
    let second_of_day = seconds % 86_400;
    let _ = write!(
        out,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    );
}

/// The proleptic Gregorian date `days` after 1970-01-01: Howard Hinnant's
/// `civil_from_days`, for days on or after the epoch.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Shift the epoch to 0000-03-01, the start of a 400-year era, so that
    // the leap day ends each year.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = era * 400 + year_of_era + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::inventory::Inventory;
    use crate::Policy;

    /// Hostile names: every character that could end a string, a cell, a
    /// row or a comment, and bytes that are not UTF-8.
    const HOSTILE: &[&[u8]] = &[
        b"quote\"name",
        b"back\\slash",
        b"pi|pe",
        b"new\nline",
        b"car\rriage",
        b"tab\tbed",
        b"\xff\xfe",
        b"_pk_id.1.\xff",
        b"<script>alert(1)</script>",
        b"[link](http://x)",
        b"star*",
        b"semi;colon",
        b"del\x7f",
        b"\xc2\x85next-line",
        b"\\|",
        b"# comment",
    ];

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn hostile_inventory() -> Inventory {
        let inventory = Inventory::with_capacity(64);
        for (i, name) in HOSTILE.iter().enumerate() {
            inventory.record_at(name, i % 2 == 0, b"/path|with\"odd?query=secret", at(1));
        }
        inventory.record_at(b"_ga", true, b"/", at(1_700_000_000));
        inventory.record_at(b"_ga", false, b"/basket", at(1_700_000_061));
        inventory.record_at(b"_fbp", false, b"/", at(1));
        inventory.record_at(b"_pk_id.1.abcd", false, b"/", at(1));
        inventory.record_at(b"_pk_id.2.ef01", true, b"/", at(1));
        inventory.record_at(b"csrftoken", true, b"/", at(1));
        inventory.record_at(b"XSRF-TOKEN", true, b"/", at(1));
        inventory.record_at(b"my_cart", true, b"/", at(1));
        inventory.record_at(&[b'x'; 300], true, b"/", at(1));
        inventory
    }

    #[test]
    fn json_round_trips_every_name() {
        let inventory = hostile_inventory();
        let snapshot = inventory.snapshot();
        let json: serde_json::Value =
            serde_json::from_str(&snapshot.to_json()).expect("valid JSON");
        assert_eq!(json["capacity"], 64);
        assert_eq!(json["overflow"], 0);
        let cookies = json["cookies"].as_array().unwrap();
        assert_eq!(cookies.len(), snapshot.len());
        for (cookie, entry) in cookies.iter().zip(&snapshot) {
            assert_eq!(cookie["name"].as_str().unwrap(), entry.name());
            let hex = cookie["name_hex"].as_str().unwrap();
            let bytes: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            assert_eq!(bytes, entry.name_bytes());
            assert_eq!(cookie["kept"], entry.kept());
            assert_eq!(cookie["truncated"], entry.is_truncated());
        }
        let ga = cookies.iter().find(|c| c["name"] == "_ga").unwrap();
        assert_eq!(ga["first_seen"]["unix_ms"], 1_700_000_000_000_u64);
        assert_eq!(ga["last_seen"]["unix_ms"], 1_700_000_061_000_u64);
        assert_eq!(ga["last_seen"]["path"], "/basket");
        assert_eq!(ga["known"]["platform"], "Google Analytics");
        assert_eq!(ga["known"]["category"], "Analytics");
        let cart = cookies.iter().find(|c| c["name"] == "my_cart").unwrap();
        assert!(cart["known"].is_null());
        let invalid = cookies.iter().find(|c| c["name_hex"] == "fffe").unwrap();
        assert_eq!(invalid["name"], "\u{fffd}\u{fffd}");
        // The query never reaches the output; bytes a path may not hold are
        // percent-encoded.
        assert_eq!(invalid["first_seen"]["path"], "/path%7Cwith%22odd");
        let newline = cookies.iter().find(|c| c["name"] == "new\nline").unwrap();
        assert_eq!(newline["stripped"], 1);
    }

    #[test]
    fn markdown_keeps_one_row_per_name_and_nine_cells_per_row() {
        let snapshot = hostile_inventory().snapshot();
        let table = snapshot.to_markdown();
        let lines: Vec<_> = table.lines().collect();
        assert_eq!(lines.len(), 2 + snapshot.len(), "{table}");
        for line in &lines {
            // Unescaped pipes: a backslash escapes the character after it.
            let mut pipes = 0;
            let mut chars = line.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '|' => pipes += 1,
                    _ => {}
                }
            }
            assert_eq!(pipes, 9, "{line}");
            assert!(!line.contains('\r') && !line.contains('\u{85}'), "{line}");
        }
        assert!(table.contains(r"| new\x0Aline |"), "{table}");
        assert!(table.contains(r"| \xFF\xFE |"), "{table}");
        assert!(table.contains(r"| pi\|pe |"), "{table}");
        assert!(table.contains(r"| \\\| |"), "{table}");
        assert!(
            table.contains(r"| \<script\>alert(1)\</script\> |"),
            "{table}"
        );
        assert!(
            table.contains(&format!("| {}… |", "x".repeat(256))),
            "{table}"
        );
        assert!(table.contains(
            r"| \_ga | 1 | 1 | 2023-11-14T22:13:20Z / | 2023-11-14T22:14:21Z /basket | Google Analytics | Analytics |"
        ), "{table}");
        assert!(table.contains("/path%7Cwith%22odd"), "{table}");
        assert!(!table.contains("secret"));
    }

    #[test]
    fn markdown_reports_the_overflow() {
        let inventory = Inventory::with_capacity(1);
        inventory.record_at(b"a", true, b"/", at(0));
        inventory.record_at(b"b", true, b"/", at(0));
        inventory.record_at(b"c", true, b"/", at(0));
        let table = inventory.to_markdown();
        assert!(
            table.ends_with("\n2 more sightings of names past the capacity of 1 are not listed.\n")
        );
        assert!(inventory
            .suggest_policy()
            .contains("# 2 more sightings of names past the capacity of 1 are not listed.\n"));
    }

    #[test]
    fn the_suggested_policy_parses_and_declares_only_valid_names() {
        let fragment = hostile_inventory().suggest_policy();
        let policy: Policy =
            toml::from_str(&fragment).unwrap_or_else(|e| panic!("{e}\n{fragment}"));
        assert_eq!(
            policy.categories().collect::<Vec<_>>(),
            ["marketing", "statistics"],
            "{fragment}"
        );
        assert_eq!(policy.category_of("_ga"), Some("statistics"));
        assert_eq!(policy.category_of("_fbp"), Some("marketing"));
        // Both Matomo ids make one prefix entry, which also covers the name
        // that is not UTF-8.
        assert_eq!(policy.category_of("_pk_id.9.zzzz"), Some("statistics"));
        let pk = policy.entry_of("_pk_id.1.abcd").unwrap();
        assert_eq!((pk.name(), pk.provider()), ("_pk_id.*", Some("Piwik")));
        assert!(fragment.contains(
            "# seen as \"_pk_id.1.abcd\" (kept 0, stripped 1), \"_pk_id.1.\\xFF\" (kept 0, stripped 1), \"_pk_id.2.ef01\" (kept 1, stripped 0)\n"
        ), "{fragment}");
        // No guess, or a guess the mapping leaves out: comments only.
        assert_eq!(policy.category_of("my_cart"), None);
        assert_eq!(policy.category_of("csrftoken"), None);
        assert_eq!(policy.category_of("XSRF-TOKEN"), None);
        assert!(fragment.contains("\n# \"my_cart\" (kept 1, stripped 0)\n"));
        assert!(
            fragment.contains("\n# \"quote\\\"name\" (kept 1, stripped 0)\n"),
            "{fragment}"
        );
        assert!(
            fragment
                .contains("\n# \"XSRF-TOKEN\" (kept 1, stripped 0): Security in the database\n"),
            "{fragment}"
        );
        // Names a policy cannot hold are listed, escaped, in comments.
        for line in [
            "# \"\\xFF\\xFE\" (kept 1, stripped 0)",
            "# \"new\\x0Aline\" (kept 0, stripped 1)",
            "# \"star*\" (kept 1, stripped 0)",
            "# \"semi;colon\" (kept 0, stripped 1)",
            "# \"del\\x7F\" (kept 1, stripped 0)",
        ] {
            assert!(fragment.lines().any(|l| l == line), "{line} in\n{fragment}");
        }
        assert!(fragment.contains(&format!(
            "# \"{}\"… (kept 1, stripped 0)\n",
            "x".repeat(256)
        )));
        // Every line is a comment, a blank, a table header or a key.
        for line in fragment.lines() {
            assert!(
                line.is_empty()
                    || line.starts_with('#')
                    || line.starts_with("[[categories.")
                    || ["name = ", "provider = ", "purpose = ", "lifetime = "]
                        .iter()
                        .any(|key| line.starts_with(key)),
                "{line}"
            );
        }
    }

    #[test]
    fn the_mapping_decides_the_categories_and_quotes_odd_keys() {
        let inventory = Inventory::new();
        inventory.record_at(b"_ga", true, b"/", at(0));
        inventory.record_at(b"_fbp", true, b"/", at(0));
        inventory.record_at(b"XSRF-TOKEN", true, b"/", at(0));
        let fragment = inventory.suggest_policy_with(|category| match category {
            KnownCategory::Analytics => Some("audience \"measurement\""),
            KnownCategory::Security => Some("necessary"),
            _ => None,
        });
        assert!(
            fragment.contains("[[categories.\"audience \\\"measurement\\\"\"]]\nname = \"_ga\"\n")
        );
        assert!(
            fragment.contains("[[necessary]]\nname = \"XSRF-TOKEN\"\n"),
            "{fragment}"
        );
        let policy: Policy =
            toml::from_str(&fragment).unwrap_or_else(|e| panic!("{e}\n{fragment}"));
        assert_eq!(policy.category_of("_ga"), Some("audience \"measurement\""));
        assert_eq!(policy.category_of("XSRF-TOKEN"), Some("necessary"));
        assert_eq!(policy.category_of("_fbp"), None);
        assert!(
            fragment.contains(
                "\n# \"_fbp\" (kept 1, stripped 0): Marketing in the database (\"Facebook\")\n"
            ),
            "{fragment}"
        );
    }

    #[test]
    fn string_literals_escape_what_json_and_toml_need() {
        let mut out = String::new();
        string_literal(&mut out, "a\"b\\c\n\u{1}\u{7f}é\u{85}");
        assert_eq!(out, r#""a\"b\\c\n\u0001\u007Fé"#.to_owned() + "\u{85}\"");
        let json: String = serde_json::from_str(&out).unwrap();
        let toml: toml::Value = toml::from_str(&format!("k = {out}")).unwrap();
        assert_eq!(json, "a\"b\\c\n\u{1}\u{7f}é\u{85}");
        assert_eq!(toml["k"].as_str(), Some(json.as_str()));
        out.clear();
        toml_key(&mut out, "statistics");
        toml_key(&mut out, "");
        assert_eq!(out, "statistics\"\"");
    }

    #[test]
    fn dates_are_rfc3339() {
        let format = |seconds| {
            let mut out = String::new();
            rfc3339(&mut out, at(seconds));
            out
        };
        assert_eq!(format(0), "1970-01-01T00:00:00Z");
        assert_eq!(format(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(format(4_107_542_399), "2100-02-28T23:59:59Z");
        assert_eq!(format(4_107_542_400), "2100-03-01T00:00:00Z");
    }
}
