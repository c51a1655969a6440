#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# syscount: failures (-x, -e), latency (-L, -m) and bad input.
source "$(dirname "$0")/syscount_lib.sh"

check "-x: 40 close(-1) calls, each failing"
sc_json -x -T 0 --cmd "$T/sysload close 40"
assert_eq "$(sys_count close)" 40 "failed close"
assert_eq "$(sys_count getppid)" 0 "failed getppid"

check "-x with a workload that never fails: no getppid"
sc_json -x -T 0 --cmd "$T/sysload getppid 100"
assert_eq "$(sys_count getppid)" 0 "failed getppid"

check "-e EBADF, -e 9 and -e -EBADF count the 40 failures; -e ENOENT none of them"
for e in EBADF 9 -EBADF ebadf; do
	sc_json -e "$e" --cmd "$T/sysload close 40" --syscall close
	assert_eq "$(sys_count close)" 40 "close failing with $e"
done
sc_json -e ENOENT --cmd "$T/sysload close 40" --syscall close
assert_eq "$(sys_count close)" 0 "close failing with ENOENT"

check "-p with -x: only the target's failures"
start_target a "$T/sysload" close 25 --wait
pid=$TARGET_PID fd=$TARGET_FD
start_sc "$OUT" --json -x -p "$pid" --syscall close
release_target "$pid" "$fd"
stop_sc
assert_eq "$(sys_count close)" 25 "failed close of pid $pid"

check "-L: 5 nanosleep() calls of 20 ms"
sc_json -L --cmd "$T/sysload sleep 5 20" --syscall nanosleep
assert_eq "$(sys_count nanosleep)" 5 "nanosleep calls"
total=$(sys_count nanosleep total_us)
avg=$(sys_count nanosleep avg_us)
# Loose bounds: the kernel may sleep longer, never shorter; 10x above.
awk -v t="$total" -v a="$avg" 'BEGIN { exit !(t >= 100000 && t < 1000000 && a >= 20000 && a < 200000) }' ||
	fail "nanosleep time: total ${total} us, avg ${avg} us"
echo "  ok: total ${total} us, avg ${avg} us"

check "-L -m: milliseconds"
sc_json -L -m --cmd "$T/sysload sleep 5 20" --syscall nanosleep
total=$(sys_count nanosleep total_ms)
avg=$(sys_count nanosleep avg_ms)
awk -v t="$total" -v a="$avg" 'BEGIN { exit !(t >= 100 && t < 1000 && a >= 20 && a < 200) }' ||
	fail "nanosleep time: total ${total} ms, avg ${avg} ms"
echo "  ok: total ${total} ms, avg ${avg} ms"

check "-L -P: per process, with the time"
sc_json -L -P --cmd "$T/sysload sleep 3 20" --syscall nanosleep
assert_eq "$(jq -s '[.[] | select(.type == "count")][0].count' "$OUT")" 3 "nanosleep calls"
total=$(jq -s '[.[] | select(.type == "count")][0].total_us' "$OUT")
awk -v t="$total" 'BEGIN { exit !(t >= 60000) }' || fail "total ${total} us"
echo "  ok: total ${total} us"

check "-L -x: latency of failures only"
sc_json -L -x -T 0 --cmd "$T/sysload close 30"
assert_eq "$(sys_count close)" 30 "failed close, timed"

# bad_input EXPECTED_RC ARGS...: one sentence on stderr, that exit code.
bad_input() {
	local want=$1 rc=0 lines
	shift
	timeout -s KILL 20 "$SC" "$@" >"$TMP/bad.out" 2>"$TMP/bad.err" || rc=$?
	[ "$rc" -eq "$want" ] || { cat "$TMP/bad.err"; fail "syscount $* exited $rc, expected $want"; }
	grep -q '^syscount: ' "$TMP/bad.err" || fail "syscount $*: no 'syscount: ' sentence"
	lines=$(grep -vc "^Try 'syscount --help'" "$TMP/bad.err")
	[ "$lines" -eq 1 ] || { cat "$TMP/bad.err"; fail "syscount $*: $lines lines on stderr"; }
	[ -s "$TMP/bad.out" ] && fail "syscount $*: wrote to stdout"
	echo "  ok: $* -> $rc: $(head -1 "$TMP/bad.err")"
}

check "bad input"
bad_input 2 --syscall no_such_syscall
bad_input 2 -e ENOTANERRNO
bad_input 2 -e 0
bad_input 2 --stack
bad_input 2 --stack --syscall close -L
bad_input 2 -f
bad_input 2 --comm this_comm_is_too_long
bad_input 2 -p 0
bad_input 2 -p notapid
bad_input 2 -p 1 --cmd true
bad_input 2 -T many
bad_input 2 -i 0
bad_input 2 stray
bad_input 2 --no-such-option
bad_input 2 --cmd "'unbalanced"
dead=$(bash -c 'echo $$')
bad_input 2 -p "$dead"
bad_input 2 -t "$dead"

check "SIGTERM and SIGKILL leave nothing attached"
start_sc "$TMP/term" -L
kill -TERM "$SC_PID"
wait_exit "$SC_PID" 10
assert_eq "$WAIT_RC" 0 "exit code after SIGTERM"
start_sc "$TMP/kill" --stack --syscall close
kill -KILL "$SC_PID"
wait_exit "$SC_PID" 10

check "cleanup"
assert_sc_detached
echo PASS
