#!/usr/bin/env python3
"""Turns an experiment's folder into summary.md and SVG charts (standard library only).

Usage: bench/report.py RESULTS_DIR

Reads results.csv, manifest.txt, raw/syscalls-*.txt.calls and flames/*.html. Each cell is the
median of its samples with the min-max range beside it and the sample count in the table's
note; ratios are taken against cases measured in the same run. Every table and chart carries
the run's record (date, kernel, JDK, tool versions, commit) from manifest.txt.
"""
import csv
import statistics
import sys
from pathlib import Path

COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f"]
DATA_CALLS = {"read", "write", "readv", "writev", "recvfrom", "sendto", "recvmsg", "sendmsg", "splice"}
BUFFERS = ["8k", "16k", "64k"]

# Tables: (title, note, [(column, heading)]).
TABLES = [
    ("Throughput and CPU (iperf3, loopback)",
     "CPU: the forwarder's user + system seconds per GB moved; machine: every core's busy time"
     " (/proc/stat, softirq included: client, server and forwarder, and anything else running) per GB.",
     [("p1_gbits", "P=1 Gbit/s"), ("p8_gbits", "P=8 Gbit/s"), ("cpu_s_per_gb_p1", "CPU-s/GB P=1"),
      ("cpu_s_per_gb_p8", "CPU-s/GB P=8"), ("machine_cpu_s_per_gb_p1", "machine CPU-s/GB P=1"),
      ("machine_cpu_s_per_gb_p8", "machine CPU-s/GB P=8")]),
    ("Counters (perf stat on the forwarder, during the iperf3 runs)",
     "Context switches and CPU migrations per GB moved; data calls per GB counted by the kernel's"
     " syscall tracepoints (counted, not traced: the forwarder runs at full speed).",
     [("cs_per_gb_p1", "ctx switches/GB P=1"), ("cs_per_gb_p8", "ctx switches/GB P=8"),
      ("migrations_per_gb_p1", "migrations/GB P=1"), ("migrations_per_gb_p8", "migrations/GB P=8"),
      ("counted_data_calls_per_gb_p1", "data calls/GB P=1"), ("counted_data_calls_per_gb_p8", "data calls/GB P=8"),
      ("counted_calls_per_gb_p1", "all calls/GB P=1")]),
    ("Latency (32-byte round trips, loopback)",
     "sockperf ping-pong over TCP, full round trips (twice sockperf's printed half round trip);"
     " loaded: the same while one iperf3 stream runs through the same forwarder; rr: the project's"
     " own Java client, a second opinion; ctx/rt: the forwarder's context switches per round trip.",
     [("sp_mean_us", "mean µs"), ("sp_p50_us", "p50 µs"), ("sp_p99_us", "p99 µs"), ("sp_p999_us", "p99.9 µs"),
      ("sp_cs_per_rt", "ctx/rt"), ("loaded_sp_mean_us", "loaded mean µs"), ("loaded_sp_p99_us", "loaded p99 µs"),
      ("loaded_sp_p999_us", "loaded p99.9 µs"), ("rr_mean_us", "rr mean µs"), ("rr_p99_us", "rr p99 µs"),
      ("rr_p999_us", "rr p99.9 µs"), ("rr_cs_per_rt", "rr ctx/rt")]),
    ("Connections and memory",
     "conn/s: wrk requests per second with `Connection: close` against nginx, one connection each;"
     " failed: socket errors and non-2xx responses, counted; idle: RSS growth per idle connection on"
     " a fresh forwarder; held: connections held at once (oi only).",
     [("conn_per_s", "conn/s"), ("conn_failed", "failed"), ("idle_kib_per_conn", "idle KiB/conn"),
      ("held_conns", "held")]),
    ("New connections and keep-alive (wrk against nginx)",
     "conn/s -t2 and -t1: wrk requests per second with `Connection: close` (one new connection each)"
     " with two client threads and with one; keep-alive: wrk -t2 at 1 000 connections (KEEPALIVE_CONNECTIONS),"
     " many requests per connection, after a warm-up not recorded: requests per second and the 99th"
     " percentile of a request's latency; failed: socket errors and non-2xx responses, counted.",
     [("conn_per_s", "conn/s -t2"), ("conn_per_s_t1", "conn/s -t1"), ("conn_failed_t1", "failed -t1"),
      ("keepalive_req_s", "keep-alive req/s"), ("keepalive_p99_ms", "keep-alive p99 ms"),
      ("keepalive_failed", "keep-alive failed")]),
    ("Busiest thread (the study's case C: one thread for every connection)",
     "P=8 / P=1: eight streams' throughput over one stream's, within each repeat; busiest thread: the"
     " share of one core taken by the forwarder's busiest thread during the iperf3 run (from"
     " /proc/PID/task/*/stat). A forwarder held to one thread stops at 1.",
     [("p1_gbits", "P=1 Gbit/s"), ("p8_gbits", "P=8 Gbit/s"), ("p8_over_p1", "P=8 / P=1"),
      ("busiest_thread_cores_p1", "busiest thread, cores P=1"), ("busiest_thread_cores_p8", "busiest thread, cores P=8")]),
    ("Syscalls per GB (traced)",
     "Every call of the forwarder and its threads during a separate transfer, by the tracer named;"
     " data calls are read, write, readv, writev, recv*, send* and splice.",
     [("data_calls_per_gb", "data calls/GB"), ("all_calls_per_gb", "all calls/GB"),
      ("epoll_calls_per_gb", "epoll/GB"), ("futex_calls_per_gb", "futex/GB")]),
    ("Three network namespaces (veth: client | forwarder | server)",
     "For direct, the middle namespace routes; latency is sockperf's, full round trips.",
     [("ns_p1_gbits", "P=1 Gbit/s"), ("ns_p8_gbits", "P=8 Gbit/s"), ("ns_sp_mean_us", "mean µs"),
      ("ns_sp_p99_us", "p99 µs"), ("ns_sp_p999_us", "p99.9 µs")]),
]

