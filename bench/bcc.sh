#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# cotrace's tools against bcc's namesakes, side by side in one run, with
# the same command lines (the option letters are bcc's). Each tool traces
# hit() of bench/hitloop (syscount: the getppid() calls of bench/sysloop)
# and is measured in one run:
#
#   start-up  from the start to ready (its "Tracing" line, trace's header,
#             argdist -v's "open uprobes") plus from Ctrl-C (SIGINT) to its
#             exit: compile (bcc), load, attach, the report, detach.
#             profile has no "ready" line in bcc: `profile -F 999 1`, wall
#             time less the second.
#   CPU s     the tool's CPU time over that run (bcc's includes its compile)
#   per hit   ns per call of the traced loop (N calls) less the untraced
#             one: what a tool adds to each hit. trace's filter is never
#             true, so that the hot path is measured, not the printing
#             (bcc's trace prints a backlog for tens of seconds before it
#             obeys Ctrl-C).
#
# Each figure is the median of REPS runs (the best of 2 by default: bcc
# compiles for seconds at each start; about two minutes in all), ours and
# bcc's alternating.
#   bench/bcc.sh [REPS] [CALLS]    (root; after make all and
#                                   make -f bench/bench.mk bench-bins)
# bcc's tools need kernel headers: see bench/bcc-env.sh.
set -u
export LC_ALL=C
cd "$(dirname "$0")/.."
REPS=${1:-2}
N=${2:-200000}
B=build
HL=$(realpath "$B/bench/hitloop" 2>/dev/null)
[ -x "$HL" ] || { echo "bcc.sh: $B/bench/hitloop missing: make -f bench/bench.mk bench-bins" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bcc.sh: needs root" >&2; exit 1; }
. bench/bcc-env.sh
bcc_headers "$B/bench/kheaders" || exit 1
mkdir -p "$B/bench"
cc -O2 -o "$B/bench/sysloop" bench/sysloop.c || exit 1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# bcc's tool for a cotrace tool, and cotrace's name for a bcc one.
bcc_of() { case $1 in uprobe-trace) echo trace ;; ulatency) echo funclatency ;; *) echo "$1" ;; esac; }
TOOLS=(funccount stackcount profile syscount uprobe-trace argdist ulatency)
for t in "${TOOLS[@]}"; do
	[ -x "$B/$t" ] || { echo "bcc.sh: $B/$t missing: run make" >&2; exit 1; }
	[ -n "$(bcc_tool "$(bcc_of "$t")")" ] || { echo "bcc.sh: bcc's $(bcc_of "$t") is not installed" >&2; exit 1; }
done

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
now() { date +%s.%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.1fx", b / a; else print "-" }'; }

# run_args TOOL: the arguments TOOL runs with (bcc's letters, the same for
# both), into ARGS.
run_args() {
	case $1 in
	funccount|stackcount|ulatency) ARGS=("$HL:hit") ;;
	uprobe-trace) ARGS=("p:$HL:hit (arg1 == 123456789) \"%d\", arg1") ;;
	argdist) ARGS=(-v -C "p:$HL:hit(int x):int:x") ;;
	syscount) ARGS=() ;;
	profile) ARGS=(-F 999 1) ;;
	esac
}

