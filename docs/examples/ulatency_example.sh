# SPDX-License-Identifier: GPL-2.0-only
# The transcript docs/examples/ulatency_example.txt (make examples).
say "Demonstrations of ulatency, the cotrace tool (real runs on Linux $(uname -r | cut -d- -f1))."
say "sleep_ms(20) called 20 times, in milliseconds (default: nanoseconds, as bcc):"
run "build/ulatency -m -c '$T/sleeper 20 0 0 0' $T/sleeper:sleep_ms"
say <<'TXT'
Recursion: recurse(5) calls itself down to depth 1 and every level sleeps
20 ms after its inner call returns, so level d lasts 20*d ms. Each level is
timed from its own entry (bcc's funclatency would time only one of them):
TXT
run "build/ulatency -m -c '$T/sleeper 0 0 0 5' $T/sleeper:recurse"
say <<'TXT'
One histogram per function with -F, and a wildcard. tick_a and tick_b do
almost nothing: what they show is the cost of the two probes themselves on
this machine (their first instruction has to be single-stepped):
TXT
run "build/ulatency -F -u -c '$T/sleeper 2 1000 500 0' '$T/sleeper:tick_*'"
say "Interval output with timestamps, libc read() system-wide while 'cat' runs:"
run "(sleep 0.5; for i in 1 2 3; do cat /etc/hostname >/dev/null; sleep 0.5; done) & build/ulatency -u -i 1 -d 2 -T c:read" \
    "build/ulatency -u -i 1 -d 2 -T c:read"
say <<'TXT'
Nested deeper than the 32 calls kept per thread: the outer 32 are timed,
the rest counted:
TXT
run "build/ulatency -m -c '$T/sleeper 0 0 0 35' $T/sleeper:recurse"
say "bcc's -l LEVEL: only the outermost 2 levels of recurse(5), recurse(5) and recurse(4):"
run "build/ulatency -m -l 2 -c '$T/sleeper 0 0 0 5' $T/sleeper:recurse"
say "Go programs are refused (tests/targets/goprog.go, built by Go):"
run "build/ulatency $T/goprog:main.rec"
say "JSON lines, per process:"
run "build/ulatency -j -m -P -c '$T/sleeper 3 0 0 0' $T/sleeper:sleep_ms"
