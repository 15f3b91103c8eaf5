#!/usr/bin/env bash
# Instructions per request for every scenario and row, counted by callgrind.
#
#     scripts/instructions.sh [SCENARIO...]
#     ROWS="floor layer lookup" scripts/instructions.sh P10 P10000 K10 K10000
#     scripts/instructions.sh --json        # benches/json.rs, per consent value
#
# Scenarios are S1 to S6, U1 (S5 with two undeclared names in the
# inventory), L1 to L256 (S5 with 1 to 256 Set-Cookie lines), B (the big
# page: 4 KB Cookie, 64 Set-Cookie), F:<format> (S5 in each banner's
# format), and the policy-size rows P<size> and K<size>
# (10, 100, 1000 or 10000 policy names, without and with the known-cookie
# database), for which the hand-written row does not apply. ROWS picks the
# rows; `lookup` counts only the policy's lookups of the response's names.
#
# Runs benches/instructions.rs under valgrind twice per row (LOW and HIGH
# requests) and prints (total(HIGH) - total(LOW)) / (HIGH - LOW): start-up
# and set-up cancel out, and the count is the same on a busy or a quiet
# machine. Installs valgrind when missing (Debian).
set -euo pipefail
cd "$(dirname "$0")/.."

LOW=${LOW:-1000}
HIGH=${HIGH:-3000}

. scripts/lib.sh
need_tool valgrind

bench=instructions
if [ "${1:-}" = --json ]; then
    bench=json
fi
bin=$(bench_executable "$bench")

total() {
    local out
    out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" "$@" >/dev/null 2>&1
    awk '/^summary:/ { print $2 }' "$out"
    rm -f "$out"
}

if [ "$bench" = json ]; then
    printf '| value | crate | serde_json |\n|---|---:|---:|\n'
    for value in object array nested_orestbida escaped_key truncated; do
        row_line="| $value"
        for side in crate serde_json; do
            low=$(total "$value" "$side" "$LOW")
            high=$(total "$value" "$side" "$HIGH")
            row_line+=" | $(( (high - low) / (HIGH - LOW) ))"
        done
        echo "$row_line |"
    done
    exit 0
fi

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(S1 S2 S3 S4 S5 S6)
read -r -a rows <<<"${ROWS:-passthrough floor layer handwritten}"
printf '| scenario |'
printf ' %s |' "${rows[@]}"
printf '\n|---|'
printf -- '---:|%.0s' "${rows[@]}"
printf '\n'
for scenario in "${scenarios[@]}"; do
    row_line="| $scenario"
    for row in "${rows[@]}"; do
        low=$(total "$scenario" "$row" "$LOW")
        high=$(total "$scenario" "$row" "$HIGH")
        row_line+=" | $(( (high - low) / (HIGH - LOW) ))"
    done
    echo "$row_line |"
done
