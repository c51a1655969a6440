#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# uprobe-trace bad input: one clear sentence on stderr, exit 2, nothing
# attached, nothing on stdout.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/uprobe_trace_lib.sh"

P="p:$T/tracee:label"
# expect_usage TEXT_IN_MESSAGE PROBE...
expect_usage() {
	local want=$1 rc=0
	shift
	timeout -s KILL 30 "$UT" "$@" >"$OUT" 2>"$OUT.err" || rc=$?
	assert_eq "$rc" 2 "exit code of: $*"
	assert_eq "$(wc -l <"$OUT.err")" 1 "one line on stderr ($(cat "$OUT.err"))"
	grep -qF -- "$want" "$OUT.err" || fail "stderr lacks '$want': $(cat "$OUT.err")"
	assert_eq "$(wc -c <"$OUT")" 0 "stdout empty"
}

# A bare name is a kernel function, as in bcc's trace (tests/vm/smoke.sh
# traces them on 6.1); without kprobes or trampolines: one sentence, exit 1.
if "$ROOT/build/funccount" -v -l c:malloc 2>&1 >/dev/null | grep -q 'kprobe=0 .*fentry=0'; then
	check "kernel functions on a kernel without kprobes or trampolines"
	for spec in 'do_sys_openat2 "%s", arg2' 'r::vfs_read "%d", retval'; do
		rc=0
		timeout -s KILL 30 "$UT" "$spec" >"$OUT" 2>"$OUT.err" || rc=$?
		assert_eq "$rc" 1 "exit code of: $spec"
		assert_eq "$(wc -l <"$OUT.err")" 1 "one line on stderr"
		grep -q "neither kprobes nor BPF trampolines" "$OUT.err" || fail "stderr: $(cat "$OUT.err")"
	done
fi

check "malformed format strings"
expect_usage "unterminated format string" "$P \"%d, arg1"
expect_usage "bad conversion '%q'" "$P \"%q\", arg1"
expect_usage "bad conversion '%'" "$P \"100%\", arg1"
# A gigabyte of padding per event (found by tests/fuzz/fuzz_trace_probe).
expect_usage "width or precision over 4096 in conversion '%999999999s'" "$P \"%999999999s\", arg1"
expect_usage "width or precision over 4096 in conversion '%.5000d'" "$P \"%.5000d\", arg1"
check "argument count and types"
expect_usage "has 2 conversions but 1 argument was given" "$P \"%d %d\", arg1"
expect_usage "has 1 conversion but 2 arguments were given" "$P \"%d\", arg1, arg2"
expect_usage "is a number but its conversion is '%s'" "$P \"%s\", arg2:u32"
expect_usage '$comm is a string' "$P \"%d\", \$comm"
expect_usage "bad type 'u7'" "$P \"%d\", arg1:u7"
expect_usage "empty argument" "$P \"%d\", "
check "retval in an entry probe"
expect_usage "retval is only available in return probes" "$P \"%d\", retval"
expect_usage "retval is only available in return probes" "$P (retval == 0) \"%d\", arg1"
expect_usage "retval is only available in return probes" "p:grp/ev $T/tracee:0x10 +0(\$retval):string"
check "expressions and filters"
expect_usage "unknown register '%xx'" "$P \"%d\", %xx"
expect_usage "unbalanced parentheses" "$P \"%d\", +8(%di"
expect_usage "unbalanced parentheses in the filter" "$P (arg1 == 1 \"%d\", arg2"
expect_usage "syntax error" "$P (arg1 == == 1) \"%d\", arg2"
expect_usage "argument number 9 out of range" "$P \"%d\", arg9"
expect_usage "args->FIELD" 't:sched:sched_process_exit "%d", arg1'
expect_usage "no field 'nope'" 't:sched:sched_process_exit "%d", args->nope'
check "options and specs"
expect_usage "no probe given"
expect_usage "invalid string size" -Z 0 "$P"
expect_usage "-p and --cmd cannot be used together" -p 1 --cmd true "$P"
expect_usage "missing PATH:OFFSET" "p:grp/ev"

check "a missing target is one sentence too (exit 2)"
expect_usage "" "p:/nonexistent/bin:foo \"%d\", arg1"

check "cleanup"
assert_no_trace_progs
echo PASS
