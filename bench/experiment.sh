#!/usr/bin/env bash
# The buffer-size and thread-model study as one command (`make experiment`).
#
# Measures oi at --buffer {8k,16k,64k} x --threads {virtual,platform}, plus --io splice at 64k,
# next to references run on the same machine in the same run: a direct connection (no
# forwarder), rinetd as shipped (it reads 16 KiB at a time), haproxy in TCP mode at its
# default tune.bufsize (16 KiB), at 8 and 64 KiB, and splicing (`option splice-auto`,
# `splice-request`, `splice-response`), and oxidinetd, the Rust/smol forwarder the original
# study profiled, at its own 8 KiB io::copy and the study's 16 and 64 KiB pump. Each repeat runs every case once, in an order rotated
# by one from the repeat before, each on a fresh forwarder; MEASURE picks what:
#   throughput  iperf3 with 1 and 8 streams (first second omitted, after a warm-up run), with the
#               forwarder's CPU and the whole machine's (/proc/stat) per GB at P=1 and at P=8,
#               and perf stat counters (context switches, migrations, syscalls) per GB
#   rr          32-byte round trips with the project's own client (bin/oi bench rr), a second
#               opinion next to sockperf, with context switches per round trip
#   latency     sockperf ping-pong, 32-byte messages, TCP, with context switches per round trip
#   loaded      the same while a one-stream iperf3 bulk transfer goes through the same forwarder
#   connrate    wrk with `Connection: close`, CONNRATE_CONCURRENCY connections, against nginx,
#               with two client threads and with one; then HTTP keep-alive at KEEPALIVE_CONNECTIONS
#               connections after KEEPALIVE_WARMUP seconds not recorded (requests/s and p99);
#               failed requests are counted, not dropped
#   syscalls    every syscall by name during a STRACE_BYTES transfer (perf trace -s, or
#               strace -c -f where perf trace cannot follow the forwarder's threads)
#   idle        RSS per idle connection (IDLE_CONNECTIONS, fresh forwarder), and whether oi holds
#               HELD_CONNECTIONS at once (first repeat)
#   netns       iperf3 P=1/P=8 and sockperf across three network namespaces
#   flames      CPU flame graphs with kernel frames of FLAME_CASES at P=1 and P=8, after the repeats
#
# Environment: REPEAT (5), SECONDS_PER_RUN (4), WARMUP (2: seconds of load before measuring, and
# iperf3 -O 1), IDLE_CONNECTIONS (4000), HELD_CONNECTIONS (8000), STRACE_BYTES (512M),
# CONNRATE_CONCURRENCY (32), KEEPALIVE_CONNECTIONS (1000), KEEPALIVE_WARMUP (1: seconds of
# keep-alive load before its measured run), PIN=1 (forwarder on CPU 1, load tools on CPU 0, with taskset),
# QUICK=1 (a smoke run: one repeat, 1 s per run), CASES="oi-64k-virtual rinetd ..." (a subset),
# FLAME_CASES, MEASURE (a subset of the words above; default all), OUT (results dir),
# DRY_RUN=1 (print the plan and exit; needs no tools), PORT_BASE (15200) and NS_PREFIX (oi), which
# keep two runs on one machine apart, IO (oi's --io for a case name that
# carries none; default channel), OI_JAVA_OPTS (JVM options for oi), OXIDINETD_DIR (a folder
# holding the binaries oxidinetd-8k, oxidinetd-16k and oxidinetd-64k) or OXIDINETD_SRC (a
# checkout of oxidinetd, built by bench/oxidinetd-build.sh), OXIDINETD_COMMIT (for the manifest,
# when OXIDINETD_DIR has no COMMIT file); with neither, the oxidinetd cases are skipped.
# Case names: direct, rinetd, haproxy[-splice][-BUFFER], oxidinetd-{8k,16k,64k}, and
# oi-BUFFER-THREADS[-IO][-SCHEDULER] (IO: channel|stream|splice|auto; SCHEDULER: jdk|poller,
# passed as --scheduler only when named).
# It installs what it needs from Debian's packages when missing and must run as root for that,
# for the namespaces and for perf.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OI="$ROOT/bin/oi"
source "$ROOT/bench/lib.sh"
source "$ROOT/bench/counters.sh"
source "$ROOT/bench/flames.sh"
REPEAT=${REPEAT:-5}
T=${SECONDS_PER_RUN:-4}
WARMUP=${WARMUP:-2}
OMIT=1
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-4000}
HELD_CONNECTIONS=${HELD_CONNECTIONS:-8000}
STRACE_BYTES=${STRACE_BYTES:-512M}
CONNRATE_CONCURRENCY=${CONNRATE_CONCURRENCY:-32}
KEEPALIVE_CONNECTIONS=${KEEPALIVE_CONNECTIONS:-1000}
# Kept at 1 s under QUICK=1 too: else the handshakes of all the keep-alive connections fall in a 1 s window.
KEEPALIVE_WARMUP=${KEEPALIVE_WARMUP:-1}
IO=${IO:-channel}
PIN=${PIN:-0}
FLAME_SECONDS=$T
if [[ "${QUICK:-0}" == 1 ]]; then
    REPEAT=1; T=1; WARMUP=0; OMIT=0; IDLE_CONNECTIONS=500; HELD_CONNECTIONS=1000; STRACE_BYTES=64M; FLAME_SECONDS=1
fi
OUT=${OUT:-$ROOT/results/$(date +%Y%m%d-%H%M%S)}
RAW="$OUT/raw"
ALL_CASES="direct rinetd haproxy haproxy-8k haproxy-64k haproxy-splice"
for buffer in 8k 16k 64k; do
    for threads in virtual platform; do
        ALL_CASES="$ALL_CASES oi-$buffer-$threads"
    done
