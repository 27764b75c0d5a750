#!/usr/bin/env python3
"""Appends one row to a results CSV, by column name, so a shell can write a wide row safely.

Usage: bench/csvrow.py FILE column=value [column=value ...]

Columns the file's header does not name are an error: a typo must not lose a figure.
"""
import csv
import sys


def main():
    path, pairs = sys.argv[1], sys.argv[2:]
    with open(path, newline="") as f:
        header = next(csv.reader(f))
    row = dict.fromkeys(header, "")
    for pair in pairs:
        column, _, value = pair.partition("=")
        if column not in row:
            sys.exit(f"csvrow: {path}: no column {column!r}")
        row[column] = "" if value == "-" else value
    with open(path, "a", newline="") as f:
        csv.writer(f).writerow(row[column] for column in header)


if __name__ == "__main__":
    main()
