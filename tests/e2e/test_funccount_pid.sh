#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# funccount -p and -P: counting is confined to one process, libraries are
# resolved through the process's maps, and -P splits counts by pid.
source "$(dirname "$0")/lib.sh"

# pid_count FUNC PID [FILE]: count of FUNC in the records of PID.
pid_count() {
	jq -rs --arg f "$1" --argjson p "$2" \
		'[.[] | select(.type == "count" and .func == $f and .pid == $p) | .count] | add // 0' \
		"${3:-$OUT}"
}

check "-p PID1 with two copies of 'calls 5 9' running counts only PID1"
start_target a "$T/calls" 5 9 --wait
pid1=$TARGET_PID fd1=$TARGET_FD
start_target b "$T/calls" 5 9 --wait
pid2=$TARGET_PID fd2=$TARGET_FD
start_fc "$OUT" -p "$pid1" "$T/calls:foo" "$T/calls:bar"
release_target "$pid1" "$fd1"
release_target "$pid2" "$fd2"
stop_fc INT
assert_eq "$(count_of foo)" 5 "foo of pid $pid1"
assert_eq "$(count_of bar)" 9 "bar of pid $pid1"

check "-P with two copies running: per-pid records, 5 foo each"
start_target c "$T/calls" 5 9 --wait
pid1=$TARGET_PID fd1=$TARGET_FD
start_target d "$T/calls" 5 9 --wait
pid2=$TARGET_PID fd2=$TARGET_FD
start_fc "$OUT" -P "$T/calls:foo"
release_target "$pid1" "$fd1"
release_target "$pid2" "$fd2"
stop_fc INT
nopid=$(jq -s '[.[] | select(.type == "count" and (has("pid") | not))] | length' "$OUT")
assert_eq "$nopid" 0 "count records without a pid key"
assert_eq "$(pid_count foo "$pid1")" 5 "foo of pid $pid1"
assert_eq "$(pid_count foo "$pid2")" 5 "foo of pid $pid2"

check "-p with a library name resolved through the maps: libcotarget:cot_*"
fc_on_target "$OUT" "$T/uselib" 6 --wait -- -p @PID@ "libcotarget:cot_*"
assert_eq "$(count_of cot_add)" 6 "cot_add"
assert_eq "$(count_of cot_mul)" 12 "cot_mul"

check "-P -p PID: the records carry that pid"
start_target e "$T/calls" 3 4 --wait
pid1=$TARGET_PID fd1=$TARGET_FD
start_fc "$OUT" -P -p "$pid1" "$T/calls:bar"
release_target "$pid1" "$fd1"
stop_fc INT
assert_eq "$(pid_count bar "$pid1")" 4 "bar of pid $pid1"
assert_eq "$(count_of bar)" 4 "bar of all pids"

check "cleanup"
assert_nothing_attached
echo PASS