# Ratios: (heading, column, reference case); "added" columns subtract direct's figure first.
RATIOS = [
    ("P=1 / rinetd", "p1_gbits", "rinetd"), ("P=8 / rinetd", "p8_gbits", "rinetd"),
    ("P=1 / haproxy-splice", "p1_gbits", "haproxy-splice"), ("P=8 / haproxy-splice", "p8_gbits", "haproxy-splice"),
    ("CPU P=1 / rinetd", "cpu_s_per_gb_p1", "rinetd"), ("CPU P=8 / rinetd", "cpu_s_per_gb_p8", "rinetd"),
    ("CPU P=1 / haproxy-splice", "cpu_s_per_gb_p1", "haproxy-splice"),
    ("added mean / rinetd's", "added:sp_mean_us", "rinetd"), ("p99.9 / rinetd's", "sp_p999_us", "rinetd"),
    ("conn/s / rinetd", "conn_per_s", "rinetd"), ("conn/s -t1 / rinetd", "conn_per_s_t1", "rinetd"),
    ("keep-alive req/s / rinetd", "keepalive_req_s", "rinetd"), ("keep-alive p99 / rinetd's", "keepalive_p99_ms", "rinetd"),
    ("data calls / rinetd", "data_calls_per_gb", "rinetd"),
    ("idle / rinetd", "idle_kib_per_conn", "rinetd"), ("netns P=1 / rinetd", "ns_p1_gbits", "rinetd"),
]

