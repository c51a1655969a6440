#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# profile on every CPU at 999 Hz, under load, with its stack tables
# lowered to 512 entries (COTRACE_TEST_MAP_ENTRIES, the test knob): they
# fill many times over, are drained as they fill (CFI, the default), and
# no sample is lost for room. Exact accounting: the counts of the stacks
# printed add up to the samples taken, and every loss counter is 0.
# (The default tables are 32 times larger: a 5-minute run is this one
# scaled up.)
source "$(dirname "$0")/lib.sh"
PR=$ROOT/build/profile
[ -x "$PR" ] || fail "$PR missing: run make"
U=$T/unwinder

check "load: a CPU loop in a frameless program, and short-lived processes"
"$U" spin 20000 >/dev/null &
BG_PIDS+=("$!")
(while :; do "$T/stacks_nofp" 50 >/dev/null; "$T/calls_nofp" 100 100; done) &
BG_PIDS+=("$!")
echo "  ok"

check "profile -F 999, all CPUs, 5 s, tables of 512: drained, nothing lost"
COTRACE_TEST_MAP_ENTRIES=512 timeout -s KILL 60 "$PR" -v -j -F 999 5 >"$TMP/p" 2>"$TMP/p.err" ||
	{ cat "$TMP/p.err"; fail "profile exited $?"; }
grep 'drained' "$TMP/p.err" || { cat "$TMP/p.err"; fail "the tables were never drained"; }
samples=$(summary_of samples "$TMP/p")
assert_ge "$samples" 2000 "samples"
assert_eq "$(jq -rs '[.[] | select(.type == "stack") | .count] | add' "$TMP/p")" "$samples" \
	"counts printed = samples taken"
for k in lost_counts lost_user_stacks lost_kernel_stacks lost_pid_notes; do
	assert_eq "$(summary_of "$k" "$TMP/p")" 0 "$k"
done
# Counts are kept per process in the kernel: the short-lived processes
# alone make more keys than the table of counts holds.
assert_ge "$(jq -rs '[.[] | select(.type == "stack")] | length' "$TMP/p")" 1 "stacks printed"
echo PASS
