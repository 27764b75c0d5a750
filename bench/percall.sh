#!/usr/bin/env bash
# Where a forwarder's CPU per data call goes (issue 21): one iperf3 stream on loopback through a
# fresh forwarder, with its CPU per GB and its data calls per GB counted in the same window as a
# CPU profile of it, so that a profile's shares turn into microseconds per data call.
#
# For each case and repeat (cases interleaved, the order rotated by one per repeat), on one
# fresh forwarder:
#   - WARMUP (2) seconds of iperf3 -P 8, not recorded (the JIT compiles the data path);
#   - window "plain": T seconds of iperf3 -P STREAMS (1) with nothing attached: Gbit/s, the forwarder's
#     CPU per GB (/proc/PID/stat) and the whole machine's (/proc/stat, every core's busy time),
#     and the machine's TCP segments sent per GB (OutSegs of /proc/net/snmp: data and ACKs of
#     both hops, so a forwarder that coalesces its writes into fewer segments shows);
#   - window "counted": the same with `perf stat` on the forwarder, counting its context switches
#     and syscalls (raw_syscalls and the data-call tracepoints, counted in the kernel);
#   - window "profiled": the same with a CPU profile instead: oi by async-profiler in `cpu` mode
#     (perf events, kernel frames, 1 ms; attached with jcmd JVMTI.agent_load), any other
#     forwarder by `perf record -e cpu-clock -F 999 -g`, folded by bench/collapse_perf.py.
# Microseconds per data call are a window's CPU seconds per GB over the counted window's data
# calls per GB: us_per_data_call for the plain window, prof_us_per_data_call for the profiled
# one, which is what turns the profile's shares into microseconds.
# One line per case and repeat on stdout, in bench/quick-ab.sh's format (bench/quick-ab-summary.py
# reads it), the folded stacks in OUT/CASE-rN.collapsed and the perf stat output beside them;
# `python3 bench/profile-split.py LABEL=OUT/CASE-rN.collapsed:US` splits one.
#
# Usage: OXIDINETD_DIR=/work/oxi-bin R=3 T=5 bench/percall.sh oi_--buffer_8k_--io_channel oxidinetd-8k
#   an "oi" case carries its flags with _ for spaces, its -D and -XX: words going to the JVM ("oinagle" the same, with the LD_PRELOAD shim
#   bench/nagle-on.c, which keeps TCP_NODELAY off); oxidinetd-8k|16k|64k come from OXIDINETD_DIR;
#   rinetd, haproxy (TCP mode, defaults) and haproxy-splice (splice both ways) are cases too.
#   BITRATE (iperf3 -b, e.g. 4G, per stream) caps the streams, so that forwarders of different
#   speeds can be compared at one rate; STREAMS (1) sets iperf3 -P of the three windows;
#   PROFILE=0 leaves the profiled window out. The counted window also gives futex and epoll
#   calls per GB.
# Needs root (perf), iperf3, perf, a JDK (bin/java-home) and async-profiler (bench/flames.sh
# fetches it); uses ports 16501-16502. Wrap it in `flock /tmp/oi-bench.lock`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
source "$ROOT/bench/counters.sh"
source "$ROOT/bench/flames.sh"
R=${R:-3}; T=${T:-5}; WARMUP=${WARMUP:-2}; STREAMS=${STREAMS:-1}; PROFILE=${PROFILE:-1}
OUT=${OUT:-$ROOT/results/percall-$(date +%Y%m%d-%H%M%S)}
IPERF_PORT=16501; FWD_PORT=16502
export JAVA_HOME=${JAVA_HOME:-$("$ROOT/bin/java-home")}
mkdir -p "$OUT"
tick=$(getconf CLK_TCK)
PID=""

cpu() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; } # clock ticks, all threads