# Against oxidinetd at the same buffer, the system oi was modelled on: (title, [(heading, column)]).
OXIDINETD_RATIOS = [
    ("throughput and its cost", [
        ("P=1", "p1_gbits"), ("P=8", "p8_gbits"), ("CPU/GB P=1", "cpu_s_per_gb_p1"), ("CPU/GB P=8", "cpu_s_per_gb_p8"),
        ("ctx/GB P=1", "cs_per_gb_p1"), ("ctx/GB P=8", "cs_per_gb_p8"), ("migr/GB P=1", "migrations_per_gb_p1"),
        ("migr/GB P=8", "migrations_per_gb_p8"), ("data calls/GB P=1", "counted_data_calls_per_gb_p1"),
        ("all calls/GB P=1", "counted_calls_per_gb_p1"), ("traced data calls/GB", "data_calls_per_gb"),
        ("traced all calls/GB", "all_calls_per_gb")]),
    ("latency, connections, memory, namespaces", [
        ("added mean", "added:sp_mean_us"), ("p99.9", "sp_p999_us"), ("loaded added mean", "added:loaded_sp_mean_us"),
        ("loaded p99.9", "loaded_sp_p999_us"), ("conn/s", "conn_per_s"), ("conn/s -t1", "conn_per_s_t1"),
        ("keep-alive req/s", "keepalive_req_s"), ("keep-alive p99", "keepalive_p99_ms"), ("idle KiB/conn", "idle_kib_per_conn"),
        ("netns P=1", "ns_p1_gbits"), ("netns P=8", "ns_p8_gbits"), ("netns added mean", "added:ns_sp_mean_us")]),
]


def load(directory):
    """Values by case and column, in the order the cases first appear; text columns kept apart; and
    beside each value list the repeat each value came from, for ratios taken within a repeat."""
    cases, text, repeats = {}, {}, {}
    with open(directory / "results.csv", newline="") as f:
        for row in csv.DictReader(f):
            values = cases.setdefault(row["case"], {})
            for column, value in row.items():
                value = (value or "").strip()
                if not value or column in ("case", "repeat", "order", "command"):
                    continue
                try:
                    values.setdefault(column, []).append(float(value))
                    repeats.setdefault((row["case"], column), []).append(row["repeat"])
                except ValueError:
                    text.setdefault(row["case"], {}).setdefault(column, set()).add(value)
            # How far eight streams scale past one, taken within the row: the study's case C.
            if values.get("p1_gbits") and values.get("p8_gbits") and (row.get("p1_gbits") or "").strip() \
                    and (row.get("p8_gbits") or "").strip() and values["p1_gbits"][-1] > 0:
                values.setdefault("p8_over_p1", []).append(values["p8_gbits"][-1] / values["p1_gbits"][-1])
                repeats.setdefault((row["case"], "p8_over_p1"), []).append(row["repeat"])
    return cases, text, repeats


def paired_ratios(cases, repeats, case, column, ref):
    """The case's value over the reference's in each repeat both have: the cases of a repeat run
    interleaved, minutes apart at most, so a pair shares the machine's state."""
    def by_repeat(name):
        values = samples(cases, name, column) or []
        return dict(zip(repeats.get((name, column.removeprefix("added:")), []), values))
    mine, theirs = by_repeat(case), by_repeat(ref)
    return [mine[r] / theirs[r] for r in mine.keys() & theirs.keys() if theirs[r] > 0]


def manifest(directory):
    """The run record as a dict, and its one-line form for tables and charts."""
    path = directory / "manifest.txt"
    record = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, _, value = line.partition("=")
            record[key] = value
    if not record:
        return record, "run record: none (no manifest.txt beside results.csv)"
    parts = [f"{key} {record[key]}" for key in ("date", "kernel", "cpus", "jdk", "rinetd", "haproxy", "iperf3",
                                                   "sockperf", "wrk", "commit") if record.get(key)]
    settings = [f"{key}={record[key]}" for key in ("REPEAT", "SECONDS_PER_RUN", "PIN", "QUICK") if key in record]
    return record, "run: " + " · ".join(parts + settings)


