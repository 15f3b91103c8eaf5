#!/usr/bin/env bash
# End-to-end cost of the layer: runs examples/hyper.rs twice on 127.0.0.1,
# with the layer and without it (--passthrough), drives each with wrk in
# alternating rounds, and prints requests/s and p99 latency side by side.
#
# Usage:
#   scripts/loadtest.sh               wrk comparison
#   scripts/loadtest.sh --check       correctness load test in release first
#                                     (LOAD_REQUESTS, default 50000), then wrk
#   scripts/loadtest.sh --check-only  the correctness load test alone
#
# Environment (defaults in brackets):
#   WRK_THREADS [2]  WRK_CONNECTIONS [64]  WRK_DURATION [10s]  WRK_WARMUP [2s]
#   ROUNDS [3]  PORT_ON [3101]  PORT_OFF [3102]  LOAD_REQUESTS [50000]
#   COOKIE ['lang=en; cookies_preferences=statistics; sessionid=abc']
#   LOADTEST_CHECK=1 (same as --check)
#   PIN_CPUS=1: server on CPU 0, wrk on CPU 1 (taskset), so they do not
#   compete for the same core.
#
# wrk is installed with apt-get when missing (needs root or sudo).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-64}
WRK_DURATION=${WRK_DURATION:-10s}
WRK_WARMUP=${WRK_WARMUP:-2s}
ROUNDS=${ROUNDS:-3}
PORT_ON=${PORT_ON:-3101}
PORT_OFF=${PORT_OFF:-3102}
LOAD_REQUESTS=${LOAD_REQUESTS:-50000}
COOKIE=${COOKIE:-lang=en; cookies_preferences=statistics; sessionid=abc}
PIN_CPUS=${PIN_CPUS:-0}
CHECK=${LOADTEST_CHECK:-0}
WRK_RUN=1

for arg in "$@"; do
    case "$arg" in
        --check) CHECK=1 ;;
        --check-only) CHECK=1 WRK_RUN=0 ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "unknown argument: $arg (try --help)" >&2
            exit 2
            ;;
    esac
done

if [[ "$CHECK" == 1 ]]; then
    echo "== correctness: $LOAD_REQUESTS requests over 64 connections, release build"
    LOAD_REQUESTS="$LOAD_REQUESTS" cargo test --release --test load -- --nocapture
fi
[[ "$WRK_RUN" == 1 ]] || exit 0

. scripts/lib.sh
need_tool wrk

cargo build --release --example hyper
BIN="${CARGO_TARGET_DIR:-target}/release/examples/hyper"

SERVER_CPU=()
WRK_CPU=()
if [[ "$PIN_CPUS" == 1 ]]; then
    SERVER_CPU=(taskset -c 0)
    WRK_CPU=(taskset -c 1)
fi

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start MODE PORT [ARGS...]: starts the example and waits (at most 10 s)
# until it says it listens and the port accepts connections.
start() {
    local mode=$1 port=$2
    shift 2
    PORT="$port" "${SERVER_CPU[@]}" "$BIN" "$@" >"$WORK/$mode.log" 2>&1 &
    PIDS+=("$!")
    local pid=$!
    for _ in $(seq 100); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "the $mode server exited:" >&2
            cat "$WORK/$mode.log" >&2
            exit 1
        fi
        if grep -q "^listening on http://127.0.0.1:$port (layer: $mode)" "$WORK/$mode.log" &&
            (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "the $mode server did not listen on 127.0.0.1:$port within 10 s:" >&2
    cat "$WORK/$mode.log" >&2
    exit 1
}

# set_cookies PORT: the number of Set-Cookie lines one request with $COOKIE gets.
set_cookies() {
    timeout 5 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$1"
        printf "GET / HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nCookie: %s\r\nConnection: close\r\n\r\n" "$1" "$2" >&3
        cat <&3' _ "$1" "$COOKIE" | tr -d '\r' | grep -ci '^set-cookie:' || true
}

start off "$PORT_OFF" --passthrough
start on "$PORT_ON"

# Make sure the two servers differ in the layer, and only there.
ON_COOKIES=$(set_cookies "$PORT_ON")
OFF_COOKIES=$(set_cookies "$PORT_OFF")
echo "Set-Cookie lines per response with '$COOKIE': layer on $ON_COOKIES, off $OFF_COOKIES"
if ! ((ON_COOKIES > 0 && ON_COOKIES < OFF_COOKIES)); then
    echo "the layer does not seem to filter: check examples/hyper.rs" >&2
    exit 1
fi

# run MODE PORT DURATION: one wrk run; prints "requests/s p99_ms errors".
run() {
    local mode=$1 port=$2 duration=$3 out
    out="$WORK/wrk-$mode.txt"
    "${WRK_CPU[@]}" wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$duration" --latency \
        -H "Cookie: $COOKIE" "http://127.0.0.1:$port/" >"$out"
    awk '
        /^Requests\/sec:/ { rps = $2 }
        $1 == "99%" {
            v = $2
            if (v ~ /us$/) { sub(/us$/, "", v); p99 = v / 1000 }
            else if (v ~ /ms$/) { sub(/ms$/, "", v); p99 = v }
            else if (v ~ /s$/) { sub(/s$/, "", v); p99 = v * 1000 }
        }
        /Socket errors:/ { gsub(/[^0-9 ]/, " "); errors += $1 + $2 + $3 + $4 }
        /Non-2xx or 3xx responses:/ { errors += $NF }
        END {
            if (rps == "" || p99 == "") exit 1
            printf "%s %.3f %d\n", rps, p99, errors
        }' "$out" || {
        echo "could not read the wrk output:" >&2
        cat "$out" >&2
        exit 1
    }
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
echo "warm-up: $WRK_WARMUP each"
run off "$PORT_OFF" "$WRK_WARMUP" >/dev/null
run on "$PORT_ON" "$WRK_WARMUP" >/dev/null

: >"$WORK/results"
for round in $(seq "$ROUNDS"); do
    read -r off_rps off_p99 off_err < <(run off "$PORT_OFF" "$WRK_DURATION")
    read -r on_rps on_p99 on_err < <(run on "$PORT_ON" "$WRK_DURATION")
    echo "round $round: off $off_rps req/s p99 ${off_p99} ms; on $on_rps req/s p99 ${on_p99} ms" >&2
    echo "$round $off_rps $on_rps $off_p99 $on_p99 $off_err $on_err" >>"$WORK/results"
done

echo
echo "wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION --latency -H 'Cookie: $COOKIE'," \
    "$ROUNDS rounds alternating off/on"
echo "$(nproc) CPUs ($CPU_MODEL); load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
awk '
    BEGIN {
        print "| run | req/s without layer | req/s with layer | p99 without (ms) | p99 with (ms) | errors without / with |"
        print "|---|---:|---:|---:|---:|---:|"
    }
    {
        printf "| %d | %.0f | %.0f | %.2f | %.2f | %d / %d |\n", $1, $2, $3, $4, $5, $6, $7
        n++; off += $2; on += $3; off99 += $4; on99 += $5; eoff += $6; eon += $7
    }
    END {
        printf "| mean | %.0f | %.0f | %.2f | %.2f | %d / %d |\n", off / n, on / n, off99 / n, on99 / n, eoff, eon
        printf "\nWith the layer: requests/s %+.1f %%, p99 latency %+.1f %% (mean of %d runs each).\n",
            (on - off) / off * 100, (on99 - off99) / off99 * 100, n
    }' "$WORK/results"
