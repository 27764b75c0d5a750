#!/usr/bin/env bash
# A quick A/B of forwarders on the loads where the defaults cost most per hop, interleaved,
# one fresh forwarder per case and repeat; the full study is bench/experiment.sh. Each line is
# one case and repeat: sockperf 32-byte ping-pong (half round trip, p99.9, forwarder CPU per
# round trip), iperf3 P=1 (and forwarder CPU-s per GB) and P=8, wrk with `Connection: close`
# at 32 connections (and forwarder CPU per connection), wrk keep-alive at 1 000 connections.
# Usage: R=3 T=4 bench/quick-ab.sh direct rinetd haproxy oi oi_--scheduler_jdk oi_--threads_platform
#   an "oi" case name carries its flags with _ for spaces (its -D and -XX: words go to the JVM,
#   e.g. oi_-XX:TieredStopAtLevel=1); an "old" one (old, old_--io_channel)
#   runs the bin/oi of OI_OLD=DIR instead, a checkout of an earlier commit, for a before/after A/B;
#   oxidinetd-8k, -16k and -64k run the binaries of OXIDINETD_DIR=DIR (see bench/experiment.sh).
# Needs root, nginx-light, sockperf, iperf3, wrk, rinetd, haproxy; uses ports 17000-20002 and /tmp/p13.
set -u
cd "$(dirname "$0")/.."
mkdir -p /tmp/p13
R=${R:-3}; T=${T:-5}
NGINX=18080; SOCK=17000; IPERF=19201
cpu() { awk '{print $14+$15}' /proc/$1/stat 2>/dev/null || echo 0; }
tick=$(getconf CLK_TCK)
setup() {
  mkdir -p /tmp/p13/www; head -c 100 /dev/zero > /tmp/p13/www/index.html
  cat > /tmp/p13/nginx.conf <<NG
worker_processes 1; pid /tmp/p13/nginx.pid; error_log /tmp/p13/nginx.err;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$NGINX; root /tmp/p13/www; } }
NG
  nginx -c /tmp/p13/nginx.conf
  sockperf server --tcp -i 127.0.0.1 -p $SOCK >/dev/null 2>&1 & echo $! > /tmp/p13/sockperf.pid
  iperf3 -s -p $IPERF -D --pidfile /tmp/p13/iperf.pid
  sleep 0.5
}
teardown() { kill $(cat /tmp/p13/nginx.pid) $(cat /tmp/p13/sockperf.pid) $(cat /tmp/p13/iperf.pid) 2>/dev/null; }
rules() { # base port offset
  printf "127.0.0.1 %d 127.0.0.1 $NGINX\n127.0.0.1 %d 127.0.0.1 $SOCK\n127.0.0.1 %d 127.0.0.1 $IPERF\n" $(( $1 )) $(( $1 + 1 )) $(( $1 + 2 ))
}
start_fw() { # name -> sets PID, HP (http port), SP (sockperf port), IP (iperf port)
  local name=$1; local base=20000
  HP=$base; SP=$((base+1)); IP=$((base+2))
  case $name in
    direct) PID=""; HP=$NGINX; SP=$SOCK; IP=$IPERF; return;;
    rinetd) rules $base > /tmp/p13/rinetd.conf; rinetd -f -c /tmp/p13/rinetd.conf & PID=$!;;
    haproxy) cat > /tmp/p13/haproxy.cfg <<HA
global
  maxconn 4000
  nbthread 1
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option splice-request
  option splice-response
listen h
  bind 127.0.0.1:$HP
  server s 127.0.0.1:$NGINX
listen s
  bind 127.0.0.1:$SP
  server s 127.0.0.1:$SOCK
listen i
  bind 127.0.0.1:$IP
  server s 127.0.0.1:$IPERF