def samples(cases, case, column):
    if column.startswith("added:"):
        base = median(cases, "direct", column[6:])
        values = cases.get(case, {}).get(column[6:])
        return [v - base for v in values] if values and base is not None else None
    return cases.get(case, {}).get(column)


def median(cases, case, column):
    values = samples(cases, case, column)
    return statistics.median(values) if values else None


def number(value):
    if value is None:
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def cell(cases, case, column):
    values = samples(cases, case, column)
    if not values:
        return "–"
    text = number(statistics.median(values))
    if len(values) > 1 and max(values) > min(values):
        text += f" ({number(min(values))}–{number(max(values))})"
    return text


def counts_note(cases, columns):
    counts = sorted({len(v) for case in cases for column in columns for v in [samples(cases, case, column)] if v})
    if not counts:
        return ""
    if counts == [1]:
        return "One sample per cell."
    spread = f"{counts[0]}" if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"
    return f"Median (min–max) of {spread} samples per cell, one per repeat."


def table(cases, title, note, columns, record_line):
    names = [case for case in cases if any(samples(cases, case, column) for column, _ in columns)]
    if not names:
        return ""
    lines = [f"### {title}", "", "| case | " + " | ".join(heading for _, heading in columns) + " |",
             "|---" * (len(columns) + 1) + "|"]
    for case in names:
        lines.append(f"| {case} | " + " | ".join(cell(cases, case, column) for column, _ in columns) + " |")
    lines += ["", f"{note} {counts_note(cases, [c for c, _ in columns])}", "", f"<sub>{record_line}</sub>", ""]
    return "\n".join(lines) + "\n"


def ratio_table(cases, repeats, record_line):
    present = [(heading, column, ref) for heading, column, ref in RATIOS
               if median(cases, ref, column) and any(samples(cases, c, column) for c in cases)]
    if not present:
        return ""
    lines = ["### Ratios (medians, same run)", "", "| case | " + " | ".join(h for h, _, _ in present) + " |",
             "|---" * (len(present) + 1) + "|"]
    for case in cases:
        row = [ratio_cell(cases, repeats, case, column, ref) for _, column, ref in present]
        lines.append(f"| {case} | " + " | ".join(row) + " |")
    lines += ["", RATIO_NOTE, "", f"<sub>{record_line}</sub>", ""]
    return "\n".join(lines) + "\n"


RATIO_NOTE = ("A ratio of medians, and in brackets the lowest and highest of the ratios taken within one"
              " repeat (the case against the reference measured in the same repeat): where that range takes in"
              " 1.00×, the run does not separate the two. Added latency is a case's sockperf mean minus direct's.")


def ratio_cell(cases, repeats, case, column, ref):
    value, base = median(cases, case, column), median(cases, ref, column)
    if value is None or not base or (column.startswith("added:") and case == "direct"):
        return "–"
    text = f"{value / base:.2f}×"
    paired = paired_ratios(cases, repeats, case, column, ref)
    if len(paired) > 1 and case != ref:
        text += f" ({min(paired):.2f}–{max(paired):.2f})"
    return text


