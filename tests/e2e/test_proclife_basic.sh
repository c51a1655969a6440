#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# proclife: exact per-comm totals, lifetimes in the right log2 bucket,
# exit codes and signals, --threads, --ppid, -l, units and --libc.
# Children's lifetimes are chosen well inside a bucket (40 ms in [32, 63]).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/proclife_lib.sh"

check "5 children of comm $CHILD living 40 ms: all 5 at 32 ms or more"
start_pl "$OUT" -c $CHILD
run_forker children 5 40
stop_pl
assert_eq "$(hist_total $CHILD "$OUT")" 5 "$CHILD total"
assert_eq "$(count_at_least $CHILD 32 "$OUT")" 5 "$CHILD at 32 ms or more"
assert_eq "$(jq -rs '[.[] | select(.type == "hist")] | length' "$OUT")" 1 "hist records with -c"
assert_eq "$(jq -rs '[.[] | select(.type == "hist")][0].unit' "$OUT")" msecs "default unit"

check "-u: 3 children living 40 ms land in 32768 -> 65535 usecs"
start_pl "$OUT" -u -c $CHILD
run_forker children 3 40
stop_pl
assert_eq "$(count_at_least $CHILD 32768 "$OUT")" 3 "$CHILD at 32768 us or more"
assert_eq "$(jq -rs '[.[] | select(.type == "hist")][0].unit' "$OUT")" usecs "unit with -u"

check "-s: 2 children living 1.2 s land in the 0 -> 1 secs slot"
start_pl "$OUT" -s -c $CHILD
run_forker children 2 1200
stop_pl
assert_eq "$(count_at_least $CHILD 0 "$OUT")" 2 "$CHILD in seconds"
assert_eq "$(jq -rs '[.[] | select(.type == "hist")][0].unit' "$OUT")" secs "unit with -s"

check "-e: exit codes 0, 3, 7 and a SIGKILL counted exactly (forked and exec'd children)"
start_pl "$OUT" -e -c $CHILD
run_forker codes
run_forker --exec codes
stop_pl
for e in 0 3 7 SIGKILL; do
	assert_eq "$(exit_count $CHILD "$e" "$OUT")" 2 "exits $e"
done
assert_eq "$(hist_total $CHILD "$OUT")" 8 "$CHILD total"
sig=$(jq -rs '[.[] | select(.type == "exits" and .exit == "SIGKILL")][0] | "\(.code) \(.signal)"' "$OUT")
assert_eq "$sig" "-1 9" "SIGKILL record's code and signal"

check "--threads: a child with 4 threads is 5 exits with --threads, 1 without"
start_pl "$OUT" -c $CHILD
pid_proc=$PL_PID
start_pl "$OUT.t" --threads -c $CHILD
run_forker threads 4
stop_pl "$pid_proc"
stop_pl
assert_eq "$(hist_total $CHILD "$OUT")" 1 "processes"
assert_eq "$(hist_total $CHILD "$OUT.t")" 5 "threads"

check "--ppid: only the forker's 3 children, whatever their comm"
start_target ppid "$FORKER" --wait --name cotrace-kid children 3 40
forker_pid=$TARGET_PID
start_pl "$OUT" --ppid "$forker_pid"
release_target "$forker_pid" "$TARGET_FD"
stop_pl
assert_eq "$(hist_total cotrace-kid "$OUT")" 3 "cotrace-kid total"
assert_eq "$(jq -rs '[.[] | select(.type == "hist") | .count] | add' "$OUT")" 3 "all comms"

check "-l: one exit record per child, with pid, ppid, status and lifetime"
start_target log "$FORKER" --wait --name "$CHILD" codes
forker_pid=$TARGET_PID
start_pl "$OUT" -l -c $CHILD
release_target "$forker_pid" "$TARGET_FD"
stop_pl
assert_eq "$(jq -rs '[.[] | select(.type == "exit")] | length' "$OUT")" 4 "exit records"
assert_eq "$(jq -rs --argjson p "$forker_pid" '[.[] | select(.type == "exit" and .ppid == $p)] | length' "$OUT")" 4 "records whose ppid is the forker"
assert_eq "$(jq -rs '[.[] | select(.type == "exit") | .exit] | sort | join(",")' "$OUT")" "0,3,7,SIGKILL" "statuses"
assert_eq "$(jq -rs '[.[] | select(.type == "exit" and .lifetime_ns > 0 and .pid > 0)] | length' "$OUT")" 4 "records with a pid and a lifetime"
assert_eq "$(pl_summary lost_log "$OUT")" 0 "lost_log"
assert_eq "$(pl_summary logged "$OUT")" 4 "logged"

