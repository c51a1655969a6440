#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Helpers of the syscount end-to-end tests, on top of lib.sh; sourced.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SC=$ROOT/build/syscount
[ -x "$SC" ] || fail "$SC missing: run make"
[ -x "$T/sysload" ] && [ -x "$T/closer" ] || fail "syscount targets missing: run make targets"

# sc_json ARGS...: syscount --json ARGS (lib.sh's tool_json).
sc_json() {
	tool_json syscount -- "$@"
}

# start_sc OUTFILE ARGS...: syscount ARGS in the background (add --json
# yourself) until it is tracing (lib.sh's bg_start). Sets SC_PID.
start_sc() {
	local out=$1
	shift
	bg_start "$out" Tracing "$ROOT/build/syscount" "$@"
	SC_PID=$BG_PID
	SC_OUT=$out
}

# stop_sc: SIGINT to $SC_PID, which must exit 0 (bounded).
stop_sc() {
	bg_stop "$SC_PID" "$SC_OUT"
}

# sys_count NAME [KEY] [FILE]: sum of KEY (default count) over the count
# records of syscall NAME.
sys_count() {
	jq -rs --arg s "$1" --arg k "${2:-count}" \
		'[.[] | select(.type == "count" and .syscall == $s) | .[$k]] | add // 0' \
		"${3:-$OUT}" || fail "bad JSON in ${3:-$OUT}"
}

# assert_sc_detached: no program of syscount's (progs_re) left over (lib.sh's
# leftover_progs; polls 5 s, as the kernel frees programs asynchronously).
assert_sc_detached() {
	assert_no_progs "$(progs_re syscount)"
}
