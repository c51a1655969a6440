#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Every tool's -v reports the kernel features it found, in the same one
# line, before it loads anything (issue: feature detection reported by -v).
source "$(dirname "$0")/lib.sh"

C="$T/calls 1 1"
# Arguments per tool, '|' between words: every tool of build/tools.list.
declare -A runs=(
	[funccount]="--cmd|$C|$T/calls:foo"
	[stackcount]="--cmd|$C|$T/calls:foo"
	[ulatency]="-c|$C|$T/calls:foo"
	[uprobe-trace]="--cmd|$C|$T/calls:foo"
	[argdist]="--cmd|$C|-C|p:$T/calls:foo(int n):int:n"
	[syscount]="--cmd|$C"
	[profile]="--cmd|$C"
	[proclife]="-d|0.2"
)
want=$("$FC" -v -l c:malloc 2>&1 >/dev/null | grep '^kernel features:')
[[ "$want" =~ ^kernel\ features:\ uprobe_multi=[01]\ kprobe=[01]\ kprobe_multi=[01]\ fentry=[01]\ bpf_cookie=[01]\ ringbuf=[01]$ ]] ||
	fail "funccount -v: unexpected line '$want'"
for tool in "${ALL_TOOLS[@]}"; do
	[ -n "${runs[$tool]:-}" ] || fail "no -v run for $tool in $0: add one to runs"
	check "$tool -v"
	IFS='|' read -r -a args <<<"${runs[$tool]}"
	rc=0
	timeout -s KILL 60 "$ROOT/build/$tool" -v "${args[@]}" >"$TMP/out" 2>"$TMP/err" || rc=$?
	assert_eq "$rc" 0 "exit code"
	assert_eq "$(grep -c '^kernel features:' "$TMP/err")" 1 "feature lines"
	assert_eq "$(grep '^kernel features:' "$TMP/err")" "$want" "features"
done
assert_nothing_attached
echo PASS
