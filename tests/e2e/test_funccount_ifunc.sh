#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# IFUNC symbols (strlen, memset) count the calls of the implementation
# glibc picked for this CPU, not of the resolver (run once).
source "$(dirname "$0")/lib.sh"

N=37
check "c:strlen with -c: exactly $N calls of the chosen implementation"
fc_json --cmd "$T/ifunc $N" 'c:strlen' 'c:memset'
assert_eq "$(count_of strlen)" "$N" "strlen"
# memset's implementation may start with an instruction uprobes cannot
# take on this CPU (EVEX on AVX-512 machines): then it must be named as
# skipped, never silently counted wrong.
if jq -e -s '[.[] | select(.type == "skipped") | .items[]] | index("memset")' "$OUT" >/dev/null; then
	assert_eq "$(count_of memset)" 0 "memset (skipped, so not counted)"
	grep -q 'skipped memset' "$OUT.err" || fail "memset skipped but not named on stderr"
	echo "  ok: memset named as skipped"
else
	assert_eq "$(count_of memset)" "$((2 * N))" "memset"
fi

check "-l shows the implementation's address, not the resolver's"
resolver=$(readelf -sW /lib/x86_64-linux-gnu/libc.so.6 | awk '$4 == "IFUNC" && $8 == "strlen@@GLIBC_2.2.5" {print $2}')
addr=$("$FC" -l -j 'c:strlen' | jq -r '.address')
[ -n "$resolver" ] || fail "no strlen IFUNC in libc"
[ "$addr" != "$((16#$resolver))" ] || fail "strlen listed at its resolver 0x$resolver"
echo "  ok: strlen at $(printf '0x%x' "$addr"), resolver at 0x$resolver"
