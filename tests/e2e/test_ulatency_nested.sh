#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# ulatency on nested and recursive calls: every level is timed from its
# own entry (recurse(d) lasts at least 20*d ms), calls nested deeper than
# the per-thread stack are counted, not misattributed, and so are calls
# left by longjmp().
source "$(dirname "$0")/ulatency_lib.sh"

check "recurse(5): 5 calls, level d >= 20*d ms"
ul_json -m -c "$T/sleeper 0 0 0 5" "$T/sleeper:recurse"
assert_eq "$(hist_count)" 5 "count"
# Levels 1..5 last >= 20, 40, 60, 80, 100 ms: all >= 16, four >= 32, two >= 64.
assert_eq "$(hist_count_ge 16)" 5 "calls >= 16 ms"
assert_ge "$(hist_count_ge 32)" 4 "calls >= 32 ms"
assert_ge "$(hist_count_ge 64)" 2 "calls >= 64 ms"
# Outer calls include inner ones: the total is at least 20+40+60+80+100.
assert_ge "$(hist_sum)" 300 "total ms"
assert_clean_summary

check "-l 2 (bcc's level): only the outer 2 of recurse(5) timed, no loss counted"
ul_json -m -l 2 -c "$T/sleeper 0 0 0 5" "$T/sleeper:recurse"
assert_eq "$(hist_count)" 2 "count"
# recurse(5) and recurse(4): at least 100 and 80 ms.
assert_eq "$(hist_count_ge 64)" 2 "calls >= 64 ms"
assert_eq "$(ul_summary too_deep)" 0 "too_deep"
assert_clean_summary

check "nested functions: sleep_ms and recurse in one run, -F"
ul_json -m -F -c "$T/sleeper 3 2 0 4" "$T/sleeper:recurse" "$T/sleeper:sleep_ms" "$T/sleeper:tick_a"
assert_eq "$(hist_count recurse)" 4 "recurse"
assert_eq "$(hist_count sleep_ms)" 3 "sleep_ms"
assert_eq "$(hist_count tick_a)" 2 "tick_a"
assert_ge "$(hist_sum recurse)" 200 "recurse total ms"
assert_clean_summary

check "recurse(40): the outer 32 levels timed, 8 counted as too deep"
ul_json -m -c "$T/sleeper 0 0 0 40" "$T/sleeper:recurse"
assert_eq "$(hist_count)" 32 "count"
assert_eq "$(ul_summary too_deep)" 8 "too_deep"
assert_eq "$(ul_summary no_entry)" 0 "no_entry"
assert_eq "$(ul_summary abandoned)" 0 "abandoned"
# The timed levels are 9..40: each at least 180 ms.
assert_eq "$(hist_count_ge 128)" 32 "calls >= 128 ms"
grep -q '"too_deep":8' "$OUT" || fail "summary lacks too_deep"

check "text: a warning line for calls nested too deep"
rc=0
timeout -s KILL 60 "$UL" -m -c "$T/sleeper 0 0 0 34" "$T/sleeper:recurse" >"$OUT" 2>"$OUT.err" || rc=$?
assert_eq "$rc" 0 "exit code"
grep -q '^warning: 2 calls not timed: nested more than 32 deep in one thread$' "$OUT.err" ||
	fail "no warning: $(cat "$OUT.err")"

check "longjmp: the abandoned call is dropped and counted, its caller timed"
ul_json -F -c "$T/sleeper 0 0 0 0 4" "$T/sleeper:escape" "$T/sleeper:jump_out"
assert_eq "$(hist_count escape)" 4 "escape"
assert_eq "$(hist_count jump_out)" 0 "jump_out"
assert_eq "$(ul_summary abandoned)" 4 "abandoned"
assert_eq "$(ul_summary no_entry)" 0 "no_entry"

check "cleanup"
assert_ul_detached
echo PASS
