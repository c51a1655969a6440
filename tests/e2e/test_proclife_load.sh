#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# proclife under a fork storm: 25,000 short processes, spawned as fast as
# the machine runs them (a few seconds here; the test asserts totals, not
# a rate, so a loaded machine only makes it slower). The
# sched_process_exit raw tracepoint runs synchronously in the exiting
# task, so the histogram total plus what proclife reports lost must equal
# the number of processes spawned, exactly. Two kinds of loss exist:
# lost_hist (the table was full; 0 here, one comm) and missed (the kernel
# skipped the program; raw tracepoints only do so on recursion of the same
# program, which cannot happen at a task's exit). Both must be 0, so the
# total must equal spawned; the test documents both.
# The -l run checks the ring buffer path the same way: every exit is
# either logged or counted in lost_log.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/proclife_lib.sh"
SECONDS=0

N=25000

# A comm of this run's own: a concurrent run must not add to the counts.
STORM="storm-$$"

check "fork storm: $N processes, histograms and a -l log running side by side"
start_pl "$OUT" -e -c "$STORM"
hist_pid=$PL_PID
start_pl "$OUT.log" -l -c "$STORM"
log_pid=$PL_PID
# Bounded for a machine 50 times slower than this one, not timed.
timeout -s KILL 300 "$FORKER" --name "$STORM" storm "$N" \
	>"$TMP/storm" || fail "the storm failed: $(cat "$TMP/storm")"
cat "$TMP/storm"
spawned=$(awk '/^spawned/ {print $2}' "$TMP/storm")
assert_eq "$spawned" "$N" "processes spawned"
stop_pl "$hist_pid"
stop_pl "$log_pid"

total=$(hist_total "$STORM" "$OUT")
lost=$(pl_summary lost_hist "$OUT")
missed=$(pl_summary missed "$OUT")
echo "  histogram total $total, lost $lost, missed $missed, spawned $spawned"
assert_eq "$((total + lost + missed))" "$spawned" "histogram total + lost + missed"
assert_eq "$lost" 0 "lost_hist"
assert_eq "$missed" 0 "missed"
assert_eq "$total" "$spawned" "histogram total"
assert_eq "$(exit_count "$STORM" 0 "$OUT")" "$spawned" "exit 0 records"

logged=$(jq -rs '[.[] | select(.type == "exit")] | length' "$OUT.log")
lost_log=$(pl_summary lost_log "$OUT.log")
echo "  logged $logged, lost $lost_log"
assert_eq "$((logged + lost_log))" "$spawned" "logged + lost_log"
assert_eq "$(pl_summary logged "$OUT.log")" "$logged" "summary's logged"

check "cleanup"
assert_pl_detached
echo PASS
