#!/bin/sh
# Usage: train-aot.sh OI_LAUNCHER AOT_CACHE   (the package's launcher, or the checkout's bin/oi)
# Writes AOT_CACHE from one short run of oi as a daemon runs it, through its own launcher (so the
# cache sees the launcher's JVM options): start, forward a second of round trips to an echo
# backend, SIGHUP, SIGUSR1, SIGTERM. The JVM assembles the cache when that run exits.
set -eu
oi=$1
cache=$2
root=$(cd "$(dirname "$(readlink -f "$oi")")/.." && pwd)
if [ -f "$root/lib/oi/oi.jar" ]; then # the package's layout: its own runtime
    java="$root/lib/oi/runtime/bin/java"; jar="$root/lib/oi/oi.jar"
else # the checkout's: the JDK bin/oi finds
    java="$("$root/bin/java-home")/bin/java"; jar="$root/target/oi.jar"
fi
work=$(mktemp -d)
backend=""
trained=""
trap 'for p in $trained $backend; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

await() { # waits up to 20 s for the pattern $2 in the file $1
    n=0
    until grep -q "$2" "$1" 2>/dev/null; do
        n=$((n + 1)); [ "$n" -le 200 ] || { echo "train-aot: no \"$2\" in $1" >&2; cat "$1" >&2; exit 1; }
        sleep 0.1
    done
}

"$java" -jar "$jar" bench echo-server --port 0 > "$work/backend.out" &
backend=$!
await "$work/backend.out" '^port='
backend_port=$(sed -n 's/^port=//p' "$work/backend.out")

printf '127.0.0.1 0 127.0.0.1 %s\nlogfile %s/connections.log\n' "$backend_port" "$work" > "$work/rules.conf"
OI_JAVA_OPTS="-XX:AOTCacheOutput=$cache" "$oi" -c "$work/rules.conf" 2> "$work/oi.err" &
trained=$!
await "$work/oi.err" 'listening on'
port=$(sed -n 's/.*listening on [^ ]*:\([0-9]*\) .*/\1/p' "$work/oi.err")
"$java" -jar "$jar" bench rr --target "127.0.0.1:$port" --seconds 1
kill -HUP "$trained"
await "$work/oi.err" 'reloaded'
kill -USR1 "$trained"
sleep 0.2
kill -TERM "$trained"
wait "$trained"
trained=""
cat "$work/oi.err"
test -s "$cache"