done
ALL_CASES="$ALL_CASES oi-64k-virtual-splice oi-64k-platform-splice" # --io splice, where it counts
# The scheduler A/B: a case name without a scheduler runs oi's default (--scheduler auto: the poller scheduler on more than one core, the JDK's on one, so under PIN=1 too); these run the JDK's.
ALL_CASES="$ALL_CASES oi-64k-virtual-channel-jdk oi-64k-virtual-splice-jdk"
OXIDINETD_CASES="oxidinetd-8k oxidinetd-16k oxidinetd-64k"
ALL_CASES="$ALL_CASES $OXIDINETD_CASES"
CASES=${CASES:-$ALL_CASES}
FLAME_CASES=${FLAME_CASES:-rinetd haproxy-8k haproxy-64k haproxy-splice oi-8k-virtual oi-64k-virtual oi-8k-platform oi-64k-platform oi-64k-virtual-splice $OXIDINETD_CASES}
MEASURE=${MEASURE:-throughput rr latency loaded connrate syscalls idle netns flames}
measuring() { [[ " $MEASURE " == *" $1 "* ]]; }

# Ports on loopback: the backends (iperf3, echo, sockperf, nginx), and each forwarder's rules to them.
# PORT_BASE and NS_PREFIX keep two runs on one machine (say, a test's and a benchmark's) apart.
PORT_BASE=${PORT_BASE:-15200}; NS_PREFIX=${NS_PREFIX:-oi}
IPERF_PORT=$((PORT_BASE + 1)); ECHO_PORT=$((PORT_BASE + 2)); SOCKPERF_PORT=$((PORT_BASE + 3)); HTTP_PORT=$((PORT_BASE + 4))
FWD_IPERF_PORT=$((PORT_BASE + 101)); FWD_ECHO_PORT=$((PORT_BASE + 102)); FWD_SOCKPERF_PORT=$((PORT_BASE + 103)); FWD_HTTP_PORT=$((PORT_BASE + 104))
# The namespaced "real setup": client 10.201.1.2 -> forwarder 10.201.1.1 | 10.201.2.1 -> server 10.201.2.2.
NS_CLIENT=$NS_PREFIX-client; NS_FWD=$NS_PREFIX-fwd; NS_SERVER=$NS_PREFIX-server
NS_FWD_IN=10.201.1.1; NS_CLIENT_IP=10.201.1.2; NS_FWD_OUT=10.201.2.1; NS_SERVER_IP=10.201.2.2
# PIN=1: the forwarder alone on one core, everything that makes or takes the load on the other.
FWD_PIN=(); LOAD=()
[[ "$PIN" == 1 ]] && { FWD_PIN=(taskset -c 1); LOAD=(taskset -c 0); }

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

## Tools -----------------------------------------------------------------------------------

install_tools() {
    local missing=()
    command -v iperf3 >/dev/null || missing+=(iperf3)
    command -v rinetd >/dev/null || [[ -x /usr/sbin/rinetd ]] || missing+=(rinetd)
    command -v haproxy >/dev/null || [[ -x /usr/sbin/haproxy ]] || missing+=(haproxy)
    command -v strace >/dev/null || missing+=(strace)
    command -v ip >/dev/null || missing+=(iproute2)
    command -v python3 >/dev/null || missing+=(python3)
    command -v sockperf >/dev/null || missing+=(sockperf)
    command -v wrk >/dev/null || missing+=(wrk)
    command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
    command -v perf >/dev/null || missing+=(linux-perf)
    command -v taskset >/dev/null || missing+=(util-linux)
    command -v unzip >/dev/null || missing+=(unzip) # the profiler's library comes out of its jar
    if ((${#missing[@]})); then
        say "experiment: installing from Debian's packages: ${missing[*]}"
        apt-get update -qq
        # linux-perf may be missing from a mirror: perf is optional (counters fall back to /proc).
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
            || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]/linux-perf}" >/dev/null
        # The packages start their own services; the experiment runs its own instances.
        for service in rinetd haproxy nginx; do
            systemctl stop "$service" 2>/dev/null || service "$service" stop 2>/dev/null || true
        done
    fi
    # A service instance would hold ports and CPU; another harness's own instances (their
    # configs sit in a run folder) are left alone.
    local pid
    for pid in $(pgrep -x rinetd) $(pgrep -x haproxy); do
        tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q '/run/\(rinetd.conf\|haproxy[-a-z0-9]*.cfg\)' \
            || kill "$pid" 2>/dev/null || true
    done
    ulimit -n "$(ulimit -Hn)" # idle connections need two descriptors each in the forwarder
}

## Forwarders --------------------------------------------------------------------------------

# oi_flags NAME: "BUFFER THREADS IO SCHEDULER" of oi-BUFFER-THREADS[-IO][-SCHEDULER]; IO defaults
# to $IO, SCHEDULER to "-" (no --scheduler flag: the forwarder's own default).
oi_flags() {
    local buffer threads rest io=$IO scheduler=- word
    IFS=- read -r _ buffer threads rest <<< "$1"
    for word in ${rest//-/ }; do
        case "$word" in
            channel|stream|splice|auto) io=$word ;;
            jdk|poller) scheduler=$word ;;
            *) say "experiment: $1: unknown part \"$word\" (--io channel|stream|splice|auto, --scheduler jdk|poller)"; exit 2 ;;
        esac
    done
    echo "$buffer $threads $io $scheduler"
}

haproxy_bufsize() { # haproxy[-splice][-BUFFER]: BUFFER in bytes, or "" for haproxy's default (16 KiB)
    local buffer=${1##*-}
    case "$buffer" in
        *k) echo $(( ${buffer%k} * 1024 )) ;;
        *) echo "" ;;
    esac
}

