#!/usr/bin/env bash
# `make profile`: a CPU flame graph of oi forwarding iperf3 traffic on loopback.
# async-profiler comes from Maven Central (tools.profiler:async-profiler, which ships the Linux
# library); perf events are not available in this VM, so it samples with event=itimer.
# Environment: BUFFER (64k), THREADS (virtual), IO (channel), SECONDS_PER_RUN (10), OUT.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUFFER=${BUFFER:-64k}; THREADS=${THREADS:-virtual}; IO=${IO:-channel}; T=${SECONDS_PER_RUN:-10}
OUT=${OUT:-$ROOT/results/profile-$(date +%Y%m%d-%H%M%S)}
VERSION=4.1
mkdir -p "$OUT"
command -v iperf3 >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iperf3 >/dev/null; }
JAR="$HOME/.m2/repository/tools/profiler/async-profiler/$VERSION/async-profiler-$VERSION.jar"
[[ -f "$JAR" ]] || mvn -q -B -ntp dependency:get -Dartifact=tools.profiler:async-profiler:$VERSION >&2
LIB="$ROOT/target/async-profiler/libasyncProfiler.so"
mkdir -p "$(dirname "$LIB")"
unzip -p "$JAR" linux-x64/libasyncProfiler.so > "$LIB"

iperf3 -s -p 15401 -D --pidfile "$OUT/iperf3.pid"
source "$ROOT/bench/lib.sh"
wait_listening 15401 # iperf3 -D returns before it listens
trap 'kill $(cat "$OUT/iperf3.pid") ${OI_PID:-} 2>/dev/null || true' EXIT
printf '127.0.0.1 15402 127.0.0.1 15401\n' > "$OUT/oi.conf"
OI_JAVA_OPTS="-agentpath:$LIB=start,event=itimer,interval=1ms,file=$OUT/flame.html" \
    "$ROOT/bin/oi" -c "$OUT/oi.conf" --buffer "$BUFFER" --threads "$THREADS" --io "$IO" 2> "$OUT/oi.log" &
OI_PID=$!
wait_listening 15402
iperf3 -c 127.0.0.1 -p 15402 -t "$T" | tail -4
kill -TERM "$OI_PID"; wait "$OI_PID" || true
echo "profile: flame graph of oi --buffer $BUFFER --threads $THREADS --io $IO: $OUT/flame.html"
