#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# stackcount and syscount --stack with their stack tables lowered to 64
# entries (COTRACE_TEST_MAP_ENTRIES, the test knob), system-wide over 100
# short-lived processes: counts are kept per process in the kernel, so the
# tables fill several times over; with CFI (the default) they are drained
# as they fill and nothing is lost. Exact counts per call chain, every
# loss counter 0. (The default tables are 256 (stackcount) and 1024
# (syscount) times larger.)
source "$(dirname "$0")/lib.sh"
SC=$ROOT/build/stackcount
SYS=$ROOT/build/syscount
for b in "$SC" "$SYS"; do [ -x "$b" ] || fail "$b missing: run make"; done
P=$T/stacks_nofp
C=$T/closer
for b in "$P" "$C"; do [ -x "$b" ] || fail "$b missing: run make targets"; done
START="_start;__libc_start_main;__libc_start_call_main;main"
RUNS=100

# no_losses OUT: every loss counter of the summary in OUT is 0.
no_losses() {
	local k
	for k in lost_counts lost_stack_counts lost_user_stacks lost_kernel_stacks lost_pid_notes; do
		[ "$(summary_of "$k" "$1")" = null ] && continue
		assert_eq "$(summary_of "$k" "$1")" 0 "$k"
	done
}

# chain OUT STACK: the count of user stack STACK (outermost first) in OUT
# (by function names: -v adds addresses, which differ between processes).
chain() {
	jq -rs --arg s "$2" '[.[] | select(.type == "stack") |
		select((.user_frames | map(.func) | reverse | join(";")) == $s) | .count] | add // 0' "$1"
}

check "stackcount -U (system-wide) over $RUNS runs of stacks_nofp 2, tables of 64"
COTRACE_TEST_MAP_ENTRIES=64 bg_start "$TMP/sc" "Hit Ctrl-C" "$SC" -v -j -U "$P:gamma"
sc=$BG_PID
for ((r = 0; r < RUNS; r++)); do
	"$P" 2 >/dev/null || fail "run $r of $P failed"
done
bg_stop "$sc" "$TMP/sc"
grep -h 'drained' "$TMP/sc" "$TMP/sc.err" 2>/dev/null ||
	{ cat "$TMP/sc.err" 2>/dev/null; fail "the tables were never drained"; }
grep "^{" "$TMP/sc" >"$TMP/sc.json"
assert_eq "$(chain "$TMP/sc.json" "$START;alpha;beta;gamma")" $((2 * RUNS)) "alpha;beta;gamma"
assert_eq "$(chain "$TMP/sc.json" "$START;delta;gamma")" "$RUNS" "delta;gamma"
assert_eq "$(jq -rs '[.[] | select(.type == "stack") | .count] | add' "$TMP/sc.json")" \
	$((3 * RUNS)) "hits counted"
no_losses "$TMP/sc.json"
assert_no_progs "$(progs_re stackcount)"

check "syscount --stack --syscall close --comm closer over $RUNS runs of closer 3 2, tables of 64"
COTRACE_TEST_MAP_ENTRIES=64 bg_start "$TMP/sy" "Tracing" "$SYS" -v -j -T 0 --stack \
	--syscall close --comm closer
sy=$BG_PID
# closer is announced at its first close() (ld.so's) and waits for a line
# before its own: the line comes 0.2 s later, so that the tool has read
# its maps (a walk before that finds one file's table only; such walks are
# counted as early_user_stacks, and a slow build, ASan's, met them).
for ((r = 0; r < RUNS; r++)); do
	{ sleep 0.2; echo go; } | "$C" 3 2 >/dev/null || fail "run $r of $C failed"
done
bg_stop "$sy" "$TMP/sy"
grep -h 'drained' "$TMP/sy" "$TMP/sy.err" 2>/dev/null ||
	{ cat "$TMP/sy.err" 2>/dev/null; fail "the tables were never drained"; }
grep '^{' "$TMP/sy" >"$TMP/sy.json"
assert_eq "$(chain "$TMP/sy.json" "$START;path_a;close_a;__close")" $((3 * RUNS)) \
	"path_a;close_a;__close"
assert_eq "$(chain "$TMP/sy.json" "$START;path_b;close_b;__close")" $((2 * RUNS)) \
	"path_b;close_b;__close"
no_losses "$TMP/sy.json"
assert_no_progs "$(progs_re syscount)"
echo PASS
