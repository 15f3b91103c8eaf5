#!/usr/bin/env python3
"""Generates src/known/table.rs from data/open-cookie-database.csv.

Usage (from anywhere):
    python3 scripts/gen-known-cookies.py           # rewrites the table
    python3 scripts/gen-known-cookies.py --check   # exits 1 if it is stale

The rules (tests/known_table.rs checks the table with the same ones):
- a row whose name a browser could not store (empty, leading or trailing
  SP/HTAB, a control character, `;` or `=`, over 4096 bytes; RFC 6265bis
  section 5.6), whose name contains `*`, or whose category is not one of the
  six is left out;
- the platform, description and retention period lose leading and trailing
  spaces, tabs and line breaks;
- rows with the same (name, prefix flag) become one: the category that needs
  consent most wins (STRICTEST_FIRST), and the first row of that category
  gives the text;
- rows are sorted by name bytes, an exact name before the prefix of the same
  name, so that `KnownCookie::lookup` is a binary search.

Same input, same bytes: nothing depends on dict order, the locale or time.
"""

import argparse
import csv
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CSV_PATH = ROOT / "data" / "open-cookie-database.csv"
OUT_PATH = ROOT / "src" / "known" / "table.rs"
CSV_REL = "data/open-cookie-database.csv"
COMMAND = "python3 scripts/gen-known-cookies.py"

# The categories, the one that needs consent most first. A name listed under
# two categories keeps the stricter one: fail closed.
STRICTEST_FIRST = (
    "Marketing",
    "Analytics",
    "Personalization",
    "Functional",
    "Security",
    "Necessary",
)
# What each category is called in the generated file (short, to keep the
# table readable), in the order of the `KnownCategory` variants.
CATEGORY_ALIAS = {
    "Functional": "F",
    "Personalization": "P",
    "Analytics": "A",
    "Marketing": "M",
    "Security": "S",
    "Necessary": "N",
}

# Must match MAX_NAME_LEN in src/policy/mod.rs.
MAX_NAME_LEN = 4096
TEXT_SPACE = " \t\r\n"
# Row and text indexes are u16 in the table; u16::MAX means "no row".
MAX_INDEX = 0xFFFE

COLUMNS = (
    "Platform",
    "Category",
    "Cookie / Data Key name",
    "Description",
    "Retention period",
    "Wildcard match",
)


def name_problem(name):
    """Why the row's name is left out, or None. Mirrors cookie_name_problem
    in src/policy/mod.rs, plus `*`, which only a prefix pattern may hold."""
    raw = name.encode("utf-8")
    if not raw:
        return "the name is empty"
    if len(raw) > MAX_NAME_LEN:
        return "the name is longer than 4096 bytes"
    if raw != raw.strip(b" \t"):
        return "the name starts or ends with a space or a tab"
    if any(b < 0x20 or b == 0x7F for b in raw):
        return "the name holds a control character"
    if b";" in raw or b"=" in raw:
        return "the name holds `;` or `=`"
    if b"*" in raw:
        return "the name holds `*`"
    return None


def rust_str(text):
    """A Rust string literal, ASCII only, so the file reads the same in any
    editor and a stray invisible character shows."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        else:
            out.append("\\u{%x}" % code)
    out.append('"')
    return "".join(out)


def fail(message):
    sys.exit(f"gen-known-cookies: {message}")


def read_rows(path):
    """The CSV rows as dicts, in file order, with 1-based line numbers of the
    record's first line (a description may span lines)."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            fail(f"{path}: missing columns {missing}")
        rows = []
        line = reader.line_num + 1
        for record in reader:
            rows.append((line, record))
            line = reader.line_num + 1
        return rows


