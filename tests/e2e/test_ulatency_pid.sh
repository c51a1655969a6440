#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# ulatency per process (-P), on one process (-p), per interval (-i, -T)
# and on signals: exact counts per pid, nothing lost between intervals.
source "$(dirname "$0")/ulatency_lib.sh"

check "-P: two processes, one histogram each with its exact count"
start_target a "$T/sleeper" 0 3 0 0 --wait
pid_a=$TARGET_PID fd_a=$TARGET_FD
start_target b "$T/sleeper" 0 5 0 0 --wait
pid_b=$TARGET_PID fd_b=$TARGET_FD
start_ul "$TMP/p.json" --json -P "$T/sleeper:tick_a"
release_target "$pid_a" "$fd_a"
release_target "$pid_b" "$fd_b"
stop_ul INT
OUT=$TMP/p.json
assert_eq "$(hists | jq -s --argjson p "$pid_a" '[.[] | select(.pid == $p) | .count] | add')" 3 "pid a"
assert_eq "$(hists | jq -s --argjson p "$pid_b" '[.[] | select(.pid == $p) | .count] | add')" 5 "pid b"
assert_eq "$(hists | jq -r .func | sort -u)" tick_a "func label"

check "-P -F: per pid and per function"
ul_json -P -F -c "$T/sleeper 2 3 4 0" "$T/sleeper:*_?"
assert_eq "$(hists | wc -l)" 2 "hist records"
assert_eq "$(hist_count tick_a)" 3 "tick_a"
assert_eq "$(hist_count tick_b)" 4 "tick_b"
assert_eq "$(hists | jq -r .pid | sort -u | wc -l)" 1 "one pid"

check "-p: only the traced process counts; ulatency stops when it exits"
start_target c "$T/sleeper" 2 4 0 0 --wait
pid_a=$TARGET_PID fd_a=$TARGET_FD
start_target d "$T/sleeper" 3 6 0 0 --wait
pid_b=$TARGET_PID fd_b=$TARGET_FD
start_ul "$TMP/q.json" --json -F -m -p "$pid_a" "$T/sleeper:tick_a" "$T/sleeper:sleep_ms"
release_target "$pid_b" "$fd_b"
release_target "$pid_a" "$fd_a"
wait_exit "$UL_PID" 10
assert_eq "$WAIT_RC" 0 "ulatency exit code"
OUT=$TMP/q.json
assert_eq "$(hist_count tick_a)" 4 "tick_a of pid a"
assert_eq "$(hist_count sleep_ms)" 2 "sleep_ms of pid a"
assert_eq "$(hist_count_ge 16 sleep_ms)" 2 "sleep_ms >= 16 ms"
OUT=$TMP/out.json

check "-i -T: intervals add up to the exact count, with times"
ul_json -m -i 0.1 -T -c "$T/sleeper 15 0 0 0" "$T/sleeper:sleep_ms"
assert_eq "$(hist_count)" 15 "count over intervals"
assert_ge "$(hists | wc -l)" 2 "intervals"
assert_eq "$(hists | jq -s '[.[].interval] | . == (sort | unique)')" true "increasing intervals"
assert_eq "$(hists | jq -s 'all(.[]; has("time"))')" true "time keys"

check "-d: stops by itself"
ul_json -d 0.5 "$T/sleeper:sleep_ms"
assert_eq "$(ul_summary functions)" 1 "functions"

for sig in INT TERM; do
	check "SIG$sig: histograms printed, exit 0"
	start_target "s$sig" "$T/sleeper" 4 0 0 0 --wait
	pid_s=$TARGET_PID fd_s=$TARGET_FD
	start_ul "$TMP/s.json" --json -m "$T/sleeper:sleep_ms"
	release_target "$pid_s" "$fd_s"
	stop_ul "$sig"
	assert_eq "$(hist_count "" "$TMP/s.json")" 4 "count after SIG$sig"
done

check "SIGKILL: nothing left attached"
start_ul "$TMP/k.json" --json "$T/sleeper:sleep_ms"
kill -KILL "$UL_PID"
wait "$UL_PID" 2>/dev/null
assert_ul_detached
echo PASS
