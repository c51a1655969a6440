#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the argdist tests; sourced after lib.sh.
AD=$ROOT/build/argdist
[ -x "$AD" ] || fail "$AD missing: run make"
[ -x "$T/distee" ] || fail "$T/distee missing: run make targets"

# ad_json ARGS...: argdist --json ARGS (lib.sh's tool_json).
ad_json() {
	tool_json argdist 120 -- "$@"
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

# ad_summary KEY: a key of the summary record (lib.sh's summary_of).
ad_summary() {
	summary_of "$1"
}

# No program of argdist (lib.sh's progs_re) left over (lib.sh's leftover_progs).
assert_no_argdist_progs() {
	assert_no_progs "$(progs_re argdist)"
}
