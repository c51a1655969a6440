#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# stackcount: exact call chains and counts at a uprobe, kernel frames at a
# syscall tracepoint, per-process mode, bad input.
source "$(dirname "$0")/lib.sh"
SC=$ROOT/build/stackcount
[ -x "$SC" ] || fail "$SC missing: run make"

N=12
check "folded stacks of gamma: main→alpha→beta→gamma $N times, main→delta→gamma $((N / 2))"
timeout -s KILL 60 "$SC" -f --cmd "$T/stacks $N" "$T/stacks:gamma" >"$TMP/f" 2>"$TMP/f.err" ||
	fail "stackcount -f exited $?"
cat "$TMP/f"
# The CFI walk (the default) goes through libc's start frames, which keep
# no frame pointer, to _start, whose return address is undefined.
START="_start;__libc_start_main;__libc_start_call_main"
assert_eq "$(grep -c . "$TMP/f")" 2 "distinct stacks"
assert_eq "$(grep -xF "stacks;$START;main;alpha;beta;gamma $N" "$TMP/f" | wc -l)" \
	1 "main;alpha;beta;gamma line"
assert_eq "$(grep -xF "stacks;$START;main;delta;gamma $((N / 2))" "$TMP/f" | wc -l)" \
	1 "main;delta;gamma line"

check "--unwind fp: frame pointers end in __libc_start_call_main"
timeout -s KILL 60 "$SC" --unwind fp -f --cmd "$T/stacks $N" "$T/stacks:gamma" >"$TMP/fp" \
	2>"$TMP/fp.err" || fail "stackcount --unwind fp exited $?"
assert_eq "$(grep -xF "stacks;__libc_start_call_main;main;alpha;beta;gamma $N" "$TMP/fp" | wc -l)" \
	1 "main;alpha;beta;gamma line by frame pointers"

check "JSON: frames innermost first, exact counts"
timeout -s KILL 60 "$SC" -j --cmd "$T/stacks $N" "$T/stacks:gamma" >"$TMP/j" 2>"$TMP/j.err" ||
	fail "stackcount -j exited $?"
assert_eq "$(jq -rs '[.[] | select(.type == "stack" and .user[0:4] == ["gamma","beta","alpha","main"]) | .count] | add' "$TMP/j")" \
	"$N" "count of gamma;beta;alpha;main"
assert_eq "$(jq -rs '[.[] | select(.type == "stack")] | map(.count) | add' "$TMP/j")" \
	"$((N + N / 2))" "total hits"
assert_eq "$(jq -rs '[.[] | select(.type == "summary")][0].lost_user_stacks' "$TMP/j")" 0 \
	"lost user stacks"

check "offsets (-s): gamma+0x0 at a function-entry probe"
timeout -s KILL 60 "$SC" -s -f --cmd "$T/stacks 2" "$T/stacks:gamma" >"$TMP/s" 2>/dev/null ||
	fail "stackcount -s exited $?"
grep -q ';gamma+0x0 ' "$TMP/s" || { cat "$TMP/s"; fail "no gamma+0x0 frame"; }
echo "  ok: gamma+0x0"

check "--lines: source lines from the debug info, after the process exited"
timeout -s KILL 60 "$SC" --lines -f --cmd "$T/stacks 2" "$T/stacks:gamma" >"$TMP/l" 2>/dev/null ||
	fail "stackcount --lines exited $?"
grep -q ';gamma (tests/targets/stacks.c:[0-9]*) 2$' "$TMP/l" || { cat "$TMP/l"; fail "no gamma (file:line)"; }
echo "  ok: gamma (tests/targets/stacks.c:N)"

check "C++ frames are demangled"
timeout -s KILL 60 "$SC" -f --cmd "$T/cxx 3" "$T/cxx:shapes::scale(int)" >"$TMP/c" 2>/dev/null ||
	fail "stackcount on cxx exited $?"
grep -q 'main;shapes::scale(int) 3$' "$TMP/c" || { cat "$TMP/c"; fail "no demangled frame"; }
echo "  ok: main;shapes::scale(int) 3"

check "kernel stack at a syscall tracepoint holds the syscall entry"
timeout -s KILL 60 "$SC" -K -j --cmd "$T/calls 1 1" 't:syscalls:sys_enter_exit_group' \
	>"$TMP/k" 2>"$TMP/k.err" || fail "stackcount -K exited $?"
jq -e -s '[.[] | select(.type == "stack") | .kernel[]] | any(test("^(entry_SYSCALL_64|do_syscall_64)"))' \
	"$TMP/k" >/dev/null || { cat "$TMP/k"; fail "no syscall entry frame in the kernel stack"; }
echo "  ok: entry_SYSCALL_64 / do_syscall_64 present"

check "-P: comm and pid in the output"
timeout -s KILL 60 "$SC" -P --cmd "$T/stacks 4" "$T/stacks:gamma" >"$TMP/p" 2>/dev/null ||
	fail "stackcount -P exited $?"
grep -Eq '^    stacks \[[0-9]+\]$' "$TMP/p" || { cat "$TMP/p"; fail "no 'comm [pid]' line"; }
echo "  ok: comm [pid]"

check "bad input: one sentence, exit 2, nothing attached"
for args in "$T/notelf:foo" "$T/stacks:no_such_fn" "x:y:z:w:v" "-p 999999 c:malloc"; do
	rc=0
	# shellcheck disable=SC2086
	timeout -s KILL 20 "$SC" $args >"$TMP/e" 2>"$TMP/e.err" || rc=$?
	assert_eq "$rc" 2 "exit code of stackcount $args"
	assert_eq "$(wc -l <"$TMP/e.err")" 1 "stderr lines of stackcount $args"
done
check "no program of stackcount stays loaded"
assert_no_progs "$(progs_re stackcount)"
