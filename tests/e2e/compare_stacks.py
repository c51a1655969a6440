# SPDX-License-Identifier: GPL-2.0-only
"""Compare the user stacks of profile -j -s with those of perf script.

Usage: compare_stacks.py OURS.json PERF.txt TOP

OURS.json: profile --json -s (offsets keep stacks of distinct
instructions apart); PERF.txt: perf script -F ip,dso --no-inline of a
perf record --call-graph dwarf of the same process at the same time.
A frame is (module basename, file offset): perf prints callers' return
addresses minus one, so ours are taken minus one too beyond the first.

Prints the share of our samples that reach _start, then checks that
each of our TOP heaviest stacks is, frame for frame, a stack perf saw.
Exits 1 on a difference.
"""
import json
import os
import sys
from collections import Counter


def ours(path):
    stacks = Counter()
    for line in open(path):
        rec = json.loads(line)
        if rec.get("type") != "stack":
            continue
        frames = []
        for i, f in enumerate(rec.get("user_frames", [])):
            if f.get("inlined"):
                continue
            if "module" not in f:
                frames.append(("?", f.get("func", "?")))
                continue
            off = f["module_offset"] - (1 if i else 0)
            frames.append((os.path.basename(f["module"]), off))
        stacks[tuple(frames)] += rec["count"]
    return stacks


def perf(path):
    stacks = Counter()
    cur = []
    for line in open(path):
        line = line.strip()
        if not line:
            if cur:
                stacks[tuple(cur)] += 1
            cur = []
            continue
        addr, _, dso = line.partition(" ")
        dso = dso.strip("()")
        cur.append((os.path.basename(dso), int(addr, 16)))
    if cur:
        stacks[tuple(cur)] += 1
    return stacks


def name(stack, syms):
    return ";".join(syms.get(f, "%s+%s" % (f[0], hex(f[1]) if isinstance(f[1], int) else f[1]))
                    for f in reversed(stack))


def main():
    ours_path, perf_path, top = sys.argv[1], sys.argv[2], int(sys.argv[3])
    o, p = ours(ours_path), perf(perf_path)
    total = sum(o.values())
    # Our names of frames, for messages.
    syms = {}
    for line in open(ours_path):
        rec = json.loads(line)
        for i, f in enumerate(rec.get("user_frames", [])):
            if "module" in f and "func" in f:
                syms[(os.path.basename(f["module"]), f["module_offset"] - (1 if i else 0))] = f["func"]
    start = sum(n for s, n in o.items() if s and syms.get(s[-1]) == "_start")
    print("ours: %d samples, %d distinct stacks, %.2f%% reach _start" %
          (total, len(o), 100.0 * start / max(total, 1)))
    print("perf: %d samples, %d distinct stacks, %.2f%% reach _start" %
          (sum(p.values()), len(p),
           100.0 * sum(n for s, n in p.items() if s and syms.get(s[-1]) == "_start") /
           max(sum(p.values()), 1)))
    bad = 0
    for i, (s, n) in enumerate(o.most_common(top)):
        seen = p.get(s, 0)
        print("%2d. ours %4d perf %4d %s" % (i + 1, n, seen, name(s, syms)[-150:]))
        if not seen:
            bad += 1
    if start * 100 < total * 99:
        print("FAIL: fewer than 99% of our samples reach _start")
        return 1
    if bad:
        print("FAIL: %d of our %d heaviest stacks were never seen by perf" % (bad, top))
        return 1
    return 0


sys.exit(main())