def build(rows):
    """Applies the rules. Returns (entries, skipped, duplicates)."""
    skipped = []  # (line, name, platform, reason)
    groups = {}  # (name, is_prefix) -> [record, ...] in file order
    for line, record in rows:
        name = record["Cookie / Data Key name"]
        platform = record["Platform"].strip(TEXT_SPACE)
        wildcard = record["Wildcard match"]
        if wildcard not in ("0", "1"):
            fail(f"line {line}: `Wildcard match` is {wildcard!r}, not 0 or 1")
        category = record["Category"]
        if category not in STRICTEST_FIRST:
            skipped.append((line, name, platform, f"unknown category {rust_str(category)}"))
            continue
        problem = name_problem(name)
        if problem:
            skipped.append((line, name, platform, problem))
            continue
        entry = {
            "name": name,
            "prefix": wildcard == "1",
            "platform": platform,
            "category": category,
            "description": record["Description"].strip(TEXT_SPACE),
            "retention": record["Retention period"].strip(TEXT_SPACE),
        }
        groups.setdefault((name, entry["prefix"]), []).append(entry)

    entries = []
    duplicates = []  # (name, is_prefix, [(category, platform)], kept entry)
    for key, group in groups.items():
        kept = min(group, key=lambda e: STRICTEST_FIRST.index(e["category"]))
        entries.append(kept)
        if len(group) > 1:
            duplicates.append((key[0], key[1], [(e["category"], e["platform"]) for e in group], kept))

    def order(e):
        return (e["name"].encode("utf-8"), e["prefix"])

    entries.sort(key=order)
    duplicates.sort(key=lambda d: (d[0].encode("utf-8"), d[1]))
    if len(entries) > MAX_INDEX:
        fail(f"{len(entries)} rows do not fit a u16 row id")
    return entries, skipped, duplicates


def shorter_links(entries):
    """For each row, the index of the longest prefix row whose name is a
    proper prefix of the row's name, or None. `KnownCookie::lookup` walks
    these links from the row a binary search lands on."""
    prefixes = [(i, e["name"].encode("utf-8")) for i, e in enumerate(entries) if e["prefix"]]
    links = []
    for e in entries:
        name = e["name"].encode("utf-8")
        best = None  # (length, index)
        for i, p in prefixes:
            if len(p) < len(name) and name.startswith(p) and (best is None or len(p) > best[0]):
                best = (len(p), i)
        links.append(None if best is None else best[1])
    return links


def text_table(values):
    """Unique values, sorted by bytes, and each value's index."""
    unique = sorted(set(values), key=lambda v: v.encode("utf-8"))
    if len(unique) > MAX_INDEX:
        fail(f"{len(unique)} distinct texts do not fit a u16 index")
    return unique, {v: i for i, v in enumerate(unique)}


def texts_item(ident, doc, unique):
    offsets = [0]
    for value in unique:
        offsets.append(offsets[-1] + len(value.encode("utf-8")))
    if offsets[-1] > 0xFFFFFFFF:
        fail(f"{ident} is too long for u32 offsets")
    out = [f"/// {doc}", f"pub(super) static {ident}: Texts = Texts {{", "    text: concat!("]
    out += [f"        {rust_str(v)}," for v in unique]
    out.append("    ),")
    out.append("    offsets: &[")
    for start in range(0, len(offsets), 12):
        out.append("        " + " ".join(f"{o}," for o in offsets[start : start + 12]))
    out.append("    ],")
    out.append("};")
    return out