start_fw() { # start_fw CASE: sets PID
    printf '127.0.0.1 %s 127.0.0.1 %s\n' $FWD_PORT $IPERF_PORT > "$OUT/rules.conf"
    case "$1" in
        oinagle*) # oi with TCP_NODELAY left off (Nagle on), through the LD_PRELOAD shim bench/nagle-on.c
            local flags=${1#oinagle}; flags=${flags//_/ }
            [[ -s "$OUT/nagle-on.so" ]] || gcc -shared -fPIC -O2 -o "$OUT/nagle-on.so" "$ROOT/bench/nagle-on.c" -ldl
            # shellcheck disable=SC2086 # the flags are words
            LD_PRELOAD="$OUT/nagle-on.so" "$ROOT/bin/oi" -c "$OUT/rules.conf" $flags > "$OUT/oi.log" 2>&1 &
            ;;
        oi*)
            local flags=${1#oi} word args="" jvm=""; flags=${flags//_/ }
            for word in $flags; do # -D and -XX: words are the JVM's, the rest oi's
                case $word in -D*|-XX:*) jvm+=" $word" ;; *) args+=" $word" ;; esac
            done
            # shellcheck disable=SC2086 # the flags are words
            OI_JAVA_OPTS="${OI_JAVA_OPTS:-}$jvm" "$ROOT/bin/oi" -c "$OUT/rules.conf" $args > "$OUT/oi.log" 2>&1 &
            ;;
        oxidinetd-*) "${OXIDINETD_DIR:?oxidinetd cases need OXIDINETD_DIR}/$1" -c "$OUT/rules.conf" > /dev/null 2>&1 & ;;
        rinetd) rinetd -f -c "$OUT/rules.conf" > /dev/null 2>&1 & ;;
        haproxy|haproxy-splice)
            local splice=""
            [[ "$1" == haproxy-splice ]] && splice='  option splice-auto\n  option splice-request\n  option splice-response\n'
            printf "defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\n$splice" > "$OUT/haproxy.cfg"
            printf 'listen i\n  bind 127.0.0.1:%s\n  server s 127.0.0.1:%s\n' $FWD_PORT $IPERF_PORT >> "$OUT/haproxy.cfg"
            haproxy -db -f "$OUT/haproxy.cfg" > /dev/null 2>&1 &
            ;;
        *) echo "percall: unknown case $1" >&2; exit 2 ;;
    esac
    PID=$!
    wait_listening $FWD_PORT || { echo "percall: $1 did not start" >&2; exit 1; }
}

stop_fw() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=""; sleep 0.5; }

machine_busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; } # clock ticks
out_segs() { awk '$1 == "Tcp:" && $2 ~ /^[0-9]/ { print $12 }' /proc/net/snmp; } # OutSegs, every TCP socket

