#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Faults of a traced process (-p PID), for funccount, ulatency and
# uprobe-trace: it exits, is killed with SIGKILL, or execs (the same
# binary, or another one) mid-trace. The tool ends by itself when the pid
# exits (pidfd), prints exactly the work done before, exits 0 and leaves
# nothing attached. Pid reuse: a new process that gets the pid of the
# traced one after it exited is never counted, even when the tool could
# not run (SIGSTOP) between the exit and the reuse.
source "$(dirname "$0")/ulatency_lib.sh"
source "$(dirname "$0")/uprobe_trace_lib.sh"

[ -x "$T/stepper" ] || fail "$T/stepper missing: run make targets"
# Private copies: uprobes are per inode, so no other test adds to our counts.
cp "$T/stepper" "$TMP/stp" && cp "$T/stepper" "$TMP/stp2" || fail "cp"
BIN=$TMP/stp

# hits TOOL FILE: what TOOL saw of foo in FILE (calls, timed calls, events).
hits() {
	case $1 in
	funccount*) count_of foo "$2" ;;
	ulatency) hist_count foo "$2" ;;
	uprobe-trace) jq -s '[.[] | select(.type == "event" and .func == "foo")] | length' "$2" ;;
	esac
}

# tool_args TOOL PID: the command line tracing foo of $BIN in PID.
tool_args() {
	case $1 in
	funccount) echo "--json -p $2 $BIN:foo" ;;
	funccount-single) echo "--json --attach=single -p $2 $BIN:foo" ;;
	ulatency) echo "--json -p $2 $BIN:foo" ;;
	uprobe-trace) echo "--json -p $2 p:$BIN:foo" ;;
	esac
}

# tool_bin TOOL: the binary (funccount-single is funccount --attach=single:
# one perf-event uprobe per site instead of one multi-uprobe link).
tool_bin() {
	echo "${1%-single}"
}

# step FD OUTFILE K LINE: send LINE to a stepper and wait for its "ok K".
step() {
	echo "$4" >&"$1"
	wait_for_text "$2" "ok $3" 10
}

# end_by_itself TOOL WHAT: the tool ends on its own (bounded) with exit 0.
end_by_itself() {
	local i
	for ((i = 0; i < 300; i++)); do
		is_running "$TOOL_PID" || break
		sleep 0.05
	done
	if is_running "$TOOL_PID"; then
		echo "$1 still runs; kernel stack and stderr:" >&2
		cat "/proc/$TOOL_PID/stack" "$TMP/t.json.err" >&2
		ls -l "/proc/$TOOL_PID/fd" >&2
	fi
	wait_exit "$TOOL_PID" 1
	[ "$WAIT_RC" -eq 0 ] || { cat "$TMP/t.json.err" >&2; fail "$1 exited $WAIT_RC after $2"; }
	echo "  ok: $1 ended by itself after $2, exit 0"
}

for tool in funccount ulatency uprobe-trace; do
	# shellcheck disable=SC2046
	check "$tool -p: the process exits mid-trace"
	start_target "x$tool" "$BIN"
	start_tool "$TMP/t.json" "$(tool_bin "$tool")" $(tool_args "$tool" "$TARGET_PID")
	step "$TARGET_FD" "$TMP/x$tool.out" 1 "foo 3"
	step "$TARGET_FD" "$TMP/x$tool.out" 2 "bar 2"
	echo "exit 0" >&"$TARGET_FD"
	end_by_itself "$tool" "exit"
	assert_eq "$(hits "$tool" "$TMP/t.json")" 3 "$tool: foo before the exit"
	assert_nothing_attached

	check "$tool -p: the process is killed (SIGKILL) mid-trace"
	start_target "k$tool" "$BIN"
	start_tool "$TMP/t.json" "$(tool_bin "$tool")" $(tool_args "$tool" "$TARGET_PID")
	step "$TARGET_FD" "$TMP/k$tool.out" 1 "foo 4"
	kill -KILL "$TARGET_PID"
	end_by_itself "$tool" "SIGKILL of the process"
	assert_eq "$(hits "$tool" "$TMP/t.json")" 4 "$tool: foo before SIGKILL"
	assert_nothing_attached

	# After execve the pid is the same process: a probe on the same file
	# (the same inode) keeps counting in the new image, a probe on a
	# file that the new image no longer maps stops counting.
	check "$tool -p: the process execs the same binary mid-trace"
	start_target "e$tool" "$BIN"
	start_tool "$TMP/t.json" "$(tool_bin "$tool")" $(tool_args "$tool" "$TARGET_PID")
	step "$TARGET_FD" "$TMP/e$tool.out" 1 "foo 2"
	echo "exec $BIN" >&"$TARGET_FD"
	# The new image counts its commands from 1 again: wait for the second "ok 1".
	echo "foo 5" >&"$TARGET_FD"
	for ((i = 0; i < 200; i++)); do
		[ "$(grep -c '^ok 1$' "$TMP/e$tool.out")" -ge 2 ] && break
		sleep 0.05
	done
	assert_eq "$(grep -c '^ok 1$' "$TMP/e$tool.out")" 2 "$tool: commands after exec"
	is_running "$TOOL_PID" || fail "$tool ended at the execve"
	echo "exit 0" >&"$TARGET_FD"
	end_by_itself "$tool" "exec and exit"
	assert_eq "$(hits "$tool" "$TMP/t.json")" 7 "$tool: foo before and after exec of the same file"
	assert_nothing_attached

	check "$tool -p: the process execs another binary mid-trace"
	start_target "o$tool" "$BIN"
	start_tool "$TMP/t.json" "$(tool_bin "$tool")" $(tool_args "$tool" "$TARGET_PID")
	step "$TARGET_FD" "$TMP/o$tool.out" 1 "foo 2"
	echo "exec $TMP/stp2" >&"$TARGET_FD"
	echo "foo 5" >&"$TARGET_FD"
	for ((i = 0; i < 200; i++)); do
		[ "$(grep -c '^ok 1$' "$TMP/o$tool.out")" -ge 2 ] && break
		sleep 0.05
	done
	assert_eq "$(grep -c '^ok 1$' "$TMP/o$tool.out")" 2 "$tool: commands after exec"
	echo "exit 0" >&"$TARGET_FD"
	end_by_itself "$tool" "exec of another file and exit"
	assert_eq "$(hits "$tool" "$TMP/t.json")" 2 "$tool: foo of the old file only"
	assert_nothing_attached