rules() { # rules BIND TARGET: the four forwarding rules, as "bind port target port" lines
    local port
    for port in "$FWD_IPERF_PORT $IPERF_PORT" "$FWD_ECHO_PORT $ECHO_PORT" "$FWD_SOCKPERF_PORT $SOCKPERF_PORT" "$FWD_HTTP_PORT $HTTP_PORT"; do
        set -- "$1" "$2" $port
        echo "$1 $3 $2 $4"
    done
}

forwarder_command() { # forwarder_command NAME: the forwarder's command line, relative to its run folder
    local buffer threads io scheduler
    case "$1" in
        direct) echo direct ;;
        rinetd) echo "rinetd -f -c rinetd.conf" ;;
        haproxy*) echo "haproxy -db -f $1.cfg" ;;
        oxidinetd-*) echo "$1 -c rinetd.conf > /dev/null" ;;
        oi-*)
            read -r buffer threads io scheduler <<< "$(oi_flags "$1")"
            local command="bin/oi -c oi.conf --buffer $buffer --threads $threads --io $io"
            [[ "$scheduler" != - ]] && command+=" --scheduler $scheduler"
            echo "${OI_JAVA_OPTS:+OI_JAVA_OPTS='$OI_JAVA_OPTS' }$command"
            ;;
    esac
}

# start_forwarder CASE BIND_ADDR TARGET_ADDR [NETNS]: starts the case's forwarder with the four
# rules and echoes its pid; "direct" starts nothing and echoes 0.
start_forwarder() {
    local name=$1 bind=$2 target=$3 netns=${4:-} dir="$OUT/run"
    local run=()
    [[ -n "$netns" ]] && run=(ip netns exec "$netns")
    run+=("${FWD_PIN[@]}")
    mkdir -p "$dir"
    case "$name" in
        direct) echo 0; return ;;
        rinetd)
            rules "$bind" "$target" > "$dir/rinetd.conf"
            "${run[@]}" rinetd -f -c "$dir/rinetd.conf" > "$dir/$(output_name "$name")" 2>&1 &
            ;;
        oxidinetd-*)
            # It reads rinetd's format (any file not ending in .toml). It prints a line per
            # connection on stdout, which would cost a terminal or a growing file: /dev/null.
            rules "$bind" "$target" > "$dir/rinetd.conf"
            "${run[@]}" "$OXIDINETD_BIN/$name" -c "$dir/rinetd.conf" > /dev/null 2> "$dir/$(output_name "$name")" &
            ;;
        haproxy|haproxy-*)
            local bufsize
            bufsize=$(haproxy_bufsize "$name")
            {
                printf 'global\n    maxconn 7000\n'
                [[ -n "$bufsize" ]] && printf '    tune.bufsize %s\n' "$bufsize"
                printf '\ndefaults\n    mode tcp\n    timeout connect 5s\n    timeout client 5m\n    timeout server 5m\n'
                # splice-auto alone never spliced here (haproxy 2.6: strace shows read/write only), so
                # the zero-copy reference forces splice both ways as well.
                [[ "$name" == haproxy-splice* ]] && printf '    option splice-auto\n    option splice-request\n    option splice-response\n'
                local n=0 line
                while read -r line; do
                    set -- $line
                    n=$((n + 1))
                    printf '\nlisten rule%s\n    bind %s:%s\n    server s %s:%s\n' "$n" "$1" "$2" "$3" "$4"
                done < <(rules "$bind" "$target")
            } > "$dir/$name.cfg"
            "${run[@]}" haproxy -db -f "$dir/$name.cfg" > "$dir/$(output_name "$name")" 2>&1 &
            ;;
        oi-*)
            local buffer threads io scheduler flags=()
            read -r buffer threads io scheduler <<< "$(oi_flags "$name")"
            [[ "$scheduler" != - ]] && flags=(--scheduler "$scheduler")
            rules "$bind" "$target" > "$dir/oi.conf"
            "${run[@]}" "$OI" -c "$dir/oi.conf" --buffer "$buffer" --threads "$threads" --io "$io" "${flags[@]}" \
                --max-conns $((HELD_CONNECTIONS + 1000)) > "$dir/$(output_name "$name")" 2>&1 &
            ;;
        *) say "experiment: unknown case $name"; exit 2 ;;
    esac
    local pid=$!
    PIDS+=("$pid")
    wait_listening $FWD_HTTP_PORT "$netns" || { say "experiment: $name did not start; see $dir"; exit 1; }
    echo "$pid"
}

output_name() { echo "$1.out"; } # the forwarder's stdout and stderr, in the run folder

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

