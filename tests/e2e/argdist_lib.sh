#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the argdist tests; sourced after lib.sh.
AD=$ROOT/build/argdist
[ -x "$AD" ] || fail "$AD missing: run make"
[ -x "$T/distee" ] || fail "$T/distee missing: run make targets"

# ad_json ARGS...: run argdist --json ARGS (bounded) with stdout in $OUT
# and stderr in $OUT.err; fails unless it exits 0.
ad_json() {
	local rc=0
	timeout -s KILL 120 "$AD" --json "$@" >"$OUT" 2>"$OUT.err" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$OUT.err" >&2; fail "argdist --json $* exited $rc"; }
}

# counts KEY [FILE]: "value=count" of every count record, summed over
# intervals, sorted by value, space-separated.
counts() {
	jq -rs --arg k "$1" '[.[] | select(.type == "count")] | group_by(.[$k])
		| map("\(.[0][$k])=\(map(.count) | add)") | join(" ")' "${2:-$OUT}" ||
		fail "bad JSON in ${2:-$OUT}"
}

# buckets [FILE]: "low-high:count" of the nonzero buckets of every
# histogram record, summed over intervals.
buckets() {
	jq -rs '[.[] | select(.type == "hist") | .buckets[] | select(.count > 0)]
		| group_by(.low) | map("\(.[0].low)-\(.[0].high):\(map(.count) | add)") | join(" ")' \
		"${1:-$OUT}" || fail "bad JSON in ${1:-$OUT}"
}

# ad_summary KEY: a key of the summary record.
ad_summary() {
	jq -rs --arg k "$1" '[.[] | select(.type == "summary")][0][$k]' "$OUT" ||
		fail "bad JSON in $OUT"
}

# No program of argdist (lib.sh's progs_re) left over (lib.sh's leftover_progs).
assert_no_argdist_progs() {
	assert_no_progs "$(progs_re argdist)"
}