def oxidinetd_tables(cases, text, repeats, record_line):
    """Each case over oxidinetd at its own buffer size (rinetd and haproxy sit at 16k)."""
    def buffer(case):
        return next(iter(text.get(case, {}).get("buffer", {""})))
    groups = [(f"oxidinetd-{b}", [c for c in cases if buffer(c) == b and c != f"oxidinetd-{b}" and c != "direct"])
              for b in BUFFERS if f"oxidinetd-{b}" in cases]
    groups = [(ref, names) for ref, names in groups if names]
    if not groups:
        return ""
    out = []
    for title, columns in OXIDINETD_RATIOS:
        present = [(h, c) for h, c in columns if any(median(cases, ref, c) for ref, _ in groups)]
        if not present:
            continue
        lines = [f"### Against oxidinetd at the same buffer: {title}", "",
                 "| case / reference | " + " | ".join(h for h, _ in present) + " |", "|---" * (len(present) + 1) + "|"]
        for ref, names in groups:
            for case in names:
                lines.append(f"| {case} / {ref} | " + " | ".join(ratio_cell(cases, repeats, case, c, ref) for _, c in present) + " |")
        lines += ["", RATIO_NOTE + " Below 1.00× is better for CPU, calls, switches, latency and memory.", "",
                  f"<sub>{record_line}</sub>", ""]
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def syscall_tables(directory, cases, record_line):
    """Every call by name, per GB, median over the traced repeats of each case."""
    per_case = {}
    for path in sorted((directory / "raw").glob("syscalls-*.txt.calls")):
        case = path.name[len("syscalls-"):].rsplit("-r", 1)[0]
        fields = path.read_text().split()
        if len(fields) < 2 or not fields[0].isdigit() or int(fields[0]) == 0:
            continue
        gb = int(fields[0]) / 1e9
        calls = {k: int(v) / gb for k, v in (pair.split("=") for pair in fields[1].split(",") if "=" in pair)}
        per_case.setdefault(case, []).append(calls)
    if not per_case:
        return ""
    names = [case for case in cases if case in per_case]
    totals = {}
    for case in names:
        for calls in per_case[case]:
            for name, value in calls.items():
                totals[name] = totals.get(name, 0) + value
    rows = sorted(totals, key=lambda name: -totals[name])
    lines = ["### Whole syscall tables (calls per GB, every call by name)", "",
             "| syscall | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for name in rows:
        cells = []
        for case in names:
            values = [calls.get(name, 0) for calls in per_case[case]]
            cells.append(number(statistics.median(values)) if any(values) else "–")
        lines.append(f"| {'**' + name + '**' if name in DATA_CALLS else name} | " + " | ".join(cells) + " |")
    lines += ["", "Data calls in bold. Median over the traced repeats; raw tables in `raw/syscalls-CASE-rN.txt`.",
              "", f"<sub>{record_line}</sub>", ""]
    return "\n".join(lines) + "\n"


def buffer_fill(cases, record_line):
    """Bytes per data call, traced and untraced: what tracing does to how full each read comes back."""
    lines = []
    for case in cases:
        traced, counted = median(cases, case, "data_calls_per_gb"), median(cases, case, "counted_data_calls_per_gb_p1")
        if not traced and not counted:
            continue
        # Every byte is read once and written once: two data calls per chunk moved.
        def kib(calls):
            return f"{2e9 / calls / 1024:.1f}" if calls else "–"
        lines.append(f"| {case} | {kib(counted)} | {kib(traced)} |")
    if not lines:
        return ""
    return "\n".join(["### Bytes per data call (KiB), untraced and traced", "",
                      "| case | untraced (perf stat, P=1) | traced (syscall table) |", "|---|---|---|"] + lines +
                     ["", "2 GB divided by the data calls per GB: each byte is read once and written once."
                      " Tracing slows the forwarder and not its peers, so its reads may find more bytes waiting:"
                      " read the traced column for which calls there are, the untraced one for how full they come back.",
                      "", f"<sub>{record_line}</sub>", ""]) + "\n"


def flame_links(directory):
    flames = sorted((directory / "flames").glob("*.html")) if (directory / "flames").exists() else []
    if not flames:
        return ""
    return "### Flame graphs\n\n" + "".join(f"- [{path.stem}](flames/{path.name})\n" for path in flames) + "\n"


## Charts ------------------------------------------------------------------------------------

def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def nice_top(peak):
    peak = max(peak, 1e-9)
    step = next(base * 10 ** power for power in range(-3, 10) for base in (1, 2, 5) if peak / (base * 10 ** power) <= 6)
    return step, step * (int(peak / step) + 1)


def wrap(note, limit=150):
    """A long run record split at its " · " separators, so that it fits under a chart."""
    lines, line = [], ""
    for part in note.split(" · "):
        if line and len(line) + len(part) + 3 > limit:
            lines.append(line + " ·")
            line = part
        else:
            line = f"{line} · {part}" if line else part
    return lines + [line]


def svg_frame(width, height, title, unit, footnotes):
    footnotes = [line for note in footnotes for line in wrap(note)]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="24" text-anchor="middle" font-size="16">{escape(title)}</text>',
           f'<text transform="translate(16,{(height - 60) / 2 + 30}) rotate(-90)" text-anchor="middle">{escape(unit)}</text>']
    for i, note in enumerate(footnotes):
        out.append(f'<text x="10" y="{height - 8 - 14 * (len(footnotes) - 1 - i)}" fill="#555" font-size="10">{escape(note)}</text>')
    return out


