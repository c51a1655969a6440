#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Faults of the traced file: the binary deleted (unlink) or replaced (a new
# file renamed over it) while probed, and a library loaded with dlopen()
# after the probes were attached. Uprobes belong to an inode, not to a
# path: a deleted binary keeps its probes while a process runs it; a file
# renamed over the path is a new inode, which the old probes never see;
# a library mapped after attach gets the probes of its inode at mmap time.
source "$(dirname "$0")/ulatency_lib.sh"
source "$(dirname "$0")/uprobe_trace_lib.sh"

[ -x "$T/stepper" ] && [ -f "$T/libcotarget.so" ] || fail "targets missing: run make targets"

# step FD OUTFILE K LINE: send LINE to a stepper and wait for its "ok K".
step() {
	echo "$4" >&"$1"
	wait_for_text "$2" "ok $3" 10
}

# finish FD PID: tell a stepper to exit 0 and wait for it.
finish() {
	echo "exit 0" >&"$1"
	wait_exit "$2" 10
	[ "$WAIT_RC" -eq 0 ] || fail "stepper $2 exited $WAIT_RC"
}

# stop_tool: SIGINT $TOOL_PID; it must exit 0 (bounded).
stop_tool() {
	kill -INT "$TOOL_PID"
	wait_exit "$TOOL_PID" 15
	[ "$WAIT_RC" -eq 0 ] || { cat "$TMP/t.json.err" >&2; fail "tool exited $WAIT_RC"; }
}

check "funccount: the probed binary is deleted while a process runs it"
cp "$T/stepper" "$TMP/del" || fail "cp"
start_target del "$TMP/del"
pid=$TARGET_PID fd=$TARGET_FD
start_tool "$TMP/t.json" funccount --json "$TMP/del:foo"
step "$fd" "$TMP/del.out" 1 "foo 3"
rm -f "$TMP/del"
step "$fd" "$TMP/del.out" 2 "foo 4"
finish "$fd" "$pid"
stop_tool
assert_eq "$(count_of foo "$TMP/t.json")" 7 "foo before and after the unlink"
assert_nothing_attached

check "funccount -p: attach to a binary deleted before the tool started"
cp "$T/stepper" "$TMP/gone" || fail "cp"
start_target gone "$TMP/gone"
pid=$TARGET_PID fd=$TARGET_FD
rm -f "$TMP/gone"
start_tool "$TMP/t.json" funccount --json -p "$pid" "/proc/$pid/exe:foo"
step "$fd" "$TMP/gone.out" 1 "foo 5"
finish "$fd" "$pid"
wait_exit "$TOOL_PID" 15
assert_eq "$WAIT_RC" 0 "funccount exit code"
assert_eq "$(count_of foo "$TMP/t.json")" 5 "foo of the deleted binary"
assert_nothing_attached

# With -p, a module name is looked up in the process's maps, where the
# deleted file still is ("PATH (deleted)"); so is its full path, which the
# file system no longer has: the tool probes the mapping (map_files).
check "funccount -p: a deleted binary by its name in the maps"
cp "$T/stepper" "$TMP/gone2" || fail "cp"
start_target gone2 "$TMP/gone2"
pid=$TARGET_PID fd=$TARGET_FD
rm -f "$TMP/gone2"
start_tool "$TMP/t.json" funccount --json -p "$pid" "gone2:foo"
step "$fd" "$TMP/gone2.out" 1 "foo 6"
finish "$fd" "$pid"
wait_exit "$TOOL_PID" 15
assert_eq "$WAIT_RC" 0 "funccount exit code"
assert_eq "$(count_of foo "$TMP/t.json")" 6 "foo of the deleted binary, by name"
assert_nothing_attached

# tool_count TOOL FUNC FILE: calls of FUNC in TOOL's JSON output.
tool_count() {
	case $1 in
	funccount) count_of "$2" "$3" ;;
	ulatency) hist_count "$2" "$3" ;;
	uprobe-trace) jq -s '[.[] | select(.type == "event")] | length' "$3" ;;
	esac
}

# start_on TOOL SPEC ARGS...: start TOOL --json ARGS on SPEC (p:SPEC for
# uprobe-trace).
start_on() {
	local tool=$1 spec=$2
	shift 2
	case $tool in
	uprobe-trace) start_tool "$TMP/t.json" "$tool" --json "$@" "p:$spec" ;;
	*) start_tool "$TMP/t.json" "$tool" --json "$@" "$spec" ;;
	esac
}

for tool in funccount ulatency uprobe-trace; do
	check "$tool -p PID PATH:foo, PATH deleted before the tool started"
	cp "$T/stepper" "$TMP/gone3" || fail "cp"
	start_target "g3$tool" "$TMP/gone3"
	pid=$TARGET_PID fd=$TARGET_FD
	step "$fd" "$TMP/g3$tool.out" 1 "foo 2"
	rm -f "$TMP/gone3"
	start_on "$tool" "$TMP/gone3:foo" -p "$pid"
	step "$fd" "$TMP/g3$tool.out" 2 "foo 7"
	finish "$fd" "$pid"
	wait_exit "$TOOL_PID" 15
	assert_eq "$WAIT_RC" 0 "$tool exit code"
	assert_eq "$(tool_count "$tool" foo "$TMP/t.json")" 7 "$tool: foo of the deleted binary, by its path"
	assert_nothing_attached
done

