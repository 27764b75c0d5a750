#!/usr/bin/env bash
# Prints the record of a run as key=value lines: machine, tool versions, commit and every
# setting, so a committed CSV says what produced it (bench/experiment.sh writes manifest.txt).
# Usage: bench/manifest.sh [SETTING=value ...]   (the run's settings, as the harness saw them)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
first_line() { "$@" 2>&1 | sed -n '/[0-9]/{p;q}' | tr -s ' \t' ' ' | sed 's/^ //; s/ $//'; }
java_home=${JAVA_HOME:-$("$ROOT/bin/java-home")}
echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "kernel=$(uname -sr)"
echo "cpu_model=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "cpus=$(nproc)"
echo "memory=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "jdk=$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p') ($("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.vm.name = //p'))"
echo "rinetd=$(first_line rinetd --version)"
echo "haproxy=$(first_line haproxy -v | awk '{ print $3 }')"
echo "iperf3=$(first_line iperf3 --version | awk '{ print $2 }')"
echo "sockperf=$(first_line sockperf --version | sed 's/.*version //')"
echo "wrk=$(first_line wrk --version | awk '{ print $2 }')"
echo "nginx=$(nginx -v 2>&1 | sed 's/.*nginx\///')"
echo "perf=$(first_line perf --version | awk '{ print $3 }')"
echo "strace=$(first_line strace -V | awk '{ print $NF }')"
if [[ -n "${OXIDINETD_BIN:-}" ]]; then # the peer's binaries, when the run has oxidinetd cases
    # The source commit comes from whoever built them: bench/oxidinetd-build.sh writes COMMIT.
    echo "oxidinetd_commit=${OXIDINETD_COMMIT:-$(cat "$OXIDINETD_BIN/COMMIT" 2>/dev/null || echo unknown)}"
    # rustc stamps its version into each binary's .comment section.
    echo "oxidinetd_rustc=$(readelf -p .comment "$OXIDINETD_BIN"/oxidinetd-* 2>/dev/null | grep -o 'rustc version [^)]*)' | sort -u | sed 's/^rustc version //' | paste -sd ';')"
    echo "oxidinetd_binaries=$OXIDINETD_BIN ($(cd "$OXIDINETD_BIN" && sha256sum oxidinetd-* | awk '{ printf "%s%s %s", sep, $2, substr($1, 1, 12); sep = ", " }'))"
fi
commit=$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
git -C "$ROOT" diff --quiet HEAD -- src bench pom.xml 2>/dev/null || commit="$commit+local changes"
echo "commit=$commit"
for setting in "$@"; do
    echo "$setting"
done
