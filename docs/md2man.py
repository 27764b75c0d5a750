#!/usr/bin/env python3
"""Renders docs/oi.md into the roff man page docs/oi.8, so both say the same (`make man`)."""
import re
import sys
from pathlib import Path

docs = Path(__file__).resolve().parent
md = (docs / "oi.md").read_text()
title = md.splitlines()[0].lstrip("# ")
name, _, summary = title.partition(": ")
out = ['.TH OI 8 "2026-11-25" "oi 0.1.0" "System Manager\'s Manual"', ".SH NAME", f"oi \\- {summary}"]


def inline(text):
    text = text.replace("\\", "\\e")
    text = re.sub(r"`([^`]*)`", r"\\fB\1\\fR", text)
    text = re.sub(r"\*\*([^*]*)\*\*", r"\\fB\1\\fR", text)
    return text.replace("→", "->").replace("·", "|")


for line in md.splitlines()[1:]:
    if line.startswith("## "):
        out.append(".SH " + line[3:])
    elif line.startswith("|---") or line.startswith("| option"):
        continue
    elif line.startswith("| "):
        cells = [c.strip() for c in line.strip("|").split("|")]
        out += [".TP", inline(cells[0]), inline(cells[1])]
    elif line.startswith("- "):
        out += [".IP \\(bu 2", inline(line[2:])]
    elif not line.strip():
        out.append(".PP")
    else:
        out.append(inline(line.strip()))
text = re.sub(r"(\.PP\n)+", ".PP\n", "\n".join(out) + "\n")
text = re.sub(r"\.PP\n(\.SH|\.TP)", r"\1", text)
(docs / "oi.8").write_text(text)
print(f"wrote {docs / 'oi.8'}", file=sys.stderr)
