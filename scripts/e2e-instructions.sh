#!/usr/bin/env bash
# Server-side instructions per request, end to end: examples/hyper.rs under
# callgrind, with the layer and without it (--passthrough), driven by wrk
# over real TCP on 127.0.0.1.
#
#     scripts/e2e-instructions.sh            # prints a table
#     COOKIE='...' scripts/e2e-instructions.sh
#     TOP=30 scripts/e2e-instructions.sh     # and the 30 functions that
#                                            # differ most per request
#
# Each mode runs twice (SHORT and LONG seconds of wrk); the difference of
# the instruction totals divided by the difference of the request counts
# cancels start-up. Every thread of the server is counted (user space;
# callgrind does not see the kernel). Unlike wrk's requests/s, these
# counts do not move with the machine's load. Installs valgrind and wrk
# with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SHORT=${SHORT:-4}
LONG=${LONG:-8}
COOKIE=${COOKIE:-lang=en; cookies_preferences=statistics; sessionid=abc}
TOP=${TOP:-0}

. scripts/lib.sh
need_tool valgrind wrk

cargo build --release --example hyper >&2
BIN="${CARGO_TARGET_DIR:-target}/release/examples/hyper"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# measure MODE SECONDS: runs the server under callgrind, wrk against it,
# then dumps the counts; prints "requests instructions" and leaves the
# profile in $WORK/MODE-SECONDS.cg.
measure() {
    local mode=$1 seconds=$2 port=$((3400 + RANDOM % 400)) args=() pid
    [ "$mode" = off ] && args=(--passthrough)
    PORT=$port valgrind --tool=callgrind --callgrind-out-file="$WORK/$mode-$seconds.out" \
        "$BIN" "${args[@]}" >"$WORK/$mode-$seconds.log" 2>&1 &
    pid=$!
    for _ in $(seq 300); do
        grep -q '^listening' "$WORK/$mode-$seconds.log" && break
        sleep 0.2
    done
    wrk -t1 -c4 -d"${seconds}s" -H "Cookie: $COOKIE" "http://127.0.0.1:$port/" >"$WORK/$mode-$seconds.wrk"
    callgrind_control -d "$pid" >/dev/null
    sleep 1
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
    cat "$WORK/$mode-$seconds".out.* >"$WORK/$mode-$seconds.cg"
    local requests instructions
    requests=$(awk '/requests in/ { print $1 }' "$WORK/$mode-$seconds.wrk")
    instructions=$(awk '/^summary:/ { sum += $2 } END { print sum }' "$WORK/$mode-$seconds.cg")
    echo "$requests $instructions"
}

printf '| mode | requests (short, long) | instructions per request |\n|---|---:|---:|\n'
declare -A per_request
for mode in off on; do
    read -r r1 i1 < <(measure "$mode" "$SHORT")
    read -r r2 i2 < <(measure "$mode" "$LONG")
    per_request[$mode]=$(((i2 - i1) / (r2 - r1)))
    echo "| $mode | $r1, $r2 | ${per_request[$mode]} |"
done
echo "| layer (on − off) | | $((per_request[on] - per_request[off])) |"

if [ "$TOP" -gt 0 ]; then
    python3 - "$WORK" "$SHORT" "$LONG" "$TOP" <<'PY'
import collections, re, subprocess, sys
work, short, long_, top = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def requests(mode, seconds):
    text = open(f"{work}/{mode}-{seconds}.wrk").read()
    return int(re.search(r"(\d+) requests in", text).group(1))
def functions(mode, seconds):
    out = subprocess.run(["callgrind_annotate", "--inclusive=no", "--auto=no", "--threshold=100",
                          f"{work}/{mode}-{seconds}.cg"], capture_output=True, text=True).stdout
    counts = collections.Counter()
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)", line)
        if m and "PROGRAM TOTALS" not in line:
            name = re.sub(r" \[.*\]$", "", m.group(2)).split(":", 1)[-1]
            counts[name] += int(m.group(1).replace(",", ""))
    return counts
per = {}
for mode in ("on", "off"):
    a, b = functions(mode, short), functions(mode, long_)
    n = requests(mode, long_) - requests(mode, short)
    per[mode] = {k: (b[k] - a[k]) / n for k in set(a) | set(b)}
diff = sorted(((per["on"].get(k, 0) - per["off"].get(k, 0), k) for k in set(per["on"]) | set(per["off"])), reverse=True)
print("\n| instructions per request (on − off) | function |\n|---:|---|")
for value, name in diff[:top]:
    print(f"| {value:.0f} | `{name[:110]}` |")
PY
fi
