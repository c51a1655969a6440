#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A system-wide stackcount over 100 consecutive runs of a program that
# lives a few milliseconds, with both CPUs busy: every stack is named and
# whole, none [unknown] or [truncated], and the counts are exact. The CFI
# walk identifies each frame by file and offset at the event, so a
# process gone before user space looks at it keeps its symbols.
source "$(dirname "$0")/lib.sh"
SC=$ROOT/build/stackcount
[ -x "$SC" ] || fail "$SC missing: run make"
P=$T/stacks_nofp
[ -x "$P" ] || fail "$P missing: run make targets"
START="_start;__libc_start_main;__libc_start_call_main;main"

check "load: a busy loop on every CPU"
for ((i = 0; i < $(nproc); i++)); do
	# A subshell, not timeout(1): the cleanup's SIGKILL must reach the loop itself.
	(while :; do :; done) &
	BG_PIDS+=("$!")
done
echo "  ok: $(nproc) loops"

check "stackcount -U -f (system-wide) over 100 runs of stacks_nofp 2"
bg_start "$TMP/f" "Hit Ctrl-C" "$SC" -U -f "$P:gamma"
sc=$BG_PID
for ((r = 0; r < 100; r++)); do
	"$P" 2 || fail "run $r of $P failed"
done
bg_stop "$sc" "$TMP/f"
cat "$TMP/f"
assert_eq "$(grep -c ';' "$TMP/f")" 2 "distinct stacks"
assert_eq "$(grep -cxF "stacks_nofp;$START;alpha;beta;gamma 200" "$TMP/f")" 1 \
	"main;alpha;beta;gamma 200 times, named"
assert_eq "$(grep -cxF "stacks_nofp;$START;delta;gamma 100" "$TMP/f")" 1 \
	"main;delta;gamma 100 times, named"
assert_eq "$(grep -c '\[unknown\]\|\[truncated\]' "$TMP/f")" 0 "[unknown] or [truncated] frames"
assert_no_progs "$(progs_re stackcount)"
echo PASS
