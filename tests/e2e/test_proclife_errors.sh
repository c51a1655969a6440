#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# proclife on bad input: one sentence on stderr, exit 2 for usage errors,
# and nothing left attached.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/proclife_lib.sh"

# expect_usage_error WHAT ARGS...: exit 2, nothing on stdout, one "proclife:"
# sentence first on stderr (a "Try ..." hint may follow).
expect_usage_error() {
	local what=$1 rc=0
	shift
	timeout -s KILL 20 "$PL" "$@" >"$TMP/err.out" 2>"$TMP/err.err" || rc=$?
	assert_eq "$rc" 2 "exit status for $what"
	[ ! -s "$TMP/err.out" ] || fail "$what: stdout is not empty: $(cat "$TMP/err.out")"
	head -n 1 "$TMP/err.err" | grep -q '^proclife: ' ||
		fail "$what: stderr does not start with 'proclife: ': $(cat "$TMP/err.err")"
	[ "$(grep -vc '^Try ' "$TMP/err.err")" -eq 1 ] ||
		fail "$what: more than one sentence: $(cat "$TMP/err.err")"
	echo "  ok: $what: $(head -n 1 "$TMP/err.err")"
}

check "usage errors"
expect_usage_error "unknown option" --bogus
expect_usage_error "comm longer than 15 characters" -c this-name-is-too-long
expect_usage_error "empty comm" -c ''
expect_usage_error "invalid pid" --ppid abc
expect_usage_error "pid 0" --ppid 0
# A pid that does not exist: take one past pid_max's reach of live tasks.
gone=$(( $(cat /proc/sys/kernel/pid_max) - 1 ))
kill -0 "$gone" 2>/dev/null && fail "pid $gone exists"
expect_usage_error "nonexistent ppid" --ppid "$gone"
expect_usage_error "bad interval" -i abc
expect_usage_error "negative duration" -d -1
expect_usage_error "-l with -i" -l -i 1
expect_usage_error "--libc with --threads" --libc --threads
expect_usage_error "stray argument" extra
expect_usage_error "bad --max-comms" --max-comms 0

check "--help and --version exit 0"
"$PL" --help | grep -q '^Examples:' || fail "--help has no Examples"
"$PL" --version | grep -q '^proclife (cotrace) ' || fail "--version"
echo "  ok"

check "-d ends by itself with exit 0 and a summary"
timeout -s KILL 20 "$PL" -j -d 0.5 >"$OUT" 2>"$OUT.err" || fail "proclife -d 0.5 failed"
assert_eq "$(pl_summary lost_hist "$OUT")" 0 "lost_hist"

check "SIGTERM ends tracing cleanly"
start_pl "$OUT" -l
kill -TERM "$PL_PID"
wait_exit "$PL_PID" 20
assert_eq "$WAIT_RC" 0 "exit status after SIGTERM"

check "cleanup"
assert_pl_detached
echo PASS
