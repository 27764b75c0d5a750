#!/usr/bin/env bash
# Warm connection cost, rinetd, oi, oi with C1 only, interleaved.
cd "${OI_DIR:-.}"
for rep in 1 2 3 4 5; do
  bench/conn-cost.sh rinetd | sed "s/^/rep=$rep /"
  bench/conn-cost.sh oi | sed "s/^/rep=$rep /"
  JOPTS=-XX:TieredStopAtLevel=1 bench/conn-cost.sh oi | sed "s/^/rep=$rep c1 /"
done
