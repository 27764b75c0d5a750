#!/usr/bin/env bash
# The buffer-size and thread-model study as one command (`make experiment`).
#
# Measures oi at --buffer {8k,16k,64k} x --threads {virtual,platform}, plus --io splice at 64k,
# next to references run on the same machine in the same run: a direct connection (no
# forwarder), rinetd, and haproxy in TCP mode (plain, and splicing: `option splice-auto`,
# `splice-request`, `splice-response`). For each case: iperf3 throughput
# with 1 and 8 streams, forwarder CPU seconds per GB, 32-byte round-trip latency, new
# connections per second, read/write syscalls per GB (strace, a separate run), RSS per idle
# connection, and throughput over three network namespaces (client | forwarder | server).
#
# Environment: REPEAT (3), SECONDS_PER_RUN (4), IDLE_CONNECTIONS (4000), HELD_CONNECTIONS (8000:
# how many concurrent connections a forwarder must hold, checked after the idle memory), QUICK=1 (a smoke run
# of about two minutes), CASES="oi-64k-virtual rinetd ..." (a subset), OUT (results dir),
# DRY_RUN=1 (print the plan and exit; needs no tools), IO (oi's --io, default channel),
# MEASURE (a subset of "throughput rr connrate syscalls idle netns"; default all),
# OI_JAVA_OPTS (JVM options for oi, e.g. to try -Djdk.pollerMode=1).
# It installs what it needs from Debian's packages when missing (iperf3, rinetd, haproxy,
# strace, iproute2) and must run as root for that and for the namespaces.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OI="$ROOT/bin/oi"
source "$ROOT/bench/lib.sh"
REPEAT=${REPEAT:-3}
T=${SECONDS_PER_RUN:-4}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-4000}
HELD_CONNECTIONS=${HELD_CONNECTIONS:-8000}
STRACE_BYTES=${STRACE_BYTES:-512M}
IO=${IO:-channel}
if [[ "${QUICK:-0}" == 1 ]]; then
    REPEAT=1; T=1; IDLE_CONNECTIONS=500; HELD_CONNECTIONS=1000; STRACE_BYTES=64M
fi
OUT=${OUT:-$ROOT/results/$(date +%Y%m%d-%H%M%S)}
ALL_CASES="direct rinetd haproxy haproxy-splice"
for buffer in 8k 16k 64k; do
    for threads in virtual platform; do
        ALL_CASES="$ALL_CASES oi-$buffer-$threads"
    done
done
ALL_CASES="$ALL_CASES oi-64k-virtual-splice oi-64k-platform-splice" # --io splice, where it counts
CASES=${CASES:-$ALL_CASES}
MEASURE=${MEASURE:-throughput rr connrate syscalls idle netns}
measuring() { [[ " $MEASURE " == *" $1 "* ]]; }

# Ports on loopback: the iperf3 server and the echo backend, and each forwarder's two rules.
IPERF_PORT=15201; ECHO_PORT=15202; FWD_IPERF_PORT=15301; FWD_ECHO_PORT=15302
# The namespaced "real setup": client 10.201.1.2 -> forwarder 10.201.1.1 | 10.201.2.1 -> server 10.201.2.2.
NS_CLIENT=oi-client; NS_FWD=oi-fwd; NS_SERVER=oi-server
NS_FWD_IN=10.201.1.1; NS_CLIENT_IP=10.201.1.2; NS_FWD_OUT=10.201.2.1; NS_SERVER_IP=10.201.2.2

PIDS=()
STARTED=$(date +%s)

say() { printf '%s\n' "$*" >&2; }