thread_ticks() { # thread_ticks PID: "tid ticks" per thread, user + system clock ticks
    [[ "$1" == 0 ]] && return
    local stat
    for stat in /proc/"$1"/task/*/stat; do
        awk -v tid="${stat%/stat}" '{ sub(/^.*\) /, ""); print tid, $12 + $13 }' "$stat" 2>/dev/null || true
    done
}

# busiest_thread BEFORE AFTER SECONDS: the share of one core its busiest thread took over the
# window. The study's case C: a forwarder that runs every connection on one thread stops at 1.
busiest_thread() {
    awk -v hz="$(getconf CLK_TCK)" -v s="$3" 'NR == FNR { before[$1] = $2; next }
        { d = $2 - before[$1]; if (d > top) top = d }
        END { if (s > 0 && FNR) printf "%.3g\n", top / hz / s; else print "-" }' "$1" "$2"
}

machine_busy_seconds() { # every core's non-idle time, softirq and irq included, from /proc/stat
    awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { print ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

per() { # per VALUE DIVISOR [SCALE]: VALUE / DIVISOR * SCALE, rounded; "-" when either is missing
    python3 -c '
import sys
v, d, s = sys.argv[1], sys.argv[2], float(sys.argv[3])
try:
    x = float(v) / float(d) * s if float(d) > 0 else None
    print("-" if x is None else round(x) if abs(x) >= 1000 else "%.4g" % x)
except ValueError:
    print("-")' "$1" "$2" "${3:-1}"
}

## Measurements ------------------------------------------------------------------------------

# iperf PORT STREAMS [NETNS HOST] [SECONDS]: prints "gbits received_bytes moved_bytes" of one run
iperf() {
    local port=$1 streams=$2 run=() host=127.0.0.1 seconds=${5:-$T}
    [[ -n "${3:-}" ]] && { run=(ip netns exec "$3"); host=$4; }
    "${run[@]}" "${LOAD[@]}" iperf3 -c "$host" -p "$port" -t "$seconds" -O "$OMIT" -P "$streams" -J 2> /dev/null \
        | python3 "$ROOT/bench/parse.py" iperf
}

# sockperf_pingpong PORT [NETNS HOST]: prints "mean p50 p99 p999 round_trips" (µs, full round trips)
sockperf_pingpong() {
    local port=$1 run=() host=127.0.0.1
    [[ -n "${2:-}" ]] && { run=(ip netns exec "$2"); host=$3; }
    "${run[@]}" "${LOAD[@]}" sockperf ping-pong --tcp -i "$host" -p "$port" -m 32 -t "$T" 2>&1 \
        | python3 "$ROOT/bench/parse.py" sockperf
}

# throughput PID PORT STREAMS TAG: columns of one iperf3 run with the forwarder's counters
throughput() {
    local pid=$1 port=$2 s=$3 tag=$4 gbits received moved cpu0 cpu1 m0 m1 cs mig data all t0 t1 top=-
    counters_start "$pid" "$RAW/perf-stat-$tag-p$s.csv"
    thread_ticks "$pid" > "$OUT/run/threads-before"; t0=$(date +%s.%N)
    cpu0=$(cpu_seconds "$pid"); m0=$(machine_busy_seconds)
    read -r gbits received moved <<< "$(iperf "$port" "$s")"
    cpu1=$(cpu_seconds "$pid"); m1=$(machine_busy_seconds)
    thread_ticks "$pid" > "$OUT/run/threads-after"; t1=$(date +%s.%N)
    [[ "$pid" != 0 ]] && top=$(busiest_thread "$OUT/run/threads-before" "$OUT/run/threads-after" "$(python3 -c "print($t1 - $t0)")")
    counters_stop
    read -r cs mig data all <<< "$COUNTED"
    local gb=-
    [[ "$moved" != - ]] && gb=$(python3 -c "print($moved / 1e9)")
    local own=-
    [[ "$pid" != 0 ]] && own=$(per "$(python3 -c "print($cpu1 - $cpu0)")" "$gb")
    echo "p${s}_gbits=$gbits cpu_s_per_gb_p$s=$own machine_cpu_s_per_gb_p$s=$(per "$(python3 -c "print($m1 - $m0)")" "$gb")" \
        "cs_per_gb_p$s=$(per "$cs" "$gb") migrations_per_gb_p$s=$(per "$mig" "$gb")" \
        "counted_data_calls_per_gb_p$s=$(per "$data" "$gb") counted_calls_per_gb_p$s=$(per "$all" "$gb")" \
        "busiest_thread_cores_p$s=$top"
}

latency() { # latency PID TAG: sockperf columns with context switches per round trip
    local mean p50 p99 p999 trips cs _
    counters_start "$1" "$RAW/perf-stat-$2-sockperf.csv"
    read -r mean p50 p99 p999 trips <<< "$(sockperf_pingpong "$3")"
    counters_stop
    read -r cs _ <<< "$COUNTED"
    echo "sp_mean_us=$mean sp_p50_us=$p50 sp_p99_us=$p99 sp_p999_us=$p999 sp_cs_per_rt=$(per "$cs" "$trips")"
}

loaded_latency() { # loaded_latency IPERF_PORT SOCKPERF_PORT TAG: sockperf while one iperf3 stream runs
    local bulk="$RAW/loaded-$3.json" mean p50 p99 p999 trips
    "${LOAD[@]}" iperf3 -c 127.0.0.1 -p "$1" -t $((T + 2)) -P 1 -J > "$bulk" 2>/dev/null &
    local loader=$!
    sleep 0.5
    read -r mean p50 p99 p999 trips <<< "$(sockperf_pingpong "$2")"
    wait "$loader" || true
    echo "loaded_sp_mean_us=$mean loaded_sp_p99_us=$p99 loaded_sp_p999_us=$p999" \
        "loaded_p1_gbits=$(python3 "$ROOT/bench/parse.py" iperf < "$bulk" | cut -d' ' -f1)"
}

java_rr() { # java_rr PID PORT TAG: bin/oi bench rr columns with context switches per round trip
    local out cs _
    counters_start "$1" "$RAW/perf-stat-$3-rr.csv"
    out=$("${LOAD[@]}" "$OI" bench rr --target 127.0.0.1:"$2" --seconds "$T" 2>/dev/null || true)
    counters_stop
    read -r cs _ <<< "$COUNTED"
    python3 - "$cs" <<EOF
import sys
rr = dict(word.split("=") for word in """$out""".split() if "=" in word)
trips, cs = rr.get("rr_round_trips", ""), sys.argv[1]
per = "%.4g" % (float(cs) / float(trips)) if trips and cs.isdigit() and float(trips) > 0 else "-"
print(" ".join(f"{k}={rr.get(k) or '-'}" for k in ("rr_mean_us", "rr_p50_us", "rr_p99_us", "rr_p999_us")), "rr_cs_per_rt=" + per)
EOF
}

# wrk_run PORT THREADS CONNECTIONS SECONDS OUTPUT [WRK_ARGS...]: one wrk run against nginx through
# PORT, its output kept in OUTPUT; prints parse.py's "rate requests failed p99_ms"
wrk_run() {
    "${LOAD[@]}" wrk -t "$2" -c "$3" -d "${4}s" --timeout 2s "${@:6}" "http://127.0.0.1:$1/" > "$5" 2>&1 || true
    python3 "$ROOT/bench/parse.py" wrk < "$5"
}

# connection_rate PORT TAG: new connections per second (`Connection: close`: one connection per
# request) with two wrk threads and with one, then HTTP keep-alive at KEEPALIVE_CONNECTIONS
# connections (many requests per connection), after KEEPALIVE_WARMUP seconds not recorded
connection_rate() {
    local rate failed rate1 failed1 krate kfailed kp99 _
    read -r rate _ failed _ < <(wrk_run "$1" 2 "$CONNRATE_CONCURRENCY" "$T" "$RAW/wrk-$2.txt" -H 'Connection: close')
    read -r rate1 _ failed1 _ < <(wrk_run "$1" 1 "$CONNRATE_CONCURRENCY" "$T" "$RAW/wrk-$2-t1.txt" -H 'Connection: close')
    (( KEEPALIVE_WARMUP > 0 )) && wrk_run "$1" 2 "$KEEPALIVE_CONNECTIONS" "$KEEPALIVE_WARMUP" "$OUT/run/wrk-keepalive-warmup.txt" > /dev/null
    read -r krate _ kfailed kp99 < <(wrk_run "$1" 2 "$KEEPALIVE_CONNECTIONS" "$T" "$RAW/wrk-$2-keepalive.txt" --latency)
    echo "conn_per_s=$rate conn_failed=$failed conn_per_s_t1=$rate1 conn_failed_t1=$failed1" \
        "keepalive_req_s=$krate keepalive_p99_ms=$kp99 keepalive_failed=$kfailed"
}

syscall_table() { # syscall_table PID PORT TAG: every call during a STRACE_BYTES transfer, per GB
    [[ "$1" == 0 ]] && return
    local trace="$RAW/syscalls-$3.txt" bytes calls
    syscall_table_start "$1" "$trace"
    bytes=$("${LOAD[@]}" iperf3 -c 127.0.0.1 -p "$2" -n "$STRACE_BYTES" -J 2>/dev/null \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bytes"])' || echo 0)
    syscall_table_stop
    calls=$TABLE
    echo "$bytes $calls" > "$trace.calls"
    python3 - "$bytes" "$calls" "$DATA_CALLS" "$TRACER" <<'EOF'
import sys
gb = int(sys.argv[1]) / 1e9 or float("nan")
calls = {k: int(v) for k, v in (pair.split("=") for pair in sys.argv[2].split(",") if "=" in pair)}
data = sum(v for k, v in calls.items() if k in sys.argv[3].split())
epoll = sum(v for k, v in calls.items() if k.startswith("epoll"))
def per(n):
    return str(round(n / gb)) if gb == gb and calls else "-"
print(f"data_calls_per_gb={per(data)} all_calls_per_gb={per(sum(calls.values()))} epoll_calls_per_gb={per(epoll)}"
      f" futex_calls_per_gb={per(calls.get('futex', 0))} tracer={sys.argv[4].replace(' ', '-')}")
EOF
}

idle_kib_per_connection() { # RSS the forwarder adds per idle connection; run it on a fresh process
    local pid=$1
    [[ "$pid" == 0 ]] && { echo ""; return; }
    local before after
    # Warm up first: a forwarder that has just started still grows (classes, compiler threads),
    # and that growth must not be charged to the idle connections.
    "${LOAD[@]}" "$OI" bench idle --target 127.0.0.1:$FWD_ECHO_PORT --connections 100 --seconds 0 > /dev/null 2>&1 || true
    sleep 1
    before=$(rss_kib "$pid")
    "${LOAD[@]}" "$OI" bench idle --target 127.0.0.1:$FWD_ECHO_PORT --connections "$IDLE_CONNECTIONS" --seconds 4 \
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
    "${LOAD[@]}" "$OI" bench idle --target 127.0.0.1:$FWD_ECHO_PORT --connections "$HELD_CONNECTIONS" --seconds 1 \
        > "$OUT/run/held-$1.out" 2>&1 || true
    sed -n 's/^open=\([0-9]*\).*/\1/p' "$OUT/run/held-$1.out"
}

