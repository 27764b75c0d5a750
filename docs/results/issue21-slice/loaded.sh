#!/usr/bin/env bash
# The bulk slice against the loaded tail: sockperf 32-byte ping-pong through oi while iperf3 -P $P
# runs through the same oi; one fresh oi per case and repeat, cases rotated.
# Usage: OI_DIR=DIR R=4 T=5 P=8 loaded.sh SLICE... (as root, under flock /tmp/oi-bench.lock; writes /tmp/sweep)
set -u; mkdir -p /tmp/sweep
cd "${OI_DIR:?OI_DIR: a checkout with slice-property.patch applied and built}"
R=${R:-4}; T=${T:-5}; P=${P:-8}
SOCK=17100; IPERF=19301; FS=20101; FI=20102
sockperf server --tcp -i 127.0.0.1 -p $SOCK >/dev/null 2>&1 & SP=$!
iperf3 -s -p $IPERF -D --pidfile /tmp/sweep/iperf.pid
trap 'kill $SP $(cat /tmp/sweep/iperf.pid) 2>/dev/null' EXIT
printf "127.0.0.1 $FS 127.0.0.1 $SOCK\n127.0.0.1 $FI 127.0.0.1 $IPERF\n" > /tmp/sweep/loaded.conf
names=("$@")
for rep in $(seq $R); do
  for ((i=0; i<${#names[@]}; i++)); do
    s=${names[$(( (i+rep) % ${#names[@]} ))]}
    OI_JAVA_OPTS="-Doi.bulkSlice=$s" bin/oi -c /tmp/sweep/loaded.conf > /tmp/sweep/oi.log 2>&1 & pid=$!
    for w in $(seq 100); do ss -ltn | grep -q ":$FI " && break; sleep 0.05; done; sleep 0.3
    iperf3 -c 127.0.0.1 -p $FI -t 2 -P 8 > /dev/null 2>&1; sockperf ping-pong --tcp -i 127.0.0.1 -p $FS -t 1 -m 32 > /dev/null 2>&1
    iperf3 -c 127.0.0.1 -p $FI -t $((T + 2)) -P $P -J > /tmp/sweep/bulk.json 2>/dev/null & bulk=$!
    sleep 0.5
    lat=$(sockperf ping-pong --tcp -i 127.0.0.1 -p $FS -t $T -m 32 2>&1 | sed 's/\x1b\[[0-9;]*m//g')
    wait $bulk
    gbps=$(python3 -c "import json; print(round(json.load(open('/tmp/sweep/bulk.json'))['end']['sum_received']['bits_per_second']/1e9,2))")
    avg=$(echo "$lat" | sed -n 's/.*avg-latency=\([0-9.]*\).*/\1/p'); p99=$(echo "$lat" | sed -n 's/.*percentile 99.000 = *\([0-9.]*\).*/\1/p')
    p999=$(echo "$lat" | sed -n 's/.*percentile 99.900 = *\([0-9.]*\).*/\1/p')
    echo "slice$s rep=$rep loaded_avg_us=$avg loaded_p99_us=$p99 loaded_p999_us=$p999 bulk_gbps=$gbps"
    kill $pid; wait $pid 2>/dev/null; sleep 0.3
  done
done
