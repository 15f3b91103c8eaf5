#!/usr/bin/env python3
"""Builds the tables of BENCHMARKS.md from criterion's output.

    cargo bench --bench layer
    cargo bench --bench allocations
    python3 scripts/bench-table.py [--svg docs/bench-scaling.svg]

Reads target/criterion/**/new/{benchmark,estimates}.json (the median of
each benchmark, in ns) and target/bench-allocations.json (written by the
`allocations` bench), prints the markdown tables and the targets, and with
--svg draws the scaling curves. Python 3 standard library only.
"""

import argparse
import json
import math
import os
import sys

ROWS = ["passthrough", "floor", "layer", "handwritten"]
SCENARIOS = {
    "S1": "typical: 10 cookies, consent `statistics`, 6 Set-Cookie, 3 stripped",
    "S2": "consent `all`: 6 Set-Cookie, nothing stripped",
    "S3": "no Set-Cookie",
    "S4": "first visit (no Cookie header): 6 Set-Cookie, 4 stripped",
    "S5": "S1 with every request cookie declared: nothing to hide or purge (steady state)",
    "S6": "S5 after withdrawing statistics: 3 cookies hidden, 6 deletion lines",
    "B": "big: 4 KB Cookie of undeclared cookies (hidden), 64 Set-Cookie, 31 stripped",
}
SCALING = [
    ("set_cookie_count", "Set-Cookie headers"),
    ("cookie_bytes", "Cookie header bytes"),
    ("policy_size", "policy names and prefixes"),
    ("policy_size_known", "policy names, known cookies on"),
]
COLORS = {
    "passthrough": "#7f7f7f",
    "floor": "#2ca02c",
    "layer": "#1f77b4",
    "handwritten": "#d62728",
}


def load_times(root):
    """full_id -> median ns."""
    times = {}
    for dirpath, _dirs, files in os.walk(root):
        if os.path.basename(dirpath) != "new" or "estimates.json" not in files:
            continue
        with open(os.path.join(dirpath, "benchmark.json")) as f:
            full_id = json.load(f)["full_id"]
        with open(os.path.join(dirpath, "estimates.json")) as f:
            times[full_id] = json.load(f)["median"]["point_estimate"]
    return times


def load_allocations(path):
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


def ns(value):
    if value is None:
        return "-"
    if abs(value) >= 10_000:
        return f"{value / 1000:,.1f} µs"
    return f"{value:,.0f} ns"


def tick(value):
    """An axis label: 100 ns, 1 µs, 10 µs, 1 ms."""
    for unit, scale in (("ms", 1e6), ("µs", 1e3)):
        if value >= scale:
            return f"{value / scale:g} {unit}"
    return f"{value:g} ns"


def signed(value):
    if value is None:
        return "-"
    return ("+" if value >= 0 else "−") + ns(abs(value))


def scenario_table(times, allocs, out):
    out.append(
        "| scenario | passthrough | floor | layer | handwritten "
        "| layer − passthrough | layer − floor | handwritten − passthrough "
        "| handwritten overhead / layer overhead "
        "| allocations (passthrough / floor / layer / handwritten) |"
    )
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, description in SCENARIOS.items():
        t = {row: times.get(f"scenario/{name}/{row}") for row in ROWS}
        a = [allocs.get(f"scenario/{name}/{row}", "?") for row in ROWS]
        over_pass = sub(t["layer"], t["passthrough"])
        over_floor = sub(t["layer"], t["floor"])
        hand = sub(t["handwritten"], t["passthrough"])
        ratio = f"{hand / over_pass:.1f}×" if over_pass and hand and over_pass > 0 else "-"
        out.append(
            f"| **{name}** {description} | {ns(t['passthrough'])} | {ns(t['floor'])} "
            f"| {ns(t['layer'])} | {ns(t['handwritten'])} | {signed(over_pass)} "
            f"| {signed(over_floor)} | {signed(hand)} | {ratio} "
            f"| {' / '.join(str(x) for x in a)} |"
        )