check "funccount -p PID PATH:foo, a new file renamed over PATH before the tool started"
cp "$T/stepper" "$TMP/gone4" || fail "cp"
start_target g4 "$TMP/gone4"
pid=$TARGET_PID fd=$TARGET_FD
cp "$T/stepper" "$TMP/gone4.new" && mv -f "$TMP/gone4.new" "$TMP/gone4" || fail "replace"
start_target g4new "$TMP/gone4"
start_on funccount "$TMP/gone4:foo" -p "$pid"
step "$fd" "$TMP/g4.out" 1 "foo 8"
# A process of the new file (another inode, another pid): not counted.
step "$TARGET_FD" "$TMP/g4new.out" 1 "foo 100"
finish "$TARGET_FD" "$TARGET_PID"
finish "$fd" "$pid"
wait_exit "$TOOL_PID" 15
assert_eq "$WAIT_RC" 0 "funccount exit code"
assert_eq "$(count_of foo "$TMP/t.json")" 8 "foo of the old inode, by its path"
assert_nothing_attached

check "funccount PATH:foo without -p, PATH deleted: still an error"
cp "$T/stepper" "$TMP/gone5" || fail "cp"
start_target g5 "$TMP/gone5"
pid=$TARGET_PID fd=$TARGET_FD
rm -f "$TMP/gone5"
rc=0
timeout -s KILL 30 "$FC" -d 0.1 "$TMP/gone5:foo" >"$OUT" 2>"$OUT.err" || rc=$?
assert_eq "$rc" 2 "exit code with the deleted path and no -p"
assert_eq "$(cat "$OUT.err")" "funccount: cannot find '$TMP/gone5': no such file, library in ld.so.cache, or program in PATH" "message"
finish "$fd" "$pid"
assert_nothing_attached

for tool in funccount ulatency uprobe-trace; do
	check "$tool: the probed binary is replaced (rename over it) while probed"
	cp "$T/stepper" "$TMP/rep" || fail "cp"
	start_target "old$tool" "$TMP/rep"
	pid=$TARGET_PID fd=$TARGET_FD
	case $tool in
	uprobe-trace) start_tool "$TMP/t.json" "$tool" --json "p:$TMP/rep:foo" ;;
	*) start_tool "$TMP/t.json" "$tool" --json "$TMP/rep:foo" ;;
	esac
	step "$fd" "$TMP/old$tool.out" 1 "foo 2"
	cp "$T/stepper" "$TMP/rep.new" && mv -f "$TMP/rep.new" "$TMP/rep" || fail "replace"
	# The old process still runs the old inode: counted.
	step "$fd" "$TMP/old$tool.out" 2 "foo 3"
	# A process of the new file: another inode, not probed.
	start_target "new$tool" "$TMP/rep"
	step "$TARGET_FD" "$TMP/new$tool.out" 1 "foo 100"
	finish "$TARGET_FD" "$TARGET_PID"
	finish "$fd" "$pid"
	stop_tool
	case $tool in
	funccount) n=$(count_of foo "$TMP/t.json") ;;
	ulatency) n=$(hist_count foo "$TMP/t.json") ;;
	uprobe-trace) n=$(jq -s '[.[] | select(.type == "event")] | length' "$TMP/t.json") ;;
	esac
	assert_eq "$n" 5 "$tool: foo of the old inode only"
	assert_nothing_attached
done

cp "$T/libcotarget.so" "$TMP/libdl.so" || fail "cp"
check "funccount: a library loaded with dlopen after attach (system-wide)"
start_target dl1 "$T/stepper"
pid=$TARGET_PID fd=$TARGET_FD
start_tool "$TMP/t.json" funccount --json "$TMP/libdl.so:cot_add"
grep -q "$TMP/libdl.so" "/proc/$pid/maps" && fail "library mapped too early"
step "$fd" "$TMP/dl1.out" 1 "dlopen $TMP/libdl.so"
step "$fd" "$TMP/dl1.out" 2 "lib 9"
finish "$fd" "$pid"
stop_tool
assert_eq "$(count_of cot_add "$TMP/t.json")" 9 "cot_add after dlopen"
assert_nothing_attached

for tool in funccount ulatency uprobe-trace; do
	check "$tool -p: a library loaded with dlopen after attach"
	start_target "dl$tool" "$T/stepper"
	pid=$TARGET_PID fd=$TARGET_FD
	case $tool in
	uprobe-trace) start_tool "$TMP/t.json" "$tool" --json -p "$pid" "p:$TMP/libdl.so:cot_add" ;;
	*) start_tool "$TMP/t.json" "$tool" --json -p "$pid" "$TMP/libdl.so:cot_add" ;;
	esac
	step "$fd" "$TMP/dl$tool.out" 1 "dlopen $TMP/libdl.so"
	step "$fd" "$TMP/dl$tool.out" 2 "lib 11"
	finish "$fd" "$pid"
	wait_exit "$TOOL_PID" 15
	assert_eq "$WAIT_RC" 0 "$tool exit code"
	case $tool in
	funccount) n=$(count_of cot_add "$TMP/t.json") ;;
	ulatency) n=$(hist_count cot_add "$TMP/t.json") ;;
	uprobe-trace) n=$(jq -s '[.[] | select(.type == "event")] | length' "$TMP/t.json") ;;
	esac
	assert_eq "$n" 11 "$tool: cot_add after dlopen"
	assert_nothing_attached
done

echo PASS