# measure WHO TOOL: "START CPU NS" of one run: start-up seconds, CPU
# seconds, ns per call of the traced loop ("-" where there is none).
# GNU time ignores SIGINT while it waits: the signal goes to its child.
measure() {
	local who=$1 t=$2 bin log=$TMP/$1-$2.log t0 t1 t2 t3 ns=- cpu
	bin=$B/$t
	# Emptied here: the background tool opens its files after the fork,
	# and the wait for "ready" must not read an earlier run's.
	: >"$log"
	rm -f "$TMP/cpu"
	[ "$who" = bcc ] && bin=$(bcc_tool "$(bcc_of "$t")")
	run_args "$t"
	if [ "$t" = profile ]; then
		t0=$(now)
		timeout -s KILL 120 /usr/bin/time -o "$TMP/cpu" -f '%U %S' "$bin" "${ARGS[@]}" \
			>"$log" 2>&1 </dev/null
		t1=$(now)
		awk -v a="$t0" -v b="$t1" -v u="$(awk 'END { print $1 + $2 }' "$TMP/cpu")" \
			'BEGIN { printf "%.3f %.2f -\n", b - a - 1, u }'
		return
	fi
	t0=$(now)
	bcc_start "$log" /usr/bin/time -o "$TMP/cpu" -f '%U %S' "$bin" "${ARGS[@]}"
	if ! wait_ready "$log" "$BG_PID" 120; then
		bcc_stop "$BG_PID"
		echo "- - -"
		return
	fi
	t1=$(now)
	if [ "$t" = syscount ]; then
		ns=$(taskset -c 0 "$B/bench/sysloop" "$N")
	else
		ns=$(taskset -c 0 "$HL" "$N" | cut -d' ' -f1)
	fi
	t2=$(now)
	kill -INT "$(pgrep -P "$BG_PID" | head -1)" 2>/dev/null
	bcc_stop "$BG_PID"
	t3=$(now)
	cpu=$(awk 'END { print $1 + $2 }' "$TMP/cpu")
	awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v u="$cpu" -v ns="$ns" \
		'BEGIN { printf "%.3f %.2f %s\n", (b - a) + (d - c), u, ns }'
}

declare -A S_OURS S_BCC C_OURS C_BCC H_OURS H_BCC
U_HIT= U_SYS=
for ((r = 0; r < REPS; r++)); do
	for t in "${TOOLS[@]}"; do
		read -r s c h <<<"$(measure ours "$t")"
		S_OURS[$t]+="$s " C_OURS[$t]+="$c " H_OURS[$t]+="$h "
		read -r s c h <<<"$(measure bcc "$t")"
		S_BCC[$t]+="$s " C_BCC[$t]+="$c " H_BCC[$t]+="$h "
	done
	U_HIT+="$(taskset -c 0 "$HL" "$N" | cut -d' ' -f1) "
	U_SYS+="$(taskset -c 0 "$B/bench/sysloop" "$N") "
done
uh=$(tr ' ' '\n' <<<"$U_HIT" | grep . | median)
us=$(tr ' ' '\n' <<<"$U_SYS" | grep . | median)
m() { tr ' ' '\n' <<<"$1" | grep -v '^-*$' | median; }

printf '# %s, %s, %d CPUs, bcc %s, median of %d; %d calls per loop\n' \
	"$(date -u '+%F %H:%M UTC')" "$(uname -r)" "$(nproc)" \
	"$(dpkg-query -W -f '${Version}' bpfcc-tools 2>/dev/null || echo '?')" "$REPS" "$N"
printf '# untraced: hit() %s ns/call, getppid() %s ns/call\n' "$uh" "$us"
printf '%-26s %-44s %22s %14s %24s\n' "tool (bcc's)" "line (both)" "start-up s (ratio)" "CPU s" \
	"added ns/hit (ratio)"
for t in "${TOOLS[@]}"; do
	so=$(m "${S_OURS[$t]}") sb=$(m "${S_BCC[$t]}")
	co=$(m "${C_OURS[$t]}") cb=$(m "${C_BCC[$t]}")
	hit=-
	if [ "$t" != profile ]; then
		u=$uh
		[ "$t" = syscount ] && u=$us
		ho=$(awk -v h="$(m "${H_OURS[$t]}")" -v u="$u" 'BEGIN { printf "%.0f", h - u }')
		hb=$(awk -v h="$(m "${H_BCC[$t]}")" -v u="$u" 'BEGIN { printf "%.0f", h - u }')
		hit="$ho / $hb ($(ratio "$ho" "$hb"))"
	fi
	run_args "$t"
	line=$(printf '%s ' "$t" "${ARGS[@]}" | sed "s|$HL|HL|g")
	printf '%-26s %-44s %22s %14s %24s\n' "$t ($(bcc_of "$t"))" "$line" \
		"$so / $sb ($(ratio "$so" "$sb"))" "$co / $cb" "$hit"
done
echo "(ours / bcc; ratio = bcc / ours; HL = $HL; bcc's kernel headers: ${BCC_KERNEL_SOURCE:-its own})"
