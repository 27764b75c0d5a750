#!/usr/bin/env bash
# What acceptproxy= costs a new connection (issue 23): wrk with `Connection: close` through two
# hops of one oi, the first sending a PROXY v1 header (proxy=v1) in both cases; the second takes
# it (acceptproxy=v1) in one, and in the other passes it on to an nginx that takes it
# (listen ... proxy_protocol). So the difference in oi's CPU per connection is the taking alone.
# Interleaved in ABBA order, R repeats (3); the rate and oi's CPU per connection (both hops).
# `bench/acceptproxy-cost.sh syscalls` counts instead, with perf stat on oi over 3 s of each path:
# every syscall per connection, and the reads that found nothing yet (EAGAIN), each a park and a wake.
# `bench/acceptproxy-cost.sh profile OUT` samples oi's CPU instead (async-profiler, cpu, 1 ms),
# 10 s of each path twice, into OUT/{with,without}-rN-CONNECTIONS.collapsed, and prints
# bench/profile-diff.py's comparison of the two per 1000 connections.
# Usage: bench/acceptproxy-cost.sh [syscalls | profile OUT]   (needs nginx-light, wrk, perf; run under flock /tmp/oi-bench.lock)
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
source bench/lib.sh
R=${R:-3}; T=${T:-5}
work=$(mktemp -d)
trap 'kill $OI_PID 2>/dev/null; kill $(cat "$work"/nginx-*.pid) 2>/dev/null; rm -rf "$work"' EXIT
nginx_backend "$work" 18091
nginx_backend "$work" 18092 "" proxy_protocol
cat > "$work/rules.conf" <<RULES
127.0.0.1 20401 127.0.0.1 20402 [proxy=v1]
127.0.0.1 20402 127.0.0.1 18091 [acceptproxy=v1,proxyfrom=127.0.0.1]
127.0.0.1 20403 127.0.0.1 20404 [proxy=v1]
127.0.0.1 20404 127.0.0.1 18092
RULES
bin/oi -c "$work/rules.conf" > "$work/oi.log" 2>&1 & OI_PID=$!
wait_listening 20404
rate() { wrk -t2 -c32 -d"$2"s --timeout 2s -H 'Connection: close' "http://127.0.0.1:$1/" | python3 bench/parse.py wrk; }
cpu() { awk '{print $14+$15}' "/proc/$OI_PID/stat"; }
measure() { # measure PORT: "rate cpu_us_per_connection failed", oi's CPU over both hops
    local c0 c1 rate requests failed; c0=$(cpu)
    read -r rate requests failed _ < <(rate "$1" "$T")
    c1=$(cpu)
    echo "$rate $(python3 -c "print(round(($c1 - $c0) / $(getconf CLK_TCK) * 1e6 / max($requests, 1), 1))") $failed"
}
rate 20401 5 > /dev/null; rate 20403 5 > /dev/null # warm both paths
if [[ ${1:-} == syscalls ]]; then
    for port in 20401 20403; do
        perf stat -x, -o "$work/perf.txt" -p "$OI_PID" -e 'syscalls:sys_enter_*' -e syscalls:sys_exit_read --filter 'ret == -11' \
            -e context-switches -- sleep $((T + 1)) & perf_pid=$!
        sleep 0.3
        read -r _ requests _ < <(rate "$port" "$T")
        wait "$perf_pid"
        echo "$( ((port == 20401)) && echo with_acceptproxy || echo without ) connections=$requests per connection: $(awk -F, -v n="$requests" \
            '$3 != "" {name = $3; sub(/^syscalls:sys_enter_/, "", name); sub(/^syscalls:sys_exit_read$/, "read_eagain", name)
                if ($1 / n >= 0.01 || name == "read_eagain") printf "%s=%.2f ", name, $1 / n}' "$work/perf.txt")"
    done
    exit
fi
if [[ ${1:-} == profile ]]; then
    out=${2:?profile OUT: a directory for the folded stacks}; mkdir -p "$out"
    JAVA_HOME=$(bin/java-home); source bench/flames.sh; fetch_profiler
    for repeat in 1 2; do
        for port in 20401 20403; do
            name=$( ((port == 20401)) && echo with || echo without )-r$repeat
            flame_start oi-acceptproxy "$OI_PID" "$work/$name"
            read -r _ requests _ < <(rate "$port" 10)
            flame_stop "$name"
            mv "$work/$name.collapsed" "$out/$name-$requests.collapsed"
        done
    done
    python3 bench/profile-diff.py "$out/with-*.collapsed" "$out/without-*.collapsed"
    exit
fi
for repeat in $(seq "$R"); do # ABBA order: neither case always runs on the warmer machine
    if (( repeat % 2 )); then read -r with cpu_with fw < <(measure 20401); read -r without cpu_without fo < <(measure 20403)
    else read -r without cpu_without fo < <(measure 20403); read -r with cpu_with fw < <(measure 20401); fi
    echo "repeat=$repeat with_acceptproxy_conn_s=$with without_conn_s=$without ratio=$(python3 -c "print(round($with / $without, 3))") cpu_us_per_conn_with=$cpu_with cpu_us_per_conn_without=$cpu_without cpu_ratio=$(python3 -c "print(round($cpu_with / $cpu_without, 3))") failed=$fw/$fo"
done