def render(total, entries, skipped, duplicates):
    links = shorter_links(entries)
    platforms, platform_index = text_table(e["platform"] for e in entries)
    descriptions, description_index = text_table(e["description"] for e in entries)
    retentions, retention_index = text_table(e["retention"] for e in entries)
    collapsed = sum(len(d[2]) - 1 for d in duplicates)

    out = [
        f"// @generated by `{COMMAND}` from {CSV_REL}.",
        "// Do not edit: change the CSV, rerun the command and commit both.",
        f"// `{COMMAND} --check` and `cargo test --test known_table`",
        "// fail while this file is stale.",
        "//",
        "// The Open Cookie Database, jkwakman/Open-Cookie-Database, Apache-2.0",
        "// (data/open-cookie-database.LICENSE; source commit in data/README.md).",
        "//",
        f"// {total} rows read, {len(entries)} embedded, {len(skipped)} left out,"
        f" {collapsed} collapsed into a row of the same name.",
    ]
    if skipped:
        out += ["//", "// Left out (CSV line, name, platform: why):"]
        for line, name, platform, reason in skipped:
            out.append(f"// - line {line}, {rust_str(name)}, {platform}: {reason}")
    if duplicates:
        out += ["//", "// Listed more than once (name: category and platform of each row -> kept):"]
        for name, prefix, seen, kept in duplicates:
            kind = " (prefix)" if prefix else ""
            rows = ", ".join(f"{c} ({p})" for c, p in seen)
            out.append(f"// - {rust_str(name)}{kind}: {rows} -> {kept['category']} ({kept['platform']})")
    out += [
        "",
    ]
    used = sorted({e["category"] for e in entries})
    out.append(
        "use super::KnownCategory::{"
        + ", ".join(f"{c} as {CATEGORY_ALIAS[c]}" for c in used)
        + "};"
    )
    out += [
        "use super::{KnownCookie, Texts, NONE};",
        "",
        "/// Every row's name, in row order; a row holds its name's start and length.",
        "/// A prefix row's name is followed by a `*` that its length leaves out, so",
        "/// that a policy entry made from the row borrows `prefix*` from here.",
        "pub(super) static NAMES: &str = concat!(",
    ]
    out += [f"    {rust_str(e['name'] + ('*' if e['prefix'] else ''))}," for e in entries]
    out.append(");")
    out.append("")
    out += texts_item("PLATFORMS", "Each platform once, sorted.", platforms)
    out.append("")
    out += texts_item("DESCRIPTIONS", "Each description once, sorted.", descriptions)
    out.append("")
    out += texts_item("RETENTIONS", "Each retention period once, sorted.", retentions)
    out += [
        "",
        "/// The number of rows.",
        f"pub(super) const LEN: usize = {len(entries)};",
        "",
        "/// The rows, sorted by name bytes, an exact name before the prefix of the",
        "/// same name: (name start, name length, platform, description, retention,",
        "/// longest shorter prefix row, category, is prefix).",
        "pub(super) static ROWS: [KnownCookie; LEN] = [",
    ]
    start = 0
    for e, link in zip(entries, links):
        length = len(e["name"].encode("utf-8"))
        fields = [
            str(start),
            str(length),
            str(platform_index[e["platform"]]),
            str(description_index[e["description"]]),
            str(retention_index[e["retention"]]),
            "NONE" if link is None else str(link),
            CATEGORY_ALIAS[e["category"]],
            "true" if e["prefix"] else "false",
        ]
        out.append(f"    KnownCookie::row({', '.join(fields)}), // {rust_str(e['name'])}")
        start += length + (1 if e["prefix"] else 0)
    out.append("];")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if the committed table differs from what the CSV gives",
    )
    args = parser.parse_args()

    rows = read_rows(CSV_PATH)
    entries, skipped, duplicates = build(rows)
    text = render(len(rows), entries, skipped, duplicates).encode("utf-8")
    if args.check:
        current = OUT_PATH.read_bytes() if OUT_PATH.exists() else b""
        if current != text:
            print(f"{OUT_PATH.relative_to(ROOT)} is stale: run `{COMMAND}`", file=sys.stderr)
            return 1
        return 0
    OUT_PATH.parent.mkdir(parents=True, exist_ok=True)
    OUT_PATH.write_bytes(text)
    print(
        f"wrote {OUT_PATH.relative_to(ROOT)}: {len(entries)} rows,"
        f" {len(skipped)} left out, {sum(len(d[2]) - 1 for d in duplicates)} collapsed"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
