#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Full tables (issue #6): when a bounded BPF map fills, the tool keeps
# running and reports exactly what it could not count, in JSON and text.
# COTRACE_TEST_MAP_ENTRIES=N lowers every table to N entries so that a few
# calls fill it, COTRACE_TEST_RINGBUF_BYTES=N the new-process ring buffer of
# stackcount, profile and syscount --stack to N bytes (a page at least);
# each check asserts printed + lost == what the target did.
source "$(dirname "$0")/ulatency_lib.sh"
source "$(dirname "$0")/argdist_lib.sh"
source "$(dirname "$0")/proclife_lib.sh"
UT=$ROOT/build/uprobe-trace
SCNT=$ROOT/build/stackcount
PROF=$ROOT/build/profile
SYSC=$ROOT/build/syscount
[ -x "$SCNT" ] && [ -x "$PROF" ] && [ -x "$SYSC" ] || fail "tools missing: run make"
[ -x "$T/stacks" ] && [ -x "$T/sysload" ] && [ -x "$T/spin" ] && [ -x "$T/distee" ] ||
	fail "targets missing: run make targets"

# summary FILE KEY: a key of FILE's summary record (lib.sh's summary_of).
summary() {
	summary_of "$2" "$1"
}

# start_bg OUTFILE CMD...: CMD in the background until it is tracing
# (lib.sh's bg_start: every tool says "Hit Ctrl-C" then). Sets BG.
start_bg() {
	local out=$1
	shift
	bg_start "$out" "Hit Ctrl-C" "$@"
	BG=$BG_PID
}

# warned FILE TEXT: the text output's stderr FILE has the line "warning: TEXT".
warned() {
	grep -qxF "warning: $2" "$1" || { cat "$1" >&2; fail "no line 'warning: $2' in $1"; }
	echo "  ok: text says '$2'"
}

# stop_bg OUTFILE: SIGINT to the tool started last; it must exit 0.
stop_bg() {
	bg_stop "$BG" "$1"
}

export COTRACE_TEST_MAP_ENTRIES=1

check "funccount -P, table of 1: 3 processes x 5 foo = 5 counted + 10 lost"
pids=() fds=()
for n in a b c; do
	start_target "$n" "$T/calls" 5 9 --wait
	pids+=("$TARGET_PID") fds+=("$TARGET_FD")
done
start_fc "$OUT" -P "$T/calls:foo"
for i in 0 1 2; do
	release_target "${pids[$i]}" "${fds[$i]}"
done
stop_fc INT
assert_eq "$(count_of foo)" 5 "foo counted (the first process's)"
assert_eq "$(summary "$OUT" lost)" 10 "lost"
assert_eq "$(jq -s '[.[] | select(.type == "count")] | length' "$OUT")" 1 "count records"
start_target d "$T/calls" 5 9 --wait
p1=$TARGET_PID f1=$TARGET_FD
start_target e "$T/calls" 5 9 --wait
start_bg "$TMP/fct" "$FC" -P "$T/calls:foo"
release_target "$p1" "$f1"
release_target "$TARGET_PID" "$TARGET_FD"
stop_bg "$TMP/fct"
grep -qx 'warning: 5 hits lost: the per-process table was full' "$TMP/fct.err" ||
	{ cat "$TMP/fct" "$TMP/fct.err"; fail "no loss line in the text output"; }
echo "  ok: text says '5 hits lost: the per-process table was full'"

check "ulatency -P, table of 1: 2 processes x 6 cot_add = 6 timed + 6 lost"
start_target f "$T/uselib" 6 --wait
p1=$TARGET_PID f1=$TARGET_FD
start_target g "$T/uselib" 6 --wait
start_ul "$OUT" --json -P "$T/libcotarget.so:cot_add"
release_target "$p1" "$f1"
release_target "$TARGET_PID" "$TARGET_FD"
stop_ul INT
assert_eq "$(hist_count cot_add)" 6 "cot_add timed"
assert_eq "$(ul_summary lost)" 6 "lost"

check "argdist -C, table of 1: sizes 16 16 32 100 16 4096 32 = 3 x 16 counted + 4 lost"
ad_json --cmd "$T/tracee alloc 16 16 32 100 16 4096 32" \
	-C "p:$T/tracee:alloc(size_t size):size_t:size"
