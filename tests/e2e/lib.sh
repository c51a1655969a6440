#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for the end-to-end tests; sourced, never run.
# Every wait here is bounded: we poll for a condition with a deadline,
# we never sleep and hope. No assertion depends on timing.
set -u

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
ROOT=$PWD
FC=$ROOT/build/funccount
T=$ROOT/build/tests/targets
TMP=$(mktemp -d /tmp/cotrace-e2e.XXXXXX) || exit 1
OUT=$TMP/out.json	# stdout of the last fc_json run; stderr is $OUT.err
BG_PIDS=()		# every background process we start, killed on exit
OUR_PIDS=()		# funccount processes we started (for the leak check)

_cleanup() {
	local p
	for p in "${BG_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap _cleanup EXIT
trap 'exit 130' INT TERM HUP

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

check() {
	echo "check: $*"
}

# assert_eq ACTUAL EXPECTED WHAT
assert_eq() {
	[ "$1" == "$2" ] || fail "$3: got '$1', expected '$2'"
	echo "  ok: $3 = $2"
}

# assert_ge ACTUAL MIN WHAT
assert_ge() {
	[[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge "$2" ] || fail "$3: got '$1', expected >= $2"
	echo "  ok: $3 = $1 (>= $2)"
}

[ -x "$FC" ] || fail "$FC missing: run make"
[ -s "$ROOT/build/tools.list" ] && [ -s "$ROOT/build/bpf-progs.list" ] ||
	fail "build/tools.list or build/bpf-progs.list missing: run make"
[ -x "$T/calls" ] || fail "$T/calls missing: run make targets"
[ "$(id -u)" -eq 0 ] || fail "end-to-end tests need root"
command -v jq >/dev/null || fail "jq is needed"
command -v bpftool >/dev/null || fail "bpftool is needed"

# tool_json TOOL [SECS] -- ARGS...: run build/TOOL --json ARGS (bounded
# by SECS, default 60) with stdout in $OUT and stderr in $OUT.err; fails
# the test unless it exits 0. Every tool's X_json is this.
tool_json() {
	local tool=$1 secs=60 rc=0
	shift
	if [ "${1:-}" != -- ]; then
		secs=$1
		shift
	fi
	shift
	timeout -s KILL "$secs" "$ROOT/build/$tool" --json "$@" >"$OUT" 2>"$OUT.err" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$OUT.err" >&2; fail "$tool --json $* exited $rc"; }
}

# fc_json ARGS...: funccount --json ARGS (tool_json).
fc_json() {
	tool_json funccount -- "$@"
}

# count_of FUNC [FILE]: sum of the "count" records of FUNC (all intervals,
# all pids) in FILE (default $OUT); 0 when there is none.
count_of() {
	jq -rs --arg f "$1" '[.[] | select(.type == "count" and .func == $f) | .count] | add // 0' \
		"${2:-$OUT}" || fail "bad JSON in ${2:-$OUT}"
}

# summary_of KEY [FILE]: a key of the summary record of FILE (default
# $OUT), every tool's.
summary_of() {
	jq -rs --arg k "$1" '[.[] | select(.type == "summary")][0][$k]' "${2:-$OUT}" ||
		fail "bad JSON in ${2:-$OUT}"
}

# wait_for_text FILE TEXT SECS [PID]: poll until FILE contains TEXT; fail
# after SECS seconds, or at once if PID (the writer) has exited.
wait_for_text() {
	local file=$1 text=$2 secs=$3 pid=${4:-} i
	for ((i = 0; i < secs * 20; i++)); do
		grep -qF -- "$text" "$file" 2>/dev/null && return 0
		if [ -n "$pid" ] && ! is_running "$pid"; then
			cat "$file" >&2
			fail "process $pid exited before printing '$text'"
		fi
		sleep 0.05
	done
	cat "$file" >&2
	fail "'$text' did not appear in $file within ${secs}s"
}

# is_running PID: true while PID exists and is not a zombie.
is_running() {
	local state
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

# wait_exit PID SECS: wait for our child PID to exit, at most SECS seconds
# (then kill it and fail); sets WAIT_RC to its exit status.
wait_exit() {
	local pid=$1 secs=$2 i
	for ((i = 0; i < secs * 20; i++)); do
		is_running "$pid" || break
		sleep 0.05
	done
	if is_running "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		fail "process $pid did not exit within ${secs}s"
	fi
	WAIT_RC=0
	wait "$pid" || WAIT_RC=$?
}

# start_target NAME CMD...: start a --wait target in the background with its
# stdin from the fifo $TMP/NAME.fifo; sets TARGET_PID and TARGET_FD (the write
# end of the fifo, opened read-write so the open never blocks).
start_target() {
	local name=$1
	shift
	mkfifo "$TMP/$name.fifo" || fail "mkfifo"
	exec {TARGET_FD}<>"$TMP/$name.fifo"
	"$@" <"$TMP/$name.fifo" >"$TMP/$name.out" 2>&1 &
	TARGET_PID=$!
	BG_PIDS+=("$TARGET_PID")
	wait_reading_stdin "$TARGET_PID" 10
}

# wait_reading_stdin PID SECS: poll until PID is blocked in read(0, ...),
# i.e. a --wait target has started, its libraries are mapped, and it waits
# for its go line; fail after SECS seconds.
wait_reading_stdin() {
	local pid=$1 secs=$2 i
	for ((i = 0; i < secs * 20; i++)); do
		# syscall 0 is read on x86-64; the second field is its fd.
		[ "$(awk '{print $1, $2}' /proc/"$pid"/syscall 2>/dev/null)" = "0 0x0" ] && return 0
		is_running "$pid" || fail "target $pid exited before waiting for its go line"
		sleep 0.05
	done
	fail "target $pid did not wait for its go line within ${secs}s"
}

# release_target PID FD: let a --wait target do its work, wait for it to
# exit 0 (bounded) and close the fifo.
release_target() {
	echo go >&"$2"
	wait_exit "$1" 10
	[ "$WAIT_RC" -eq 0 ] || fail "target $1 exited $WAIT_RC"
	eval "exec $2>&-"
}

# bg_start OUTFILE TEXT CMD...: start CMD (one of our tools) in the
# background, stdout in OUTFILE, stderr in OUTFILE.err, and wait (bounded)
# until its stderr says TEXT. Sets BG_PID and BG_OUT; the process counts as
# ours for the leftover checks.
bg_start() {
	local out=$1 text=$2
	shift 2
	# Truncate first: the child's redirection happens after the fork, and
	# the poll below must not find TEXT left by an earlier run.
	: >"$out"
	: >"$out.err"
	"$@" >"$out" 2>"$out.err" &
	BG_PID=$!
	BG_OUT=$out
	BG_PIDS+=("$BG_PID")
	OUR_PIDS+=("$BG_PID")
	wait_for_text "$out.err" "$text" 30 "$BG_PID"
}

# bg_stop PID OUTFILE [SIGNAL]: send SIGNAL (default INT) to PID and wait
# for it (bounded); fails unless it exits 0. A tool tracing -p may have
# stopped by itself already because the process exited: that is fine too.
bg_stop() {
	kill -"${3:-INT}" "$1" 2>/dev/null
	wait_exit "$1" 20
	[ "$WAIT_RC" -eq 0 ] || { cat "$2.err" >&2; fail "process $1 exited $WAIT_RC after SIG${3:-INT}"; }
}

# start_fc OUTFILE ARGS...: funccount --json ARGS in the background until it
# is tracing (bg_start). Sets FC_PID.
start_fc() {
	local out=$1
	shift
	bg_start "$out" Tracing "$FC" --json "$@"
	FC_PID=$BG_PID
	FC_OUT=$out
}

# stop_fc [SIGNAL]: bg_stop of $FC_PID.
stop_fc() {
	bg_stop "$FC_PID" "$FC_OUT" "${1:-INT}"
}

# fc_on_target OUTFILE TARGET_CMD -- FC_ARGS...: the whole dance: start the
# --wait target, start funccount (FC_ARGS may use @PID@ for the target's pid),
# wait for "Tracing", release the target, wait for it, stop funccount with
# SIGINT and leave its JSON in OUTFILE.
fc_on_target() {
	local out=$1 cmd=() args=() a
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		cmd+=("$1")
		shift
	done
	shift
	start_target "tgt$RANDOM" "${cmd[@]}"
	for a in "$@"; do
		args+=("${a//@PID@/$TARGET_PID}")
	done
	start_fc "$out" "${args[@]}"
	release_target "$TARGET_PID" "$TARGET_FD"
	stop_fc INT
}

# ALL_TOOLS: every tool the build made, from build/tools.list (the
# Makefile's TOOLS): tests that run each tool loop over it, so none is
# left out when a tool is added.
mapfile -t ALL_TOOLS <"$ROOT/build/tools.list"

# progs_re [TOOL...]: a regex (jq's syntax) that matches exactly the names
# of the BPF programs of TOOL..., or of every tool, read from the built
# objects (build/bpf-progs.list): the full name, as bpftool reads it from
# the program's BTF, and the 15 characters the kernel keeps of a longer
# one. Prints nothing and returns 1 if a TOOL has no program there.
progs_re() {
	local t
	for t in "$@"; do
		awk -v t="$t" '$1 == t { n++ } END { exit !n }' "$ROOT/build/bpf-progs.list" ||
			return 1
	done
	awk -v want=" $* " '
		(want == "  " || index(want, " " $1 " ")) && $2 ~ /^[A-Za-z0-9_]+$/ {
			add($2)
			add(substr($2, 1, 15))
		}
		function add(n) {
			if (!(n in seen)) { seen[n] = 1; re = re (re == "" ? "" : "|") n }
		}
		END { if (re == "") exit 1; print "^(" re ")$" }' "$ROOT/build/bpf-progs.list"
}

# OUR_PROGS: the names of every tool's BPF programs.
OUR_PROGS=$(progs_re "${ALL_TOOLS[@]}") || fail "a tool of build/tools.list has no BPF program in build/bpf-progs.list"

# prog_holders: a JSON object mapping each BPF program id to the pids of
# the processes that hold an fd of it or of a link to it, read from
# /proc/*/fdinfo ("prog_id:" lines). bpftool's own "pids" come from a BPF
# iterator that Debian's bpftool is built without (always null), so it
# cannot tell our programs from those of a tool someone else runs now.
prog_holders() {
	grep -s '^prog_id:' /proc/[0-9]*/fdinfo/* 2>/dev/null |
		awk -F'[/:\t ]+' '{print $NF, $3}' |
		jq -Rsc 'split("\n") | map(select(length > 0) | split(" ") | map(tonumber))
			 | group_by(.[0]) | map({key: (.[0][0] | tostring), value: map(.[1])})
			 | from_entries'
}

# leftover_progs REGEX: print "prog ID NAME" for each loaded BPF program whose
# name matches REGEX (jq syntax) and that is ours and left over: held by no
# process, or held by a tool we started (OUR_PIDS), which should be gone by
# the time a test asks. A program held only by other live processes belongs
# to a tool someone else runs on this machine now and is not reported.
# Links and perf events hold their program, so a leaked link shows up as its
# program. Every leftover check of the e2e tests goes through here.
leftover_progs() {
	local pids holders
	pids=$(printf '%s\n' "${OUR_PIDS[@]}" | jq -Rsc 'split("\n") | map(select(length > 0) | tonumber)')
	holders=$(prog_holders)
	bpftool -j prog list | jq -r --argjson ours "$pids" --argjson h "$holders" --arg re "$1" '
		.[] | select(.name // "" | test($re))
		    | ($h[.id | tostring] // []) as $p
		    | select(($p | length) == 0 or any($p[]; . as $x | $ours | index($x)))
		    | "prog \(.id) \(.name)"'
}

# assert_no_progs REGEX [SECS] [WHAT]: no leftover_progs REGEX; polls up to
# SECS (default 5) seconds because the kernel frees programs asynchronously
# after the last fd closes, then fails naming them.
assert_no_progs() {
	local re=$1 secs=${2:-5} what=${3:-ours} i left
	[ -n "$re" ] || fail "assert_no_progs: no pattern (a tool without programs in build/bpf-progs.list?)"
	for ((i = 0; i < secs * 20; i++)); do
		left=$(leftover_progs "$re")
		[ -z "$left" ] && { echo "  ok: nothing of $what attached"; return 0; }
		sleep 0.05
	done
	fail "still attached: $left"
}

# ours_attached: print the BPF programs of any tool of ours still loaded and
# left over (leftover_progs "$OUR_PROGS"), and any uprobe_events entry (none
# of ours uses one: a leftover is someone's leak).
ours_attached() {
	leftover_progs "$OUR_PROGS"
	if [ -s /sys/kernel/tracing/uprobe_events ]; then
		sed 's/^/uprobe_events: /' /sys/kernel/tracing/uprobe_events
	fi
}

# assert_nothing_attached [SECS]: no BPF program or uprobe_events entry of
# ours remains; polls up to SECS (default 5) seconds because the kernel frees
# programs asynchronously after the last fd closes.
assert_nothing_attached() {
	local secs=${1:-5} i left
	[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
	for ((i = 0; i < secs * 20; i++)); do
		left=$(ours_attached)
		[ -z "$left" ] && { echo "  ok: nothing of ours attached"; return 0; }
		sleep 0.05
	done
	fail "still attached: $left"
}

# start_tool OUTFILE TOOL ARGS...: start build/TOOL ARGS in the background
# until it says "Hit Ctrl-C" (every tool does once attached). Sets TOOL_PID.
start_tool() {
	local out=$1 tool=$2
	shift 2
	bg_start "$out" "Hit Ctrl-C" "$ROOT/build/$tool" "$@"
	TOOL_PID=$BG_PID
}
