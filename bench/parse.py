#!/usr/bin/env python3
"""Reads one load tool's output on stdin and prints its figures as words, for bench/experiment.sh.

Usage: iperf3 -J ... | bench/parse.py iperf
       sockperf ping-pong ... | bench/parse.py sockperf
       wrk ... | bench/parse.py wrk

iperf:    "gbits received_bytes moved_bytes": throughput without the omitted warm-up seconds, and
          every byte sent in the window, warm-up included (what CPU and counters are divided by).
sockperf: "mean p50 p99 p999 round_trips": full round trips in µs. sockperf prints half the
          round trip (RTT / 2) of each message; doubling it gives the round trip itself, comparable
          with `bin/oi bench rr`. round_trips counts the whole run, warm-up included.
wrk:      "rate requests failed p99_ms": requests per second (each its own connection under
          `Connection: close`, or many on one connection with keep-alive), their count, failures:
          socket errors (connect, read, write, timeout) plus non-2xx/3xx responses, so a failing
          case cannot look fast, and the 99th percentile of the request latency in ms from
          `wrk --latency`'s distribution ("-" without --latency).
"""
import json
import re
import sys


def iperf(text):
    report = json.loads(text)
    received = report["end"]["sum_received"]
    moved = sum(interval["sum"]["bytes"] for interval in report.get("intervals", [])) or received["bytes"]
    return [received["bits_per_second"] / 1e9, received["bytes"], moved]


def sockperf(text):
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    mean = float(re.search(r"avg-latency=([0-9.]+)", text).group(1))
    percentiles = dict(re.findall(r"percentile\s+([0-9.]+)\s*=\s*([0-9.]+)", text))
    total = re.search(r"\[Total Run\].*ReceivedMessages=([0-9]+)", text)
    return [2 * mean, 2 * float(percentiles["50.000"]), 2 * float(percentiles["99.000"]),
            2 * float(percentiles["99.900"]), int(total.group(1)) if total else 0]


def wrk(text):
    rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", text).group(1))
    requests = int(re.search(r"([0-9]+) requests in", text).group(1))
    errors = re.search(r"Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)", text)
    failed = sum(int(n) for n in errors.groups()) if errors else 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: ([0-9]+)", text)
    failed += int(non_2xx.group(1)) if non_2xx else 0
    p99 = re.search(r"^\s*99%\s+([0-9.]+)(us|ms|s)\s*$", text, re.M)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)] if p99 else "-"
    return [rate, requests, failed, p99_ms]


def main():
    text = sys.stdin.read()
    try:
        values = {"iperf": iperf, "sockperf": sockperf, "wrk": wrk}[sys.argv[1]](text)
    except (AttributeError, KeyError, ValueError, TypeError):
        values = ["-"] * {"iperf": 3, "sockperf": 5, "wrk": 4}[sys.argv[1]]
    print(" ".join(f"{v:.6g}" if isinstance(v, float) else str(v) for v in values))


if __name__ == "__main__":
    main()
