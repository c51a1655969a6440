#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Helpers of the syscount end-to-end tests, on top of lib.sh; sourced.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SC=$ROOT/build/syscount
[ -x "$SC" ] || fail "$SC missing: run make"
[ -x "$T/sysload" ] && [ -x "$T/closer" ] || fail "syscount targets missing: run make targets"

# sc_json ARGS...: run syscount --json ARGS (bounded), stdout in $OUT,
# stderr in $OUT.err; fails unless it exits 0.
sc_json() {
	local rc=0
	timeout -s KILL 60 "$SC" --json "$@" >"$OUT" 2>"$OUT.err" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$OUT.err" >&2; fail "syscount --json $* exited $rc"; }
}

# start_sc OUTFILE ARGS...: syscount ARGS in the background (add --json
# yourself), wait until it is tracing. Sets SC_PID.
start_sc() {
	local out=$1
	shift
	# Truncate here: the background child opens its files asynchronously,
	# and a stale "Tracing" from an earlier run must not be seen.
	: >"$out.err"
	"$SC" "$@" >"$out" 2>"$out.err" &
	SC_PID=$!
	SC_OUT=$out
	BG_PIDS+=("$SC_PID")
	OUR_PIDS+=("$SC_PID")
	wait_for_text "$out.err" "Tracing" 20 "$SC_PID"
}

# stop_sc: SIGINT to $SC_PID, which must exit 0 (bounded).
stop_sc() {
	kill -INT "$SC_PID" 2>/dev/null
	wait_exit "$SC_PID" 10
	[ "$WAIT_RC" -eq 0 ] || { cat "$SC_OUT.err" >&2; fail "syscount exited $WAIT_RC after SIGINT"; }
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
