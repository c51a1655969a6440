#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the proclife end-to-end tests; sourced after lib.sh.
PL=$ROOT/build/proclife
FORKER=$T/forker
# Children get a comm of this run's own (15 bytes at most), so proclife's
# -c filter never counts another run's children on a shared machine.
CHILD="ctc-$$"

[ -x "$PL" ] || fail "$PL missing: run make"
[ -x "$FORKER" ] || fail "$FORKER missing: run make targets"

# start_pl OUTFILE ARGS...: proclife --json ARGS in the background until it
# is tracing (lib.sh's bg_start). Sets PL_PID.
start_pl() {
	local out=$1
	shift
	bg_start "$out" Tracing "$ROOT/build/proclife" --json "$@"
	PL_PID=$BG_PID
	PL_OUT=$out
}

# stop_pl [PID]: SIGINT proclife (default $PL_PID), wait (bounded), expect 0.
stop_pl() {
	bg_stop "${1:-$PL_PID}" "${PL_OUT:-/dev/null}"
}

# run_forker ARGS...: run the forker in the foreground (bounded); expect 0.
run_forker() {
	timeout -s KILL 30 "$FORKER" --name "$CHILD" "$@" || fail "forker $* failed"
}

# hist_total COMM FILE: sum of the counts of COMM's hist records.
hist_total() {
	jq -rs --arg c "$1" '[.[] | select(.type == "hist" and .comm == $c) | .count] | add // 0' \
		"$2" || fail "bad JSON in $2"
}

# bucket_count COMM LOW FILE: count in COMM's bucket starting at LOW.
bucket_count() {
	jq -rs --arg c "$1" --argjson l "$2" '[.[] | select(.type == "hist" and .comm == $c)
		| .buckets[] | select(.low == $l) | .count] | add // 0' "$3" ||
		fail "bad JSON in $3"
}

# count_at_least COMM LOW FILE: COMM's exits in buckets starting at LOW or
# above. Sleeps never end early but a loaded machine can make them late, so
# lifetimes are asserted from below only.
count_at_least() {
	jq -rs --arg c "$1" --argjson l "$2" '[.[] | select(.type == "hist" and .comm == $c)
		| .buckets[] | select(.low >= $l) | .count] | add // 0' "$3" ||
		fail "bad JSON in $3"
}

# nonzero_buckets COMM FILE: "low-high" of every nonzero bucket of COMM.
nonzero_buckets() {
	jq -rs --arg c "$1" '[.[] | select(.type == "hist" and .comm == $c) | .buckets[]
		| select(.count > 0) | "\(.low)-\(.high)"] | unique | join(",")' "$2"
}

# exit_count COMM EXIT FILE: the count of an "exits" record ("3", "SIGKILL").
exit_count() {
	jq -rs --arg c "$1" --arg e "$2" '[.[] | select(.type == "exits" and .comm == $c
		and .exit == $e) | .count] | add // 0' "$3"
}

# pl_summary KEY FILE: a key of the summary record (lib.sh's summary_of).
pl_summary() {
	summary_of "$1" "$2"
}

# assert_pl_detached [SECS]: no BPF program of proclife's (lib.sh's
# progs_re) left over (lib.sh's leftover_progs; polls: programs are
# freed asynchronously after the last fd closes).
assert_pl_detached() {
	assert_no_progs "$(progs_re proclife)" "${1:-5}" "proclife's"
}
