#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# argdist speaks bcc argdist's language: tracepoints (t:) and USDT probes
# (u:), arithmetic, casts, members through typed pointers, $PID-style
# values, STRCMP of an entry argument, ;LABEL. Every count exact.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/argdist_lib.sh"

[ -x "$T/typed" ] || fail "$T/typed missing: run make targets"
V="p:$T/typed:visit"

check "t:CATEGORY:EVENT(): a tracepoint's fields"
ad_json --cmd "$T/distee writes 7 3" -C 't:syscalls:sys_enter_write():int:args->fd'
assert_eq "$(counts 'args->fd')" "1=7 2=3" "writes per fd"
ad_json --cmd "$T/distee writes 7 3" -C 't:syscalls:sys_enter_write():int:fd'
assert_eq "$(counts fd)" "1=7 2=3" "a field by its bare name (bcc's argdist.8)"
ad_json --cmd "$T/distee writes 7 3" -H 't:syscalls:sys_enter_write():u64:args->count'
assert_eq "$(buckets)" "0-1:10" "histogram of the sizes"
ad_json --cmd "$T/distee writes 7 3" -C 't:syscalls:sys_enter_write():int:args->fd:args->fd==2#stderr'
assert_eq "$(jq -r 'select(.type == "count") | "\(.probe) \(.event) \(.count)"' "$OUT")" \
	"stderr args->fd = 2 3" "filter and label"

ad_json --cmd "$T/typed sleep 1000 1000 3000" \
	-C 't:syscalls:sys_enter_clock_nanosleep():long:args->rqtp->tv_nsec'
assert_eq "$(counts 'args->rqtp->tv_nsec')" "1000=2 3000=1" "a member through a pointer field"

check "u:LIB:PROBE(): USDT arguments"
ad_json --cmd "$T/usdt 6" -C "u:$T/usdt:tick():u64:arg2"
assert_eq "$(counts arg2)" "6=6" "arg2 is N"
ad_json --cmd "$T/usdt 6" -C "u:$T/usdt:tick():u64:arg1%3"
assert_eq "$(counts 'arg1%3')" "0=2 1=2 2=2" "arg1 modulo 3"
ad_json --cmd "$T/usdt 6" -C "u:$T/usdt:tock()"
assert_eq "$(jq -r 'select(.type == "count") | "\(.event)=\(.count)"' "$OUT")" "total calls=3" \
	"default expression"

check "arithmetic: computed after the fetch"
ad_json --cmd "$T/tracee alloc 16 16 32 100" -C "p:$T/tracee:alloc(size_t size):u64:size*2+1"
assert_eq "$(counts 'size*2+1')" "33=2 65=1 201=1" "size*2+1"
ad_json --cmd "$T/tracee alloc 8 8 24" -C "r:$T/tracee:alloc(size_t size):u64:\$entry(size)/8"
assert_eq "$(counts '$entry(size)/8')" "1=2 3=1" "\$entry(size)/8"
ad_json --cmd "$T/tracee alloc 1 2 3" -H "r:$T/tracee:alloc(size_t size):u64:\$latency/\$latency"
assert_eq "$(buckets)" "0-1:3" "\$latency/\$latency is 1"

check "casts and C's signed division"
ad_json --cmd "$T/typed recs 4" -C "r:$T/typed:visit():int:(int)\$retval:(int)\$retval < 0"
assert_eq "$(counts '(int)$retval')" "-2=1 -1=1" "(int)\$retval < 0"
ad_json --cmd "$T/typed recs 4" -C "r:$T/typed:visit():long:(long)\$retval/2"
assert_eq "$(counts '(long)$retval/2')" "-1=1 0=3" "division truncates toward zero"
ad_json --cmd "$T/typed recs 4" -C "r:$T/typed:visit():long:\$retval%2"
assert_eq "$(counts '$retval%2')" "-1=1 0=2 1=1" "remainder takes the dividend's sign"
ad_json --cmd "$T/distee words apple kiwi" -C "p:$T/distee:word():char*:(char*)arg1"
assert_eq "$(counts '(char*)arg1')" "apple=1 kiwi=1" "(char*)arg1"

check "members through typed pointers: signature, DWARF, casts"
ad_json --cmd "$T/typed recs 4" -C "$V(struct rec *r):long,int:r->id,r->pos.y"
assert_eq "$(jq -r 'select(.type == "count") | .event' "$OUT" | sort | tr '\n' '|')" \
	"r->id = 1, r->pos.y = -1|r->id = 2, r->pos.y = -2|r->id = 3, r->pos.y = -3|r->id = 4, r->pos.y = -4|" \
	"signature"
ad_json --cmd "$T/typed recs 4" -C "$V():int:r->arr[2]*10+r->flags"
assert_eq "$(counts 'r->arr[2]*10+r->flags')" "31=1 62=1 93=1 124=1" "DWARF names"
ad_json --cmd "$T/typed recs 4" -C "$V():char*:((struct rec *)arg1)->next->tag:arg2 < 2"
assert_eq "$(counts '((struct rec *)arg1)->next->tag')" "t2=1 t3=1" "cast, pointer chain"

check "\$PID, \$TID, \$COMM as bcc names them; ;LABEL"
ad_json --cmd "$T/tracee alloc 1 2 3" -C "p:$T/tracee:alloc():int:\$PID == \$TID"
assert_eq "$(counts '$PID == $TID')" "1=3" "\$PID == \$TID"
ad_json --cmd "$T/tracee alloc 1 2 3" -C "p:$T/tracee:alloc():char*:\$COMM;allocs per command"
assert_eq "$(jq -r 'select(.type == "count") | "\(.probe)|\(.event)|\(.count)"' "$OUT")" \
	"allocs per command|\$COMM = tracee|3" "\$COMM and the label"

check "STRCMP of an entry argument"
ad_json --cmd "$T/distee words apple kiwi apple fig apple" \
	-C "r:$T/distee:word(char *w):int:\$retval:STRCMP(\"apple\",\$entry(w))"
assert_eq "$(counts '$retval')" "5=3" "strlen of the apples"
ad_json --cmd "$T/distee words apple kiwi apple" \
	-C "r:$T/distee:word(char *w):char*:\$entry(w)"
assert_eq "$(counts '$entry(w)')" "apple=2 kiwi=1" "\$entry() of a string"

check "cleanup"
assert_no_argdist_progs
echo PASS
