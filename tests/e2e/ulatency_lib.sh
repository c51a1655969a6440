#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Helpers of the ulatency end-to-end tests, on top of lib.sh; sourced.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

UL=$ROOT/build/ulatency
[ -x "$UL" ] || fail "$UL missing: run make"
[ -x "$T/sleeper" ] && [ -x "$T/fakego" ] || fail "ulatency targets missing: run make targets"

# ul_json ARGS...: run ulatency --json ARGS (bounded), stdout in $OUT,
# stderr in $OUT.err; fails unless it exits 0.
ul_json() {
	tool_json ulatency -- "$@"
}

# start_ul OUTFILE ARGS...: ulatency ARGS in the background (add --json
# yourself) until it is tracing (lib.sh's bg_start). Sets UL_PID.
start_ul() {
	local out=$1
	shift
	bg_start "$out" Tracing "$ROOT/build/ulatency" "$@"
	UL_PID=$BG_PID
	UL_OUT=$out
}

# stop_ul [SIGNAL]: bg_stop of $UL_PID; with -p it may have stopped by
# itself already.
stop_ul() {
	bg_stop "$UL_PID" "$UL_OUT" "${1:-INT}"
}

# hists [FUNC] [FILE]: the hist records (of FUNC), one JSON object a line.
hists() {
	jq -c --arg f "${1:-}" 'select(.type == "hist" and ($f == "" or .func == $f))' \
		"${2:-$OUT}" || fail "bad JSON in ${2:-$OUT}"
}

# hist_count [FUNC] [FILE]: total count of the hist records (of FUNC), 0 if none.
hist_count() {
	hists "${1:-}" "${2:-}" | jq -s '[.[].count] | add // 0'
}

# hist_count_ge LOW [FUNC] [FILE]: calls in buckets whose low bound is >= LOW.
hist_count_ge() {
	hists "${2:-}" "${3:-}" | jq -s --argjson low "$1" \
		'[.[].buckets[] | select(.low >= $low) | .count] | add // 0'
}

# hist_sum [FUNC] [FILE]: total "sum" of the hist records (of FUNC).
hist_sum() {
	hists "${1:-}" "${2:-}" | jq -s '[.[].sum] | add // 0'
}

# ul_summary KEY [FILE]: a key of the summary record (lib.sh's summary_of).
ul_summary() {
	summary_of "$@"
}

# assert_clean_summary: every call was timed.
assert_clean_summary() {
	local k
	for k in too_deep no_entry abandoned no_stack lost skipped; do
		assert_eq "$(ul_summary "$k")" 0 "summary $k"
	done
}

# assert_ul_detached: no program of ulatency's (progs_re) left over (lib.sh's
# leftover_progs; polls 5 s: the kernel frees programs asynchronously).
assert_ul_detached() {
	assert_no_progs "$(progs_re ulatency)"
}

# assert_usage_error WHAT ARGS...: ulatency ARGS exits 2 with one line on
# stderr (containing WHAT) and nothing on stdout.
assert_usage_error() {
	assert_error 2 "$@"
}

# assert_error CODE WHAT ARGS...: the same with exit code CODE.
assert_error() {
	local code=$1 what=$2 rc=0
	shift 2
	timeout -s KILL 30 "$UL" "$@" >"$OUT" 2>"$OUT.err" || rc=$?
	assert_eq "$rc" "$code" "exit code of ulatency $*"
	assert_eq "$(wc -l <"$OUT.err")" 1 "stderr lines of ulatency $*"
	grep -qF -- "$what" "$OUT.err" || fail "stderr of ulatency $* lacks '$what': $(cat "$OUT.err")"
	[ ! -s "$OUT" ] || fail "ulatency $* wrote to stdout: $(cat "$OUT")"
}