HA
      haproxy -f /tmp/p13/haproxy.cfg & PID=$!;;
    oxidinetd-*) rules $base > /tmp/p13/rinetd.conf # it reads rinetd's format; its line per connection goes nowhere
      "${OXIDINETD_DIR:?oxidinetd cases need OXIDINETD_DIR}/$name" -c /tmp/p13/rinetd.conf > /dev/null 2>&1 & PID=$!;;
    oi*|old*) rules $base > /tmp/p13/oi.conf
      local flags=${name#oi}; flags=${flags#old}; flags=${flags//_/ }
      local launcher=bin/oi; [[ $name == old* ]] && launcher=${OI_OLD:?old cases need OI_OLD=DIR}/bin/oi
      local word args="" jvm=""
      for word in $flags; do # -D and -XX: words are the JVM's, the rest oi's
        case $word in -D*|-XX:*) jvm+=" $word" ;; *) args+=" $word" ;; esac
      done
      OI_JAVA_OPTS="${OI_JAVA_OPTS:-}$jvm" $launcher -c /tmp/p13/oi.conf $args > /tmp/p13/oi.log 2>&1 & PID=$!;;
  esac
  local w; for w in $(seq 100); do ss -ltn | grep -q ":$IP " && break; sleep 0.05; done
  sleep 0.3
}
stop_fw() { [ -n "$PID" ] && { kill $PID; wait $PID 2>/dev/null; }; sleep 0.3; }
measure() { # name rep
  local name=$1 rep=$2
  start_fw $name
  # warm-up
  wrk -t1 -c8 -d1s http://127.0.0.1:$HP/ >/dev/null 2>&1; iperf3 -c 127.0.0.1 -p $IP -t 1 >/dev/null 2>&1
  sockperf ping-pong --tcp -i 127.0.0.1 -p $SP -t 1 -m 32 >/dev/null 2>&1
  # latency
  local c0; c0=$([ -n "$PID" ] && cpu $PID || echo 0)
  local lat; lat=$(sockperf ping-pong --tcp -i 127.0.0.1 -p $SP -t $T -m 32 2>&1 | sed 's/\x1b\[[0-9;]*m//g')
  local avg p999 rtts; avg=$(echo "$lat" | sed -n 's/.*avg-latency=\([0-9.]*\).*/\1/p'); p999=$(echo "$lat" | sed -n 's/.*percentile 99.900 = *\([0-9.]*\).*/\1/p')
  rtts=$(echo "$lat" | sed -n 's/.*SentMessages=\([0-9]*\).*/\1/p' | head -1)
  local c1; c1=$([ -n "$PID" ] && cpu $PID || echo 0)
  local lat_cpu_us; lat_cpu_us=$(python3 -c "print(round(($c1-$c0)/$tick*1e6/max(1,${rtts:-1}),1))")
  # iperf P1, P8
  c0=$([ -n "$PID" ] && cpu $PID || echo 0)
  local p1; p1=$(iperf3 -c 127.0.0.1 -p $IP -t $T -J 2>/dev/null | python3 -c "import json,sys; d=json.load(sys.stdin)['end']; print(round(d['sum_received']['bits_per_second']/1e9,2), d['sum_received']['bytes'])")
  c1=$([ -n "$PID" ] && cpu $PID || echo 0)
  local gbps1=${p1% *} bytes1=${p1#* }
  local cpugb; cpugb=$(python3 -c "print(round(($c1-$c0)/$tick/($bytes1/1e9),3))")
  local p8; p8=$(iperf3 -c 127.0.0.1 -p $IP -t $T -P 8 -J 2>/dev/null | python3 -c "import json,sys; d=json.load(sys.stdin)['end']; print(round(d['sum_received']['bits_per_second']/1e9,2))")
  # connection rate
  c0=$([ -n "$PID" ] && cpu $PID || echo 0)
  local w; w=$(wrk -t2 -c32 -d${T}s -H 'Connection: close' http://127.0.0.1:$HP/ 2>&1)
  c1=$([ -n "$PID" ] && cpu $PID || echo 0)
  local rps; rps=$(echo "$w" | sed -n 's/Requests\/sec: *\([0-9.]*\)/\1/p'); local errs; errs=$(echo "$w" | sed -n 's/.*Socket errors: \(.*\)/\1/p' | tr -d ' ')
  local reqs; reqs=$(echo "$w" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
  local conn_cpu_us; conn_cpu_us=$(python3 -c "print(round(($c1-$c0)/$tick*1e6/max(1,${reqs:-1}),1))")
  # keep-alive 1000
  local k; k=$(wrk -t2 -c1000 -d${T}s --latency http://127.0.0.1:$HP/ 2>&1)
  local krps; krps=$(echo "$k" | sed -n 's/Requests\/sec: *\([0-9.]*\)/\1/p'); local kp99; kp99=$(echo "$k" | awk '$1=="99%"{print $2}')
  echo "$name rep=$rep rr_avg_us=$avg rr_p999_us=$p999 rr_cpu_us=$lat_cpu_us p1_gbps=$gbps1 cpu_s_per_gb=$cpugb p8_gbps=$p8 conn_s=$rps conn_cpu_us=$conn_cpu_us conn_errors=${errs:-0} ka_rps=$krps ka_p99=$kp99"
  stop_fw
}
setup
trap teardown EXIT
names=("$@")
for rep in $(seq $R); do
  # rotate order per repeat
  n=${#names[@]}
  for ((i=0; i<n; i++)); do measure ${names[$(( (i+rep) % n ))]} $rep; done
done
