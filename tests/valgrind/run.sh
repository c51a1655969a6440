#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/valgrind/run.sh [SCALE...]: run each tool (build/valgrind/tools.list,
# which the build writes; run_tool has a run for each) once under
# valgrind memcheck for each SCALE (default "1 10": a small workload, then
# ten times the hits, events, processes and intervals), then print one table
# of "definitely lost" bytes per tool and run. No other uprobe may sit in a
# library the tools use (libc, libbpf, libelf...) meanwhile: see run_tool. Needs root, make targets and
# the dynamically linked tools of `make valgrind` in build/valgrind/
# (memcheck cannot see malloc in a static binary). Exits non-zero when a
# run leaks definitely, has a memcheck error, or does not exit 0.
# Logs: build/valgrind/logs/TOOL.SCALE.log.
set -u
cd "$(dirname "$0")/../.." || exit 1
VB=build/valgrind
T=build/tests/targets
LOGS=$VB/logs
SUPP=tests/valgrind/bpf.supp
SCALES=${*:-1 10}
VALGRIND=(valgrind --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite
	  --suppressions="$SUPP" --error-exitcode=99)

[ "$(id -u)" -eq 0 ] || { echo "valgrind runs need root" >&2; exit 1; }
[ -s "$VB/tools.list" ] || { echo "$VB/tools.list missing: run make valgrind" >&2; exit 1; }
mapfile -t TOOLS <"$VB/tools.list"
command -v valgrind >/dev/null || { echo "valgrind is not installed (make deps)" >&2; exit 1; }
for t in "${TOOLS[@]}"; do
	[ -x "$VB/$t" ] || { echo "$VB/$t missing: run make valgrind" >&2; exit 1; }
done
[ -x "$T/sleeper" ] && [ -x "$T/forker" ] && [ -x "$T/stepper" ] ||
	{ echo "targets missing: run make targets" >&2; exit 1; }
mkdir -p "$LOGS"
TMP=$(mktemp -d /tmp/cotrace-vg.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT

# wait_text FILE TEXT PID: poll (at most 60 s: valgrind starts slowly)
# until FILE contains TEXT; false if PID exits first or time runs out.
wait_text() {
	local i
	for ((i = 0; i < 1200; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# run_tool TOOL K: one run at scale K. The work: sleeper makes 10K calls of
# sleep_ms(20) (0.2K seconds) and 100K calls of tick_a; proclife sees 20K
# short processes; profile samples at 499 Hz for 0.5K seconds while a
# stepper spins. Interval tools print every 0.1 s, so the longer run also
# prints ten times the reports.
run_tool() {
	local tool=$1 k=$2 log=$LOGS/$1.$2.log pid rc=0 i
	local sl="$T/sleeper $((10 * k)) $((100 * k)) 0 0"
	local vg=("${VALGRIND[@]}" --log-file="$log" "$VB/$tool")

	case $tool in
	funccount) "${vg[@]}" -i 0.1 --cmd "$sl" "$T/sleeper:*" >"$TMP/out" 2>&1 || rc=$? ;;
	ulatency) "${vg[@]}" -i 0.1 -m -c "$sl" "$T/sleeper:sleep_ms" "$T/sleeper:tick_a" \
		>"$TMP/out" 2>&1 || rc=$? ;;
	uprobe-trace) "${vg[@]}" -U --cmd "$sl" "p:$T/sleeper:tick_a \"tick %d\", arg1" \
		>"$TMP/out" 2>&1 || rc=$? ;;
	argdist) "${vg[@]}" -i 0.1 --cmd "$sl" -H "p:$T/sleeper:sleep_ms():int:arg1" \
		-C "p:$T/sleeper:tick_a():u64:\$tid" >"$TMP/out" 2>&1 || rc=$? ;;
	stackcount) "${vg[@]}" -i 0.1 --cmd "$sl" "$T/sleeper:tick_a" "$T/sleeper:sleep_ms" \
		>"$TMP/out" 2>&1 || rc=$? ;;
	syscount) "${vg[@]}" -i 0.1 -L --cmd "$sl" >"$TMP/out" 2>&1 || rc=$? ;;
	proclife)
		"${vg[@]}" -i 0.1 >"$TMP/out" 2>&1 &
		pid=$!
		if wait_text "$TMP/out" "Hit Ctrl-C" "$pid"; then
			"$T/forker" children $((20 * k)) 1 >/dev/null 2>&1
			kill -INT "$pid"
		fi
		wait "$pid" || rc=$?
		;;
	profile)
		"$T/stepper" spin >/dev/null 2>&1 &
		i=$!
		"${vg[@]}" -F 499 --duration "$(awk -v k="$k" 'BEGIN { print 0.5 * k }')" >"$TMP/out" 2>&1 || rc=$?
		kill -USR1 "$i"
		wait "$i"
		;;
	*)
		echo "tests/valgrind/run.sh: no run for $tool: add one to run_tool" >"$log"
		cat "$log" >&2
		rc=127
		;;
	esac
	RC=$rc
	# The figures of this run, from memcheck's summary.
	LOST=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tr -d , | tail -1)
	LOST=${LOST:-0}
	BLOCKS=$(sed -n 's/.*definitely lost: [0-9,]* bytes in \([0-9,]*\) blocks.*/\1/p' "$log" |
		 tr -d , | tail -1)
	BLOCKS=${BLOCKS:-0}
	ALLOCS=$(sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' "$log" | tr -d , | tail -1)
	INUSE=$(sed -n 's/.*in use at exit: \([0-9,]*\) bytes.*/\1/p' "$log" | tr -d , | tail -1)
	ERRORS=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$log" | tr -d , | tail -1)
}

bad=0
printf '%-13s %5s %10s %14s %11s %13s %7s %5s\n' tool scale allocs "definitely lost" blocks \
	"in use at exit" errors exit
for tool in "${TOOLS[@]}"; do
	for k in $SCALES; do
		# Valgrind runs the tool's code from its own translation of the
		# bytes it reads: where a uprobe sits in a library the tool uses
		# (anyone's probe of libc, say), it reads the int3 and the tool
		# gets SIGTRAP (exit 133). That is the machine, not the tool:
		# try again, at most three times in all.
		for ((try = 1; try <= 3; try++)); do
			run_tool "$tool" "$k"
			[ "$RC" -eq 133 ] || break
			echo "  $tool ${k}x: SIGTRAP from someone's uprobe in a library (try $try)" >&2
		done
		printf '%-13s %5s %10s %14s %11s %13s %7s %5s\n' "$tool" "${k}x" "${ALLOCS:-?}" \
			"$LOST" "$BLOCKS" "${INUSE:-?}" "${ERRORS:-?}" "$RC"
		if [ "$LOST" != 0 ] || [ "${ERRORS:-1}" != 0 ] || [ "$RC" != 0 ]; then
			bad=$((bad + 1))
			echo "  see $LOGS/$tool.$k.log and its output:" >&2
			tail -n 5 "$TMP/out" | sed 's/^/    /' >&2
		fi
	done
done
[ "$bad" -eq 0 ] && echo "valgrind: no definite leak, no memcheck error" ||
	echo "valgrind: $bad runs with a leak, an error or a failure"
[ "$bad" -eq 0 ]
