#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Two builds side by side: the same runs alternated between them (each
first in every other round, so that neither always pays for what the
other left behind), medians of wall time and of CPU time (user + system,
from wait4(), the tool and the command it ran).

  bench/ab.py startup BEFORE AFTER [REPS]     start to exit, -d 0.001, each tool
  bench/ab.py runs BEFORE AFTER [REPS] [N]    --cmd 'build/bench/hitloop N' under
                                              uprobe-trace (text, -j, -A), argdist,
                                              funccount, output to a file

BEFORE and AFTER are build directories (build/ of two checkouts). Run as
root after make all and make -f bench/bench.mk bench-bins.
"""
import os
import statistics
import sys
import time

HL = os.path.abspath('build/bench/hitloop')


def startup_cmds(n):
    return {
        'funccount': ['funccount', '-d', '0.001', 'c:malloc'],
        'argdist': ['argdist', '-d', '0.001', '-C', 'p:c:malloc(size_t size):size_t:size'],
        'uprobe-trace': ['uprobe-trace', '-d', '0.001', 'p:c:malloc "%d", arg1'],
        'ulatency': ['ulatency', '-d', '0.001', 'c:malloc'],
        'stackcount': ['stackcount', '-d', '0.001', 'c:malloc'],
        'syscount': ['syscount', '-d', '0.001'],
        'profile': ['profile', '-d', '0.001'],
        'proclife': ['proclife', '-d', '0.001'],
    }


def runs_cmds(n):
    hit = f'p:{HL}:hit "%d", arg1'
    return {
        'uprobe-trace': ['uprobe-trace', '-b', '1024', '--cmd', f'{HL} {n}', hit],
        'uprobe-trace -j': ['uprobe-trace', '-j', '-b', '1024', '--cmd', f'{HL} {n}', hit],
        'uprobe-trace -A': ['uprobe-trace', '-A', '-b', '1024', '--cmd', f'{HL} {n}', hit],
        'argdist': ['argdist', '--cmd', f'{HL} {n}', '-C', f'p:{HL}:hit(int x):int:x'],
        'funccount': ['funccount', '--cmd', f'{HL} {n}', f'{HL}:hit'],
    }


def run(path, argv, out):
    """Wall ms, CPU ms, lines written to stdout."""
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    null = os.open('/dev/null', os.O_WRONLY)
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(fd, 1)
        os.dup2(null, 2)
        os.execv(path, argv)
    _, _, ru = os.wait4(pid, 0)
    wall = (time.perf_counter() - t0) * 1000
    os.close(fd)
    os.close(null)
    with open(out, 'rb') as f:
        lines = sum(1 for _ in f)
    return wall, (ru.ru_utime + ru.ru_stime) * 1000, lines


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ('startup', 'runs'):
        sys.exit(__doc__)
    mode, before, after = sys.argv[1:4]
    reps = int(sys.argv[4]) if len(sys.argv) > 4 else 11
    n = int(sys.argv[5]) if len(sys.argv) > 5 else 300000
    cmds = (startup_cmds if mode == 'startup' else runs_cmds)(n)
    out = f'/tmp/cotrace-ab.{os.getpid()}'
    res = {}
    builds = (('before', before), ('after', after))
    for r in range(reps):
        for v, b in (builds if r % 2 == 0 else builds[::-1]):
            for name, argv in cmds.items():
                res.setdefault((v, name), []).append(run(f'{b}/{argv[0]}', argv, out))
    os.unlink(out)
    load = ' '.join(open('/proc/loadavg').read().split()[:3])
    what = ('start to exit, -d 0.001' if mode == 'startup' else f"--cmd 'hitloop {n}'")
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.uname().release}, "
          f"{what}, median of {reps} runs each, alternated; load {load}")
    print(f"{'':16} {'wall ms':>17} {'':>6}   {'cpu ms':>17} {'':>6}")
    print(f"{'tool':16} {'before':>8} {'after':>8} {'ratio':>6}   {'before':>8} {'after':>8} "
          f"{'ratio':>6}  lines")
    for name in cmds:
        def med(v, i):
            return statistics.median(x[i] for x in res[(v, name)])
        lines = sorted({x[2] for x in res[('after', name)]})
        print(f"{name:16} {med('before', 0):8.1f} {med('after', 0):8.1f} "
              f"{med('after', 0) / med('before', 0):6.2f}   {med('before', 1):8.1f} "
              f"{med('after', 1):8.1f} {med('after', 1) / max(med('before', 1), 1e-9):6.2f}"
              f"  {','.join(map(str, lines))}")


main()
