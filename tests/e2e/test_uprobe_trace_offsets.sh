#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# uprobe-trace: raw file offsets and the uprobe_events syntax fire exactly
# N times with the right fetched values, strings included.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/uprobe_trace_lib.sh"

off=$(func_offset "$T/tracee" label)
[[ "$off" =~ ^[0-9]+$ ]] || fail "no offset for tracee:label"
hex=$(printf '0x%x' "$off")

check "raw offset PATH:$hex with a bcc format"
ut_json --cmd "$T/tracee label abc 5" "$T/tracee:$hex \"%s:%d\", arg1, arg2"
assert_eq "$(messages | tr '\n' ' ')" "abc:0 abc:1 abc:2 abc:3 abc:4 " "raw offset"
assert_eq "$(jq -r 'select(.type == "event") | .func' "$OUT" | sort -u)" "$hex" "func"

check "uprobe_events: p:mygrp/myevent PATH:OFFSET with fetch-args"
ut_json --cmd "$T/tracee label xyz 3" \
	"p:mygrp/myevent $T/tracee:$hex +0(%di):string n=%si:s32 s=+0(%di):u8 \$comm"
assert_eq "$(messages | tr '\n' '|')" \
	'arg1="xyz" n=0 s=120 arg4="tracee"|arg1="xyz" n=1 s=120 arg4="tracee"|arg1="xyz" n=2 s=120 arg4="tracee"|' \
	"fetch-args"
assert_eq "$(jq -r 'select(.type == "event") | .func' "$OUT" | sort -u)" myevent "event name"

check "uprobe_events: r PATH:OFFSET \$retval, and a hex default"
# An unnamed register is named after itself (ax), not argN: in a Go
# function argN is another register.
ut_json --cmd "$T/tracee label q 4" "r $T/tracee:$hex \$retval:s32 %ax"
assert_eq "$(messages | tr '\n' '|')" "arg1=0 ax=0x0|arg1=2 ax=0x2|arg1=4 ax=0x4|arg1=6 ax=0x6|" \
	"return values"

check "a bcc probe with ftrace fetch-args"
ut_json --cmd "$T/tracee label hello 2" "p:$T/tracee:label +0(%di):string +1(%di):x8"
assert_eq "$(messages | tr '\n' '|')" 'arg1="hello" arg2=0x65|arg1="hello" arg2=0x65|' \
	"ftrace args on a bcc probe"

check "dereferences: *(arg1+1) and +4(%di) as %c"
ut_json --cmd "$T/tracee label hello 1" "p:$T/tracee:label \"%c %c\", *(arg1+1), +4(%di)"
assert_eq "$(messages)" "e o" "derefs"

check "cleanup"
assert_no_trace_progs
echo PASS