def sub(a, b):
    return None if a is None or b is None else a - b


def params_of(times, group):
    params = set()
    for full_id in times:
        parts = full_id.split("/")
        if len(parts) == 3 and parts[0] == group:
            params.add(int(parts[2]))
    return sorted(params)


def scaling_table(times, allocs, group, label, out):
    params = params_of(times, group)
    rows = [r for r in ROWS if any(f"{group}/{r}/{p}" in times for p in params)]
    out.append(
        f"| {label} | "
        + " | ".join(rows)
        + " | layer − floor | allocations layer − floor |"
    )
    out.append("|---:|" + "---:|" * (len(rows) + 2))
    for p in params:
        t = {r: times.get(f"{group}/{r}/{p}") for r in rows}
        a_layer = allocs.get(f"{group}/layer/{p}")
        a_floor = allocs.get(f"{group}/floor/{p}")
        a = "?" if a_layer is None or a_floor is None else a_layer - a_floor
        out.append(
            f"| {p:,} | "
            + " | ".join(ns(t[r]) for r in rows)
            + f" | {signed(sub(t.get('layer'), t.get('floor')))} | {a} |"
        )


def parser_table(times, out):
    ids = sorted(i for i in times if i.startswith("parsers/"))
    out.append("| benchmark | median |")
    out.append("|---|---:|")
    for full_id in ids:
        out.append(f"| `{full_id}` | {ns(times[full_id])} |")


def targets(times, allocs, out):
    def t(name, row):
        return times.get(f"scenario/{name}/{row}")

    def verdict(ok):
        return "**met**" if ok else "**missed**"

    s1 = sub(t("S1", "layer"), t("S1", "passthrough"))
    s3_floor = sub(t("S3", "layer"), t("S3", "floor"))
    s3_pass = sub(t("S3", "layer"), t("S3", "passthrough"))
    if s1 is not None:
        out.append(f"- S1 overhead over passthrough < 150 ns: {ns(s1)}, {verdict(s1 < 150)}.")
    if s3_floor is not None:
        out.append(
            f"- S3 (no Set-Cookie) within 15 ns of the floor row: {signed(s3_floor)}, "
            f"{verdict(s3_floor < 15)}."
        )
    if s3_pass is not None:
        out.append(
            f"- S3 overhead over passthrough < 30 ns: {ns(s3_pass)}, {verdict(s3_pass < 30)} "
            "(the floor alone, creating the extensions map, costs "
            f"{ns(sub(t('S3', 'floor'), t('S3', 'passthrough')))} of it)."
        )
    extra = [
        (k, allocs[k] - allocs[k.replace("/layer", "/floor")])
        for k in allocs
        if "/layer" in k and k.replace("/layer", "/floor") in allocs
    ]
    if extra:
        worst = max(extra, key=lambda kv: kv[1])
        nonzero = [k for k, v in extra if v != 0]
        out.append(
            f"- Allocations of the layer beyond the floor's: 0 in "
            f"{len(extra) - len(nonzero)} of {len(extra)} benchmarks"
            + (f"; {worst[1]} in {', '.join(nonzero)}" if nonzero else "")
            + f", {verdict(not nonzero)}."
        )
    ratios = []
    for name in SCENARIOS:
        layer = sub(t(name, "layer"), t(name, "passthrough"))
        hand = sub(t(name, "handwritten"), t(name, "passthrough"))
        if layer and hand and layer > 0:
            ratios.append((name, hand / layer))
    if ratios:
        worst = min(ratios, key=lambda kv: kv[1])
        listed = ", ".join(f"{n} {r:.1f}×" for n, r in ratios)
        out.append(
            f"- Overhead at least 10× lower than the hand-written middleware: {listed}; "
            f"{verdict(worst[1] >= 10)}."
        )


