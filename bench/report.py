#!/usr/bin/env python3
"""Turns an experiment's results.csv into summary.md and SVG charts (standard library only).

Usage: bench/report.py RESULTS_DIR

Each figure is the median of the repeats, with the min-max range beside it, and ratios are
taken against the direct connection and against rinetd measured in the same run.
"""
import csv
import statistics
import sys
from pathlib import Path

METRICS = [  # column, heading, unit, better
    ("p1_gbits", "P=1", "Gbit/s", "higher"),
    ("p8_gbits", "P=8", "Gbit/s", "higher"),
    ("cpu_s_per_gb", "CPU", "CPU-s/GB", "lower"),
    ("rr_mean_us", "RR mean", "µs", "lower"),
    ("rr_p99_us", "RR p99", "µs", "lower"),
    ("rr_p999_us", "RR p99.9", "µs", "lower"),
    ("conn_per_s", "conn/s", "1/s", "higher"),
    ("syscalls_per_gb", "syscalls", "per GB", "lower"),
    ("idle_kib_per_conn", "idle", "KiB/conn", "lower"),
    ("held_conns", "held", "conns", "higher"),
    ("ns_p1_gbits", "netns P=1", "Gbit/s", "higher"),
    ("ns_p8_gbits", "netns P=8", "Gbit/s", "higher"),
]
COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948"]


def load(directory):
    """Values by case and column, in the order the cases were run."""
    cases = {}
    with open(directory / "results.csv", newline="") as f:
        for row in csv.DictReader(f):
            values = cases.setdefault(row["case"], {})
            for column, *_ in METRICS:
                text = (row.get(column) or "").strip()
                if text:
                    try:
                        values.setdefault(column, []).append(float(text))
                    except ValueError:
                        pass
    return cases


def median(cases, case, column):
    values = cases.get(case, {}).get(column)
    return statistics.median(values) if values else None


def cell(cases, case, column):
    values = cases.get(case, {}).get(column)
    if not values:
        return "–"
    middle = statistics.median(values)
    text = f"{middle:.3g}" if middle < 1000 else f"{middle:,.0f}"
    if len(values) > 1:
        low, high = min(values), max(values)
        text += f" ({low:.3g}–{high:.3g})" if high < 1000 else f" ({low:,.0f}–{high:,.0f})"
    return text


def ratio(cases, case, reference, column):
    value, base = median(cases, case, column), median(cases, reference, column)
    if value is None or not base:
        return "–"
    return f"{value / base:.2f}×"


def added_latency(cases, case, column):
    value, direct = median(cases, case, column), median(cases, "direct", column)
    return None if value is None or direct is None else value - direct