def axis(out, left, top, plot_w, plot_h, top_value, step):
    for i in range(int(round(top_value / step)) + 1):
        value = step * i
        y = top + plot_h - plot_h * value / top_value
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{number(value)}</text>')
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="black"/>')


def legend(out, x, top, names):
    for s, name in enumerate(names):
        y = top + 10 + 20 * s
        out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{COLOURS[s % len(COLOURS)]}"/>')
        out.append(f'<text x="{x + 18}" y="{y}">{escape(name)}</text>')


def bar_chart(title, unit, categories, series, path, footnotes):
    """Grouped bars with their values printed: one group per category, one bar per series."""
    width, height, left, bottom, top = 960, 540, 80, 200, 50
    plot_w, plot_h = width - left - 190, height - top - bottom
    peak = max([high for _, values in series for (_, _, high) in values if high is not None] + [1e-9])
    step, top_value = nice_top(peak)
    out = svg_frame(width, height, title, unit, footnotes)
    axis(out, left, top, plot_w, plot_h, top_value, step)
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
                       f'fill="{COLOURS[s % len(COLOURS)]}"><title>{escape(category)} {escape(name)}: {number(middle)} {escape(unit)}</title></rect>')
            cx = x + (bar_w - 2) / 2
            if low is not None and high is not None and high > low:
                y_low = top + plot_h - plot_h * low / top_value
                y_high = top + plot_h - plot_h * high / top_value
                out.append(f'<line x1="{cx:.1f}" y1="{y_low:.1f}" x2="{cx:.1f}" y2="{y_high:.1f}" stroke="black"/>')
                y = min(y, y_high)
            out.append(f'<text transform="translate({cx + 3:.1f},{y - 3:.1f}) rotate(-90)" font-size="10">{number(middle)}</text>')
        out.append(f'<text transform="translate({x0 + group_w * 0.4:.1f},{top + plot_h + 14}) rotate(30)" '
                   f'text-anchor="start">{escape(category)}</text>')
    legend(out, left + plot_w + 20, top, [name for name, _ in series])
    out.append("</svg>")
    path.write_text("\n".join(out) + "\n")