assert_eq "$(counts size)" "16=3" "counts"
assert_eq "$(ad_summary lost)" 4 "lost"

check "argdist, table of calls in flight of 1: outer() calls alloc(): 5 outer timed, 5 alloc lost"
# Both return probes keep an entry; outer's fills the table, so alloc's,
# made while outer's call is in flight, finds no room.
AD_SPECS=(-H "r:$T/distee:outer():u64:\$latency" -C "r:$T/distee:alloc(size_t size):size_t:\$entry(size)")
ad_json --cmd "$T/distee nested 5 16" "${AD_SPECS[@]}"
assert_eq "$(jq -rs '[.[] | select(.type == "hist") | .count] | add' "$OUT")" 5 "outer timed"
assert_eq "$(counts '$entry(size)')" "" "alloc counted"
assert_eq "$(ad_summary lost_entries)" 5 "lost_entries"
assert_eq "$(ad_summary no_entry)" 5 "no_entry (the returns of those calls)"
assert_eq "$(ad_summary lost)" 0 "lost"
timeout -s KILL 60 "$AD" --cmd "$T/distee nested 5 16" "${AD_SPECS[@]}" >"$TMP/adt" 2>"$TMP/adt.err" ||
	fail "argdist (text) exited $?"
warned "$TMP/adt.err" "5 calls not measured: the table of calls in flight was full"
COTRACE_TEST_MAP_ENTRIES= ad_json --cmd "$T/distee nested 5 16" "${AD_SPECS[@]}"
assert_eq "$(counts '$entry(size)')" "16=5" "alloc counted with the default table"
assert_eq "$(ad_summary lost_entries)" 0 "lost_entries with the default table"

check "stackcount, stack map and table of 1: 12 stacks kept, 6 neither stored nor counted"
timeout -s KILL 60 "$SCNT" -j -U --cmd "$T/stacks 12" "$T/stacks:gamma" >"$OUT" 2>"$OUT.err" ||
	{ cat "$OUT.err"; fail "stackcount exited $?"; }
assert_eq "$(jq -rs '[.[] | select(.type == "stack") | .count] | add' "$OUT")" 12 "stack hits"
assert_eq "$(jq -rs '[.[] | select(.type == "stack")][0].user[0:4] | join(";")' "$OUT")" \
	"gamma;beta;alpha;main" "the stack kept (the first one)"
assert_eq "$(summary "$OUT" lost_user_stacks)" 6 "lost_user_stacks (main;delta;gamma)"
assert_eq "$(summary "$OUT" lost_counts)" 6 "lost_counts"
timeout -s KILL 60 "$SCNT" -U --cmd "$T/stacks 12" "$T/stacks:gamma" >"$TMP/sct" 2>"$TMP/sct.err" ||
	fail "stackcount (text) exited $?"
grep -q '^warning: 6 hits lost: the stack table was full' "$TMP/sct.err" ||
	{ cat "$TMP/sct" "$TMP/sct.err"; fail "no loss line in the text output"; }
echo "  ok: text says '6 hits lost: the stack table was full ...'"

check "stackcount, every table of 1, 2 processes x 6 cot_add: the second is not announced"
start_target k "$T/uselib" 6 --wait
p1=$TARGET_PID f1=$TARGET_FD
start_target l "$T/uselib" 6 --wait
start_bg "$OUT" "$SCNT" -j -U -P "$T/libcotarget.so:cot_add"
release_target "$p1" "$f1"
release_target "$TARGET_PID" "$TARGET_FD"
stop_bg "$OUT"
assert_eq "$(jq -rs '[.[] | select(.type == "stack") | .count] | add' "$OUT")" 6 "stack hits"
assert_eq "$(jq -rs '[.[] | select(.type == "stack")][0].pid' "$OUT")" "$p1" "pid of the stacks kept"
assert_eq "$(summary "$OUT" unannounced)" 6 "unannounced (hits of the second process)"
assert_eq "$(summary "$OUT" lost_counts)" 6 "lost_counts"

check "profile, stack map and table of 1: samples = printed + lost_counts"
"$T/spin" 4 &
TARGET_PID=$!
BG_PIDS+=("$TARGET_PID")
timeout -s KILL 60 "$PROF" -j -U -F 199 -p "$TARGET_PID" 2 >"$OUT" 2>"$OUT.err" ||
	{ cat "$OUT.err"; fail "profile exited $?"; }
