#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The pool of unwind tables: it grows by shards as tables need them, and
# when no shard can be added a file's frames are walked by frame pointers,
# counted (unwind_files_no_room) and shown. The test knobs lower the rows
# used of a shard (COTRACE_TEST_UNWIND_ROWS) and the number of shards
# (COTRACE_TEST_UNWIND_SHARDS). Exact counts, no timing.
source "$(dirname "$0")/lib.sh"
SC=$ROOT/build/stackcount
C=$T/closer
[ -x "$SC" ] || fail "$SC missing: run make"
[ -x "$C" ] || fail "$C missing: run make targets"
START="_start;__libc_start_main;__libc_start_call_main;main"

# run OUT [ENV=VAL...]: stackcount -j -v -U of c:close over closer 3 2;
# its JSON lines (closer's own "done" goes to the same stdout) in OUT.
run() {
	local out=$1
	shift
	echo go | env "$@" timeout -s KILL 60 "$SC" -j -v -U --cmd "$C 3 2" c:close \
		>"$out.all" 2>"$out.err" || { cat "$out.err" >&2; fail "stackcount exited $?"; }
	grep '^{' "$out.all" >"$out"
}

# stack_count OUT STACK: the count of the user stack STACK (outermost first).
stack_count() {
	jq -rs --arg s "$2" '[.[] | select(.type == "stack") |
		select((.user_frames | map(.func) | reverse | join(";")) == $s) | .count] | add // 0' "$1"
}

check "default pool: one shard, every table in it"
run "$TMP/one"
grep -q 'in 1 of at most 32 shards' "$TMP/one.err" ||
	{ cat "$TMP/one.err"; fail "no 'in 1 of at most 32 shards' in -v"; }
assert_eq "$(stack_count "$TMP/one" "$START;path_a;close_a;__close")" 3 "path_a;close_a;__close"
assert_eq "$(stack_count "$TMP/one" "$START;path_b;close_b;__close")" 2 "path_b;close_b;__close"
assert_eq "$(summary_of unwind_files_no_room "$TMP/one")" 0 "files without room"
# The rows all the tables took: a shard one row smaller cannot hold them all.
rows=$(sed -n 's/.*unwind tables: .*; \([0-9]*\) of [0-9]* rows.*/\1/p' "$TMP/one.err")
[ -n "$rows" ] && [ "$rows" -gt 1 ] || { cat "$TMP/one.err"; fail "no row count in -v"; }

check "shards of $((rows - 1)) rows: the pool grows to a second shard, stacks unchanged"
run "$TMP/two" COTRACE_TEST_UNWIND_ROWS=$((rows - 1))
grep -q 'in 2 of at most 32 shards' "$TMP/two.err" ||
	{ cat "$TMP/two.err"; fail "no 'in 2 of at most 32 shards' in -v"; }
assert_eq "$(stack_count "$TMP/two" "$START;path_a;close_a;__close")" 3 "path_a;close_a;__close"
assert_eq "$(stack_count "$TMP/two" "$START;path_b;close_b;__close")" 2 "path_b;close_b;__close"
assert_eq "$(summary_of unwind_files_no_room "$TMP/two")" 0 "files without room"
assert_eq "$(summary_of fp_user_stacks "$TMP/two")" 0 "stacks walked by frame pointers"

check "one shard of one row: no table fits; frame pointers, counted and shown"
run "$TMP/full" COTRACE_TEST_UNWIND_ROWS=1 COTRACE_TEST_UNWIND_SHARDS=1
# libc, ld.so, closer and the vDSO.
assert_eq "$(summary_of unwind_files_no_room "$TMP/full")" 4 "files without room"
assert_eq "$(jq -rs '[.[] | select(.type == "stack") | .count] | add' "$TMP/full")" 5 \
	"hits counted"
assert_eq "$(summary_of fp_user_stacks "$TMP/full")" 5 "stacks walked by frame pointers"
# The frame-pointer walk loses a frameless function's caller: close_a.
assert_eq "$(jq -rs '[.[] | select(.type == "stack") | select(.user_frames | map(.func) | index("close_a"))] |
	length' "$TMP/full")" 0 "stacks through close_a"
grep -q 'files had no room in the unwind table pool' "$TMP/full.err" ||
	{ cat "$TMP/full.err"; fail "no 'no room' line on stderr"; }
assert_no_progs "$(progs_re stackcount)"
echo PASS
