#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Per-hit cost of the argument and latency tools against funccount on the
# same function, and uprobe-trace's event rate written to a file, side by
# side in one run (bench/hitloop: hit(int) starts with push %rbp).
#   bench/tools.sh [CALLS] [REPS]     (after make all and make -f bench/bench.mk bench-bins)
set -u
cd "$(dirname "$0")/.."
N=${1:-1000000}
REPS=${2:-5}
B=build
HL=$B/bench/hitloop
[ -x "$HL" ] || { echo "run: make -f bench/bench.mk bench-bins" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# ns/call of hitloop, traced through -c (hitloop writes its figure to its
# own file, so the tool's output cannot interleave with it).
HLCMD="sh -c 'exec $HL $N > $TMP/hl.out'"
run_with() {
	local name=$1
	shift
	rm -f "$TMP/hl.out"
	"$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	cut -d' ' -f1 "$TMP/hl.out"
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

declare -A res
for ((r = 0; r < REPS; r++)); do
	res[untraced]+="$("$HL" "$N" | cut -d' ' -f1) "
	res[funccount]+="$(run_with fc $B/funccount --cmd "$HLCMD" "$HL:hit") "
	res[ulatency]+="$(run_with ul $B/ulatency -c "$HLCMD" "$HL:hit") "
	res[argdist]+="$(run_with ad $B/argdist --cmd "$HLCMD" -C "p:$HL:hit(int x):int:x") "
	res[uprobe-trace]+="$(run_with ut $B/uprobe-trace -b 1024 --cmd "$HLCMD" "p:$HL:hit \"%d\", arg1") "
done

printf '# %s, %s, %d calls of hit(), median of %d runs\n' "$(date -u '+%F %H:%M UTC')" \
	"$(uname -r)" "$N" "$REPS"
printf '%-14s %10s %12s\n' tool ns/call vs-funccount
fc=$(echo ${res[funccount]} | tr ' ' '\n' | median)
un=$(echo ${res[untraced]} | tr ' ' '\n' | median)
for t in untraced funccount ulatency argdist uprobe-trace; do
	m=$(echo ${res[$t]} | tr ' ' '\n' | median)
	printf '%-14s %10s %12s\n' "$t" "$m" \
		"$(awk -v m="$m" -v f="$fc" -v u="$un" 'BEGIN { if (f - u > 0) printf "%.2f", (m - u) / (f - u); }')"
done
# uprobe-trace's rate: lines written to a file with no unreported loss.
lines=$(grep -c ' hit  ' "$TMP/ut.out")
lost=$(grep -o 'lost [0-9]*\|[0-9]* events lost' "$TMP/ut.err" | grep -o '[0-9]*' | head -1)
echo "uprobe-trace last run: $lines lines printed, ${lost:-0} reported lost, of $N calls"
