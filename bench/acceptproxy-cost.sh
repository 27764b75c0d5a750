#!/usr/bin/env bash
# What acceptproxy= costs a new connection (issue 23): wrk with `Connection: close` through two
# hops of one oi, the first sending a PROXY v1 header (proxy=v1) and the second taking it
# (acceptproxy=v1), against the same two hops without either, interleaved, R repeats (3).
# Usage: bench/acceptproxy-cost.sh   (needs nginx-light, wrk; run under flock /tmp/oi-bench.lock)
set -u
cd "$(dirname "$0")/.."
source bench/lib.sh
R=${R:-3}; T=${T:-5}
work=$(mktemp -d)
trap 'kill $OI_PID 2>/dev/null; kill $(cat "$work/nginx-18091.pid") 2>/dev/null; rm -rf "$work"' EXIT
nginx_backend "$work" 18091
cat > "$work/rules.conf" <<RULES
127.0.0.1 20401 127.0.0.1 20402 [proxy=v1]
127.0.0.1 20402 127.0.0.1 18091 [acceptproxy=v1,proxyfrom=127.0.0.1]
127.0.0.1 20403 127.0.0.1 20404
127.0.0.1 20404 127.0.0.1 18091
RULES
bin/oi -c "$work/rules.conf" > "$work/oi.log" 2>&1 & OI_PID=$!
wait_listening 20404
rate() { wrk -t2 -c32 -d"$2"s --timeout 2s -H 'Connection: close' "http://127.0.0.1:$1/" | python3 bench/parse.py wrk; }
rate 20401 5 > /dev/null; rate 20403 5 > /dev/null # warm both paths
for repeat in $(seq "$R"); do
    read -r with _ failed_with < <(rate 20401 "$T")
    read -r without _ failed_without < <(rate 20403 "$T")
    echo "repeat=$repeat with_acceptproxy_conn_s=$with without_conn_s=$without ratio=$(python3 -c "print(round($with / $without, 3))") failed=$failed_with/$failed_without"
done
