#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# SIGKILL at random moments: 100 trials spread over the eight tools (and
# funccount's single-attach mode). Each trial starts a tool and kills it
# with SIGKILL after a random 0-300 ms (every other trial 0-60 ms): while it reads ELF files, loads
# its BPF object, attaches or runs. After every trial nothing of ours is
# attached (no BPF program or link, no uprobe_events entry), and a
# long-running target that calls a probed function all the time keeps
# running; at the end its result is checked: every return value right and
# the sum of the returns exact for the number of calls it made.
#
# FAULT_SEED=N reproduces a run's delays (the seed is printed).
source "$(dirname "$0")/lib.sh"

[ -x "$T/stepper" ] || fail "$T/stepper missing: run make targets"
cp "$T/stepper" "$TMP/spin" && cp "$T/sleeper" "$TMP/slp" || fail "cp"
BIN=$TMP/spin
SLP=$TMP/slp
SEED=${FAULT_SEED:-$((RANDOM * 32768 + RANDOM))}
RANDOM=$SEED
echo "seed $SEED"

"$BIN" spin >"$TMP/spin.out" 2>&1 &
SPIN=$!
BG_PIDS+=("$SPIN")
wait_for_text "$TMP/spin.out" spinning 10 "$SPIN"

# The trials' command lines, one a line: TOOL ARGS, split on blanks; a '+'
# in an argument stands for a blank. uprobe-trace's probes have no format:
# they print the bare event. ulatency and the return probe of uprobe-trace
# are often killed while nap() is in flight (its return address replaced by
# the uretprobe trampoline). The -c runs must take their command along.
CONFIGS=(
	"funccount $BIN:work c:malloc"
	"funccount --attach=single $BIN:work $BIN:foo"
	"ulatency $BIN:work $BIN:nap"
	"uprobe-trace p:$BIN:work r:$BIN:nap"
	"argdist -C p:$BIN:work():u64:arg1"
	"stackcount $BIN:work"
	"syscount -p $SPIN"
	"proclife"
	"profile -p $SPIN"
	"ulatency -c $SLP+50+0+0+0 $SLP:sleep_ms"
	"stackcount --cmd $SLP+50+0+0+0 $SLP:sleep_ms"
)
TRIALS=100
before=0	# killed before the tool said "Hit Ctrl-C"
after=0		# killed while tracing
declare -A per_tool

for ((n = 0; n < TRIALS; n++)); do
	cfg=${CONFIGS[n % ${#CONFIGS[@]}]}
	# Every other trial dies in its first 60 ms, where start-up is (a
	# tool is tracing after about 30-100 ms here), the rest in 0-300 ms.
	if ((n % 2)); then delay=$((RANDOM % 301)); else delay=$((RANDOM % 61)); fi
	# shellcheck disable=SC2086
	set -- $cfg
	tool=$1
	shift
	args=()
	for a in "$@"; do
		args+=("${a//+/ }")
	done
	: >"$TMP/k.err"
	"$ROOT/build/$tool" "${args[@]}" >/dev/null 2>"$TMP/k.err" &
	pid=$!
	BG_PIDS+=("$pid")
	OUR_PIDS+=("$pid")
	sleep "$(printf '0.%03d' "$delay")"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	if grep -q 'Hit Ctrl-C' "$TMP/k.err"; then
		after=$((after + 1))
		phase=tracing
	else
		before=$((before + 1))
		phase=starting
	fi
	# A tool that ended by itself before the kill must have failed for a
	# reason, not crashed: 137 is our SIGKILL.
	[ "$rc" -eq 137 ] || fail "trial $n ($cfg, ${delay} ms): exit $rc: $(cat "$TMP/k.err")"
	per_tool[$tool]=$((${per_tool[$tool]:-0} + 1))
	left=""
	for ((i = 0; i < 100; i++)); do
		left=$(ours_attached)
		[ -z "$left" ] && break
		sleep 0.05
	done
	[ -z "$left" ] || fail "trial $n ($cfg, killed after ${delay} ms, $phase): still attached: $left"
	# A -c command dies with its tracer (SIGTERM at the parent's death).
	for ((i = 0; i < 100; i++)); do
		pgrep -f "^$SLP " >/dev/null || break
		sleep 0.05
	done
	pgrep -f "^$SLP " >/dev/null && fail "trial $n ($cfg): its command outlived it"
	is_running "$SPIN" || fail "trial $n ($cfg): the target died: $(cat "$TMP/spin.out")"
done
echo "  ok: $TRIALS trials, $before killed while starting, $after while tracing, nothing left after any"
for t in "${!per_tool[@]}"; do
	echo "    $t: ${per_tool[$t]} trials"
done

check "the target ran correctly through all the trials"
kill -USR1 "$SPIN"
wait_exit "$SPIN" 10
assert_eq "$WAIT_RC" 0 "target exit code (0: every return value right)"
read -r _ calls _ bad _ sum < <(grep '^calls ' "$TMP/spin.out")
assert_eq "$bad" 0 "wrong return values"
# work(i) returns 3i + 1: the sum for i < N is 3N(N-1)/2 + N, mod 2^64.
want=$(python3 -c "n = $calls; print((3 * n * (n - 1) // 2 + n) % 2**64)")
assert_eq "$sum" "$want" "sum of $calls returns"
assert_ge "$calls" 1000 "calls made"
assert_nothing_attached

echo PASS