def svg(times, path):
    """Log-log curves, one panel per scaling group, one line per row."""
    width, height = 330, 260
    left, right, top, bottom = 62, 26, 34, 44
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width * len(SCALING)}" '
        f'height="{height + 26}" font-family="sans-serif" font-size="11">',
        f'<rect width="100%" height="100%" fill="white"/>',
    ]
    for index, (group, label) in enumerate(SCALING):
        x0 = index * width
        params = params_of(times, group)
        rows = [r for r in ROWS if any(f"{group}/{r}/{p}" in times for p in params)]
        values = [times[f"{group}/{r}/{p}"] for r in rows for p in params if f"{group}/{r}/{p}" in times]
        if not params or not values:
            continue
        lo_x, hi_x = math.log10(params[0]), math.log10(params[-1])
        lo_y = math.floor(math.log10(min(values)))
        hi_y = math.ceil(math.log10(max(values)))
        plot_w = width - left - right
        plot_h = height - top - bottom

        def px(p):
            return x0 + left + (math.log10(p) - lo_x) / max(hi_x - lo_x, 1e-9) * plot_w

        def py(v):
            return top + plot_h - (math.log10(v) - lo_y) / max(hi_y - lo_y, 1e-9) * plot_h

        parts.append(
            f'<text x="{x0 + width / 2}" y="16" text-anchor="middle" font-weight="bold">'
            f"time per request vs {label}</text>"
        )
        parts.append(
            f'<rect x="{x0 + left}" y="{top}" width="{plot_w}" height="{plot_h}" '
            'fill="none" stroke="#444"/>'
        )
        for decade in range(lo_y, hi_y + 1):
            y = py(10**decade)
            parts.append(
                f'<line x1="{x0 + left}" y1="{y:.1f}" x2="{x0 + left + plot_w}" y2="{y:.1f}" '
                'stroke="#ddd"/>'
            )
            parts.append(
                f'<text x="{x0 + left - 4}" y="{y + 4:.1f}" text-anchor="end">'
                f"{tick(10**decade)}</text>"
            )
        for p in params:
            x = px(p)
            parts.append(
                f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#eee"/>'
            )
            parts.append(
                f'<text x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle">{p:,}</text>'
            )
        parts.append(
            f'<text x="{x0 + left + plot_w / 2}" y="{top + plot_h + 30}" '
            f'text-anchor="middle">{label} (log)</text>'
        )
        for r in rows:
            points = [
                (px(p), py(times[f"{group}/{r}/{p}"]))
                for p in params
                if f"{group}/{r}/{p}" in times
            ]
            line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<polyline points="{line}" fill="none" stroke="{COLORS[r]}" stroke-width="2"/>'
            )
            for x, y in points:
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{COLORS[r]}"/>')
    legend_y = height + 14
    for i, r in enumerate(ROWS):
        x = 20 + i * 130
        parts.append(
            f'<line x1="{x}" y1="{legend_y - 4}" x2="{x + 22}" y2="{legend_y - 4}" '
            f'stroke="{COLORS[r]}" stroke-width="2"/>'
        )
        parts.append(f'<text x="{x + 28}" y="{legend_y}">{r}</text>')
    parts.append("</svg>")
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(here, "..", "target"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--criterion", default=os.path.join(target, "criterion"))
    parser.add_argument(
        "--allocations", default=os.path.join(target, "bench-allocations.json")
    )
    parser.add_argument("--svg", help="write the scaling curves to this SVG file")
    args = parser.parse_args()

    times = load_times(args.criterion)
    if not times:
        sys.exit(f"no criterion results under {args.criterion}: run `cargo bench --bench layer`")
    allocs = load_allocations(args.allocations)

    out = ["### Scenarios (median time per request)", ""]
    scenario_table(times, allocs, out)
    for group, label in SCALING:
        out += ["", f"### Scaling: {label}", ""]
        scaling_table(times, allocs, group, label, out)
    out += ["", "### Parsers", ""]
    parser_table(times, out)
    out += ["", "### Targets", ""]
    targets(times, allocs, out)
    print("\n".join(out))
    if args.svg:
        svg(times, args.svg)


if __name__ == "__main__":
    main()