def summary(cases):
    names = list(cases)
    lines = ["| case | " + " | ".join(f"{heading} ({unit})" for _, heading, unit, _ in METRICS) + " |",
             "|---" * (len(METRICS) + 1) + "|"]
    for case in names:
        lines.append(f"| {case} | " + " | ".join(cell(cases, case, column) for column, *_ in METRICS) + " |")
    lines += ["", "Median (min–max) of the repeats; idle memory is sampled REPEAT times, each on a freshly started forwarder; syscalls, held connections and the namespace runs are measured once per case.",
              "", "### Ratios", "",
              "| case | P=1 / direct | P=1 / rinetd | P=8 / rinetd | CPU / rinetd | added RR mean (µs) | added RR / rinetd's"
              " | p99.9 / rinetd's | conn/s / rinetd | syscalls / rinetd | idle / rinetd |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    rinetd_added = added_latency(cases, "rinetd", "rr_mean_us")
    for case in names:
        added = added_latency(cases, case, "rr_mean_us")
        lines.append("| " + " | ".join([
            case,
            ratio(cases, case, "direct", "p1_gbits"),
            ratio(cases, case, "rinetd", "p1_gbits"),
            ratio(cases, case, "rinetd", "p8_gbits"),
            ratio(cases, case, "rinetd", "cpu_s_per_gb"),
            "–" if added is None else f"{added:.1f}",
            "–" if added is None or not rinetd_added or case == "direct" else f"{added / rinetd_added:.2f}×",
            # The tail is compared whole: direct's own p99.9 is as noisy as a forwarder's, so a
            # difference of two tails can come out negative.
            ratio(cases, case, "rinetd", "rr_p999_us"),
            ratio(cases, case, "rinetd", "conn_per_s"),
            ratio(cases, case, "rinetd", "syscalls_per_gb"),
            ratio(cases, case, "rinetd", "idle_kib_per_conn"),
        ]) + " |")
    return "\n".join(lines) + "\n"


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def bar_chart(title, unit, categories, series, path):
    """Grouped bars: one group per category, one bar per series (name, [(median, low, high)])."""
    width, height, left, bottom, top = 900, 420, 80, 90, 50
    plot_w, plot_h = width - left - 170, height - top - bottom
    peak = max([high for _, values in series for (_, _, high) in values if high is not None] + [1e-9])
    step = next(base * 10 ** power for power in range(-2, 9) for base in (1, 2, 5) if peak / (base * 10 ** power) <= 6)
    top_value = step * (int(peak / step) + 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="24" text-anchor="middle" font-size="16">{escape(title)}</text>',
           f'<text transform="translate(18,{top + plot_h / 2}) rotate(-90)" text-anchor="middle">{escape(unit)}</text>']
    ticks = int(round(top_value / step))
    for i in range(ticks + 1):
        value = step * i
        y = top + plot_h - plot_h * value / top_value
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>')
    group_w = plot_w / max(1, len(categories))
    bar_w = group_w * 0.8 / max(1, len(series))
    for c, category in enumerate(categories):
        x0 = left + c * group_w + group_w * 0.1
        for s, (name, values) in enumerate(series):
            middle, low, high = values[c]
            if middle is None:
                continue
            x = x0 + s * bar_w
            y = top + plot_h - plot_h * middle / top_value
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{top + plot_h - y:.1f}" '
                       f'fill="{COLOURS[s % len(COLOURS)]}"><title>{escape(category)} {escape(name)}: {middle:.3g} {escape(unit)}</title></rect>')
            if low is not None and high is not None and high > low:
                cx = x + (bar_w - 2) / 2
                y_low = top + plot_h - plot_h * low / top_value
                y_high = top + plot_h - plot_h * high / top_value
                out.append(f'<line x1="{cx:.1f}" y1="{y_low:.1f}" x2="{cx:.1f}" y2="{y_high:.1f}" stroke="black"/>')
        out.append(f'<text transform="translate({x0 + group_w * 0.4:.1f},{top + plot_h + 14}) rotate(30)" '
                   f'text-anchor="start">{escape(category)}</text>')
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="black"/>')
    for s, (name, _) in enumerate(series):
        y = top + 10 + 20 * s
        out.append(f'<rect x="{left + plot_w + 20}" y="{y - 10}" width="12" height="12" fill="{COLOURS[s % len(COLOURS)]}"/>')
        out.append(f'<text x="{left + plot_w + 38}" y="{y}">{escape(name)}</text>')
    out.append(f'<text x="{left}" y="{height - 8}" fill="#555">bars: median of the repeats; lines: min–max</text>')
    out.append("</svg>")
    path.write_text("\n".join(out) + "\n")


def stats(cases, case, column):
    values = cases.get(case, {}).get(column)
    if not values:
        return (None, None, None)
    return (statistics.median(values), min(values), max(values))


def charts(cases, directory):
    names = list(cases)
    made = []

    def chart(file, title, unit, series):
        bar_chart(title, unit, names, [(label, [stats(cases, case, column) for case in names]) for label, column in series],
                  directory / file)
        made.append(file)

    chart("throughput.svg", "Throughput through the forwarder (iperf3, loopback)", "Gbit/s",
          [("1 stream", "p1_gbits"), ("8 streams", "p8_gbits")])
    chart("latency.svg", "32-byte round trip (request/response)", "µs",
          [("mean", "rr_mean_us"), ("p99", "rr_p99_us")])
    chart("syscalls.svg", "read/write syscalls per GB forwarded (strace -c -f)", "calls per GB",
          [("syscalls", "syscalls_per_gb")])
    chart("cpu.svg", "Forwarder CPU per GB forwarded", "CPU-seconds per GB", [("CPU", "cpu_s_per_gb")])
    chart("connections.svg", "New connections per second (connect, 1-byte echo, close)", "connections/s",
          [("conn/s", "conn_per_s")])
    chart("idle.svg", "Memory per idle connection (RSS)", "KiB per connection", [("idle", "idle_kib_per_conn")])
    chart("namespaces.svg", "Throughput over three network namespaces (veth)", "Gbit/s",
          [("1 stream", "ns_p1_gbits"), ("8 streams", "ns_p8_gbits")])
    return made


def main():
    directory = Path(sys.argv[1])
    cases = load(directory)
    made = charts(cases, directory)
    text = "# Experiment results\n\n" + summary(cases) + "\n" + "".join(f"![{m}]({m})\n" for m in made)
    (directory / "summary.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
