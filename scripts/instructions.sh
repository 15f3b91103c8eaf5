#!/usr/bin/env bash
# Instructions per request for every scenario and row, counted by callgrind.
#
#     scripts/instructions.sh [SCENARIO...]
#
# Runs benches/instructions.rs under valgrind twice per row (LOW and HIGH
# requests) and prints (total(HIGH) - total(LOW)) / (HIGH - LOW): start-up
# and set-up cancel out, and the count is the same on a busy or a quiet
# machine. Installs valgrind when missing (Debian).
set -euo pipefail
cd "$(dirname "$0")/.."

LOW=${LOW:-1000}
HIGH=${HIGH:-3000}

if ! command -v valgrind >/dev/null; then
    echo "installing valgrind" >&2
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq valgrind >/dev/null
fi

bin=$(cargo bench --bench instructions --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "instructions" and m.get("executable"):
        print(m["executable"])')

total() {
    local out
    out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" "$@" >/dev/null 2>&1
    awk '/^summary:/ { print $2 }' "$out"
    rm -f "$out"
}

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(S1 S2 S3 S4 S5 S6)
printf '| scenario | passthrough | floor | layer | handwritten |\n|---|---:|---:|---:|---:|\n'
for scenario in "${scenarios[@]}"; do
    row_line="| $scenario"
    for row in passthrough floor layer handwritten; do
        low=$(total "$scenario" "$row" "$LOW")
        high=$(total "$scenario" "$row" "$HIGH")
        row_line+=" | $(( (high - low) / (HIGH - LOW) ))"
    done
    echo "$row_line |"
done