done

# spawn_with_pid PID NAME: start $BIN reading the fifo $TMP/NAME.fifo with
# exactly pid PID: set ns_last_pid to PID - 1 right before the fork (a
# builtin echo forks nothing). Another process of the machine can take the
# pid first: retry. Sets TARGET_PID and TARGET_FD; fails after 200 tries.
spawn_with_pid() {
	local want=$1 name=$2 try
	mkfifo "$TMP/$name.fifo" || fail "mkfifo"
	exec {TARGET_FD}<>"$TMP/$name.fifo"
	for ((try = 0; try < 200; try++)); do
		echo $((want - 1)) >/proc/sys/kernel/ns_last_pid
		"$BIN" <"$TMP/$name.fifo" >"$TMP/$name.out" 2>&1 &
		TARGET_PID=$!
		BG_PIDS+=("$TARGET_PID")
		[ "$TARGET_PID" -eq "$want" ] && { wait_reading_stdin "$TARGET_PID" 10; return 0; }
		kill -KILL "$TARGET_PID"
		wait "$TARGET_PID" 2>/dev/null
	done
	fail "could not get pid $want back in 200 tries"
}

# Both kinds of links filter on the process that had the pid when they were
# made (the kernel keeps a reference to its task), not on the number.
# start_wrapped OUTFILE TOOL ARGS...: start_tool, but the tool runs under a
# subshell that writes its exit status to OUTFILE.rc: bash loses the status
# of a child that was stopped and continued ("wait: pid N is not a child of
# this shell"). Sets TOOL_PID (the tool's own pid).
start_wrapped() {
	local out=$1 tool=$2 wrap i
	shift 2
	: >"$out"
	: >"$out.err"
	rm -f "$out.rc"
	( "$ROOT/build/$tool" "$@" >"$out" 2>"$out.err"; echo $? >"$out.rc" ) &
	wrap=$!
	BG_PIDS+=("$wrap")
	wait_for_text "$out.err" "Hit Ctrl-C" 30 "$wrap"
	TOOL_PID=$(pgrep -P "$wrap")
	[ -n "$TOOL_PID" ] || fail "no $tool under the subshell $wrap"
	BG_PIDS+=("$TOOL_PID")
	OUR_PIDS+=("$TOOL_PID")
}

for tool in funccount funccount-single ulatency uprobe-trace; do
	check "$tool -p: pid reuse while the tool is stopped is not traced"
	start_target "r$tool" "$BIN"
	old=$TARGET_PID
	start_wrapped "$TMP/t.json" "$(tool_bin "$tool")" $(tool_args "$tool" "$old")
	step "$TARGET_FD" "$TMP/r$tool.out" 1 "foo 3"
	# The tool cannot react to the exit until SIGCONT.
	kill -STOP "$TOOL_PID"
	echo "exit 0" >&"$TARGET_FD"
	wait_exit "$old" 10
	spawn_with_pid "$old" "n$tool"
	echo "  ok: a new $BIN has pid $old"
	step "$TARGET_FD" "$TMP/n$tool.out" 1 "foo 5"
	kill -CONT "$TOOL_PID"
	for ((i = 0; i < 300; i++)); do
		[ -s "$TMP/t.json.rc" ] && break
		sleep 0.05
	done
	if [ ! -s "$TMP/t.json.rc" ]; then
		grep State "/proc/$TOOL_PID/status" >&2
		cat "/proc/$TOOL_PID/stack" "$TMP/t.json.err" >&2
		ls -l "/proc/$TOOL_PID/fd" >&2
		fail "$tool did not end within 15 s of SIGCONT"
	fi
	assert_eq "$(cat "$TMP/t.json.rc")" 0 "$tool: exit status after the exit of pid $old"
	assert_eq "$(hits "$tool" "$TMP/t.json")" 3 "$tool: foo of the first process only"
	echo "exit 0" >&"$TARGET_FD"
	wait_exit "$TARGET_PID" 10
	assert_nothing_attached

	check "$tool -p: a process started after the traced one exited is not traced"
	start_target "a$tool" "$BIN"
	old=$TARGET_PID
	start_tool "$TMP/t.json" "$(tool_bin "$tool")" $(tool_args "$tool" "$old")
	step "$TARGET_FD" "$TMP/a$tool.out" 1 "foo 1"
	echo "exit 0" >&"$TARGET_FD"
	end_by_itself "$tool" "exit"
	start_target "b$tool" "$BIN"
	step "$TARGET_FD" "$TMP/b$tool.out" 1 "foo 6"
	assert_eq "$(hits "$tool" "$TMP/t.json")" 1 "$tool: foo of the traced process only"
	echo "exit 0" >&"$TARGET_FD"
	assert_nothing_attached
done

echo PASS