cleanup() {
    for pid in "${PIDS[@]:-}"; do
        [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    for ns in $NS_CLIENT $NS_FWD $NS_SERVER; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
}
trap cleanup EXIT INT TERM

## Tools -----------------------------------------------------------------------------------

install_tools() {
    local missing=()
    command -v iperf3 >/dev/null || missing+=(iperf3)
    command -v rinetd >/dev/null || [[ -x /usr/sbin/rinetd ]] || missing+=(rinetd)
    command -v haproxy >/dev/null || [[ -x /usr/sbin/haproxy ]] || missing+=(haproxy)
    command -v strace >/dev/null || missing+=(strace)
    command -v ip >/dev/null || missing+=(iproute2)
    command -v python3 >/dev/null || missing+=(python3)
    if ((${#missing[@]})); then
        say "experiment: installing from Debian's packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
        # The packages start their own services; the experiment runs its own instances.
        systemctl stop rinetd haproxy 2>/dev/null || service rinetd stop 2>/dev/null || true
        service haproxy stop 2>/dev/null || true
    fi
    pkill -x rinetd 2>/dev/null || true
    pkill -x haproxy 2>/dev/null || true
    ulimit -n "$(ulimit -Hn)" # idle connections need two descriptors each in the forwarder
}

## Forwarders --------------------------------------------------------------------------------

oi_flags() { # oi_flags NAME: "BUFFER THREADS IO" of a case named oi-BUFFER-THREADS[-IO]; IO defaults to $IO
    local buffer threads io
    IFS=- read -r _ buffer threads io <<< "$1"
    echo "$buffer $threads ${io:-$IO}"
}

# start_forwarder CASE BIND_ADDR TARGET_ADDR [NETNS]: starts the case's forwarder with two
# rules (iperf3 and echo) and echoes its pid; "direct" starts nothing and echoes 0.
start_forwarder() {
    local name=$1 bind=$2 target=$3 netns=${4:-} dir="$OUT/run"
    local run=()
    [[ -n "$netns" ]] && run=(ip netns exec "$netns")
    mkdir -p "$dir"
    case "$name" in
        direct) echo 0; return ;;
        rinetd)
            printf '%s %s %s %s\n%s %s %s %s\n' "$bind" $FWD_IPERF_PORT "$target" $IPERF_PORT \
                "$bind" $FWD_ECHO_PORT "$target" $ECHO_PORT > "$dir/rinetd.conf"
            "${run[@]}" rinetd -f -c "$dir/rinetd.conf" > "$dir/rinetd.out" 2>&1 &
            ;;
        haproxy|haproxy-splice)
            {
                printf 'global\n    maxconn 7000\n\ndefaults\n    mode tcp\n    timeout connect 5s\n'
                printf '    timeout client 5m\n    timeout server 5m\n'
                # splice-auto alone never spliced here (haproxy 2.6: strace shows read/write only), so
                # the zero-copy reference forces splice both ways as well.
                [[ "$name" == haproxy-splice ]] && printf '    option splice-auto\n    option splice-request\n    option splice-response\n'
                printf '\nlisten iperf\n    bind %s:%s\n    server s %s:%s\n' "$bind" $FWD_IPERF_PORT "$target" $IPERF_PORT
                printf '\nlisten echo\n    bind %s:%s\n    server s %s:%s\n' "$bind" $FWD_ECHO_PORT "$target" $ECHO_PORT
            } > "$dir/haproxy.cfg"
            "${run[@]}" haproxy -db -f "$dir/haproxy.cfg" > "$dir/haproxy.out" 2>&1 &
            ;;
        oi-*)
            local buffer threads io
            read -r buffer threads io <<< "$(oi_flags "$name")"
            printf '%s %s %s %s\n%s %s %s %s\n' "$bind" $FWD_IPERF_PORT "$target" $IPERF_PORT \
                "$bind" $FWD_ECHO_PORT "$target" $ECHO_PORT > "$dir/oi.conf"
            "${run[@]}" "$OI" -c "$dir/oi.conf" --buffer "$buffer" --threads "$threads" --io "$io" \
                --max-conns $((HELD_CONNECTIONS + 1000)) > "$dir/oi.out" 2>&1 &
            ;;
        *) say "experiment: unknown case $name"; exit 2 ;;
    esac
    local pid=$!
    PIDS+=("$pid")
    wait_listening $FWD_ECHO_PORT "$netns" || { say "experiment: $name did not start; see $dir"; exit 1; }
    # rinetd and haproxy may fork or exec: report the process that listens.
    echo "$pid"
}


