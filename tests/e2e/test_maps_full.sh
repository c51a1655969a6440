#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Full tables (issue #6): when a bounded BPF map fills, the tool keeps
# running and reports exactly what it could not count, in JSON and text.
# COTRACE_TEST_MAP_ENTRIES=N lowers every table to N entries so that a few
# calls fill it; each check asserts printed + lost == what the target did.
source "$(dirname "$0")/ulatency_lib.sh"
source "$(dirname "$0")/argdist_lib.sh"
source "$(dirname "$0")/proclife_lib.sh"
UT=$ROOT/build/uprobe-trace
SCNT=$ROOT/build/stackcount
PROF=$ROOT/build/profile
SYSC=$ROOT/build/syscount
[ -x "$SCNT" ] && [ -x "$PROF" ] && [ -x "$SYSC" ] || fail "tools missing: run make"
[ -x "$T/stacks" ] && [ -x "$T/sysload" ] && [ -x "$T/spin" ] || fail "targets missing: run make targets"

# summary KEY FILE: a key of the summary record.
summary() {
	jq -rs --arg k "$2" '[.[] | select(.type == "summary")][0][$k]' "$1" || fail "bad JSON in $1"
}

# start_bg OUTFILE CMD...: CMD in the background, wait until it is tracing.
start_bg() {
	local out=$1
	shift
	: >"$out"
	: >"$out.err"
	"$@" >"$out" 2>"$out.err" &
	BG=$!
	BG_PIDS+=("$BG")
	OUR_PIDS+=("$BG")
	wait_for_text "$out.err" "Tracing" 20 "$BG"
}

# stop_bg OUTFILE: SIGINT to the tool started last; it must exit 0.
stop_bg() {
	kill -INT "$BG" 2>/dev/null
	wait_exit "$BG" 10
	[ "$WAIT_RC" -eq 0 ] || { cat "$1.err" >&2; fail "tool exited $WAIT_RC"; }
}

export COTRACE_TEST_MAP_ENTRIES=1

check "funccount -P, table of 1: 3 processes x 5 foo = 5 counted + 10 lost"
pids=() fds=()
for n in a b c; do
	start_target "$n" "$T/calls" 5 9 --wait
	pids+=("$TARGET_PID") fds+=("$TARGET_FD")
done
start_fc "$OUT" -P "$T/calls:foo"
for i in 0 1 2; do
	release_target "${pids[$i]}" "${fds[$i]}"
done
stop_fc INT
assert_eq "$(count_of foo)" 5 "foo counted (the first process's)"
assert_eq "$(summary "$OUT" lost)" 10 "lost"
assert_eq "$(jq -s '[.[] | select(.type == "count")] | length' "$OUT")" 1 "count records"
start_target d "$T/calls" 5 9 --wait
p1=$TARGET_PID f1=$TARGET_FD
start_target e "$T/calls" 5 9 --wait
start_bg "$TMP/fct" "$FC" -P "$T/calls:foo"
release_target "$p1" "$f1"
release_target "$TARGET_PID" "$TARGET_FD"
stop_bg "$TMP/fct"
grep -qx 'warning: 5 hits lost: the per-process table was full' "$TMP/fct.err" ||
	{ cat "$TMP/fct" "$TMP/fct.err"; fail "no loss line in the text output"; }
echo "  ok: text says '5 hits lost: the per-process table was full'"

check "ulatency -P, table of 1: 2 processes x 6 cot_add = 6 timed + 6 lost"
start_target f "$T/uselib" 6 --wait
p1=$TARGET_PID f1=$TARGET_FD
start_target g "$T/uselib" 6 --wait
start_ul "$OUT" --json -P "$T/libcotarget.so:cot_add"
release_target "$p1" "$f1"
release_target "$TARGET_PID" "$TARGET_FD"
stop_ul INT
assert_eq "$(hist_count cot_add)" 6 "cot_add timed"
assert_eq "$(ul_summary lost)" 6 "lost"

check "argdist -C, table of 1: sizes 16 16 32 100 16 4096 32 = 3 x 16 counted + 4 lost"
ad_json --cmd "$T/tracee alloc 16 16 32 100 16 4096 32" \
	-C "p:$T/tracee:alloc(size_t size):size_t:size"
assert_eq "$(counts size)" "16=3" "counts"
assert_eq "$(ad_summary lost)" 4 "lost"

check "stackcount, stack map and table of 1: 12 stacks kept, 6 neither stored nor counted"
timeout -s KILL 60 "$SCNT" -j -U -c "$T/stacks 12" "$T/stacks:gamma" >"$OUT" 2>"$OUT.err" ||
	{ cat "$OUT.err"; fail "stackcount exited $?"; }
assert_eq "$(jq -rs '[.[] | select(.type == "stack") | .count] | add' "$OUT")" 12 "stack hits"
assert_eq "$(jq -rs '[.[] | select(.type == "stack")][0].user[0:4] | join(";")' "$OUT")" \
	"gamma;beta;alpha;main" "the stack kept (the first one)"
