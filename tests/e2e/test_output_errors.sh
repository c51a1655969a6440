#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Output errors end the run (issue 12, items 4 and 5), in all eight tools:
# - a closed pipe: "TOOL | head -1" ends by itself once head has gone,
#   with status 1 and nothing on stderr but the tool's banner (EPIPE is
#   not worth a message, as in other Unix tools); so does a pipe whose
#   reader is gone before the first write ("TOOL -d 60 | true"), without
#   waiting for anything to print;
# - a full disk: ">/dev/full" gives one sentence, "TOOL: cannot write
#   output: No space left on device", and status 1, also with -j, -l
#   (where the tool has it), --help and --version; profile --svg to a
#   full file system names the file;
# - nothing of ours stays attached, and the traced program (a private
#   copy of stepper, calling work() a million times a second) runs on
#   unharmed: its output is checked byte for byte at the end.
# Every wait is bounded (timeout); no assertion is about time.
. "$(dirname "$0")/lib.sh"

STEPPER=$TMP/stepper
cp "$T/stepper" "$STEPPER" || fail "cp stepper"
FORKER=$T/forker
CHILD="cto-$$"
NOSPC="cannot write output: No space left on device"

# only_banner TOOL FILE: stderr FILE holds the "Hit Ctrl-C" banner and
# nothing else (it may lack even that when the tool stopped early).
only_banner() {
	local rest
	rest=$(grep -v 'Hit Ctrl-C to end' "$2")
	[ -z "$rest" ] || fail "$1: unexpected stderr: $rest"
	echo "  ok: $1: nothing on stderr but the banner"
}

# one_sentence TOOL FILE SENTENCE: stderr FILE holds the banner (maybe)
# and exactly one other line, "TOOL: SENTENCE".
one_sentence() {
	local rest
	rest=$(grep -v 'Hit Ctrl-C to end' "$2")
	assert_eq "$rest" "$1: $3" "$1: stderr"
}

# pipe_head TOOL ARGS...: TOOL ARGS | head -1 ends with head: status 1,
# a first line read, no message, nothing attached.
pipe_head() {
	local tool=$1 rc
	shift
	check "$tool $* | head -1"
	timeout -s KILL 30 "$ROOT/build/$tool" "$@" 2>"$TMP/p.err" | head -1 >"$TMP/p.out"
	rc=${PIPESTATUS[0]}
	[ "$rc" -ne 137 ] || fail "$tool still ran 30 s after head exited"
	assert_eq "$rc" 1 "$tool: exit status"
	[ -s "$TMP/p.out" ] || fail "$tool: head read no line"
	only_banner "$tool" "$TMP/p.err"
	assert_nothing_attached
}

# pipe_gone TOOL ARGS...: TOOL ARGS (with -d 60 or no end) writing to a pipe
# whose reader exited at once ends by itself before printing anything.
pipe_gone() {
	local tool=$1 rc
	shift
	check "$tool $* | true"
	timeout -s KILL 30 "$ROOT/build/$tool" "$@" 2>"$TMP/g.err" | true
	rc=${PIPESTATUS[0]}
	[ "$rc" -ne 137 ] || fail "$tool still ran 30 s after its reader exited"
	assert_eq "$rc" 1 "$tool: exit status"
	only_banner "$tool" "$TMP/g.err"
	assert_nothing_attached
}

# full TOOL ARGS...: TOOL ARGS >/dev/full: status 1 and one sentence.
full() {
	local tool=$1 rc=0
	shift
	check "$tool $* >/dev/full"
	timeout -s KILL 30 "$ROOT/build/$tool" "$@" >/dev/full 2>"$TMP/f.err" || rc=$?
	[ "$rc" -ne 137 ] || fail "$tool did not end within 30 s"
	assert_eq "$rc" 1 "$tool: exit status"
	one_sentence "$tool" "$TMP/f.err" "$NOSPC"
}

# The traced program: spins until SIGUSR1, then prints its calls and the
# sum of work()'s return values, checked below.
"$STEPPER" spin >"$TMP/stepper.out" 2>&1 &
SPIN=$!
BG_PIDS+=("$SPIN")
wait_for_text "$TMP/stepper.out" spinning 10 "$SPIN"

# ---- item 4: a closed pipe ------------------------------------------------------

# Tools that print as they go: per interval, per event, or a header first.
pipe_head funccount -i 0.1 -p "$SPIN" "$STEPPER:nap"
pipe_head funccount -j -i 0.1 -p "$SPIN" "$STEPPER:nap"
pipe_head stackcount -i 0.1 -p "$SPIN" "$STEPPER:nap"
pipe_head ulatency -i 0.1 -p "$SPIN" "$STEPPER:nap"
pipe_head argdist -i 0.1 -p "$SPIN" -C "r:$STEPPER:nap():int:\$retval"
# A million events a second: it must see the closed pipe through them.
pipe_head uprobe-trace -p "$SPIN" "$STEPPER:work"
pipe_head uprobe-trace -j -p "$SPIN" "$STEPPER:work"
pipe_head syscount -i 0.1 -p "$SPIN"
pipe_head proclife -l
# profile prints only at the end: its case is the reader that left first.

