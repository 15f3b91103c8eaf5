#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for a bounded time each, one
# after the other, and prints executions, speed, corpus size and crashes.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]    (default: 60, all)
#
# Environment: FUZZ_SANITIZER=address|none (default address), FUZZ_MAX_LEN
# (default 16384). Works on a stable toolchain: RUSTC_BOOTSTRAP=1 lets it
# take the -Z flags that cargo fuzz passes. Seeds come from fuzz/seeds/
# (committed); the growing corpus goes to fuzz/corpus/ and crashes to
# fuzz/artifacts/ (both ignored by git). A crash makes the script exit 1
# once every target has run; copy the minimized input into
# fuzz/seeds/<target>/regression-<what> so `cargo test` replays it.
set -euo pipefail

seconds=${1:-60}
shift || true
sanitizer=${FUZZ_SANITIZER:-address}
max_len=${FUZZ_MAX_LEN:-16384}
case $seconds in
'' | *[!0-9]*)
    echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2
    exit 2
    ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

mapfile -t known < <(cargo fuzz list)
if [ $# -gt 0 ]; then
    targets=("$@")
    # An unknown name would otherwise leave empty seed, corpus and artifact
    # folders behind, which the fuzz replay test refuses.
    for target in "${targets[@]}"; do
        if ! printf '%s\n' "${known[@]}" | grep -qxF -- "$target"; then
            echo "unknown fuzz target '$target' (known: ${known[*]})" >&2
            exit 2
        fi
    done
else
    targets=("${known[@]}")
fi

# -O: release build with the profile in fuzz/Cargo.toml (debug assertions
# in the crate under test, none in `http`, so the service target may feed
# unchecked header values).
build=(-O --sanitizer "$sanitizer")
cargo fuzz build "${build[@]}"

mkdir -p fuzz/logs
summary=()
failed=0
for target in "${targets[@]}"; do
    corpus=$root/fuzz/corpus/$target
    seeds=$root/fuzz/seeds/$target
    artifacts=$root/fuzz/artifacts/$target
    log=$root/fuzz/logs/$target.log
    mkdir -p "$corpus" "$seeds" "$artifacts"
    crashes_before=$(find "$artifacts" -type f -name 'crash-*' | wc -l)
    echo "fuzzing $target for ${seconds}s (log: fuzz/logs/$target.log)" >&2
    status=0
    cargo fuzz run "${build[@]}" "$target" "$corpus" "$seeds" -- \
        -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
        -rss_limit_mb=2048 -dict="$root/fuzz/cookies.dict" \
        -print_final_stats=1 >"$log" 2>&1 || status=$?
    stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }
    execs=$(stat number_of_executed_units)
    speed=$(stat average_exec_per_sec)
    # The last status line: `#N DONE cov: C ft: F corp: UNITS/SIZE ...`.
    done_line=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "$log" | tail -n 1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
    units=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$done_line")
    crashes=$(($(find "$artifacts" -type f -name 'crash-*' | wc -l) - crashes_before))
    if [ "$status" -ne 0 ]; then
        failed=1
        [ "$crashes" -gt 0 ] || crashes="? (exit $status, see log)"
    fi
    summary+=("$(printf '%-14s %12s %8s %8s %8s  %s' "$target" "${execs:-?}" "${speed:-?}" \
        "${units:-?}" "${cov:-?}" "$crashes")")
done

printf '\n%-14s %12s %8s %8s %8s  %s\n' target executions exec/s corpus coverage crashes
printf '%s\n' "${summary[@]}"
exit "$failed"
