//! Heap allocations per request for every row of `benches/layer.rs`,
//! counted with a counting global allocator.
//!
//! ```text
//! cargo bench --bench allocations
//! ```
//!
//! Prints a table and writes `target/bench-allocations.json` (keyed by the
//! criterion benchmark ids), which `scripts/bench-table.py` merges into its
//! tables. Only the call through the service is counted: the request is
//! cloned and the application's response prepared beforehand, so a
//! passthrough layer costs 0 allocations.

mod support;

use std::fmt::Write as _;
use std::path::PathBuf;

use http::{Request, Response};
use tower_cookie_consent::Policy;

use support::counting::Counting;
use support::Row;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn measure(row: Row, policy: &Policy, request: &Request<()>, template: &Response<()>) -> u64 {
    support::call_allocations(row, policy, request, template).count
}

fn main() {
    let mut results: Vec<(String, u64)> = Vec::new();
    let mut add = |id: String, count: u64| results.push((id, count));

    for scenario in support::scenarios() {
        scenario.check();
        for row in Row::ALL {
            let count = measure(row, &scenario.policy, &scenario.request, &scenario.response);
            add(format!("scenario/{}/{}", scenario.name, row.name()), count);
        }
    }

    let policy = support::seed_policy();
    let request = support::request(Some(&support::typical_cookie_header("statistics")));
    for count in [1, 4, 16, 64, 256] {
        let response = support::response(&support::set_cookie_lines(count));
        for row in Row::ALL {
            let n = measure(row, &policy, &request, &response);
            add(format!("set_cookie_count/{}/{count}", row.name()), n);
        }
    }

    let response = support::response(&support::TYPICAL_SET_COOKIES);
    for bytes in [100, 1024, 4096, 8192] {
        let request = support::request(Some(&support::cookie_header_of_size(bytes)));
        for row in Row::ALL {
            let n = measure(row, &policy, &request, &response);
            add(format!("cookie_bytes/{}/{bytes}", row.name()), n);
        }
    }

    let response = support::policy_size_response();
    for size in [10, 100, 1_000, 10_000] {
        let policy = support::policy_of_size(size);
        for row in [Row::Passthrough, Row::Floor, Row::Layer] {
            let n = measure(row, &policy, &request, &response);
            add(format!("policy_size/{}/{size}", row.name()), n);
        }
    }

    let response = support::known_cookies_response();
    for size in [10, 100, 1_000, 10_000] {
        let policy = support::known_policy_of_size(size);
        for row in [Row::Passthrough, Row::Floor, Row::Layer] {
            let n = measure(row, &policy, &request, &response);
            add(format!("policy_size_known/{}/{size}", row.name()), n);
        }
    }

    let mut table = String::from("| benchmark | allocations per request |\n|---|---:|\n");
    let mut json = String::from("{\n");
    for (index, (id, count)) in results.iter().enumerate() {
        let _ = writeln!(table, "| {id} | {count} |");
        let comma = if index + 1 < results.len() { "," } else { "" };
        let _ = writeln!(json, "  \"{id}\": {count}{comma}");
    }
    json.push_str("}\n");
    print!("{table}");

    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let path = target.join("bench-allocations.json");
    match std::fs::write(&path, json) {
        Ok(()) => println!("\nwritten to {}", path.display()),
        Err(err) => eprintln!("could not write {}: {err}", path.display()),
    }
}
