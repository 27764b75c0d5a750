#!/usr/bin/env python3
"""Reads a `perf trace -s` or `strace -c -f` summary and prints its calls as name=count,name=count.

Usage: bench/syscall_table.py FILE

perf trace prints one table per thread ("syscall calls errors total ..."); strace -c prints one
table for all threads ("% time seconds usecs/call calls errors syscall"). Both are summed by name.
"""
import sys


def calls_by_name(text):
    """Every call in the summary, by syscall name, added up over the threads."""
    counts = {}
    strace = "usecs/call" in text
    for line in text.splitlines():
        fields = line.split()
        if strace:
            # "% time seconds usecs/call calls [errors] syscall"; the total line says "total".
            if len(fields) >= 5 and fields[0].replace(".", "").isdigit() and fields[-1] != "total":
                counts[fields[-1]] = counts.get(fields[-1], 0) + int(fields[3])
        elif len(fields) >= 8 and fields[1].isdigit() and fields[0].isidentifier():
            counts[fields[0]] = counts.get(fields[0], 0) + int(fields[1])
    return counts


def main():
    counts = calls_by_name(open(sys.argv[1], errors="replace").read())
    print(",".join(f"{name}={count}" for name, count in sorted(counts.items(), key=lambda item: -item[1])))


if __name__ == "__main__":
    main()
