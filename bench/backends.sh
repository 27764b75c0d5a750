#!/usr/bin/env bash
# Several backends per rule under load (issue 22), three nginx backends behind oi and wrk with
# `Connection: close`:
#   failover  one backend stops mid-run (nginx's graceful stop, then a start again): the failed
#             client requests (wrk's socket errors and non-2xx), and how soon after its restart
#             the backend served again, with passive health (maxfails=3, failtimeout=10) and with
#             check=2; a second run stops it with SIGKILL, which also cuts the requests it holds
#   spread    over at least 30 000 connections, each backend's share of roundrobin and random
#             with weights 1, 1, 2 (shares 25, 25 and 50 %)
#   cost      connections per second, and oi's CPU per connection, of a rule with three backends
#             over a rule with one, all of them ports of one nginx (so only oi differs), interleaved
#             in ABBA order, R repeats (default 3)
# Usage: bench/backends.sh [failover|spread|cost]... (all three by default). Needs root, nginx-light,
# wrk; uses ports 18081-18086 and 20101-20106; run under flock -o /tmp/oi-bench.lock.
set -u
cd "$(dirname "$0")/.."
source bench/lib.sh
R=${R:-3}; T=${T:-5}
STEPS=${*:-failover spread cost}
work=$(mktemp -d /tmp/oi-backends.XXXX)

nginx_start() { # nginx_start N: a backend on 1808N whose access log has one line per request, its time in ms
    nginx_backend "$work" "1808$1" "log_format t '\$msec'; access_log $work/access$1.log t buffer=64k flush=100ms;"
}
nginx_stop() { # nginx_stop N SIGNAL: QUIT is nginx's graceful stop, KILL takes its worker too
    local master workers; master=$(cat "$work/nginx-1808$1.pid"); workers=$(pgrep -P "$master")
    if [[ $2 == KILL ]]; then kill -KILL $workers; fi
    kill -"$2" "$master"
    for _ in $(seq 100); do kill -0 "$master" $workers 2>/dev/null || return 0; sleep 0.05; done
    kill -KILL "$master" $workers 2>/dev/null # a worker left behind would keep the bench lock open
}
cleanup() {
    kill "${OI_PID:-}" 2>/dev/null
    for n in 1 2 3 4; do [[ -f $work/nginx-1808$n.pid ]] && nginx_stop $n QUIT; done
    rm -rf "$work"
}
trap cleanup EXIT
for n in 1 2 3; do nginx_start $n; done
# For the cost: one nginx on three ports, so that one backend and three differ only in oi.
nginx_backend "$work" 18084 "" "; listen 127.0.0.1:18085 reuseport; listen 127.0.0.1:18086 reuseport"

cat > "$work/rules.conf" <<RULES
127.0.0.1 20101 127.0.0.1 18084
127.0.0.1 20102 127.0.0.1 18081
backend 127.0.0.1 18082
backend 127.0.0.1 18083
127.0.0.1 20106 127.0.0.1 18084
backend 127.0.0.1 18085
backend 127.0.0.1 18086
127.0.0.1 20103 127.0.0.1 18081 [balance=random]
backend 127.0.0.1 18082
backend 127.0.0.1 18083 [weight=2]
127.0.0.1 20104 127.0.0.1 18081 [balance=roundrobin]
backend 127.0.0.1 18082
backend 127.0.0.1 18083 [weight=2]
127.0.0.1 20105 127.0.0.1 18081 [check=2]
backend 127.0.0.1 18082
backend 127.0.0.1 18083
RULES
bin/oi -c "$work/rules.conf" > "$work/oi.log" 2>&1 & OI_PID=$!
wait_listening 20106
wrk -t2 -c32 -d5s -H 'Connection: close' http://127.0.0.1:20102/ > /dev/null # warm