check "a process started before tracing is measured from its real start"
"$FORKER" --name "old-$$" children 1 3000 &
old_pid=$!
BG_PIDS+=("$old_pid")
start_pl "$OUT" -c "old-$$"
is_running "$old_pid" || fail "the 3 s child ended before proclife started tracing"
wait_exit "$old_pid" 10
[ "$WAIT_RC" -eq 0 ] || fail "forker exited $WAIT_RC"
stop_pl
assert_eq "$(count_at_least "old-$$" 2048 "$OUT")" 1 "old child at 2048 ms or more"

check "--libc: __libc_start_main() to exit() of exec'd children; SIGKILL is not seen"
start_pl "$OUT" --libc -e -c $CHILD
run_forker --exec codes
run_forker --exec children 2 40
stop_pl
assert_eq "$(hist_total $CHILD "$OUT")" 5 "$CHILD total"
assert_eq "$(count_at_least $CHILD 32 "$OUT")" 2 "40 ms children at 32 ms or more"
assert_eq "$(exit_count $CHILD 3 "$OUT")" 1 "exit 3"
assert_eq "$(exit_count $CHILD 7 "$OUT")" 1 "exit 7"
assert_eq "$(exit_count $CHILD SIGKILL "$OUT")" 0 "SIGKILL (no exit() call)"

check "--libc --ppid: libc as that process maps it; its exec'd children"
# Was "cannot resolve '/proc/PID/root/...' inside the root of process PID":
# the path already below /proc/PID/root was looked up below it again.
start_target lp "$FORKER" --wait --exec --name "$CHILD" children 2 40
start_pl "$OUT" --libc --ppid "$TARGET_PID"
release_target "$TARGET_PID" "$TARGET_FD"
stop_pl
assert_eq "$(hist_total $CHILD "$OUT")" 2 "$CHILD total"
assert_eq "$(pl_summary no_start "$OUT")" 0 "no_start"

check "-i: per-interval histograms are cleared; -T adds a time"
start_pl "$OUT" -i 0.5 -T -c $CHILD
run_forker children 2 40
stop_pl
assert_eq "$(hist_total $CHILD "$OUT")" 2 "total over intervals"
assert_eq "$(jq -rs '[.[] | select(.type == "hist" and (has("time") | not))] | length' "$OUT")" 0 "hist records without time"

check "text output: bcc's layout with a comm = NAME header"
"$PL" -c $CHILD -d 30 >"$TMP/text" 2>"$TMP/text.err" &
pid_text=$!
BG_PIDS+=("$pid_text")
OUR_PIDS+=("$pid_text")
wait_for_text "$TMP/text.err" "Tracing" 30 "$pid_text"
run_forker children 3 40
kill -INT "$pid_text"
wait_exit "$pid_text" 20
[ "$WAIT_RC" -eq 0 ] || fail "proclife exited $WAIT_RC"
grep -qx "comm = $CHILD" "$TMP/text" || fail "no 'comm = $CHILD' line"
grep -Eq '^ +msecs +: count +distribution$' "$TMP/text" || fail "no msecs header"
# bcc's rows: "  low -> high  : count  |stars|"; the 3 children sum up.
rows=$(grep -E '^ +[0-9]+ -> [0-9]+ +: [0-9]+ +\|[* ]{40}\|$' "$TMP/text" | awk '{n += $5} END {print n + 0}')
[ "$rows" = 3 ] || { cat "$TMP/text"; fail "histogram rows count $rows children, expected 3"; }
echo "  ok: text layout"

check "SIGKILL of proclife leaves nothing attached"
start_pl "$OUT" -e
kill -KILL "$PL_PID"
wait_exit "$PL_PID" 10
assert_pl_detached
echo PASS
