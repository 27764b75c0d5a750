#!/usr/bin/env bash
# Where oi's CPU goes under HTTP keep-alive (wrk -t2 -c1000 through oi to nginx): async-profiler cpu, 6 s, after 4 s warm.
set -u
cd "${OI_DIR:-.}"
source bench/lib.sh
work=/tmp/sweep/ka; rm -rf $work; mkdir -p $work
nginx_backend "$work" 18080
printf "127.0.0.1 20000 127.0.0.1 18080\n" > "$work/rules.conf"
for fw in oi rinetd; do
  if [ $fw = oi ]; then
    bin/oi -c "$work/rules.conf" > "$work/oi.log" 2>&1 & P=$!
  else
    rinetd -f -c "$work/rules.conf" > /dev/null 2>&1 & P=$!
  fi
  sleep 1.5
  wrk -t2 -c1000 -d4s http://127.0.0.1:20000/ > /dev/null
  c0=$(awk '{print $14+$15}' /proc/$P/stat)
  [ $fw = oi ] && $(bin/java-home)/bin/jcmd $P JVMTI.agent_load $PWD/target/async-profiler/libasyncProfiler.so "\"start,event=cpu,interval=500us\"" > /dev/null 2>&1
  [ $fw = rinetd ] && { perf record -e cpu-clock -F 999 -g -p $P -o $work/rinetd.perf -- sleep 6 > /dev/null 2>&1 & }
  out=$(wrk -t2 -c1000 -d6s http://127.0.0.1:20000/)
  c1=$(awk '{print $14+$15}' /proc/$P/stat)
  n=$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
  [ $fw = oi ] && $(bin/java-home)/bin/jcmd $P JVMTI.agent_load $PWD/target/async-profiler/libasyncProfiler.so "\"stop,file=$work/ka.collapsed\"" > /dev/null 2>&1
  echo "$fw requests=$n rps=$(echo "$out" | sed -n 's/Requests\/sec: *//p') cpu_us_per_request=$(python3 -c "print(round(($c1-$c0)/$(getconf CLK_TCK)*1e6/$n,2))")"
  sleep 1; kill $P; wait $P 2>/dev/null
done
kill $(cat $work/nginx-18080.pid)
