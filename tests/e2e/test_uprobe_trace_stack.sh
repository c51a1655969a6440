#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# uprobe-trace -U: the user stack of every event, exact, also for a -c
# command that exits right after its events.
source "$(dirname "$0")/lib.sh"
UT=$ROOT/build/uprobe-trace
[ -x "$UT" ] || fail "$UT missing: run make"

N=6
check "-U -j: $N events through alpha/beta, $((N / 2)) through delta, frames innermost first"
timeout -s KILL 60 "$UT" -U -j --cmd "$T/stacks $N" "p:$T/stacks:gamma \"%d\", arg1" \
	>"$TMP/u" 2>"$TMP/u.err" || { cat "$TMP/u.err"; fail "uprobe-trace -U exited $?"; }
frames() {
	jq -rs --argjson f "$1" '[.[] | select(.type == "event")
		| select([.user_stack[] | sub("\\+0x[0-9a-f]+$"; "")][0:($f | length)] == $f)] | length' "$TMP/u"
}
assert_eq "$(frames '["gamma","beta","alpha","main"]')" "$N" "events with gamma;beta;alpha;main"
assert_eq "$(frames '["gamma","delta","main"]')" "$((N / 2))" "events with gamma;delta;main"
assert_eq "$(jq -rs '[.[] | select(.type == "summary")][0].lost' "$TMP/u")" 0 "lost"

check "text: frames indented under each event line; -a adds addresses"
timeout -s KILL 60 "$UT" -U -a --cmd "$T/stacks 1" "p:$T/stacks:gamma" >"$TMP/t" 2>/dev/null ||
	fail "uprobe-trace -U -a exited $?"
grep -Eq '^        0x[0-9a-f]+ beta\+0x[0-9a-f]+$' "$TMP/t" || { cat "$TMP/t"; fail "no indented 'ADDR beta+0x..' frame"; }
echo "  ok: indented frames with addresses"

check "without -U, no stack and no stop"
timeout -s KILL 60 "$UT" -j --cmd "$T/stacks 2" "p:$T/stacks:gamma" >"$TMP/n" 2>/dev/null ||
	fail "uprobe-trace exited $?"
assert_eq "$(jq -rs '[.[] | select(.type == "event" and has("user_stack"))] | length' "$TMP/n")" 0 \
	"events with a user_stack key"
assert_eq "$(jq -rs '[.[] | select(.type == "event")] | length' "$TMP/n")" 3 "events"

# The CFI walk (--unwind auto, the default): exact stacks through code
# without frame pointers, as the stack tools walk them.
START='["main","__libc_start_call_main","__libc_start_main","_start"]'
ustack_count() {	# FILE FRAMES: events whose whole user stack is FRAMES
	grep '^{' "$1" | jq -rs --argjson f "$2" '[.[] | select(.type == "event")
		| select([.user_stack[] | sub("\\+0x[0-9a-f]+$"; "")] == $f)] | length'
}
check "-U by CFI: a frameless function's entry has main as its caller, to _start"
timeout -s KILL 60 "$UT" -U -j --cmd "$T/calls_nofp 4 2" "$T/calls_nofp:foo" \
	>"$TMP/c" 2>"$TMP/c.err" || { cat "$TMP/c.err"; fail "uprobe-trace -U exited $?"; }
assert_eq "$(ustack_count "$TMP/c" "$(jq -c '["foo"] + .' <<<"$START")")" 4 \
	"events with the stack foo;main;...;_start"
assert_eq "$(jq -rs '[.[] | select(.type == "summary")][0].cut_user_stacks' "$TMP/c")" 0 \
	"cut_user_stacks"

check "-U --unwind cfi through libc (no frame pointers): the wrapper's caller"
echo go | timeout -s KILL 60 "$UT" -U -j --unwind cfi --cmd "$T/closer_nofp 3 2" c:close \
	>"$TMP/w" 2>"$TMP/w.err" || { cat "$TMP/w.err"; fail "uprobe-trace -U exited $?"; }
assert_eq "$(ustack_count "$TMP/w" "$(jq -c '["__close","close_a","path_a"] + .' <<<"$START")")" 3 \
	"close() through close_a;path_a"
assert_eq "$(ustack_count "$TMP/w" "$(jq -c '["__close","close_b","path_b"] + .' <<<"$START")")" 2 \
	"close() through close_b;path_b"

check "-U -v names the walk; --unwind fp keeps the kernel's frame-pointer walker"
timeout -s KILL 60 "$UT" -U -v --unwind fp --cmd "$T/calls_nofp 1 1" "$T/calls_nofp:foo" \
	>/dev/null 2>"$TMP/v.err" || fail "uprobe-trace --unwind fp exited $?"
grep -q '^uprobe-trace: user stacks: frame pointers (--unwind fp)' "$TMP/v.err" ||
	{ cat "$TMP/v.err"; fail "no 'user stacks: frame pointers' line"; }
echo "  ok"

check "--unwind without -U, or a bad mode: a usage error"
"$UT" --unwind cfi c:close >/dev/null 2>"$TMP/e1"; assert_eq $? 2 "exit code without -U"
"$UT" -U --unwind dwarf c:close >/dev/null 2>"$TMP/e2"; assert_eq $? 2 "exit code of a bad mode"
cat "$TMP/e1" "$TMP/e2"

# A child of the command that outlives it: its first hit, after the run's
# last read (the tool held attached by the test knob), stops it for its
# note; the tool must continue it as it exits, in both walks.
for mode in cfi fp; do
	check "--unwind $mode: a process stopped after the last read goes on when the tool exits"
	rm -f "$TMP/late.done"
	COTRACE_TEST_DETACH_DELAY_MS=1500 timeout -s KILL 60 "$UT" -U --unwind "$mode" -j \
		--cmd "sh -c '(sleep 0.3; $T/calls 2 0; touch $TMP/late.done) & exit 0'" \
		"$T/calls:foo" >"$TMP/late" 2>"$TMP/late.err" ||
		{ cat "$TMP/late.err"; fail "uprobe-trace exited $?"; }
	for ((i = 0; i < 100; i++)); do
		[ -e "$TMP/late.done" ] && break
		sleep 0.1
	done
	if [ ! -e "$TMP/late.done" ]; then
		grep -H '^State:' $(grep -l "^calls$" /proc/[0-9]*/comm 2>/dev/null | sed 's/comm$/status/')
		pkill -KILL -x calls
		fail "the late child never finished (left stopped)"
	fi
	echo "  ok: the late child finished"
done

check "nothing of uprobe-trace stays loaded"
assert_no_progs "$(progs_re uprobe-trace)"
