#!/usr/bin/env bash
# Runs every command of docs/tutorial.md, with short durations, so the tutorial cannot rot.
# TutorialIT runs it in `make test`; TutorialIT also checks that each command line of the
# tutorial appears here. Needs root for the experiment step (it installs packages).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$OUT"' EXIT

echo "== 1. Build"
make build

echo "== 2. Forward a port"
bin/oi bench echo-server --port 8000 &
bin/oi -c examples/rules.conf &
for _ in $(seq 100); do bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080' 2>/dev/null && break; sleep 0.1; done
bin/oi bench rr --target 127.0.0.1:8080 --seconds 2 | tee "$OUT/through-oi"
bin/oi bench rr --target 127.0.0.1:8000 --seconds 2 | tee "$OUT/direct"
grep -q 'rr_mean_us=' "$OUT/through-oi"
kill %1 %2

echo "== 3. The A/B in one process"
bin/oi bench --buffer 8k --seconds 3 | tee "$OUT/ab-8k"
bin/oi bench --buffer 64k --seconds 3 | tee "$OUT/ab-64k"
grep -q '^throughput' "$OUT/ab-64k"

echo "== 4. The whole study (a subset, to stay short)"
# Ports and namespaces of their own, so that a benchmark running on the same machine is not broken.
PORT_BASE=17200 NS_PREFIX=oit CASES="direct oi-8k-virtual oi-64k-virtual" OUT="$OUT/experiment" make experiment QUICK=1
grep -q 'oi-64k-virtual' "$OUT/experiment/summary.md"
grep -q '^commit=' "$OUT/experiment/manifest.txt"
test -s "$OUT/experiment/syscalls.svg"
test -s "$OUT/experiment/sweep-calls.svg"
test -s "$OUT/experiment/flames/oi-64k-virtual-p1.html"

echo "== 5. Where the time goes"
SECONDS_PER_RUN=2 OUT="$OUT/profile" make profile
test -s "$OUT/profile/flame.html"
echo "tutorial: every step ran"