assert_eq "$(summary "$OUT" lost_user_stacks)" 6 "lost_user_stacks (main;delta;gamma)"
assert_eq "$(summary "$OUT" lost_counts)" 6 "lost_counts"
timeout -s KILL 60 "$SCNT" -U -c "$T/stacks 12" "$T/stacks:gamma" >"$TMP/sct" 2>"$TMP/sct.err" ||
	fail "stackcount (text) exited $?"
grep -q '^warning: 6 hits lost: the stack table was full' "$TMP/sct.err" ||
	{ cat "$TMP/sct" "$TMP/sct.err"; fail "no loss line in the text output"; }
echo "  ok: text says '6 hits lost: the stack table was full ...'"

check "stackcount, every table of 1, 2 processes x 6 cot_add: the second is not announced"
start_target k "$T/uselib" 6 --wait
p1=$TARGET_PID f1=$TARGET_FD
start_target l "$T/uselib" 6 --wait
start_bg "$OUT" "$SCNT" -j -U -P "$T/libcotarget.so:cot_add"
release_target "$p1" "$f1"
release_target "$TARGET_PID" "$TARGET_FD"
stop_bg "$OUT"
assert_eq "$(jq -rs '[.[] | select(.type == "stack") | .count] | add' "$OUT")" 6 "stack hits"
assert_eq "$(jq -rs '[.[] | select(.type == "stack")][0].pid' "$OUT")" "$p1" "pid of the stacks kept"
assert_eq "$(summary "$OUT" unannounced)" 6 "unannounced (hits of the second process)"
assert_eq "$(summary "$OUT" lost_counts)" 6 "lost_counts"

check "profile, stack map and table of 1: samples = printed + lost_counts"
"$T/spin" 4 &
TARGET_PID=$!
BG_PIDS+=("$TARGET_PID")
timeout -s KILL 60 "$PROF" -j -U -F 199 -p "$TARGET_PID" 2 >"$OUT" 2>"$OUT.err" ||
	{ cat "$OUT.err"; fail "profile exited $?"; }
samples=$(summary "$OUT" samples)
printed=$(jq -rs '[.[] | select(.type == "stack") | .count] | add // 0' "$OUT")
lost=$(summary "$OUT" lost_counts)
echo "  samples $samples, printed $printed, lost_counts $lost"
assert_eq "$((printed + lost))" "$samples" "printed + lost_counts"
kill -KILL "$TARGET_PID" 2>/dev/null
wait "$TARGET_PID" 2>/dev/null

check "syscount -P, table of 1: 2 processes x 40 close = 40 counted + 40 lost"
# -p takes one pid: select both by a command name no one else uses.
SL=sl$$
cp "$T/sysload" "$TMP/$SL" || fail "cp"
start_target i "$TMP/$SL" close 40 --wait
p1=$TARGET_PID f1=$TARGET_FD
start_target j "$TMP/$SL" close 40 --wait
start_bg "$OUT" "$SYSC" --json -P --syscall close --comm "$SL"
release_target "$p1" "$f1"
release_target "$TARGET_PID" "$TARGET_FD"
stop_bg "$OUT"
assert_eq "$(jq -rs '[.[] | select(.type == "count") | .count] | add' "$OUT")" 40 "close counted"
assert_eq "$(summary "$OUT" lost_proc)" 40 "lost_proc"

check "proclife -e, exit-code table of 1: codes 0, 3, 7, SIGKILL = 1 counted + 3 lost"
start_pl "$OUT" -e -c "$CHILD"
run_forker codes
stop_pl
assert_eq "$(hist_total "$CHILD" "$OUT")" 4 "lifetimes (one comm: its histogram fits)"
assert_eq "$(jq -rs '[.[] | select(.type == "exits") | .count] | add' "$OUT")" 1 "exit codes counted"
assert_eq "$(pl_summary lost_exits "$OUT")" 3 "lost_exits"

check "uprobe-trace -c, table of followed processes of 1: 3 children not followed"
timeout -s KILL 60 "$UT" -j -c "$FORKER children 3 40" 't:syscalls:sys_enter_clock_nanosleep' \
	>"$OUT" 2>"$OUT.err" || { cat "$OUT.err"; fail "uprobe-trace exited $?"; }
assert_eq "$(summary "$OUT" lost_children)" 3 "lost_children"
assert_eq "$(summary "$OUT" events)" 0 "events (only the children sleep)"
timeout -s KILL 60 "$UT" -c "$FORKER children 3 40" 't:syscalls:sys_enter_clock_nanosleep' \
	>"$TMP/utt" 2>"$TMP/utt.err" || fail "uprobe-trace (text) exited $?"
grep -qx 'warning: 3 child processes not followed: the table was full' "$TMP/utt.err" ||
	{ cat "$TMP/utt.err"; fail "no loss line on stderr"; }
echo "  ok: stderr says '3 child processes not followed: the table was full'"
COTRACE_TEST_MAP_ENTRIES= timeout -s KILL 60 "$UT" -j -c "$FORKER children 3 40" \
	't:syscalls:sys_enter_clock_nanosleep' >"$OUT" 2>"$OUT.err" || fail "uprobe-trace exited $?"
assert_eq "$(summary "$OUT" events)" 3 "events with the default table"

check "cleanup"
assert_nothing_attached
echo PASS
