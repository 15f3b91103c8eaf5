#!/usr/bin/env bash
# Where the layer's instructions go, per request, scenario by scenario:
#
#     scripts/profile.sh                 # S1 S3 S4 S5 B
#     scripts/profile.sh S1 L64
#
# Runs benches/instructions.rs under callgrind (only the measured loop is
# counted), for the floor row and the layer row, and splits the layer's
# instructions over the floor into the pipeline's stages by their
# inclusive cost: the request scan (cookie pairs, name lookups, consent,
# the request's host), the hiding rewrite, judging the Set-Cookie lines
# (names, lookups, deletion checks, control characters), the rebuild and
# purge, and the rest (Sec-GPC, the Consent extension's policy clone,
# moving the enforcer into the response future). Name lookups and the
# deletion check are shown again across stages. Installs valgrind when
# missing (Debian).
set -euo pipefail
cd "$(dirname "$0")/.."

CALLS=${CALLS:-1000}
. scripts/lib.sh
need_tool valgrind
bin=$(bench_executable instructions)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(S1 S3 S4 S5 B)
for scenario in "${scenarios[@]}"; do
    for row in floor layer; do
        valgrind --tool=callgrind --toggle-collect='*Repeat*run*' \
            --callgrind-out-file="$work/$scenario-$row.cg" "$bin" "$scenario" "$row" "$CALLS" >/dev/null 2>&1
        callgrind_annotate --inclusive=yes --auto=no --threshold=100 "$work/$scenario-$row.cg" \
            >"$work/$scenario-$row.txt" 2>/dev/null
    done
    python3 - "$work/$scenario-floor.txt" "$work/$scenario-layer.txt" "$scenario" "$CALLS" <<'PY'
import re, sys
floor_file, layer_file, scenario, calls = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def inclusive(path):
    costs, total = {}, 0
    for line in open(path):
        m = re.match(r"\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)", line)
        if not m:
            continue
        value = int(m.group(1).replace(",", ""))
        if "PROGRAM TOTALS" in line:
            total = value
            continue
        name = re.sub(r" \[.*\]$", "", m.group(2)).split(":", 1)[-1]
        # Inlined code is listed once per source file: the largest entry
        # is the function's own total.
        costs[name] = max(costs.get(name, 0), value)
    return costs, total
_, floor_total = inclusive(floor_file)
layer, layer_total = inclusive(layer_file)
def cost(fragment):
    return sum(v for k, v in layer.items() if k.endswith(fragment)) / calls
over = (layer_total - floor_total) / calls
stages = [
    # The request scan (pairs, name lookups, consent) and the request
    # context are inlined into the enforcer's construction; `Sec-GPC` is
    # looked up out of line and counted with the rest.
    ("request scan: pairs, name lookups, consent, host",
     cost("layer::CookieConsentLayer::enforcer") - cost("request::gpc::gpc_signal")),
    ("hiding rewrite of the Cookie header", cost("enforcer::Enforcer::hide_request_cookies")),
    ("judging the Set-Cookie lines", cost("response::decide::Judge::judge_all")),
    # Inlined into the response filter: what it costs besides judging.
    ("rebuild of the Set-Cookie values, purge",
     cost("enforcer::Enforcer::filter_response") - cost("response::decide::Judge::judge_all")),
]
rest = over - sum(v for _, v in stages)
stages.append(("the rest: Sec-GPC, the Consent extension, policy clones, moves", rest))
print(f"\n{scenario}: {over:.0f} instructions per request over the floor\n")
print("| stage | instructions | share |\n|---|---:|---:|")
for name, value in sorted(stages, key=lambda s: -s[1]):
    print(f"| {name} | {value:.0f} | {100 * value / over:.0f} % |")
print(f"| *across stages:* name lookups | {cost('policy::matcher::Matcher::classify'):.0f} | {100 * cost('policy::matcher::Matcher::classify') / over:.0f} % |")
print(f"| *across stages:* deletion checks of stripped lines | {cost('set_cookie::is_deletion'):.0f} | {100 * cost('set_cookie::is_deletion') / over:.0f} % |")
PY
done
