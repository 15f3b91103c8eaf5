# Helpers shared by the measuring scripts; sourced, not run.

# need_tool TOOL...: installs each missing tool with apt-get (Debian; needs
# root or sudo). The package has the tool's name.
need_tool() {
    local tool sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "installing $tool" >&2
            "${sudo[@]}" apt-get update -qq >&2 && "${sudo[@]}" apt-get install -y -qq "$tool" >/dev/null
        fi
    done
}

# bench_executable BENCH: builds the bench target BENCH (release) without
# running it and prints the path of its executable.
bench_executable() {
    cargo bench --bench "$1" --no-run --message-format=json 2>/dev/null |
        python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == sys.argv[1] and m.get("executable"):
        print(m["executable"])' "$1"
}
