#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Fuzz each harness for its share of SECONDS: run.sh SECONDS HARNESS...
# New inputs go to build/fuzz/work/NAME (the committed seed corpus in
# tests/fuzz/corpus/NAME is read, never written); crashes to
# build/fuzz/crashes/. Prints one line per harness (executions, crashes)
# and a total; exits non-zero if any harness crashed.
set -u
cd "$(dirname "$0")/../.."
total=$1
shift
[ $# -gt 0 ] || { echo "run.sh: no harness given" >&2; exit 2; }
each=$((total / $#))
[ "$each" -ge 1 ] || each=1
runs_all=0
crashed=0
mkdir -p build/fuzz/crashes build/fuzz/logs
for h in "$@"; do
	name=$(basename "$h")
	work=build/fuzz/work/$name
	seeds=tests/fuzz/corpus/$name
	log=build/fuzz/logs/$name.log
	mkdir -p "$work" "$seeds"
	rc=0
	"$h" -max_total_time="$each" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="build/fuzz/crashes/$name-" \
		"$work" "$seeds" >"$log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	runs=${runs:-0}
	runs_all=$((runs_all + runs))
	if [ "$rc" -ne 0 ]; then
		crashed=$((crashed + 1))
		printf '%-20s %10s runs in %ss  CRASH (exit %d), see %s\n' "$name" "$runs" "$each" \
			"$rc" "$log"
		grep -m1 -E 'ERROR: |runtime error' "$log" | sed 's/^/    /'
	else
		printf '%-20s %10s runs in %ss  ok\n' "$name" "$runs" "$each"
	fi
done
echo "total: $runs_all runs, $crashed harness(es) crashed"
[ "$crashed" -eq 0 ]
