# SPDX-License-Identifier: GPL-2.0-only
# The transcript docs/examples/proclife_example.txt (make examples).
F=$T/forker
WORK="$F children 3 40; $F --exec children 4 10; $F codes; $F --exec children 1 300"
say <<TXT
Demonstrations of proclife, the cotrace version.

proclife prints process lifetimes as log2 histograms per command name. The
lifetime is taken at exit from the kernel's own record of the start time,
so processes started before tracing count too. These transcripts are real
runs on the project's machine (Linux $(uname -r | cut -d- -f1), $(nproc) CPUs); the workload was
tests/targets/forker, run in another shell:

    forker children 3 40          3 children living 40 ms
    forker --exec children 4 10   4 children that exec, live 10 ms
    forker codes                  exit(0), exit(3), exit(7), one SIGKILL
    forker --exec children 1 300  1 child that execs, lives 300 ms

All children name themselves cotrace-child.
TXT
say "With exit codes and signals (-e), only that command (-c):"
run_during "proclife -e -c cotrace-child" "$WORK"
say <<'TXT'
The four exec'd children land in 8 -> 15 ms: 10 ms of sleep plus the
fork and exec. The SIGKILLed child lived about 55 ms.
TXT
say "One line per exit (-l):"
run_during "proclife -l -c cotrace-child" "$WORK"
say <<'TXT'
For comparison, the classic bpftrace measurement, from __libc_start_main()
to exit() (--libc). Only the five exec'd children are seen: forked
children never call __libc_start_main(), and a process killed by a signal
never calls exit().
TXT
run_during "proclife --libc -c cotrace-child" "$WORK"
say <<'TXT'
JSON lines (-j): one "hist" record per command, "exits" records with -e,
and a summary with every loss counter:
TXT
run_during "proclife -j -e -c cotrace-child" "$F codes"
say "USAGE:"
run "proclife -h"
