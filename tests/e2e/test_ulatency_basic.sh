#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# ulatency on user functions: exact call counts, every call of a 20 ms
# sleep in a bucket at or above 16 ms in each unit, one histogram per
# function with -F, and the text layout of bcc's funclatency. Sleeps never
# return early, so lower bounds hold on a loaded machine; no upper bound
# on a duration is asserted.
source "$(dirname "$0")/ulatency_lib.sh"

check "-m: sleep_ms(20) x10: count 10, all in buckets >= 16 ms"
ul_json -m -c "$T/sleeper 10 0 0 0" "$T/sleeper:sleep_ms"
assert_eq "$(hists | wc -l)" 1 "hist records"
assert_eq "$(hists | jq -r .func)" sleep_ms "label"
assert_eq "$(hists | jq -r .unit)" msecs "unit"
assert_eq "$(hist_count)" 10 "count"
assert_eq "$(hist_count_ge 16)" 10 "calls >= 16 ms"
assert_ge "$(hist_sum)" 200 "total ms"
assert_clean_summary

check "default unit ns and -u: same counts, buckets >= 16 ms"
ul_json -c "$T/sleeper 10 0 0 0" "$T/sleeper:sleep_ms"
assert_eq "$(hists | jq -r .unit)" nsecs "unit"
assert_eq "$(hist_count)" 10 "count"
assert_eq "$(hist_count_ge 16777216)" 10 "calls >= 2^24 ns"
ul_json -u -c "$T/sleeper 10 0 0 0" "$T/sleeper:sleep_ms"
assert_eq "$(hists | jq -r .unit)" usecs "unit"
assert_eq "$(hist_count)" 10 "count"
assert_eq "$(hist_count_ge 16384)" 10 "calls >= 2^14 us"

check "-F with a wildcard: one histogram per function, exact counts"
ul_json -F -c "$T/sleeper 4 7 13 0" "$T/sleeper:tick_*"
assert_eq "$(hists | wc -l)" 2 "hist records"
assert_eq "$(hist_count tick_a)" 7 "tick_a"
assert_eq "$(hist_count tick_b)" 13 "tick_b"
assert_eq "$(ul_summary functions)" 2 "functions"
assert_clean_summary

check "-F with two patterns: sleep_ms and tick_b"
ul_json -m -F -c "$T/sleeper 4 7 13 0" "$T/sleeper:sleep_ms" "$T/sleeper:tick_b"
assert_eq "$(hist_count sleep_ms)" 4 "sleep_ms"
assert_eq "$(hist_count_ge 16 sleep_ms)" 4 "sleep_ms >= 16 ms"
assert_eq "$(hist_count tick_b)" 13 "tick_b"

check "without -F: one histogram for all matched functions"
ul_json -c "$T/sleeper 4 7 13 0" "$T/sleeper:tick_*"
assert_eq "$(hists | wc -l)" 1 "hist records"
assert_eq "$(hists | jq -r '.func // "none"')" none "no function label"
assert_eq "$(hist_count)" 20 "count"

for mode in multi single; do
	check "--attach=$mode gives the same counts"
	ul_json -F --attach="$mode" -c "$T/sleeper 3 7 13 0" "$T/sleeper:tick_*" "$T/sleeper:sleep_ms"
	assert_eq "$(hist_count tick_a)" 7 "$mode tick_a"
	assert_eq "$(hist_count tick_b)" 13 "$mode tick_b"
	assert_eq "$(hist_count sleep_ms)" 3 "$mode sleep_ms"
done

check "regex -r and the bpftrace form"
ul_json -F -r -c "$T/sleeper 0 7 13 0" "$T/sleeper:^tick_(a|b)\$"
assert_eq "$(hist_count tick_a)" 7 "regex tick_a"
assert_eq "$(hist_count tick_b)" 13 "regex tick_b"
ul_json -c "$T/sleeper 0 7 13 0" "uprobe:$T/sleeper:tick_b"
assert_eq "$(hist_count tick_b)" 13 "bpftrace tick_b"

check "text: bcc funclatency's histogram and avg line"
rc=0
timeout -s KILL 60 "$UL" -m -c "$T/sleeper 5 0 0 0" "$T/sleeper:sleep_ms" >"$OUT" 2>"$OUT.err" || rc=$?
assert_eq "$rc" 0 "exit code"
grep -q '^     msecs               : count    distribution$' "$OUT" || fail "no header: $(cat "$OUT")"
grep -Eq '^avg = [0-9]+ msecs, total: [0-9]+ msecs, count: 5$' "$OUT" || fail "no avg line: $(cat "$OUT")"
grep -q '^Tracing 1 function for ' "$OUT.err" || fail "no Tracing line: $(cat "$OUT.err")"

check "cleanup"
assert_ul_detached
echo PASS