def line_chart(title, unit, series, path, footnotes):
    """Buffer size on the x axis (8, 16, 64 KiB), one line per series, each point labelled."""
    width, height, left, bottom, top = 960, 470, 80, 90, 50
    plot_w, plot_h = width - left - 250, height - top - bottom
    peak = max([v for _, points in series for v in points if v is not None] + [1e-9])
    step, top_value = nice_top(peak)
    out = svg_frame(width, height, title, unit, footnotes)
    axis(out, left, top, plot_w, plot_h, top_value, step)
    xs = [left + plot_w * (i + 0.5) / len(BUFFERS) for i in range(len(BUFFERS))]
    for x, buffer in zip(xs, BUFFERS):
        out.append(f'<text x="{x:.1f}" y="{top + plot_h + 18}" text-anchor="middle">{buffer.replace("k", " KiB")}</text>')
    out.append(f'<text x="{left + plot_w / 2}" y="{top + plot_h + 38}" text-anchor="middle">buffer size</text>')
    labels = {}  # by x: (y, value, colour), so that labels at one buffer size can be kept apart
    for s, (name, points) in enumerate(series):
        colour = COLOURS[s % len(COLOURS)]
        coords = [(x, top + plot_h - plot_h * v / top_value, v) for x, v in zip(xs, points) if v is not None]
        if len(coords) > 1:
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
                       + " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in coords) + '"/>')
        for x, y, v in coords:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>')
            labels.setdefault(x, []).append((y, v, colour))
    for x, column in labels.items():
        last = -1e9
        for y, v, colour in sorted(column):
            last = max(y + 4, last + 12)
            out.append(f'<text x="{x + 8:.1f}" y="{last:.1f}" font-size="10" fill="{colour}">{number(v)}</text>')
    legend(out, left + plot_w + 20, top, [name for name, _ in series])
    out.append("</svg>")
    path.write_text("\n".join(out) + "\n")


def stats(cases, case, column):
    values = samples(cases, case, column)
    if not values:
        return (None, None, None)
    return (statistics.median(values), min(values), max(values))


def sweep_series(cases, text, column):
    """One line per thread model, --io and scheduler of oi; haproxy at its tune.bufsize; rinetd at 16k."""
    lines = {}
    for case in cases:
        info = text.get(case, {})
        buffer = next(iter(info.get("buffer", {""})))
        if buffer not in BUFFERS:
            continue
        if case.startswith("oi-"):
            parts = [next(iter(info.get(k, {"-"}))) for k in ("threads", "io", "scheduler")]
            label = "oi " + " ".join(p for p in parts if p != "-")
        elif case.startswith("haproxy"):
            label = "haproxy-splice" if "splice" in case else "haproxy (tune.bufsize)"
        elif case == "rinetd":
            label = "rinetd (16 KiB fixed)"
        elif case.startswith("oxidinetd-"):
            label = "oxidinetd"
        else:
            continue
        lines.setdefault(label, [None] * len(BUFFERS))[BUFFERS.index(buffer)] = median(cases, case, column)
    return [(label, points) for label, points in lines.items() if any(p is not None for p in points)]