load() { # load PORT SECONDS: wrk's figures as "rate requests failed"
    wrk -t2 -c32 -d"$2"s --timeout 2s -H 'Connection: close' "http://127.0.0.1:$1/" > "$work/wrk.txt" 2>&1
    python3 bench/parse.py wrk < "$work/wrk.txt"
}
served() { # served N: requests backend N logged so far
    sleep 0.3; wc -l < "$work/access$1.log"
}

for step in $STEPS; do
  case $step in
    failover)
      for mode in "passive 20102 10" "active 20105 2"; do
        for signal in QUIT KILL; do
          read -r name port limit <<< "$mode"
          : > "$work/access2.log"; kill -USR1 "$(cat "$work/nginx-18082.pid")" # reopen the log
          wrk -t2 -c32 -d20s --timeout 2s -H 'Connection: close' "http://127.0.0.1:$port/" > "$work/wrk.txt" 2>&1 &
          wrk_pid=$!
          sleep 4; nginx_stop 2 "$signal"
          sleep 4; restarted=$(date +%s.%N); nginx_start 2
          wait $wrk_pid
          read -r rate requests failed _ < <(python3 bench/parse.py wrk < "$work/wrk.txt")
          first=$(sleep 0.3; python3 -c "import sys; t=[float(l) for l in open('$work/access2.log') if float(l) > $restarted]; print(round(min(t) - $restarted, 2) if t else 'never')")
          echo "failover $name stop=$signal requests=$requests failed=$failed back_after_s=$first limit_s=$((limit + 1))"
        done
      done
      grep -E "is (down|up again)" "$work/oi.log" | sed 's/^/  oi: /' | tail -8
      ;;
    spread)
      for port_name in "20104 roundrobin" "20103 random"; do
        read -r port name <<< "$port_name"
        before=(); for n in 1 2 3; do before+=("$(served $n)"); done
        total=0; while (( total < 30000 )); do
          load "$port" 3 > /dev/null
          total=0; for n in 1 2 3; do total=$(( total + $(served $n) - before[n-1] )); done
        done
        python3 - "$name" "$total" "$(( $(served 1) - before[0] ))" "$(( $(served 2) - before[1] ))" "$(( $(served 3) - before[2] ))" <<'EOF'
import sys
name, total, counts = sys.argv[1], int(sys.argv[2]), [int(c) for c in sys.argv[3:]]
shares = [0.25, 0.25, 0.5]
off = [c / total / s - 1 for c, s in zip(counts, shares)]
print(f"spread {name} connections={total} " + " ".join(f"backend{i + 1}={c}({c / total:.1%})" for i, c in enumerate(counts))
      + f" worst_off_share={max(abs(o) for o in off):.1%}")
EOF
      done
      ;;
    cost)
      # ABBA order, so that neither rule always runs on the warmer machine; oi's CPU per connection
      # (from /proc) beside the rate, which a saturated 2-core machine blurs more.
      cpu() { awk '{print $14+$15}' "/proc/$OI_PID/stat"; }
      measure() { # measure PORT: "rate cpu_us_per_connection"
          local c0 c1 rate requests failed; c0=$(cpu)
          read -r rate requests failed _ < <(load "$1" "$T")
          c1=$(cpu)
          echo "$rate $(python3 -c "print(round(($c1 - $c0) / $(getconf CLK_TCK) * 1e6 / max($requests, 1), 1))") $failed"
      }
      for repeat in $(seq "$R"); do
        if (( repeat % 2 )); then read -r one cpu_one f1 < <(measure 20101); read -r three cpu_three f3 < <(measure 20106)
        else read -r three cpu_three f3 < <(measure 20106); read -r one cpu_one f1 < <(measure 20101); fi
        echo "cost repeat=$repeat one_backend_conn_s=$one three_backends_conn_s=$three ratio=$(python3 -c "print(round($three / $one, 3))") cpu_us_per_conn_one=$cpu_one cpu_us_per_conn_three=$cpu_three cpu_ratio=$(python3 -c "print(round($cpu_three / $cpu_one, 3))") failed=$f1/$f3"
      done
      ;;
  esac
done