samples=$(summary "$OUT" samples)
printed=$(jq -rs '[.[] | select(.type == "stack") | .count] | add // 0' "$OUT")
lost=$(summary "$OUT" lost_counts)
echo "  samples $samples, printed $printed, lost_counts $lost"
assert_eq "$((printed + lost))" "$samples" "printed + lost_counts"
kill -KILL "$TARGET_PID" 2>/dev/null
wait "$TARGET_PID" 2>/dev/null

check "syscount -P, table of 1: 2 processes x 40 close = 40 counted + 40 lost"
# -p takes one pid: select both by a command name no one else uses.
SL=sl$$
cp "$T/sysload" "$TMP/$SL" || fail "cp"
start_target i "$TMP/$SL" close 40 --wait
p1=$TARGET_PID f1=$TARGET_FD
start_target j "$TMP/$SL" close 40 --wait
start_bg "$OUT" "$SYSC" --json -P --syscall close --comm "$SL"
release_target "$p1" "$f1"
release_target "$TARGET_PID" "$TARGET_FD"
stop_bg "$OUT"
assert_eq "$(jq -rs '[.[] | select(.type == "count") | .count] | add' "$OUT")" 40 "close counted"
assert_eq "$(summary "$OUT" lost_proc)" 40 "lost_proc"

check "syscount, table of unusual numbers of 1: syscall 5000 x 30 counted, 5001 x 20 lost"
# Numbers past the per-number array (1024) go to a hash; the kernel
# answers ENOSYS, but the calls are made and seen.
start_target un1 "$TMP/$SL" nr 5000 30 --wait
p1=$TARGET_PID f1=$TARGET_FD
start_target un2 "$TMP/$SL" nr 5001 20 --wait
start_bg "$OUT" "$SYSC" --json --comm "$SL"
release_target "$p1" "$f1"
release_target "$TARGET_PID" "$TARGET_FD"
stop_bg "$OUT"
assert_eq "$(jq -rs '[.[] | select(.type == "count" and .nr == 5000) | .count] | add' "$OUT")" 30 \
	"syscall 5000 counted"
assert_eq "$(jq -rs '[.[] | select(.type == "count" and .nr == 5000)][0].syscall' "$OUT")" \
	syscall_5000 "its name"
assert_eq "$(jq -rs '[.[] | select(.type == "count" and .nr == 5001)] | length' "$OUT")" 0 \
	"syscall 5001 records"
assert_eq "$(summary "$OUT" lost_other)" 20 "lost_other"
start_target un3 "$TMP/$SL" nr 5000 3 --wait
p1=$TARGET_PID f1=$TARGET_FD
start_target un4 "$TMP/$SL" nr 5001 2 --wait
start_bg "$TMP/sct" "$SYSC" --comm "$SL"
release_target "$p1" "$f1"
release_target "$TARGET_PID" "$TARGET_FD"
stop_bg "$TMP/sct"
warned "$TMP/sct.err" "2 syscalls lost: the table of unusual syscall numbers was full"

check "proclife -e, exit-code table of 1: codes 0, 3, 7, SIGKILL = 1 counted + 3 lost"
start_pl "$OUT" -e -c "$CHILD"
run_forker codes
stop_pl
assert_eq "$(hist_total "$CHILD" "$OUT")" 4 "lifetimes (one comm: its histogram fits)"
assert_eq "$(jq -rs '[.[] | select(.type == "exits") | .count] | add' "$OUT")" 1 "exit codes counted"
assert_eq "$(pl_summary lost_exits "$OUT")" 3 "lost_exits"

check "proclife --max-comms 1: 3 children of 3 names = 1 counted + 2 lost"
# --max-comms is the user's own knob for this table: no test variable.
start_target fk1 "$FORKER" --wait --name "$CHILD" together 3
fpid=$TARGET_PID
start_pl "$OUT" --ppid "$fpid" --max-comms 1
release_target "$fpid" "$TARGET_FD"
stop_pl
assert_eq "$(jq -rs '[.[] | select(.type == "hist")] | length' "$OUT")" 1 "hist records (one comm)"
assert_eq "$(jq -rs '[.[] | select(.type == "hist") | .count] | add' "$OUT")" 1 "lifetimes counted"
assert_eq "$(pl_summary lost_hist "$OUT")" 2 "lost_hist"
start_target fk2 "$FORKER" --wait --name "$CHILD" together 3
fpid=$TARGET_PID
start_bg "$TMP/plt" "$PL" --ppid "$fpid" --max-comms 1
release_target "$fpid" "$TARGET_FD"
stop_bg "$TMP/plt"
warned "$TMP/plt.err" "2 exits lost: the histogram table was full (raise --max-comms)"