## Backends and namespaces -------------------------------------------------------------------

start_nginx() { # start_nginx DIR BIND [NETNS]: a static 200 for wrk, one worker per core
    local dir=$1 run=()
    [[ -n "${3:-}" ]] && run=(ip netns exec "$3")
    mkdir -p "$dir/logs"
    cat > "$dir/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 8192; }
http {
    access_log off;
    # nginx closes a keep-alive connection after 1 000 requests by default, which would turn the
    # keep-alive run into part connection rate.
    keepalive_requests 1000000;
    server {
        listen $2:$HTTP_PORT backlog=4096;
        location / { return 200 "ok\n"; }
    }
}
EOF
    "${run[@]}" "${LOAD[@]}" nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" > "$dir/nginx.out" 2>&1 &
    PIDS+=($!)
}

start_backends() { # start_backends [NETNS ADDRESS]: iperf3, echo, sockperf and nginx servers
    local run=() address=127.0.0.1 tag=loopback
    [[ -n "${1:-}" ]] && { run=(ip netns exec "$1"); address=$2; tag=$1; }
    "${run[@]}" "${LOAD[@]}" iperf3 -s -p $IPERF_PORT -D --pidfile "$OUT/run/iperf3-$tag.pid"
    "${run[@]}" "${LOAD[@]}" "$OI" bench echo-server --port $ECHO_PORT > "$OUT/run/echo-$tag.out" 2>&1 &
    PIDS+=($!)
    "${run[@]}" "${LOAD[@]}" sockperf server --tcp -i "$address" -p $SOCKPERF_PORT > "$OUT/run/sockperf-$tag.out" 2>&1 &
    PIDS+=($!)
    start_nginx "$OUT/run/nginx-$tag" "$address" "${1:-}"
    local port
    for port in $IPERF_PORT $ECHO_PORT $SOCKPERF_PORT $HTTP_PORT; do
        wait_listening $port "${1:-}" || { say "experiment: no backend on port $port ($tag); see $OUT/run"; return 1; }
    done
    PIDS+=("$(cat "$OUT/run/iperf3-$tag.pid" 2>/dev/null || true)")
}

