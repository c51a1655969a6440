#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Cost per syscall of syscount, side by side in one run: a getppid() loop
# untraced, under an empty BPF program on the same raw syscall tracepoints
# (the floor), under syscount (counting), syscount -L, and bcc's syscount
# when it is installed. Each configuration is run ROUNDS times, interleaved,
# and the median is kept. Usage: bench/syscount.sh [CALLS] [ROUNDS]
set -u
cd "$(dirname "$0")/.."
N=${1:-2000000}
ROUNDS=${2:-5}
B=build/bench
mkdir -p "$B"
cc -O2 -o "$B/sysloop" bench/sysloop.c || exit 1
cc -O2 -o "$B/sysfloor" bench/sysfloor.c -lbpf -lelf -lz || exit 1
[ -x build/syscount ] || { echo "build/syscount missing: run make" >&2; exit 1; }
. bench/bcc-env.sh
BCC=$(bcc_tool syscount)
[ -n "$BCC" ] && ! bcc_headers "$B/kheaders" && BCC=

# tracer_run CMD...: start CMD, wait (bounded) for it to be ready, run
# the loop pinned to CPU 0, stop CMD (bench/bcc-env.sh: SIGINT reaches
# bcc's tools too, and the wait for their exit is bounded); prints ns per
# call.
tracer_run() {
	local log ns
	log=$(mktemp)
	bcc_start "$log" "$@"
	wait_ready "$log" "$BG_PID" 60
	ns=$(taskset -c 0 "$B/sysloop" "$N")
	bcc_stop "$BG_PID"
	rm -f "$log"
	echo "$ns"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A res
configs=(untraced floor_enter floor_both syscount syscount_L)
[ -n "$BCC" ] && configs+=(bcc)
for ((r = 0; r < ROUNDS; r++)); do
	for c in "${configs[@]}"; do
		case $c in
		untraced) v=$(taskset -c 0 "$B/sysloop" "$N") ;;
		floor_enter) v=$(tracer_run "$B/sysfloor" enter) ;;
		floor_both) v=$(tracer_run "$B/sysfloor" both) ;;
		syscount) v=$(tracer_run build/syscount) ;;
		syscount_L) v=$(tracer_run build/syscount -L) ;;
		bcc) v=$(tracer_run "$BCC") ;;
		esac
		res[$c]+="$v "
	done
done
declare -A med
for c in "${configs[@]}"; do
	med[$c]=$(echo "${res[$c]}" | tr ' ' '\n' | grep . | median)
done
u=${med[untraced]}
printf '%s\n' "$(uname -r), $(nproc) CPUs, $N getppid() calls x $ROUNDS rounds (median), loop on CPU 0"
printf '%-26s %10s %12s %14s\n' config "ns/call" "added ns" "vs its floor"
for c in "${configs[@]}"; do
	m=${med[$c]}
	case $c in
	syscount) f=${med[floor_enter]} ;;
	syscount_L) f=${med[floor_both]} ;;
	bcc) f=${med[floor_both]} ;;
	*) f= ;;
	esac
	ratio=-
	[ -n "$f" ] && ratio=$(awk -v m="$m" -v f="$f" 'BEGIN { printf "%.2fx", m / f }')
	printf '%-26s %10s %12s %14s\n' "$c" "$m" "$(awk -v m="$m" -v u="$u" 'BEGIN { printf "%.1f", m - u }')" "$ratio"
done
[ -n "$BCC" ] || echo "bcc's syscount: not run (not installed, or no kernel headers for it)"
