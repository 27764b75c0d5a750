#!/usr/bin/env bash
# Cold against warm with the JIT's defaults and with C1 only, in alternate rounds.
cd "${OI_DIR:-.}"
for round in 1 2 3; do
  for opts in "" "-XX:TieredStopAtLevel=1"; do
    OI_JAVA_OPTS="$opts" R=1 bench/cold-start.sh | sed "s/^/jit=${opts:-default} round=$round /"
  done
done