setup_namespaces() {
    ip netns add $NS_CLIENT && ip netns add $NS_FWD && ip netns add $NS_SERVER || return 1
    local c=$NS_PREFIX-c fc=$NS_PREFIX-fc s=$NS_PREFIX-s fs=$NS_PREFIX-fs
    ip link add "$c" type veth peer name "$fc" || return 1
    ip link add "$s" type veth peer name "$fs" || return 1
    ip link set "$c" netns $NS_CLIENT && ip link set "$fc" netns $NS_FWD
    ip link set "$s" netns $NS_SERVER && ip link set "$fs" netns $NS_FWD
    ip -n $NS_CLIENT addr add $NS_CLIENT_IP/24 dev "$c"
    ip -n $NS_FWD addr add $NS_FWD_IN/24 dev "$fc"
    ip -n $NS_FWD addr add $NS_FWD_OUT/24 dev "$fs"
    ip -n $NS_SERVER addr add $NS_SERVER_IP/24 dev "$s"
    for ns in $NS_CLIENT $NS_FWD $NS_SERVER; do ip -n $ns link set lo up; done
    ip -n $NS_CLIENT link set "$c" up; ip -n $NS_FWD link set "$fc" up
    ip -n $NS_FWD link set "$fs" up; ip -n $NS_SERVER link set "$s" up
    # "direct" in the real setup is the kernel routing through the middle namespace.
    ip netns exec $NS_FWD sysctl -qw net.ipv4.ip_forward=1
    ip -n $NS_CLIENT route add default via $NS_FWD_IN
    ip -n $NS_SERVER route add default via $NS_FWD_OUT
    start_backends $NS_SERVER $NS_SERVER_IP
}

## The run -----------------------------------------------------------------------------------

