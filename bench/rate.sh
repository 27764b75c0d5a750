#!/usr/bin/env bash
# Bandwidth limits (issue 23) measured by iperf3 through oi: one connection under rate=10m for
# 10 s, and 8 connections (iperf3 -P 8) under rulerate=10m, against the limit (10m is 10 MiB/s).
# Prints the rate over the limit, and for the 8 streams the slowest over its fair share.
# Usage: bench/rate.sh   (R repeats, default 3; needs iperf3; run under flock /tmp/oi-bench.lock)
set -u
cd "$(dirname "$0")/.."
source bench/lib.sh
R=${R:-3}; T=${T:-10}
work=$(mktemp -d); trap 'kill $OI_PID 2>/dev/null; kill $(cat "$work/iperf.pid") 2>/dev/null; rm -rf "$work"' EXIT
iperf3 -s -p 19301 -D --pidfile "$work/iperf.pid"; wait_listening 19301
printf '127.0.0.1 20301 127.0.0.1 19301 [rate=10m]\n127.0.0.1 20302 127.0.0.1 19301 [rulerate=10m]\n' > "$work/rules.conf"
bin/oi -c "$work/rules.conf" > "$work/oi.log" 2>&1 & OI_PID=$!
wait_listening 20302
for repeat in $(seq "$R"); do
    for case in "one 20301 1" "eight 20302 8"; do
        read -r name port streams <<< "$case"
        iperf3 -c 127.0.0.1 -p "$port" -P "$streams" -t "$T" -O 2 -J > "$work/iperf.json" 2>/dev/null
        python3 - "$repeat" "$name" "$streams" "$work/iperf.json" <<'PY'
import json, sys
repeat, name, streams, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
report = json.load(open(path))
limit = 10 * 1024 * 1024
total = report["end"]["sum_received"]["bits_per_second"] / 8
per = [s["receiver"]["bits_per_second"] / 8 for s in report["end"]["streams"]]
fair = limit / streams
print(f"repeat={repeat} {name} streams={streams} total_over_limit={total / limit:.3f}"
      + (f" slowest_over_fair_share={min(per) / fair:.2f}" if streams > 1 else ""))
PY
    done
done
