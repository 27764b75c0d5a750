#!/usr/bin/env bash
# Cold against warm connection rate of bin/oi, with and without the checkout's AOT cache
# (target/oi.aot, which `make build` trains), interleaved. One line per start: the time to its
# "listening" line, the first 2 s of wrk -t1 -c32 'Connection: close' through oi to nginx after
# it, then 2 s after 8 s of warm-up. Usage: R=3 [OI_FLAGS="--poller jdk"] bench/cold-start.sh (as root; needs nginx-light,
# wrk; uses ports 18181-18182 and /tmp/cold). Issue 21's figures in docs/experiments.md.
set -u
cd "$(dirname "$0")/.."
[ -f target/oi.aot ] || { echo "cold-start: no target/oi.aot (make build trains it on JDK 25+)" >&2; exit 1; }
mkdir -p /tmp/cold/www; head -c 100 /dev/zero > /tmp/cold/www/index.html
cat > /tmp/cold/nginx.conf <<NG
worker_processes 1; pid /tmp/cold/nginx.pid; error_log /tmp/cold/nginx.err;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; server { listen 127.0.0.1:18181; root /tmp/cold/www; } }
NG
nginx -c /tmp/cold/nginx.conf; trap 'kill $(cat /tmp/cold/nginx.pid); [ -f /tmp/cold/oi.aot ] && mv /tmp/cold/oi.aot target/oi.aot' EXIT
echo "127.0.0.1 18182 127.0.0.1 18181" > /tmp/cold/oi.conf
rate() { wrk -t1 -c32 -d"$1"s -H 'Connection: close' http://127.0.0.1:18182/ 2>&1 | sed -n 's/Requests\/sec: *\([0-9.]*\)/\1/p'; }
for rep in $(seq "${R:-3}"); do
  for mode in cache nocache cache nocache; do
    [ $mode = nocache ] && mv target/oi.aot /tmp/cold/oi.aot
    rm -f /tmp/cold/oi.err; s=$(date +%s%N); bin/oi -c /tmp/cold/oi.conf ${OI_FLAGS:-} 2> /tmp/cold/oi.err & p=$!
    until grep -q listening /tmp/cold/oi.err 2>/dev/null; do sleep 0.002; done; e=$(date +%s%N)
    cold=$(rate 2); rate 8 > /dev/null; warm=$(rate 2)
    kill $p; wait $p 2>/dev/null
    [ $mode = nocache ] && mv /tmp/cold/oi.aot target/oi.aot
    echo "$mode rep=$rep start_ms=$(( (e-s)/1000000 )) cold_conn_s=$cold warm_conn_s=$warm"
  done
done
