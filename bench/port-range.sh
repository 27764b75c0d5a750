#!/usr/bin/env bash
# One rule of 10 000 ports (issue 23): how long until it listens on all of them, what the idle
# forwarder weighs per port against a one-port rule, and how long a reload that changes nothing
# takes. PORTS (10000) from port 21000 up, below Linux's ephemeral ports (32768 on); both runs with the same JVM options, R (3) times each.
# Usage: bench/port-range.sh   (run under flock /tmp/oi-bench.lock; needs nothing but bin/oi)
set -u
cd "$(dirname "$0")/.."
PORTS=${PORTS:-10000}; R=${R:-3}
work=$(mktemp -d); trap 'kill $PID 2>/dev/null; rm -rf "$work"' EXIT
ulimit -n "$(ulimit -Hn)"
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
until_logged() { # until_logged FILE TEXT: ms until TEXT appears in FILE, polled every 10 ms
    local start; start=$(date +%s%N)
    until grep -q "$2" "$1"; do sleep 0.01; done
    echo $(( ($(date +%s%N) - start) / 1000000 ))
}
run() { # run LAST_PORT: start oi on ports 21000..LAST, print "listen_ms rss_kib reload_ms"
    printf '127.0.0.1 21000-%d 127.0.0.1 18080\n' "$1" > "$work/rules.conf"
    [[ $1 == 21000 ]] && printf '127.0.0.1 21000 127.0.0.1 18080\n' > "$work/rules.conf"
    local start; start=$(date +%s%N)
    bin/oi -c "$work/rules.conf" > "$work/oi.log" 2>&1 & PID=$!
    until grep -q "listening on" "$work/oi.log"; do
        kill -0 $PID 2>/dev/null || { echo "port-range: oi did not start: $(tail -1 "$work/oi.log")" >&2; exit 1; }
        sleep 0.01
    done
    local listen=$(( ($(date +%s%N) - start) / 1000000 ))
    sleep 3 # settle: JIT and the first GC after start
    local kib; kib=$(rss $PID)
    kill -HUP $PID
    local reload; reload=$(until_logged "$work/oi.log" "reloaded ")
    echo "$listen $kib $reload" > "$work/result"
    kill $PID; wait $PID 2>/dev/null
}
for repeat in $(seq "$R"); do
    run 21000; read -r _ one _ < "$work/result"
    run $((21000 + PORTS - 1)); read -r listen many reload < "$work/result"
    echo "repeat=$repeat ports=$PORTS start_to_listening_ms=$listen reload_unchanged_ms=$reload rss_one_port_kib=$one rss_all_kib=$many per_port_kib=$(python3 -c "print(round(($many - $one) / ($PORTS - 1), 2))")"
done