check "proclife --libc, start-time table of 1: 3 children exec'd at once = 1 timed, 2 starts lost"
# A private copy of libc, so that no other process on the machine starts
# through the probed __libc_start_main and takes the one entry; the
# children hold each other until all three have started.
mkdir -p "$TMP/plibc" && cp /lib/x86_64-linux-gnu/libc.so.6 "$TMP/plibc/" || fail "cp libc"
for run in json text; do
	LD_LIBRARY_PATH=$TMP/plibc start_target "fl$run" "$FORKER" --wait --exec --name "$CHILD" together 3
	fpid=$TARGET_PID
	grep -q "$TMP/plibc/libc.so.6" "/proc/$fpid/maps" || fail "the forker does not map the private libc"
	if [ $run = json ]; then
		start_pl "$OUT" --libc -e --ppid "$fpid"
	else
		start_bg "$TMP/plt" "$PL" --libc --ppid "$fpid"
	fi
	release_target "$fpid" "$TARGET_FD"
	if [ $run = json ]; then stop_pl; else stop_bg "$TMP/plt"; fi
done
assert_eq "$(jq -rs '[.[] | select(.type == "hist") | .count] | add' "$OUT")" 1 "lifetimes timed"
assert_eq "$(jq -rs '[.[] | select(.type == "exits") | .count] | add' "$OUT")" 1 "exit codes"
assert_eq "$(pl_summary lost_start "$OUT")" 2 "lost_start"
assert_eq "$(pl_summary no_start "$OUT")" 2 "no_start (the exits of those two)"
warned "$TMP/plt.err" "2 process starts lost: the table of running processes was full"

check "stackcount, new-process ring buffer of one page: 300 new processes, tool stopped = 45 notes lost"
# A note takes 16 bytes (8 of header, a 4-byte pid rounded to 8) and the
# kernel keeps a ring of 4096 bytes at most 4095 ahead of its reader:
# 255 notes fit while the tool is stopped (SIGSTOP), so 300 - 255 are lost.
cp "$FORKER" "$TMP/fk" || fail "cp"
export COTRACE_TEST_RINGBUF_BYTES=4096
for run in json text; do
	if [ $run = json ]; then
		start_bg "$OUT" env COTRACE_TEST_MAP_ENTRIES= "$SCNT" -j -U "$TMP/fk:child_body"
	else
		start_bg "$TMP/sct" env COTRACE_TEST_MAP_ENTRIES= "$SCNT" -U "$TMP/fk:child_body"
	fi
	kill -STOP "$BG"
	timeout -s KILL 60 "$TMP/fk" --name "$CHILD" children 300 0 || fail "forker"
	kill -CONT "$BG"
	stop_bg "$TMP/sct"
done
assert_eq "$(jq -rs '[.[] | select(.type == "stack") | .count] | add' "$OUT")" 300 "hits counted"
assert_eq "$(summary "$OUT" lost_pid_notes)" 45 "lost_pid_notes"
assert_eq "$(summary "$OUT" unannounced)" 0 "unannounced"
warned "$TMP/sct.err" "45 new processes not announced in time: their stacks may not resolve"

check "syscount --stack, the same ring: 300 new processes of one comm = 45 notes lost"
for run in json text; do
	if [ $run = json ]; then
		start_bg "$OUT" env COTRACE_TEST_MAP_ENTRIES= "$SYSC" --json -T 0 --stack --comm "$CHILD"
	else
		start_bg "$TMP/sct" env COTRACE_TEST_MAP_ENTRIES= "$SYSC" --stack --comm "$CHILD"
	fi
	kill -STOP "$BG"
	timeout -s KILL 60 "$TMP/fk" --name "$CHILD" children 300 0 || fail "forker"
	kill -CONT "$BG"
	stop_bg "$TMP/sct"
