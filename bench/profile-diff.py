#!/usr/bin/env python3
"""Where two paths' CPU differs, per unit of work: two sets of folded stacks (async-profiler's
`collapsed`), each file named ...-COUNT.collapsed after the units (connections, requests) done while
it was sampled; prints samples per 1000 units of each, their ratio, and the frames whose samples
per 1000 units differ most, with everything under them (inclusive) or as the leaf (--leaf).

Usage: bench/profile-diff.py [--leaf] [--top N] 'A-GLOB' 'B-GLOB'
"""
import argparse
import collections
import glob
import re
import sys


def load(pattern, leaf):
    """Samples by frame and all samples, each per unit of work, over the files of one glob."""
    frames, total, units = collections.Counter(), 0, 0
    for name in glob.glob(pattern):
        units += int(re.search(r"-(\d+)\.collapsed$", name).group(1))
        for line in open(name):
            stack, _, count = line.rstrip().rpartition(" ")
            count = int(count)
            total += count
            for frame in [stack.split(";")[-1]] if leaf else set(stack.split(";")):
                frames[frame] += count
    if units == 0:
        sys.exit(f"profile-diff: no ...-COUNT.collapsed file matches {pattern}")
    return {frame: n * 1000 / units for frame, n in frames.items()}, total * 1000 / units


def main():
    parser = argparse.ArgumentParser(description="Where two paths' CPU differs, per unit of work.")
    parser.add_argument("--leaf", action="store_true", help="count a sample for its leaf frame only")
    parser.add_argument("--top", type=int, default=40, help="frames to print (40)")
    parser.add_argument("a", help="glob of path A's ...-COUNT.collapsed files")
    parser.add_argument("b", help="glob of path B's")
    args = parser.parse_args()
    (a, a_total), (b, b_total) = (load(p, args.leaf) for p in (args.a, args.b))
    print(f"samples per 1000 units: {a_total:.1f} against {b_total:.1f}, ratio {a_total / b_total:.3f}")
    for frame in sorted(set(a) | set(b), key=lambda f: -abs(a.get(f, 0) - b.get(f, 0)))[:args.top]:
        x, y = a.get(frame, 0), b.get(frame, 0)
        print(f"{x:8.2f} {y:8.2f} {x - y:+8.2f}  {frame}")


if __name__ == "__main__":
    main()