stop_forwarder() { # stops it and waits until it is gone, so that the next case can bind its ports
    [[ "$1" == 0 ]] && return
    kill "$1" 2>/dev/null || true
    # Not a child of this shell (it was started in a command substitution): poll, don't wait.
    for _ in $(seq 100); do
        [[ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" =~ ^(|Z)$ ]] && break
        sleep 0.1
    done
    kill -KILL "$1" 2>/dev/null || true
    sleep 0.3
}

cpu_seconds() { # utime + stime of a process, all threads, in seconds
    [[ "$1" == 0 ]] && { echo 0; return; }
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat"
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

## Measurements ------------------------------------------------------------------------------

# iperf PORT STREAMS [NETNS HOST]: prints "gbits bytes" of one iperf3 run
iperf() {
    local port=$1 streams=$2 run=() host=127.0.0.1
    [[ -n "${3:-}" ]] && { run=(ip netns exec "$3"); host=$4; }
    "${run[@]}" iperf3 -c "$host" -p "$port" -t "$T" -P "$streams" -J 2> /dev/null \
        | python3 -c 'import json,sys; r=json.load(sys.stdin)["end"]["sum_received"]; print(r["bits_per_second"]/1e9, r["bytes"])'
}

syscalls_per_gb() { # strace the forwarder during a fixed transfer; prints calls per GB
    local pid=$1 port=$2 trace="$OUT/run/strace.txt"
    [[ "$pid" == 0 ]] && { echo ""; return; }
    strace -c -f -p "$pid" -o "$trace" 2>/dev/null &
    local tracer=$!
    sleep 1
    local bytes
    bytes=$(iperf3 -c 127.0.0.1 -p "$port" -n "$STRACE_BYTES" -J 2>/dev/null \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bytes"])')
    kill -INT "$tracer" 2>/dev/null; wait "$tracer" 2>/dev/null || true
    python3 - "$trace" "$bytes" <<'EOF'
import sys
calls = 0
for line in open(sys.argv[1]):
    fields = line.split()
    if len(fields) >= 5 and fields[-1] in ("read", "write", "readv", "writev", "recvfrom", "sendto",
                                           "recvmsg", "sendmsg", "splice"):
        calls += int(fields[3])
print(round(calls / (int(sys.argv[2]) / 1e9)))
EOF
}

idle_kib_per_connection() { # RSS the forwarder adds per idle connection; run it on a fresh process
    local pid=$1
    [[ "$pid" == 0 ]] && { echo ""; return; }
    local before after
    # Warm up first: a forwarder that has just started still grows (classes, compiler threads),
    # and that growth must not be charged to the idle connections.
    "$OI" bench idle --target 127.0.0.1:$FWD_ECHO_PORT --connections 100 --seconds 0 > /dev/null 2>&1 || true
    sleep 1
    before=$(rss_kib "$pid")
    "$OI" bench idle --target 127.0.0.1:$FWD_ECHO_PORT --connections "$IDLE_CONNECTIONS" --seconds 4 \
        > "$OUT/run/idle.out" 2>&1 &
    local holder=$!
    for _ in $(seq 600); do grep -q '^open=' "$OUT/run/idle.out" 2>/dev/null && break; sleep 0.1; done
    sleep 1
    after=$(rss_kib "$pid")
    wait "$holder" || true
    grep -q "^open=$IDLE_CONNECTIONS\$" "$OUT/run/idle.out" || { echo ""; return; }
    python3 -c "print(round(($after - $before) / $IDLE_CONNECTIONS, 1))"
}

held_connections() { # held_connections NAME: how many of HELD_CONNECTIONS the forwarder held at once
    # Only oi's: rinetd 0.73 takes minutes to accept 8 000 (22 s for 4 000 here), and haproxy's
    # maxconn is set below the count to fit its splice pipes in the descriptor limit.
    [[ "$1" == oi-* ]] || { echo ""; return; }
    "$OI" bench idle --target 127.0.0.1:$FWD_ECHO_PORT --connections "$HELD_CONNECTIONS" --seconds 1 \
        > "$OUT/run/held-$1.out" 2>&1 || true
    sed -n 's/^open=\([0-9]*\).*/\1/p' "$OUT/run/held-$1.out"
}

## Namespaces --------------------------------------------------------------------------------

setup_namespaces() {
    ip netns add $NS_CLIENT && ip netns add $NS_FWD && ip netns add $NS_SERVER || return 1
    ip link add oi-c type veth peer name oi-fc || return 1
    ip link add oi-s type veth peer name oi-fs || return 1
    ip link set oi-c netns $NS_CLIENT && ip link set oi-fc netns $NS_FWD
    ip link set oi-s netns $NS_SERVER && ip link set oi-fs netns $NS_FWD
    ip -n $NS_CLIENT addr add $NS_CLIENT_IP/24 dev oi-c
    ip -n $NS_FWD addr add $NS_FWD_IN/24 dev oi-fc
    ip -n $NS_FWD addr add $NS_FWD_OUT/24 dev oi-fs
    ip -n $NS_SERVER addr add $NS_SERVER_IP/24 dev oi-s
    for ns in $NS_CLIENT $NS_FWD $NS_SERVER; do ip -n $ns link set lo up; done
    ip -n $NS_CLIENT link set oi-c up; ip -n $NS_FWD link set oi-fc up
    ip -n $NS_FWD link set oi-fs up; ip -n $NS_SERVER link set oi-s up
    # "direct" in the real setup is the kernel routing through the middle namespace.
    ip netns exec $NS_FWD sysctl -qw net.ipv4.ip_forward=1
    ip -n $NS_CLIENT route add default via $NS_FWD_IN
    ip -n $NS_SERVER route add default via $NS_FWD_OUT
    ip netns exec $NS_SERVER iperf3 -s -p $IPERF_PORT -D
    ip netns exec $NS_SERVER "$OI" bench echo-server --port $ECHO_PORT > "$OUT/run/ns-echo.out" 2>&1 &
    PIDS+=($!)
}

## The run -----------------------------------------------------------------------------------

measure_case() { # measure_case NAME INDEX COUNT
    local name=$1 buffer=- threads=- io=$IO
    [[ "$name" == oi-* ]] && read -r buffer threads io <<< "$(oi_flags "$name")"
    local pid port=$FWD_IPERF_PORT echo_port=$FWD_ECHO_PORT
    [[ "$name" == direct ]] && { port=$IPERF_PORT; echo_port=$ECHO_PORT; }
    local command="$name"
    [[ "$name" == oi-* ]] && command="${OI_JAVA_OPTS:+OI_JAVA_OPTS='$OI_JAVA_OPTS' }bin/oi -c oi.conf --buffer $buffer --threads $threads --io $io"
    [[ "$name" == rinetd ]] && command="rinetd -f -c rinetd.conf"
    [[ "$name" == haproxy* ]] && command="haproxy -db -f haproxy.cfg"
    if measuring idle && [[ "$name" != direct ]]; then
        # Each sample on a fresh forwarder: load would grow a JVM's heap first, and a JVM's
        # RSS after 4 000 connections depends on how much of its young generation was touched
        # (seen here: 8.4 or 17 KiB/connection in back-to-back runs), so take the median of REPEAT.
        local sample idle held=""
        for sample in $(seq "$REPEAT"); do
            progress "$2" "$3" "$name" "idle connections, sample $sample of $REPEAT"
            pid=$(start_forwarder "$name" 127.0.0.1 127.0.0.1)
            idle=$(idle_kib_per_connection "$pid" || true)
            [[ "$sample" == 1 ]] && held=$(held_connections "$name" || true)
            stop_forwarder "$pid"
            printf '%s,%s,%s,%s,idle %s,,,,,,,,,,%s,%s,,,%s\n' "$name" "$buffer" "$threads" "$io" "$sample" "$idle" "$held" \
                "$command" >> "$OUT/results.csv"
            held=""
        done
    fi
    pid=$(start_forwarder "$name" 127.0.0.1 127.0.0.1)
    for repeat in $(seq "$REPEAT"); do
        progress "$2" "$3" "$name" "repeat $repeat of $REPEAT"
        local cpu0 p1="" p8="" cpu1 bytes1=0 bytes8=0 rr="" rate=""
        cpu0=$(cpu_seconds "$pid")
        if measuring throughput; then
            read -r p1 bytes1 <<< "$(iperf $port 1)"
            read -r p8 bytes8 <<< "$(iperf $port 8)"
        fi
        cpu1=$(cpu_seconds "$pid")
        measuring rr && rr=$("$OI" bench rr --target 127.0.0.1:$echo_port --seconds "$T" 2>/dev/null)
        measuring connrate && rate=$("$OI" bench connrate --target 127.0.0.1:$echo_port --seconds "$T" --concurrency 4 2>/dev/null)
        local once_syscalls=""
        if [[ "$repeat" == 1 ]]; then
            measuring syscalls && once_syscalls=$(syscalls_per_gb "$pid" "$port" || true)
        fi
        python3 - "$OUT/results.csv" <<EOF
import csv, sys
rr = dict(word.split("=") for word in """$rr""".split())
rate = dict(word.split("=") for word in """$rate""".split())
cpu = $cpu1 - $cpu0
moved = ($bytes1 + $bytes8) / 1e9 or float("nan")
with open(sys.argv[1], "a", newline="") as f:
    csv.writer(f).writerow(["$name", "$buffer", "$threads", "$io", $repeat, "$p1", "$p8",
        round(cpu / moved, 3) if "$name" != "direct" and moved == moved else "",
        rr.get("rr_mean_us", ""), rr.get("rr_p50_us", ""), rr.get("rr_p99_us", ""), rr.get("rr_p999_us", ""),
        rate.get("connections_per_second", ""), "$once_syscalls", "", "", "", "", "$command"])
EOF
    done
    stop_forwarder "$pid"
    if [[ "$NAMESPACES" == yes ]] && measuring netns; then
        progress "$2" "$3" "$name" "namespaces"
        local npid nport=$FWD_IPERF_PORT host=$NS_FWD_IN n1 n8 _
        npid=$(start_forwarder "$name" $NS_FWD_IN $NS_SERVER_IP $NS_FWD)
        [[ "$name" == direct ]] && { nport=$IPERF_PORT; host=$NS_SERVER_IP; }
        read -r n1 _ <<< "$(iperf $nport 1 $NS_CLIENT $host)"
        read -r n8 _ <<< "$(iperf $nport 8 $NS_CLIENT $host)"
        printf '%s,%s,%s,%s,namespaces,,,,,,,,,,,,%s,%s,%s\n' "$name" "$buffer" "$threads" "$io" "$n1" "$n8" \
            "ip netns exec $NS_FWD $command" >> "$OUT/results.csv"
        stop_forwarder "$npid"
    fi
}

progress() { # progress INDEX COUNT NAME STEP
    local elapsed=$(( $(date +%s) - STARTED )) left=""
    (( $1 > 1 )) && left=", about $(( elapsed * ($2 - $1 + 1) / ($1 - 1) ))s left"
    say "experiment: case $1 of $2: $3, $4 (${elapsed}s elapsed$left)"
}

main() {
    read -ra cases <<< "$CASES"
    say "experiment: ${#cases[@]} cases x $REPEAT repeats, ${T}s per run; results in $OUT"
    if [[ "${DRY_RUN:-0}" == 1 ]]; then
        for name in "${cases[@]}"; do
            say "  would measure: $name"
        done
        exit 0
    fi
    [[ $(id -u) == 0 ]] || { say "experiment: run as root (it installs packages and creates namespaces)"; exit 1; }
    install_tools
    mkdir -p "$OUT/run"
    make -s -C "$ROOT" build >&2
    echo "case,buffer,threads,io,repeat,p1_gbits,p8_gbits,cpu_s_per_gb,rr_mean_us,rr_p50_us,rr_p99_us,rr_p999_us,conn_per_s,syscalls_per_gb,idle_kib_per_conn,held_conns,ns_p1_gbits,ns_p8_gbits,command" \
        > "$OUT/results.csv"
    iperf3 -s -p $IPERF_PORT -D --pidfile "$OUT/run/iperf3.pid"
    PIDS+=("$(cat "$OUT/run/iperf3.pid" 2>/dev/null || true)")
    "$OI" bench echo-server --port $ECHO_PORT > "$OUT/run/echo.out" 2>&1 &
    PIDS+=($!)
    wait_listening $ECHO_PORT || { say "experiment: the echo backend did not start"; exit 1; }
    NAMESPACES=no
    if ! measuring netns; then
        :
    elif setup_namespaces 2>"$OUT/run/netns.err"; then
        NAMESPACES=yes
        wait_listening $ECHO_PORT $NS_SERVER || true
    else
        say "experiment: cannot create network namespaces ($(head -1 "$OUT/run/netns.err")): skipping the real setup"
    fi
    local index=0
    for name in "${cases[@]}"; do
        index=$((index + 1))
        measure_case "$name" "$index" "${#cases[@]}"
    done
    python3 "$ROOT/bench/report.py" "$OUT"
    say "experiment: done in $(( $(date +%s) - STARTED ))s: $OUT/summary.md"
}

main "$@"
