#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the uprobe-trace tests; sourced after lib.sh.
UT=$ROOT/build/uprobe-trace
[ -x "$UT" ] || fail "$UT missing: run make"
[ -x "$T/tracee" ] || fail "$T/tracee missing: run make targets"

# ut_json ARGS...: run uprobe-trace --json ARGS (bounded) with stdout in
# $OUT and stderr in $OUT.err; fails unless it exits 0.
ut_json() {
	tool_json uprobe-trace 120 -- "$@"
}

# messages [FILE]: the "message" of every event, one a line, in order.
messages() {
	jq -r 'select(.type == "event") | .message' "${1:-$OUT}" || fail "bad JSON in ${1:-$OUT}"
}

# ut_summary KEY: a key of the summary record (lib.sh's summary_of).
ut_summary() {
	summary_of "$1"
}

# The offset of FUNC in BIN, from funccount's listing.
func_offset() {
	"$FC" -l -j "$1:$2" | jq -r 'select(.type == "site") | .offset'
}

# No program of uprobe-trace (lib.sh's progs_re) left over (lib.sh's leftover_progs).
assert_no_trace_progs() {
	assert_no_progs "$(progs_re uprobe-trace)"
}
