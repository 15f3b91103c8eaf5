//! Replays the fuzz corpus on a stable toolchain, without sanitizers.
//!
//! The fuzz targets in `fuzz/` are one-line wrappers around the bodies in
//! `tests/common/oracles.rs`, so running those bodies here on every
//! committed seed (`fuzz/seeds/<target>/`, regression inputs included) and
//! on whatever a local fuzzing run left (`fuzz/corpus/<target>/`,
//! `fuzz/artifacts/<target>/`) checks the same invariants with `cargo test`.

use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

#[path = "common/oracles.rs"]
mod oracles;

use oracles::{
    fuzz_consent_value, fuzz_service, fuzz_set_cookie, FuzzServiceOutcome, FUZZ_LINE_SEPARATOR,
};

const TARGETS: [&str; 3] = ["consent_value", "set_cookie", "service"];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Every input of `target`: committed seeds first, then local leftovers.
fn inputs(target: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for kind in ["seeds", "corpus", "artifacts"] {
        let Ok(entries) = fs::read_dir(fuzz_dir().join(kind).join(target)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .map(|e| e.expect("readable corpus directory").path())
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        files.extend(paths);
    }
    files
}

fn seed_count(target: &str) -> usize {
    fs::read_dir(fuzz_dir().join("seeds").join(target))
        .map(|entries| entries.count())
        .unwrap_or(0)
}

/// Runs `body` on every input of `target` and names every input that
/// panicked (the panic message itself is printed by the panic hook).
fn replay(target: &str, mut body: impl FnMut(&[u8])) -> usize {
    let mut failed = Vec::new();
    let mut replayed = 0;
    for path in inputs(target) {
        let data = match fs::read(&path) {
            Ok(data) => data,
            // A fuzzing run in progress replaces corpus files as it shrinks
            // them.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        replayed += 1;
        if panic::catch_unwind(AssertUnwindSafe(|| body(&data))).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{target}: invariant broken by {failed:#?}"
    );
    replayed
}

#[test]
fn every_target_has_seeds_and_a_fuzz_binary() {
    let manifest = fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("fuzz/Cargo.toml");
    let mut bins: Vec<&str> = manifest
        .lines()
        .filter_map(|line| line.strip_prefix("name = \""))
        .filter_map(|rest| rest.strip_suffix('"'))
        .filter(|name| *name != "tower-cookie-consent-fuzz")
        .collect();
    bins.sort_unstable();
    let mut targets = TARGETS.to_vec();
    targets.sort_unstable();
    assert_eq!(
        bins, targets,
        "fuzz/Cargo.toml and this test list other targets"
    );

    let mut seed_dirs: Vec<String> = fs::read_dir(fuzz_dir().join("seeds"))
        .expect("fuzz/seeds")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    seed_dirs.sort_unstable();
    assert_eq!(
        seed_dirs, targets,
        "a seed directory without a target, or the reverse"
    );
    for target in TARGETS {
        assert!(seed_count(target) >= 20, "{target} has too few seeds");
    }
}

#[test]
fn consent_value_corpus_keeps_its_invariants() {
    let replayed = replay("consent_value", fuzz_consent_value);
    assert!(replayed >= seed_count("consent_value"));
}

#[test]
fn set_cookie_corpus_keeps_its_invariants() {
    let replayed = replay("set_cookie", fuzz_set_cookie);
    // One seed per Chromium conformance header.
    assert!(replayed >= 130, "only {replayed} set_cookie inputs");
}

#[test]
fn service_corpus_keeps_its_invariants_and_reaches_both_outcomes() {
    let mut total = FuzzServiceOutcome::default();
    replay("service", |data| {
        let outcome = fuzz_service(data);
        total.lines += outcome.lines;
        total.kept += outcome.kept;
        total.unchecked += outcome.unchecked;
        total.purged += outcome.purged;
        total.hidden += outcome.hidden;
    });
    assert!(
        total.lines >= 250,
        "the service seeds carry only {} lines",
        total.lines
    );
    assert!(total.kept > 0 && total.kept < total.lines, "{total:?}");
    // The seeds reach request-side hiding and purge too.
    assert!(total.purged > 0 && total.hidden > 0, "{total:?}");
    // Without an unchecked constructor, refused bytes never become headers.
    assert_eq!(total.unchecked, 0);
}

/// The input layout the seeds rely on: flags, `Cookie`, then lines.
fn service_input(flags: u8, cookie: &[u8], lines: &[&[u8]]) -> Vec<u8> {
    let mut input = vec![flags];
    input.extend_from_slice(cookie);
    for line in lines {
        input.push(FUZZ_LINE_SEPARATOR);
        input.extend_from_slice(line);
    }
    input
}

#[test]
fn service_input_layout_picks_policy_and_consent() {
    let lines: [&[u8]; 4] = [b"sessionid=1", b"_hjid=2", b"_pk_id.1=3", b"_ga=4"];
    // Seed policy (flags 0): statistics granted, so `_pk_id.1` and the
    // necessary `sessionid` pass; `_hjid` (marketing) and `_ga` (unknown)
    // do not.
    let seed = fuzz_service(&service_input(0, b"cookies_preferences=statistics", &lines));
    assert_eq!(
        seed,
        FuzzServiceOutcome {
            lines: 4,
            kept: 2,
            unchecked: 0,
            purged: 0,
            hidden: 0,
        }
    );
    // Opendatasoft preset (flags 1): `ga` granted keeps `_ga` only, besides
    // `sessionid`.
    let ods = fuzz_service(&service_input(1, b"cookies_preferences=ga", &lines));
    assert_eq!(ods.kept, 2);
    // Third policy (flags 2) allows unknown cookies: `sessionid` is unknown
    // there, `_pk_id.1` is statistics (not granted), `_hjid` unknown, `_ga`
    // statistics.
    let allow = fuzz_service(&service_input(2, b"", &lines));
    assert_eq!(allow.kept, 2);
    // Split `Cookie` headers (flag 0x10) read the same consent; the two
    // unknown cookies are hidden from the application.
    let split = fuzz_service(&service_input(
        0x10,
        b"a=1; cookies_preferences=statistics; b=2",
        &lines,
    ));
    assert_eq!((split.lines, split.kept, split.hidden), (4, 2, 2));
    // A carried `_hjid` (marketing, not granted) is hidden and purged:
    // host-only and under the registrable domain of `www.example.com`
    // (flags 0x08: an `https://` URI).
    let purge = fuzz_service(&service_input(
        0x08,
        b"_hjid=1; cookies_preferences=statistics; _pk_id.1=2",
        &lines,
    ));
    // The response's own `_hjid=2` is stripped, so it sets nothing: the
    // name is still purged.
    assert_eq!((purge.kept, purge.purged, purge.hidden), (2, 2, 1));
    let purge = fuzz_service(&service_input(
        0x08,
        b"_hjid=1; cookies_preferences=statistics; _pk_id.1=2",
        &[b"sessionid=1"],
    ));
    assert_eq!((purge.kept, purge.purged, purge.hidden), (1, 2, 1));
    // `Sec-GPC: 1` (flag 0x40) withdraws `marketing` in the third policy;
    // the host is unknown (a path-only URI): host-only deletion only.
    let gpc = fuzz_service(&service_input(
        0x42,
        b"__Host-consent=all; _fbp=1",
        &[b"_fbp=2"],
    ));
    assert_eq!((gpc.kept, gpc.purged, gpc.hidden), (0, 1, 1));
}

#[test]
fn service_input_without_unchecked_constructor_drops_refused_bytes() {
    let input = service_input(
        0x20,
        b"cookies_preferences=all",
        &[
            b"sessionid=1\r\nSet-Cookie: _hjid=2",
            b"_hjid=3\x00",
            b"csrftoken=5",
        ],
    );
    assert_eq!(
        fuzz_service(&input),
        FuzzServiceOutcome {
            lines: 1,
            kept: 1,
            unchecked: 0,
            purged: 0,
            hidden: 0,
        }
    );
}