# window CASE REP KIND: one T-second iperf3 run of STREAMS streams, counted or profiled for those kinds; prints
# "gbits gb forwarder_ticks machine_ticks context_switches data_calls all_calls futex epoll segments"
# ("-": not counted).
# Run it in a command substitution: what it starts, it stops in the same shell.
window() {
    local name=$1 rep=$2 kind=$3 label c0 c1 m0 m1 s0 s1 bytes gbits cs _ data all futex=- epoll=-
    label=$name; [[ "$name" == oi* ]] && label=oi-$name # flames.sh profiles oi-* with async-profiler
    [[ "$kind" == counted ]] && counters_start "$PID" "$OUT/$name-r$rep.perf-stat.csv"
    [[ "$kind" == profiled ]] && flame_start "$label" "$PID" "$OUT/$name-r$rep"
    c0=$(cpu "$PID"); m0=$(machine_busy); s0=$(out_segs)
    local try
    for try in 1 2 3; do # iperf3's server now and then turns a client away ("busy"): try again
        read -r gbits bytes < <(iperf3 -c 127.0.0.1 -p $FWD_PORT -t "$T" -P "$STREAMS" ${BITRATE:+-b "$BITRATE"} -J 2>/dev/null \
            | python3 -c 'import json, sys; e = json.load(sys.stdin)["end"]; print(e["sum_received"]["bits_per_second"] / 1e9, e["sum_sent"]["bytes"])' 2>/dev/null) \
            && [[ -n "$bytes" ]] && break
        echo "percall: $name: iperf3 gave no result (try $try)" >&2; sleep 1
    done
    c1=$(cpu "$PID"); m1=$(machine_busy); s1=$(out_segs)
    if [[ "$kind" == profiled ]]; then
        flame_stop "$name, iperf3 P=$STREAMS, $T s" > /dev/null || echo "percall: no profile of $name (see $OUT)" >&2
        rm -f "$OUT/$name-r$rep.html" # large, and the folded stacks say the same
    fi
    COUNTED="- - - -"
    if [[ "$kind" == counted ]]; then
        counters_stop
        read -r futex epoll < <(awk -F, '$3 == "syscalls:sys_enter_futex" { f = $1 } $3 ~ /^syscalls:sys_enter_epoll/ { e += $1 }
            END { print (f == "" ? "-" : f), (e == "" ? "-" : e) }' "$OUT/$name-r$rep.perf-stat.csv")
    fi
    read -r cs _ data all <<< "$COUNTED"
    echo "$gbits $(python3 -c "print($bytes / 1e9)") $(( c1 - c0 )) $(( m1 - m0 )) $cs $data $all $futex $epoll $(( s1 - s0 ))"
}

# measure CASE REP: the three windows on one fresh forwarder; prints one line
measure() {
    local name=$1 rep=$2 plain counted profiled
    start_fw "$name"
    (( WARMUP > 0 )) && iperf3 -c 127.0.0.1 -p $FWD_PORT -t "$WARMUP" -P 8 > /dev/null 2>&1 || true
    plain=$(window "$name" "$rep" plain)
    counted=$(window "$name" "$rep" counted)
    profiled=$plain
    [[ "$PROFILE" == 1 ]] && profiled=$(window "$name" "$rep" profiled)
    stop_fw
    python3 - "$name" "$rep" "$tick" "$plain" "$counted" "$profiled" "$PROFILE" "$STREAMS" <<'EOF'
import sys
name, rep, hz = sys.argv[1], sys.argv[2], int(sys.argv[3])
def fields(line):
    gbits, gb, cpu, machine, cs, data, calls, futex, epoll, segments = line.split()
    return float(gbits), float(gb), int(cpu) / hz, int(machine) / hz, cs, data, calls, futex, epoll, segments
p, c, f = (fields(line) for line in sys.argv[4:7])
def per_gb(n, gb):
    return float(n) / gb if n not in ("-", "") else None
data = per_gb(c[5], c[1])
s = sys.argv[8]
out = {f"p{s}_gbps": p[0], "cpu_s_per_gb": p[2] / p[1], "machine_cpu_s_per_gb": p[3] / p[1],
       "segments_per_gb": per_gb(p[9], p[1]),
       "data_calls_per_gb": data, "calls_per_gb": per_gb(c[6], c[1]), "cs_per_gb": per_gb(c[4], c[1]),
       "futex_per_gb": per_gb(c[7], c[1]), "epoll_per_gb": per_gb(c[8], c[1]),
       f"counted_p{s}_gbps": c[0], "counted_cpu_s_per_gb": c[2] / c[1]}
if sys.argv[7] == "1":
    out.update({f"prof_p{s}_gbps": f[0], "prof_cpu_s_per_gb": f[2] / f[1], "prof_machine_cpu_s_per_gb": f[3] / f[1]})
out["us_per_data_call"] = out["cpu_s_per_gb"] / data * 1e6 if data else None
if "prof_cpu_s_per_gb" in out:
    out["prof_us_per_data_call"] = out["prof_cpu_s_per_gb"] / data * 1e6 if data else None
print(name, f"rep={rep}", " ".join(f"{k}={v:.4g}" if abs(v) < 1000 else f"{k}={v:.0f}"
                                    for k, v in out.items() if v is not None))
EOF
}

iperf3 -s -p $IPERF_PORT -D --pidfile "$OUT/iperf3.pid"
wait_listening $IPERF_PORT
trap 'kill $(cat "$OUT/iperf3.pid") ${PID:-} 2>/dev/null || true' EXIT
pick_tracers
fetch_profiler
names=("$@")
for rep in $(seq "$R"); do
    for ((i = 0; i < ${#names[@]}; i++)); do
        measure "${names[$(( (i + rep - 1) % ${#names[@]} ))]}" "$rep"
    done
done
