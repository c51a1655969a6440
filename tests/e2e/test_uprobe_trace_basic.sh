#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# uprobe-trace: bcc trace probes print exactly the fetched values, in order:
# children's exit codes through libc's exit, sizes, strings, return values,
# filters, USDT arguments and tracepoint fields.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/uprobe_trace_lib.sh"

check "p:c:exit prints each child's exit code (-c follows children)"
ut_json --cmd "$T/tracee codes 3 7 42" 'p:c:exit "%s exited with code %d", $comm, arg1'
assert_eq "$(messages | sort | tr '\n' '|')" \
	"tracee exited with code 0|tracee exited with code 3|tracee exited with code 42|tracee exited with code 7|" \
	"exit messages"
assert_eq "$(jq -r 'select(.type == "event") | .func' "$OUT" | sort -u)" exit "func"
assert_eq "$(ut_summary lost)" 0 "lost"

check "alloc(size) prints exactly the sizes, in order"
ut_json --cmd "$T/tracee alloc 1 20 300 4096 65536 7" "p:$T/tracee:alloc \"size=%lu\", arg1"
assert_eq "$(messages | tr '\n' ' ')" "size=1 size=20 size=300 size=4096 size=65536 size=7 " "sizes"
assert_eq "$(jq -s '[.[] | select(.type == "event") | .args[0]] | add' "$OUT")" 69960 "sum of args"
assert_eq "$(ut_summary events)" 6 "events"

check "strings, signed ints and return values"
ut_json --cmd "$T/tracee label hello 3" "p:$T/tracee:label \"%s/%d\", arg1, arg2" \
	"r:$T/tracee:label \"ret=%d\", retval"
assert_eq "$(messages | tr '\n' ' ')" "hello/0 ret=0 hello/1 ret=2 hello/2 ret=4 " "label"

check "filters in BPF: (retval > 0), STRCMP"
ut_json --cmd "$T/tracee label hello 4" "r:$T/tracee:label (retval > 2) \"ret=%d\", retval"
assert_eq "$(messages | tr '\n' ' ')" "ret=4 ret=6 " "retval filter"
ut_json --cmd "$T/tracee label hello 3" \
	"p:$T/tracee:label (STRCMP(\"hello\", arg1) && arg2 == 1) \"%s %d\", arg1, arg2"
assert_eq "$(messages)" "hello 1" "STRCMP filter"
ut_json --cmd "$T/tracee label hello 3" "p:$T/tracee:label (STRCMP(\"hell\", arg1)) \"%d\", arg2"
assert_eq "$(ut_summary events)" 0 "STRCMP prefix does not match"

check "-Z truncates strings; -M stops after N events"
ut_json -Z 3 --cmd "$T/tracee label hello 1" "p:$T/tracee:label \"%s\", arg1"
assert_eq "$(messages)" "he" "-Z 3"
ut_json -M 2 --cmd "$T/tracee alloc 1 2 3 4" "p:$T/tracee:alloc \"%d\", arg1"
assert_eq "$(messages | tr '\n' ' ')" "1 2 " "-M 2"

check "USDT arguments"
ut_json --cmd "$T/usdt 4" "u:$T/usdt:cotrace:tick \"i=%d n=%d\", arg1, arg2"
assert_eq "$(messages | tr '\n' ' ')" "i=0 n=4 i=1 n=4 i=2 n=4 i=3 n=4 " "usdt"

check "tracepoint fields: sched_process_exit of the command and its children"
ut_json --cmd "$T/tracee codes 1 2" 't:sched:sched_process_exit "%s", args->comm'
assert_eq "$(messages | tr '\n' ' ')" "tracee tracee tracee " "tracepoint comm"
assert_eq "$(jq -s '[.[] | select(.type == "event") | .pid] | unique | length' "$OUT")" 3 "pids"

check "text output: bcc's columns"
timeout 60 "$UT" --cmd "$T/tracee alloc 5" "p:$T/tracee:alloc \"%d\", arg1" >"$OUT" 2>"$OUT.err" ||
	fail "text run"
assert_eq "$(head -1 "$OUT" | tr -s ' ')" "PID TID COMM FUNC -" "header"
assert_eq "$(sed -n 2p "$OUT" | awk '{print $3, $4, $5}')" "tracee alloc 5" "line"

check "two probes on one function: each has its own filter and format"
ut_json --cmd "$T/tracee alloc 16 16 32 100" "p:$T/tracee:alloc (arg1 == 16) \"small %d\", arg1" \
	"p:$T/tracee:alloc (arg1 > 16) \"big %d\", arg1" "p:$T/tracee:alloc (\$pid == 0)"
assert_eq "$(messages | sort | tr '\n' ' ')" "big 100 big 32 small 16 small 16 " "messages"

check "cleanup"
assert_no_trace_progs
echo PASS
