//! Instructions per request, counted by callgrind: a measure that does not
//! move with the machine's load, for comparing changes to the hot path.
//!
//! ```text
//! scripts/instructions.sh            # every scenario and row
//! ROWS="floor layer lookup" scripts/instructions.sh P10 P10000 K10 K10000
//! ```
//!
//! `L<lines>` is the steady state with 1 to 256 `Set-Cookie` lines, `B`
//! the big page (4 KB `Cookie`, 64 lines). `P<size>` and `K<size>` are the policy-size rows without and with the
//! known-cookie database (`support::policy_size_scenarios`). The row
//! `lookup` counts only `Policy::category_of` on each `Set-Cookie` name of
//! the scenario's response, without the layer.
//!
//! The script runs this binary under `valgrind --tool=callgrind` twice per
//! row, with two request counts, and divides the difference of the totals
//! by the difference of the counts, so set-up and start-up cancel out.
//! Invoked by `cargo bench` without arguments, it only checks that every
//! scenario runs.

mod support;

use std::convert::Infallible;
use std::hint::black_box;

use http::{Request, Response};
use tower::Service;

use support::{Row, WithService};

struct Repeat<'a> {
    request: &'a Request<()>,
    calls: usize,
}

impl WithService for Repeat<'_> {
    type Output = usize;

    fn run<S>(self, mut svc: S) -> usize
    where
        S: Service<Request<()>, Response = Response<()>, Error = Infallible>,
    {
        let mut kept = 0;
        for _ in 0..self.calls {
            let res = support::drive(&mut svc, black_box(self.request).clone());
            kept += res
                .headers()
                .get_all(http::header::SET_COOKIE)
                .iter()
                .count();
        }
        kept
    }
}

fn main() {
    // `cargo bench` passes `--bench` (and maybe a filter); the script passes
    // `<scenario> <row> <calls>`.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    let scenarios = support::scenarios();
    // `F:<format>`: the typical page in the steady state (S5) with that
    // banner's consent cookie, granting statistics only. The hand-written
    // baseline reads only the crate's own format, so only the layer rows
    // apply to them.
    let typical = support::scenarios().swap_remove(0);
    // The scenarios beyond S1 to S6 and B: the formats, U1 and the line counts.
    let mut more = Vec::new();
    for case in support::formats::format_cases() {
        more.push(support::Scenario {
            name: Box::leak(format!("F:{}", case.format.name()).into_boxed_str()),
            policy: case.policy,
            request: support::request(Some(&case.cookie_header)),
            response: typical.response.clone(),
            kept: typical.kept,
            purged: typical.purged,
        });
    }
    // `U1`: the steady state (S5) plus two `Set-Cookie` names the policy
    // does not declare, stripped: after the first call they are in the
    // inventory, so every counted call takes its steady-state path.
    let mut undeclared = support::TYPICAL_SET_COOKIES.to_vec();
    undeclared.insert(1, "my_cart=3; Path=/");
    undeclared.push("_ga=GA1.1.1; Path=/; Max-Age=63072000");
    more.push(support::Scenario {
        name: "U1",
        policy: support::typical_policy(),
        request: support::request(Some(&support::typical_cookie_header("statistics"))),
        response: support::response(&undeclared),
        kept: 3,
        purged: 0,
    });
    // `L<n>`: the steady state (S5's policy and request) with `n`
    // `Set-Cookie` lines cycling through the typical six (half of them
    // stripped), for the cost per line.
    for lines in [1, 4, 16, 64, 256] {
        let kept = (0..lines).filter(|i| i % 6 < 3).count();
        more.push(support::Scenario {
            name: Box::leak(format!("L{lines}").into_boxed_str()),
            policy: support::typical_policy(),
            request: support::request(Some(&support::typical_cookie_header("statistics"))),
            response: support::response(&support::set_cookie_lines(lines)),
            kept,
            purged: 0,
        });
    }
    let sizes = support::policy_size_scenarios();
    let [scenario, row, calls] = args.as_slice() else {
        for scenario in &scenarios {
            scenario.check();
        }
        for scenario in more.iter().chain(&sizes) {
            let kept = support::with_row(
                Row::Layer,
                &scenario.policy,
                &scenario.response,
                support::Once(scenario.request.clone()),
            );
            assert_eq!(kept.len(), scenario.kept, "{}: {kept:?}", scenario.name);
        }
        println!("instructions: run scripts/instructions.sh to count instructions per request");
        return;
    };
    let scenario = scenarios
        .iter()
        .chain(&more)
        .chain(&sizes)
        .find(|s| s.name == scenario)
        .unwrap_or_else(|| panic!("no scenario {scenario}"));
    let calls: usize = calls.parse().expect("a number of calls");
    if row == "lookup" {
        let names: Vec<String> = support::set_cookies(&scenario.response)
            .iter()
            .map(|line| line.split('=').next().unwrap_or_default().to_owned())
            .collect();
        let mut found = 0;
        for _ in 0..calls {
            for name in &names {
                found += usize::from(
                    black_box(&scenario.policy)
                        .category_of(black_box(name))
                        .is_some(),
                );
            }
        }
        assert!(found <= calls * names.len());
        return;
    }
    let row = Row::ALL
        .into_iter()
        .find(|r| r.name() == row)
        .unwrap_or_else(|| panic!("no row {row}"));
    let run = Repeat {
        request: &scenario.request,
        calls,
    };
    // Every call must do the scenario's work: the consent rows keep what
    // the scenario says, the identity rows keep every line.
    let per_call = match row {
        Row::Layer => scenario.kept + scenario.purged,
        Row::Handwritten => scenario.kept,
        Row::Passthrough | Row::Floor => support::set_cookies(&scenario.response).len(),
    };
    let kept = support::with_row(row, &scenario.policy, &scenario.response, run);
    assert_eq!(kept, calls * per_call, "{} {}", scenario.name, row.name());
}