record() { # record NAME REPEAT KIND ORDER COLUMN=VALUE...: one row of results.csv
    local name=$1 buffer=- threads=- io=- scheduler=-
    [[ "$name" == oi-* ]] && read -r buffer threads io scheduler <<< "$(oi_flags "$name")"
    [[ "$name" == haproxy* ]] && { buffer=$(haproxy_bufsize "$name"); buffer=${buffer:+$((buffer / 1024))k}; buffer=${buffer:-16k}; }
    [[ "$name" == rinetd ]] && buffer=16k
    [[ "$name" == oxidinetd-* ]] && buffer=${name#oxidinetd-}
    local command
    command=$(forwarder_command "$name")
    [[ "$3" == netns ]] && [[ "$name" != direct ]] && command="ip netns exec $NS_FWD $command"
    python3 "$ROOT/bench/csvrow.py" "$OUT/results.csv" case="$name" buffer="$buffer" threads="$threads" io="$io" \
        scheduler="$scheduler" repeat="$2" kind="$3" order="$4" pin="$PIN" "${@:5}" command="$command"
}

measure_idle() { # measure_idle NAME REPEAT ORDER: a fresh forwarder for the idle memory sample
    local pid idle held=""
    pid=$(start_forwarder "$1" 127.0.0.1 127.0.0.1)
    idle=$(idle_kib_per_connection "$pid" || true)
    [[ "$2" == 1 ]] && held=$(held_connections "$1" || true)
    stop_forwarder "$pid"
    record "$1" "$2" idle "$3" idle_kib_per_conn="${idle:--}" held_conns="${held:--}"
}

measure_loopback() { # measure_loopback NAME REPEAT ORDER: the loopback measurements on one fresh forwarder
    local name=$1 tag="$1-r$2" pid port=$FWD_IPERF_PORT echo_port=$FWD_ECHO_PORT sp_port=$FWD_SOCKPERF_PORT http_port=$FWD_HTTP_PORT
    [[ "$name" == direct ]] && { port=$IPERF_PORT; echo_port=$ECHO_PORT; sp_port=$SOCKPERF_PORT; http_port=$HTTP_PORT; }
    pid=$(start_forwarder "$name" 127.0.0.1 127.0.0.1)
    # Warm-up, not recorded: the JIT compiles the data path, and pools and heaps reach their size.
    (( WARMUP > 0 )) && "${LOAD[@]}" iperf3 -c 127.0.0.1 -p "$port" -t "$WARMUP" -P 8 > /dev/null 2>&1 || true
    local columns=()
    if measuring throughput; then
        columns+=($(throughput "$pid" "$port" 1 "$tag") $(throughput "$pid" "$port" 8 "$tag"))
    fi
    measuring rr && columns+=($(java_rr "$pid" "$echo_port" "$tag"))
    measuring latency && columns+=($(latency "$pid" "$tag" "$sp_port"))
    measuring loaded && columns+=($(loaded_latency "$port" "$sp_port" "$tag"))
    measuring connrate && columns+=($(connection_rate "$http_port" "$tag"))
    measuring syscalls && [[ "$pid" != 0 ]] && columns+=($(syscall_table "$pid" "$port" "$tag"))
    if [[ "$pid" != 0 ]] && ! kill -0 "$pid" 2>/dev/null; then
        say "experiment: $name exited during its runs (repeat $2); its output: $RAW/$tag.out"
    fi
    cp "$OUT/run/$(output_name "$name")" "$RAW/$tag.out" 2>/dev/null || true
    stop_forwarder "$pid"
    record "$name" "$2" loopback "$3" "${columns[@]}"
}

measure_namespaces() { # measure_namespaces NAME REPEAT ORDER: the forwarder in the middle namespace
    local name=$1 pid port=$FWD_IPERF_PORT sp_port=$FWD_SOCKPERF_PORT host=$NS_FWD_IN n1 n8 mean p50 p99 p999 _
    pid=$(start_forwarder "$name" $NS_FWD_IN $NS_SERVER_IP $NS_FWD)
    [[ "$name" == direct ]] && { port=$IPERF_PORT; sp_port=$SOCKPERF_PORT; host=$NS_SERVER_IP; }
    (( WARMUP > 0 )) && ip netns exec $NS_CLIENT "${LOAD[@]}" iperf3 -c "$host" -p "$port" -t "$WARMUP" -P 8 > /dev/null 2>&1 || true
    read -r n1 _ <<< "$(iperf "$port" 1 $NS_CLIENT "$host")"
    read -r n8 _ <<< "$(iperf "$port" 8 $NS_CLIENT "$host")"
    read -r mean p50 p99 p999 _ <<< "$(sockperf_pingpong "$sp_port" $NS_CLIENT "$host")"
    stop_forwarder "$pid"
    record "$name" "$2" netns "$3" ns_p1_gbits="$n1" ns_p8_gbits="$n8" ns_sp_mean_us="$mean" ns_sp_p99_us="$p99" ns_sp_p999_us="$p999"
}

measure_flames() { # flame graphs of the FLAME_CASES that this run measures, at P=1 and P=8
    local name streams pid port=$FWD_IPERF_PORT dir="$OUT/flames"
    mkdir -p "$dir"
    for name in "${cases[@]}"; do
        [[ " $FLAME_CASES " == *" $name "* ]] || continue
        pid=$(start_forwarder "$name" 127.0.0.1 127.0.0.1)
        (( WARMUP > 0 )) && "${LOAD[@]}" iperf3 -c 127.0.0.1 -p "$port" -t "$WARMUP" -P 8 > /dev/null 2>&1 || true
        for streams in 1 8; do
            say "experiment: flame graph of $name at P=$streams"
            flame_start "$name" "$pid" "$dir/$name-p$streams"
            "${LOAD[@]}" iperf3 -c 127.0.0.1 -p "$port" -t "$FLAME_SECONDS" -P "$streams" > /dev/null 2>&1 || true
            flame_stop "$name, iperf3 P=$streams, $FLAME_SECONDS s" || say "experiment: no flame graph for $name at P=$streams (see $dir)"
        done
        stop_forwarder "$pid"
    done
}

progress() { # progress DONE TOTAL STEP
    local elapsed=$(( $(date +%s) - STARTED )) left=""
    (( $1 > 0 )) && left=", about $(( elapsed * ($2 - $1) / $1 ))s left"
    say "experiment: $(( $1 + 1 )) of $2: $3 (${elapsed}s elapsed$left)"
}

COLUMNS_CSV="case,buffer,threads,io,scheduler,repeat,kind,order,pin,\
p1_gbits,p8_gbits,cpu_s_per_gb_p1,cpu_s_per_gb_p8,machine_cpu_s_per_gb_p1,machine_cpu_s_per_gb_p8,\
cs_per_gb_p1,cs_per_gb_p8,migrations_per_gb_p1,migrations_per_gb_p8,busiest_thread_cores_p1,busiest_thread_cores_p8,\
counted_data_calls_per_gb_p1,counted_data_calls_per_gb_p8,counted_calls_per_gb_p1,counted_calls_per_gb_p8,\
rr_mean_us,rr_p50_us,rr_p99_us,rr_p999_us,rr_cs_per_rt,\
sp_mean_us,sp_p50_us,sp_p99_us,sp_p999_us,sp_cs_per_rt,loaded_sp_mean_us,loaded_sp_p99_us,loaded_sp_p999_us,loaded_p1_gbits,\
conn_per_s,conn_failed,data_calls_per_gb,all_calls_per_gb,epoll_calls_per_gb,futex_calls_per_gb,tracer,\
idle_kib_per_conn,held_conns,ns_p1_gbits,ns_p8_gbits,ns_sp_mean_us,ns_sp_p99_us,ns_sp_p999_us,command,\
conn_per_s_t1,conn_failed_t1,keepalive_req_s,keepalive_p99_ms,keepalive_failed"
# Columns added later go after "command", so that every older column keeps its place.

# oxidinetd_binaries: sets OXIDINETD_BIN for the oxidinetd cases, or drops them from `cases` with
# one line saying how to get them (it is GPL-2 and stays a peer: the repository ships none of it).
# OXIDINETD_SRC is built on a real run only, so that a dry run needs no cargo.
oxidinetd_binaries() {
    local wanted=() kept=() name later=0
    for name in "${cases[@]}"; do
        if [[ "$name" == oxidinetd-* ]]; then wanted+=("$name"); else kept+=("$name"); fi
    done
    ((${#wanted[@]})) || return 0
    if [[ -n "${OXIDINETD_DIR:-}" ]]; then
        OXIDINETD_BIN=$(cd "$OXIDINETD_DIR" && pwd)
    elif [[ -n "${OXIDINETD_SRC:-}" ]]; then
        OXIDINETD_BIN=$OUT/oxidinetd
        if [[ "${DRY_RUN:-0}" == 1 ]]; then later=1
        else "$ROOT/bench/oxidinetd-build.sh" "$OXIDINETD_SRC" "$OXIDINETD_BIN" >&2 || exit 1; fi
    else
        say "experiment: skipping ${wanted[*]}: set OXIDINETD_DIR to a folder of oxidinetd-8k, -16k and -64k binaries, or OXIDINETD_SRC to an oxidinetd checkout to build them (bench/oxidinetd-build.sh)"
        cases=("${kept[@]}")
        return 0
    fi
    for name in "${wanted[@]}"; do
        [[ "$later" == 1 || -x "$OXIDINETD_BIN/$name" ]] || { say "experiment: no executable $OXIDINETD_BIN/$name"; exit 2; }
    done
    export OXIDINETD_BIN
}

main() {
    read -ra cases <<< "$CASES"
    local name
    for name in "${cases[@]}"; do [[ "$name" == oi-* ]] && oi_flags "$name" > /dev/null; done
    oxidinetd_binaries
    say "experiment: ${#cases[@]} cases x $REPEAT repeats, ${T}s per run, interleaved; measuring: $MEASURE; results in $OUT"
    if [[ "${DRY_RUN:-0}" == 1 ]]; then
        for name in "${cases[@]}"; do
            say "  would measure: $name ($(forwarder_command "$name"))"
        done
        exit 0
    fi
    [[ $(id -u) == 0 ]] || { say "experiment: run as root (it installs packages, creates namespaces and runs perf)"; exit 1; }
    # Only a real run owns namespaces and processes: a dry run (BenchTest's, in `make test`) that
    # cleaned up on exit would delete the namespaces of a benchmark running beside it.
    trap cleanup EXIT INT TERM
    install_tools
    mkdir -p "$OUT/run" "$RAW"
    make -s -C "$ROOT" build >&2
    export JAVA_HOME=${JAVA_HOME:-$("$ROOT/bin/java-home")}
    pick_tracers
    measuring flames && fetch_profiler
    "$ROOT/bench/manifest.sh" "REPEAT=$REPEAT" "SECONDS_PER_RUN=$T" "WARMUP=$WARMUP" "IPERF_OMIT=$OMIT" \
        "IDLE_CONNECTIONS=$IDLE_CONNECTIONS" "HELD_CONNECTIONS=$HELD_CONNECTIONS" "STRACE_BYTES=$STRACE_BYTES" \
        "CONNRATE_CONCURRENCY=$CONNRATE_CONCURRENCY" "KEEPALIVE_CONNECTIONS=$KEEPALIVE_CONNECTIONS" \
        "KEEPALIVE_WARMUP=$KEEPALIVE_WARMUP" "IO=$IO" "PIN=$PIN" "QUICK=${QUICK:-0}" "CASES=${cases[*]}" \
        "MEASURE=$MEASURE" "FLAME_CASES=$FLAME_CASES" "OI_JAVA_OPTS=${OI_JAVA_OPTS:-}" "COUNTERS=$COUNTERS" \
        "TRACER=$TRACER" > "$OUT/manifest.txt" 2>/dev/null
    echo "$COLUMNS_CSV" > "$OUT/results.csv"
    local port
    for port in $IPERF_PORT $ECHO_PORT $SOCKPERF_PORT $HTTP_PORT $FWD_IPERF_PORT $FWD_ECHO_PORT $FWD_SOCKPERF_PORT $FWD_HTTP_PORT; do
        if wait_listening "$port" "" 0; then
            say "experiment: port $port is taken ($(ss -Hltnp "sport = :$port" | grep -o 'users:.*' | head -1)); stop it, or set PORT_BASE"
            exit 1
        fi
    done
    start_backends || exit 1
    NAMESPACES=no
    if measuring netns; then
        if setup_namespaces 2>"$OUT/run/netns.err"; then
            NAMESPACES=yes
        else
            say "experiment: cannot create network namespaces ($(head -1 "$OUT/run/netns.err")): skipping the real setup"
        fi
    fi
    local steps=0 done=0 repeat i order
    for name in "${cases[@]}"; do
        measuring idle && [[ "$name" != direct ]] && steps=$((steps + 1))
        steps=$((steps + 1))
        [[ "$NAMESPACES" == yes ]] && steps=$((steps + 1))
    done
    steps=$((steps * REPEAT))
    for repeat in $(seq "$REPEAT"); do
        # Rotate the order by one per repeat, so that no case always runs first or after the same one.
        for i in "${!cases[@]}"; do
            name=${cases[$(( (i + repeat - 1) % ${#cases[@]} ))]}
            order=$((i + 1))
            if measuring idle && [[ "$name" != direct ]]; then
                progress $done $steps "repeat $repeat, $name, idle connections"; done=$((done + 1))
                measure_idle "$name" "$repeat" "$order"
            fi
            progress $done $steps "repeat $repeat, $name, loopback"; done=$((done + 1))
            measure_loopback "$name" "$repeat" "$order"
            if [[ "$NAMESPACES" == yes ]]; then
                progress $done $steps "repeat $repeat, $name, namespaces"; done=$((done + 1))
                measure_namespaces "$name" "$repeat" "$order"
            fi
        done
    done
    measuring flames && measure_flames
    python3 "$ROOT/bench/report.py" "$OUT" > /dev/null
    say "experiment: done in $(( $(date +%s) - STARTED ))s: $OUT/summary.md"
}

main "$@"
