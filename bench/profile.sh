#!/usr/bin/env bash
# `make profile`: a CPU flame graph of oi forwarding iperf3 traffic on loopback, kernel frames
# included. async-profiler comes from Maven Central (tools.profiler:async-profiler, which ships
# the Linux library); it samples with event=cpu (perf events) where the kernel allows it and
# falls back to event=itimer (no kernel frames) elsewhere: the flame graph's title says which.
# `make experiment` draws the same graphs for rinetd and haproxy too (bench/flames.sh).
# Environment: BUFFER (64k), THREADS (virtual), IO (channel), SECONDS_PER_RUN (10), OUT.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUFFER=${BUFFER:-64k}; THREADS=${THREADS:-virtual}; IO=${IO:-channel}; T=${SECONDS_PER_RUN:-10}
OUT=${OUT:-$ROOT/results/profile-$(date +%Y%m%d-%H%M%S)}
export JAVA_HOME=${JAVA_HOME:-$("$ROOT/bin/java-home")}
mkdir -p "$OUT"
command -v iperf3 >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iperf3 >/dev/null; }
source "$ROOT/bench/lib.sh"
source "$ROOT/bench/flames.sh"
fetch_profiler
EVENT=$(profiler_event)

iperf3 -s -p 15401 -D --pidfile "$OUT/iperf3.pid"
wait_listening 15401 # iperf3 -D returns before it listens
trap 'kill $(cat "$OUT/iperf3.pid") ${OI_PID:-} 2>/dev/null || true' EXIT
printf '127.0.0.1 15402 127.0.0.1 15401\n' > "$OUT/oi.conf"
OI_JAVA_OPTS="-agentpath:$ASYNC_PROFILER_LIB=start,event=$EVENT,interval=1ms,file=$OUT/flame.html" \
    "$ROOT/bin/oi" -c "$OUT/oi.conf" --buffer "$BUFFER" --threads "$THREADS" --io "$IO" 2> "$OUT/oi.log" &
OI_PID=$!
wait_listening 15402
iperf3 -c 127.0.0.1 -p 15402 -t "$T" | tail -4
kill -TERM "$OI_PID"; wait "$OI_PID" || true
echo "profile: flame graph of oi --buffer $BUFFER --threads $THREADS --io $IO (event=$EVENT): $OUT/flame.html"
