#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# argdist: exact frequency counts (-C) and histograms (-H) of arguments,
# return values, strings, $entry() and $latency; filters; -T; intervals
# that sum to the total; bcc's text layout.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/argdist_lib.sh"

check "-C alloc(size): exactly the multiset of sizes"
ad_json --cmd "$T/tracee alloc 16 16 32 100 16 4096 32" \
	-C "p:$T/tracee:alloc(size_t size):size_t:size"
assert_eq "$(counts size)" "16=3 32=2 100=1 4096=1" "counts"
assert_eq "$(jq -r 'select(.type == "count") | .event' "$OUT" | sort | tr '\n' '|')" \
	"size = 100|size = 16|size = 32|size = 4096|" "events"
assert_eq "$(ad_summary lost)" 0 "lost"

check "-H alloc(size): exactly the log2 histogram"
ad_json --cmd "$T/tracee alloc 0 1 2 3 4 100 1000 1023 1024" \
	-H "p:$T/tracee:alloc(size_t size):size_t:size"
assert_eq "$(buckets)" "0-1:2 2-3:2 4-7:1 64-127:1 512-1023:2 1024-2047:1" "buckets"
assert_eq "$(jq -s '[.[] | select(.type == "hist")] | map(.count) | add' "$OUT")" 9 "count"
assert_eq "$(jq -s '[.[] | select(.type == "hist")] | map(.sum) | add' "$OUT")" 3157 "sum"

check "JSON: an expression named count does not hide the count"
ad_json --cmd "$T/tracee alloc 16 16 32" -C "p:$T/tracee:alloc(size_t count):size_t:count"
assert_eq "$(jq -r 'select(.type == "count") | "\(.count)x\(.["value1.count"])"' "$OUT" | sort | tr '\n' ' ')" \
	"1x32 2x16 " "count and value"

check "\$retval of label() (returns 2n)"
ad_json --cmd "$T/tracee label hello 4" -C "r:$T/tracee:label():int:\$retval"
assert_eq "$(counts '$retval')" "0=1 2=1 4=1 6=1" "retvals"
ad_json --cmd "$T/tracee label hello 3" -C "r:$T/tracee:label()"
assert_eq "$(jq -r 'select(.type == "count") | .event' "$OUT" | sort | tr '\n' '|')" \
	"retval = 0|retval = 2|retval = 4|" "default expression of a return probe"
ad_json --cmd "$T/tracee label hello 5" -C "p:$T/tracee:label()"
assert_eq "$(jq -r 'select(.type == "count") | "\(.event)=\(.count)"' "$OUT")" \
	"total calls=5" "default expression of an entry probe"

check "filter: p:c:write(int fd):int:fd:fd==1"
ad_json --cmd "$T/distee writes 7 3" -C 'p:c:write(int fd):int:fd:fd==1'
assert_eq "$(counts fd)" "1=7" "writes to fd 1"
ad_json --cmd "$T/distee writes 7 3" -C 'p:c:write(int fd):int:fd'
assert_eq "$(counts fd)" "1=7 2=3" "writes per fd"

check "string keys: counts per distinct string"
ad_json --cmd "$T/distee words apple kiwi apple fig apple kiwi" \
	-C "p:$T/distee:word(const char *w):char *:w"
assert_eq "$(counts w)" "apple=3 fig=1 kiwi=2" "words"
ad_json -z 3 --cmd "$T/distee words apple apricot banana" \
	-C "p:$T/distee:word(const char *w):char *:w"
assert_eq "$(counts w)" "ap=2 ba=1" "-z 3 (two bytes and the NUL)"

check "several expressions, several specifiers, #label"
ad_json --cmd "$T/tracee label hi 3" \
	-C "p:$T/tracee:label(char *s, int n):char *,int:s,n:n>0#pairs" \
	-H "p:$T/tracee:label(char *s, int n):int:n"
assert_eq "$(jq -r 'select(.type == "count") | "\(.probe)|\(.event)|\(.count)"' "$OUT" | sort |
	tr '\n' ' ')" "pairs|s = hi, n = 1|1 pairs|s = hi, n = 2|1 " "pairs"
assert_eq "$(buckets)" "0-1:2 2-3:1" "histogram of n"

check "\$entry(param) and \$latency in return probes"
ad_json --cmd "$T/tracee alloc 8 8 24" \
	-C "r:$T/tracee:alloc(size_t size):size_t:\$entry(size)" \
	-H "r:$T/tracee:alloc(size_t size):u64:\$latency"
assert_eq "$(counts '$entry(size)')" "8=2 24=1" "entry sizes"
assert_eq "$(jq -s '[.[] | select(.type == "hist")] | map(.count) | add' "$OUT")" 3 "latencies"
assert_eq "$(ad_summary no_entry)" 0 "no_entry"
ad_json --cmd "$T/tracee label x 6" \
	-C "r:$T/tracee:label(char *s, int n):int:\$retval:\$entry(n) >= 4"
assert_eq "$(counts '$retval')" "8=1 10=1" "filter on \$entry()"

check "-T 2 keeps the two most frequent"
ad_json -T 2 --cmd "$T/distee words a b a c a b d" -C "p:$T/distee:word(char *w):char *:w"
assert_eq "$(counts w)" "a=3 b=2" "top 2"

check "-i: intervals sum to the total"
ad_json -i 0.1 --cmd "$T/distee batches 5 20 64" -C "p:$T/distee:alloc(size_t size):size_t:size"
assert_eq "$(counts size)" "64=100" "sum of the intervals"
assert_ge "$(jq -s '[.[] | select(.type == "count") | .interval] | unique | length' "$OUT")" 1 \
	"intervals with counts"
ad_json -c -i 0.1 --cmd "$T/distee batches 3 10 64" \
	-C "p:$T/distee:alloc(size_t size):size_t:size"
assert_eq "$(jq -s '[.[] | select(.type == "count")] | last | .count' "$OUT")" 30 \
	"-c: the last interval holds the total"
ad_json -i 0.1 -n 2 --cmd "$T/distee batches 30 1 64" \
	-C "p:$T/distee:alloc(size_t size):size_t:size"
assert_eq "$(jq -s '[.[] | select(.type == "summary")] | length' "$OUT")" 1 "-n 2 ends the run"

check "text output: bcc argdist's layout"
timeout 60 "$AD" --cmd "$T/tracee alloc 16 16 32" -C "p:$T/tracee:alloc(size_t size):size_t:size" \
	>"$OUT" 2>"$OUT.err" || fail "text run"
assert_eq "$(sed -n 1p "$OUT" | grep -c '^\[[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\]$')" 1 "time line"
assert_eq "$(sed -n 2p "$OUT")" "p:$T/tracee:alloc(size_t size):size_t:size" "specifier line"
assert_eq "$(sed -n 3,5p "$OUT" | tr '\t' '>' | tr '\n' '|')" \
	">COUNT      EVENT|>1          size = 32|>2          size = 16|" "table"
timeout 60 "$AD" --cmd "$T/tracee alloc 3" -H "p:$T/tracee:alloc(size_t size):size_t:size" \
	>"$OUT" 2>"$OUT.err" || fail "text run"
assert_eq "$(sed -n 3p "$OUT" | tr -s ' ')" " size : count distribution" "histogram header"

check "cleanup"
assert_no_argdist_progs
echo PASS