done
assert_eq "$(summary "$OUT" lost_pid_notes)" 45 "lost_pid_notes"
assert_eq "$(jq -rs '[.[] | select(.type == "stack") | .pid] | unique | length' "$OUT")" 300 \
	"processes with stacks"
# Each child makes two syscalls once it has its name: clock_nanosleep, exit_group.
assert_eq "$(jq -rs '[.[] | select(.type == "stack") | .count] | add' "$OUT")" 600 "syscalls counted"
warned "$TMP/sct.err" "45 new processes not announced in time: their stacks may resolve less"

check "profile -p 300 pids, the same ring: notes lost = processes sampled - 255"
# Which spinners get sampled is up to the scheduler: the check is exact
# on the processes that were (each is announced once, on its first sample).
exec {SPIN_FD}<>"$(mkfifo "$TMP/spin.fifo" && echo "$TMP/spin.fifo")"
# profile_spinners OUTFILE ARGS...: 300 spinners, each waiting for its go
# line; profile ARGS -p all of them, stopped while they spin 0.5 s.
profile_spinners() {
	local out=$1 spins=() p i
	shift
	for ((i = 0; i < 300; i++)); do
		"$T/spin" 0.5 --wait <"$TMP/spin.fifo" &
		spins+=("$!")
		BG_PIDS+=("$!")
	done
	for p in "${spins[@]}"; do
		wait_reading_stdin "$p" 20
	done
	start_bg "$out" env COTRACE_TEST_MAP_ENTRIES= "$PROF" "$@" -U -P -F 999 \
		-p "$(IFS=,; echo "${spins[*]}")"
	kill -STOP "$BG"
	for ((i = 0; i < 300; i++)); do echo go; done >&"$SPIN_FD"
	for p in "${spins[@]}"; do
		wait_exit "$p" 60
		[ "$WAIT_RC" -eq 0 ] || fail "spin $p exited $WAIT_RC"
	done
	kill -CONT "$BG"
	# With several pids profile runs until ^C (one pid: until it exits).
	stop_bg "$out"
}
profile_spinners "$OUT" -j
sampled=$(jq -rs '[.[] | select(.type == "stack") | .pid] | unique | length' "$OUT")
lost=$(summary "$OUT" lost_pid_notes)
echo "  processes sampled $sampled, lost_pid_notes $lost"
assert_ge "$sampled" 256 "processes sampled"
assert_eq "$lost" "$((sampled - 255))" "lost_pid_notes"
profile_spinners "$TMP/prt"
grep -Eqx 'warning: [1-9][0-9]* new processes not announced in time: their stacks may not resolve' \
	"$TMP/prt.err" || { cat "$TMP/prt.err"; fail "no loss line in the text output"; }
echo "  ok: text says '$(grep -o '[0-9]* new processes not announced.*' "$TMP/prt.err")'"
unset COTRACE_TEST_RINGBUF_BYTES

check "uprobe-trace -c, table of followed processes of 1: 3 children not followed"
timeout -s KILL 60 "$UT" -j --cmd "$FORKER children 3 40" 't:syscalls:sys_enter_clock_nanosleep' \
	>"$OUT" 2>"$OUT.err" || { cat "$OUT.err"; fail "uprobe-trace exited $?"; }
assert_eq "$(summary "$OUT" lost_children)" 3 "lost_children"
assert_eq "$(summary "$OUT" events)" 0 "events (only the children sleep)"
timeout -s KILL 60 "$UT" --cmd "$FORKER children 3 40" 't:syscalls:sys_enter_clock_nanosleep' \
	>"$TMP/utt" 2>"$TMP/utt.err" || fail "uprobe-trace (text) exited $?"
grep -qx 'warning: 3 child processes not followed: the table was full' "$TMP/utt.err" ||
	{ cat "$TMP/utt.err"; fail "no loss line on stderr"; }
echo "  ok: stderr says '3 child processes not followed: the table was full'"
COTRACE_TEST_MAP_ENTRIES= timeout -s KILL 60 "$UT" -j --cmd "$FORKER children 3 40" \
	't:syscalls:sys_enter_clock_nanosleep' >"$OUT" 2>"$OUT.err" || fail "uprobe-trace exited $?"
assert_eq "$(summary "$OUT" events)" 3 "events with the default table"

check "cleanup"
assert_nothing_attached
echo PASS