# The reader gone before the first write: no tool waits for its next one.
pipe_gone funccount -d 60 -p "$SPIN" "$STEPPER:nap"
pipe_gone stackcount -D 60 -p "$SPIN" "$STEPPER:nap"
pipe_gone ulatency -d 60 -p "$SPIN" "$STEPPER:nap"
pipe_gone argdist -d 60 -i 30 -p "$SPIN" -C "r:$STEPPER:nap():int:\$retval"
pipe_gone uprobe-trace -d 60 -p "$SPIN" "$STEPPER:nap"
pipe_gone syscount -d 60 -p "$SPIN"
pipe_gone proclife -d 60
pipe_gone profile -p "$SPIN" 60
pipe_gone profile -f -p "$SPIN" 60

# ---- item 5: a full disk --------------------------------------------------------

for j in "" -j; do
	full funccount $j -d 0.3 -p "$SPIN" "$STEPPER:nap"
	full stackcount $j -D 0.3 -p "$SPIN" "$STEPPER:nap"
	full ulatency $j -d 0.3 -p "$SPIN" "$STEPPER:nap"
	full argdist $j -d 0.3 -i 0.1 -p "$SPIN" -C "r:$STEPPER:nap():int:\$retval"
	full uprobe-trace $j -d 30 -p "$SPIN" "$STEPPER:nap"
	full syscount $j -d 0.3 -p "$SPIN"
	# stepper sleeps most of the time: profile a program that spins.
	full profile $j --cmd "$T/spin 0.3"
done
full profile -f --cmd "$T/spin 0.3"
# proclife: JSON always ends with a summary record; text prints the
# histograms of exits, so some must happen while it runs; -l a header.
full proclife -j -d 0.3
full proclife -l -d 30
check "proclife --comm $CHILD >/dev/full, children exiting"
: >"$TMP/pl.err"
"$ROOT/build/proclife" --comm "$CHILD" -d 60 >/dev/full 2>"$TMP/pl.err" &
PL=$!
BG_PIDS+=("$PL")
OUR_PIDS+=("$PL")
wait_for_text "$TMP/pl.err" "Hit Ctrl-C" 30 "$PL"
timeout -s KILL 30 "$FORKER" --name "$CHILD" children 3 10 || fail "forker failed"
kill -INT "$PL"
wait_exit "$PL" 30
assert_eq "$WAIT_RC" 1 "proclife: exit status"
one_sentence proclife "$TMP/pl.err" "$NOSPC"

# Listings, help and version write to stdout too.
full funccount -l "$STEPPER:work"
full funccount -j -l "$STEPPER:work"
full uprobe-trace -l "$STEPPER:work"
full uprobe-trace -j -l "$STEPPER:work"
full syscount -l
full syscount -j -l
for tool in funccount stackcount ulatency argdist uprobe-trace syscount proclife profile; do
	full "$tool" --help
	full "$tool" --version
done
assert_nothing_attached

check "profile --svg FILE on a full file system names FILE"
mkdir -p "$TMP/small" || fail "mkdir"
mount -t tmpfs -o size=16k tmpfs "$TMP/small" || fail "mount tmpfs"
dd if=/dev/zero of="$TMP/small/filler" bs=4k count=4 2>/dev/null
rc=0
timeout -s KILL 30 "$ROOT/build/profile" --cmd "$T/spin 0.3" --svg "$TMP/small/cpu.svg" \
	>/dev/null 2>"$TMP/svg.err" || rc=$?
umount "$TMP/small"
assert_eq "$rc" 1 "profile --svg: exit status"
one_sentence profile "$TMP/svg.err" "cannot write '$TMP/small/cpu.svg': No space left on device"

check "stdout on a full file system, as a file"
mount -t tmpfs -o size=16k tmpfs "$TMP/small" || fail "mount tmpfs"
dd if=/dev/zero of="$TMP/small/filler" bs=4k count=4 2>/dev/null
rc=0
timeout -s KILL 30 "$ROOT/build/funccount" -d 0.3 -p "$SPIN" "$STEPPER:nap" \
	>"$TMP/small/out" 2>"$TMP/fs.err" || rc=$?
umount "$TMP/small"
assert_eq "$rc" 1 "funccount >full file: exit status"
one_sentence funccount "$TMP/fs.err" "$NOSPC"
assert_nothing_attached

# ---- the traced program ran on unharmed ----------------------------------------
check "stepper unharmed: its output byte for byte"
kill -USR1 "$SPIN"
wait_exit "$SPIN" 10
assert_eq "$WAIT_RC" 0 "stepper exit status"
calls=$(awk 'NR == 2 { print $2 }' "$TMP/stepper.out")
[[ "$calls" =~ ^[0-9]+$ ]] && [ "$calls" -gt 0 ] || fail "stepper: no calls: $(cat "$TMP/stepper.out")"
printf 'spinning\ncalls %s bad 0 sum %s\n' "$calls" "$((3 * calls * (calls - 1) / 2 + calls))" \
	>"$TMP/stepper.expected"
cmp "$TMP/stepper.out" "$TMP/stepper.expected" ||
	fail "stepper output: $(cat "$TMP/stepper.out")"
echo "  ok: $calls calls of work(), none wrong, sum right"

echo "PASS: test_output_errors"
