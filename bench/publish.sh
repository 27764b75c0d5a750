#!/usr/bin/env bash
# Copies an experiment run into docs/results/NAME, so that its figures can be recomputed from
# git: results.csv, manifest.txt, raw/ (perf stat outputs, whole syscall tables, wrk outputs),
# the flame graphs and the charts, then regenerates summary.md there with bench/report.py.
# With IMG=1 the charts also replace docs/img/, which docs/experiments.md shows: do that for a
# reference run, not for a sample.
# Usage: bench/publish.sh RUN_DIR NAME     e.g. bench/publish.sh results/20261201-120000 reference
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[[ $# == 2 && -f "$1/results.csv" ]] || { echo "usage: bench/publish.sh RUN_DIR NAME (RUN_DIR holds results.csv)" >&2; exit 2; }
RUN=$1; DEST="$ROOT/docs/results/$2"
[[ -f "$RUN/manifest.txt" ]] || { echo "publish: $RUN has no manifest.txt: it would be a CSV without its record" >&2; exit 1; }
rm -rf "$DEST"
mkdir -p "$DEST/raw" "$DEST/flames"
cp "$RUN/results.csv" "$RUN/manifest.txt" "$DEST/"
cp "$RUN"/raw/* "$DEST/raw/" 2>/dev/null || true
# The HTML holds the whole profile; the collapsed stacks and agent logs stay in the run folder.
cp "$RUN"/flames/*.html "$DEST/flames/" 2>/dev/null || true
python3 "$ROOT/bench/report.py" "$DEST" > /dev/null
if [[ "${IMG:-0}" == 1 ]]; then
    cp "$DEST"/*.svg "$ROOT/docs/img/"
fi
echo "publish: $DEST ($(du -sh "$DEST" | cut -f1)); paste its summary.md into docs/experiments.md"