def charts(cases, text, directory, record_line):
    names = list(cases)
    made = []

    def footnotes(columns):
        counts = sorted({len(v) for case in names for column in columns for v in [samples(cases, case, column)] if v})
        if counts == [1]:
            how = "bars: one sample each"
        else:
            how = f"bars: median of {counts[0] if len(counts) == 1 else f'{counts[0]}–{counts[-1]}'} repeats; lines: min–max"
        return [how, record_line]

    def chart(file, title, unit, series):
        columns = [column for _, column in series]
        if not any(samples(cases, case, column) for case in names for column in columns):
            return
        shown = [case for case in names if any(samples(cases, case, column) for column in columns)]
        bar_chart(title, unit, shown, [(label, [stats(cases, case, column) for case in shown]) for label, column in series],
                  directory / file, footnotes(columns))
        made.append(file)

    def sweep(file, title, unit, column):
        series = sweep_series(cases, text, column)
        if series:
            count = sorted({len(v) for case in names for v in [samples(cases, case, column)] if v})
            how = "points: one sample each" if count == [1] else "points: medians of the repeats"
            line_chart(title, unit, series, directory / file, [how, record_line])
            made.append(file)

    chart("throughput.svg", "Throughput through the forwarder (iperf3, loopback)", "Gbit/s",
          [("1 stream", "p1_gbits"), ("8 streams", "p8_gbits")])
    chart("latency.svg", "32-byte round trip (sockperf, TCP, loopback; added = minus direct; loaded = under one bulk stream)", "µs",
          [("mean", "sp_mean_us"), ("p99", "sp_p99_us"), ("p99.9", "sp_p999_us"), ("added mean", "added:sp_mean_us"),
           ("mean, loaded", "loaded_sp_mean_us")])
    chart("latency-java.svg", "32-byte round trip (bin/oi bench rr, a second opinion)", "µs",
          [("mean", "rr_mean_us"), ("p99", "rr_p99_us"), ("p99.9", "rr_p999_us"), ("added mean", "added:rr_mean_us")])
    chart("syscalls.svg", "Syscalls per GB forwarded (traced, every call)", "calls per GB",
          [("data calls", "data_calls_per_gb"), ("all calls", "all_calls_per_gb")])
    chart("cpu.svg", "CPU per GB forwarded", "CPU-seconds per GB",
          [("forwarder P=1", "cpu_s_per_gb_p1"), ("forwarder P=8", "cpu_s_per_gb_p8"), ("machine P=1", "machine_cpu_s_per_gb_p1")])
    chart("context-switches.svg", "Forwarder context switches per GB (perf stat)", "per GB",
          [("P=1", "cs_per_gb_p1"), ("P=8", "cs_per_gb_p8")])
    chart("connections.svg", "New connections per second (wrk, Connection: close, nginx)", "connections/s",
          [("conn/s", "conn_per_s"), ("conn/s, one wrk thread", "conn_per_s_t1")])
    chart("keepalive.svg", "HTTP keep-alive requests per second (wrk -t2, 1 000 connections, nginx)", "requests/s",
          [("keep-alive req/s", "keepalive_req_s")])
    chart("idle.svg", "Memory per idle connection (RSS)", "KiB per connection", [("idle", "idle_kib_per_conn")])
    chart("namespaces.svg", "Throughput over three network namespaces (veth)", "Gbit/s",
          [("1 stream", "ns_p1_gbits"), ("8 streams", "ns_p8_gbits")])
    sweep("sweep-calls.svg", "Data calls per GB by buffer size (traced)", "calls per GB", "data_calls_per_gb")
    sweep("sweep-gbits.svg", "Throughput by buffer size (iperf3 P=1)", "Gbit/s", "p1_gbits")
    sweep("sweep-cpu.svg", "Forwarder CPU per GB by buffer size (P=1)", "CPU-seconds per GB", "cpu_s_per_gb_p1")
    sweep("sweep-context-switches.svg", "Context switches per GB by buffer size (P=1)", "per GB", "cs_per_gb_p1")
    return made


def main():
    directory = Path(sys.argv[1])
    cases, text, repeats = load(directory)
    record, record_line = manifest(directory)
    made = charts(cases, text, directory, record_line)
    tracers = sorted({t for info in text.values() for t in info.get("tracer", ())})
    parts = ["# Experiment results\n", f"{record_line}\n"]
    if tracers:
        parts.append(f"Syscall tables traced with: {', '.join(t.replace('-', ' ') for t in tracers)}. "
                     f"Counters: {record.get('COUNTERS', 'perf')}.\n")
    failed_columns = ("conn_failed", "conn_failed_t1", "keepalive_failed")
    failing = [f"{case} ({number(sum(sum(cases[case].get(c, [0])) for c in failed_columns))} failed)" for case in cases
               if any(sum(cases[case].get(c, [0])) > 0 for c in failed_columns)]
    if failing:
        parts.append("**Flagged: requests failed** in " + ", ".join(failing) + ". Their conn/s and keep-alive req/s"
                     " count only the requests that succeeded.\n")
    parts += [table(cases, title, note, columns, record_line) for title, note, columns in TABLES]
    parts += [ratio_table(cases, repeats, record_line), oxidinetd_tables(cases, text, repeats, record_line), buffer_fill(cases, record_line), syscall_tables(directory, cases, record_line),
              flame_links(directory), "".join(f"![{m}]({m})\n" for m in made)]
    text_out = "\n".join(part for part in parts if part)
    (directory / "summary.md").write_text(text_out)
    print(text_out)


if __name__ == "__main__":
    main()
