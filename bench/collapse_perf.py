#!/usr/bin/env python3
"""Folds `perf script` output into collapsed stacks, the input of async-profiler's converter.

Usage: perf script -i perf.data | bench/collapse_perf.py > out.collapsed

One line per distinct stack: the command, then the frames from the root to the leaf, joined by
";", then the sample count. Kernel frames get async-profiler's "_[k]" suffix, so the converter
colours them as it colours kernel frames in oi's own profile.
"""
import re
import sys

OFFSET = re.compile(r"\+0x[0-9a-f]+$")


def frame(line):
    """The symbol of one "address symbol+offset (dso)" line, marked when it is in the kernel."""
    parts = line.strip().split(None, 1)
    if len(parts) < 2:
        return "[unknown]"
    rest = parts[1]
    dso = ""
    if rest.endswith(")") and " (" in rest:
        rest, dso = rest.rsplit(" (", 1)
        dso = dso[:-1]
    symbol = OFFSET.sub("", rest.strip()) or "[unknown]"
    if "kernel" in dso or dso.startswith("[") and dso not in ("[unknown]", "[vdso]"):
        return symbol + "_[k]"
    return symbol.replace(";", ":")


def collapse(lines):
    stacks, command, frames = {}, None, []
    for line in list(lines) + [""]:
        if not line.strip():
            if command is not None:
                key = ";".join([command] + frames[::-1])
                stacks[key] = stacks.get(key, 0) + 1
            command, frames = None, []
        elif line[0] not in " \t":
            command = line.split()[0]
        else:
            frames.append(frame(line))
    return stacks


def main():
    for stack, count in sorted(collapse(sys.stdin).items()):
        print(f"{stack} {count}")


if __name__ == "__main__":
    main()
