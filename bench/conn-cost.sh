#!/usr/bin/env bash
# CPU and context switches per new connection through one forwarder, warm: 10 s of
# `wrk -t2 -c32 -H 'Connection: close'` through it to nginx, then 6 s measured, with the
# forwarder's CPU from /proc/PID/stat and its context switches summed over /proc/PID/task/*/status.
# Usage: bench/conn-cost.sh rinetd | bench/conn-cost.sh "oi --scheduler jdk"   (JOPTS: OI_JAVA_OPTS; WARM: seconds, 10)
#   bench/conn-cost.sh FORWARDER syscalls: each syscall's count per connection instead (perf stat
#   over 3 s; tracing slows the forwarder, so read the counts, not the rate)
#   bench/conn-cost.sh FORWARDER threads: the CPU per connection of each thread, by name
# Needs root, nginx-light, wrk, rinetd (and perf for syscalls); uses ports 18080 and 20000.
set -u
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source bench/lib.sh
nginx_backend "$work" 18080
printf "127.0.0.1 20000 127.0.0.1 18080\n" > "$work/rules.conf"
case $1 in
  rinetd) rinetd -f -c "$work/rules.conf" > /dev/null 2>&1 & P=$!;;
  *) OI_JAVA_OPTS="${JOPTS:-}" bin/oi -c "$work/rules.conf" ${1#oi} > "$work/oi.log" 2>&1 & P=$!;;
esac
sleep 1.5; wrk -t2 -c32 -d"${WARM:-10}"s -H 'Connection: close' http://127.0.0.1:20000/ > /dev/null
requests() { sed -n 's/^ *\([0-9]*\) requests in.*/\1/p'; }
if [[ ${2:-} == syscalls ]]; then
  perf stat -x, -o "$work/perf.txt" -p $P -e 'syscalls:sys_enter_*' -e context-switches -- sleep 4 & perf_pid=$!
  sleep 0.3
  n=$(wrk -t2 -c32 -d3s -H 'Connection: close' http://127.0.0.1:20000/ | requests)
  wait $perf_pid
  echo "$1 connections=$n per connection: $(awk -F, -v n="$n" '$1+0 > 0 {name = $3; sub(/^syscalls:sys_enter_/, "", name);
      printf "%s=%.2f\n", name, $1 / n}' "$work/perf.txt" | sort -t= -k2 -rn | awk -F= '$2 >= 0.01' | paste -sd' ')"
elif [[ ${2:-} == threads ]]; then
  per_thread() { for t in /proc/$P/task/*; do echo "$(tr ' ' _ < "$t/comm") $(awk '{print $14+$15}' "$t/stat")"; done \
      | awk '{cpu[$1] += $2} END {for (name in cpu) print name, cpu[name]}' | sort; }
  per_thread > "$work/before"
  n=$(wrk -t2 -c32 -d6s -H 'Connection: close' http://127.0.0.1:20000/ | requests)
  per_thread > "$work/after"
  echo "$1 connections=$n CPU per connection by thread (us): $(join "$work/before" "$work/after" | awk -v n="$n" -v tick="$(getconf CLK_TCK)" \
      '$3 > $2 {printf "%s=%.1f\n", $1, ($3 - $2) / tick * 1e6 / n}' | sort -t= -k2 -rn | paste -sd' ')"
fi
if [[ -n ${2:-} ]]; then
  kill $P; wait $P 2>/dev/null; kill "$(cat "$work/nginx-18080.pid")"; exit
fi
switches() { cat /proc/$P/task/*/status | awk '/^voluntary_ctxt/{v+=$2} /^nonvoluntary_ctxt/{n+=$2} END{print v+n}'; }
c0=$(awk '{print $14+$15}' /proc/$P/stat); s0=$(switches)
w=$(wrk -t2 -c32 -d6s -H 'Connection: close' http://127.0.0.1:20000/)
c1=$(awk '{print $14+$15}' /proc/$P/stat); s1=$(switches)
reqs=$(echo "$w" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
tick=$(getconf CLK_TCK)
echo "$1 conn_s=$(echo "$w" | sed -n 's/Requests\/sec: *//p') cpu_us_per_conn=$(python3 -c "print(round(($c1-$c0)/$tick*1e6/$reqs,1))") switches_per_conn=$(python3 -c "print(round(($s1-$s0)/$reqs,2))") threads=$(ls /proc/$P/task | wc -l)"
kill $P; wait $P 2>/dev/null; kill "$(cat "$work/nginx-18080.pid")"
