#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Folded stacks from `go tool pprof -raw` output (stdin), to compare a
profile with the folded output of the same run: one line per distinct
stack, "comm;outermost;...;innermost COUNT" ("comm-PID" as the root when
the sample has a pid label), frames of the [kernel.kallsyms] mapping
suffixed "_[k]", a location without a function named "MODULE+0xOFFSET"
as the folded output names it. COUNT is the sample's value of index
--index (default 0), summed over samples that read the same. Prints the
lines sorted; with --total, only the sum of every sample's value."""
import os
import re
import sys

index = 0
total_only = False
args = sys.argv[1:]
while args:
    a = args.pop(0)
    if a == '--total':
        total_only = True
    elif a == '--index':
        index = int(args.pop(0))
    else:
        sys.exit('usage: pprof_folded.py [--total] [--index N] < raw')

def function(text):
    """The name in a line of a location: "NAME FILE:LINE s=START" and, when
    the system name differs, "(SYSTEM NAME)" right after."""
    m = re.match(r'^(.*) (\S*):(-?\d+) s=\d+(\(.*\))?$', text)
    if not m:
        sys.exit('pprof_folded.py: cannot read the line %r' % text)
    return m.group(1)


section = None
samples = []        # (values, [location ids], {label: value})
locations = {}      # id -> (mapping id, address, [function names, innermost first])
mappings = {}       # id -> (start, offset, file)
last_loc = None
for line in sys.stdin.read().splitlines():
    if line in ('Samples:', 'Locations', 'Mappings'):
        section = line
        continue
    if section == 'Samples:':
        m = re.match(r'^\s*((?:-?\d+\s+)*-?\d+): (.*)$', line)
        if m:
            samples.append(([int(v) for v in m.group(1).split()],
                            [int(i) for i in m.group(2).split()], {}))
            continue
        if samples and line.startswith(' ' * 16):
            for k, v in re.findall(r'(\w+):\[([^\]]*)\]', line):
                samples[-1][2][k] = v
    elif section == 'Locations':
        m = re.match(r'^\s*(\d+): (0x[0-9a-f]+) (?:M=(\d+) )?(?:\[F\] )?(.*)$', line)
        if m:
            last_loc = int(m.group(1))
            funcs = [function(m.group(4))] if m.group(4) else []
            locations[last_loc] = (int(m.group(3) or 0), int(m.group(2), 16), funcs)
        elif last_loc is not None and line.startswith(' ' * 13):
            locations[last_loc][2].append(function(line.strip()))
    elif section == 'Mappings':
        m = re.match(r'^(\d+): (0x[0-9a-f]+)/(0x[0-9a-f]+)/(0x[0-9a-f]+) (\S*)', line)
        if m:
            mappings[int(m.group(1))] = (int(m.group(2), 16), int(m.group(4), 16), m.group(5))

if total_only:
    print(sum(s[0][index] for s in samples))
    sys.exit(0)
lines = {}
for values, locs, labels in samples:
    frames = []
    for loc in locs:                        # leaf first
        mid, addr, funcs = locations[loc]
        start, offset, path = mappings.get(mid, (0, 0, ''))
        kernel = path == '[kernel.kallsyms]'
        if not funcs:
            funcs = ['%s+%#x' % (os.path.basename(path), addr - start + offset)]
        for f in funcs:                     # innermost inline frame first
            frames.append(f.replace(';', ':') + ('_[k]' if kernel else ''))
    root = labels.get('comm', '')
    if 'pid' in labels:
        root += '-' + labels['pid']
    key = ';'.join([root] + frames[::-1])
    lines[key] = lines.get(key, 0) + values[index]
for key in sorted(lines):
    print('%s %d' % (key, lines[key]))
