#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Python frames, side by side in one run (docs/performance.md): profile
# on a pure-Python program (tests/targets/pytree.py under Debian's
# python3.11, <module>;main;a;b;leaf and json), sampled
#  a. at 999 Hz with -p: the BPF program's ns per sample (kernel BPF
#     statistics) with Python frames and with --no-python (the native
#     CFI walk alone), median of REPS runs;
#  b. at 99 Hz on every CPU for SECS seconds: CPU of profile's process
#     and of its BPF program, in % of one core.
#   bench/python.sh [SECS] [REPS]   (as root, after make all)
set -u
cd "$(dirname "$0")/.."
SECS=${1:-5}
REPS=${2:-3}
PY=/usr/bin/python3.11
PR=build/profile
[ -x "$PR" ] || { echo "run: make" >&2; exit 1; }
[ -x "$PY" ] || { echo "bench/python.sh: $PY missing" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench/python.sh: run as root" >&2; exit 1; }
TMP=$(mktemp -d)
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
cleanup() {
	sysctl -qw kernel.bpf_stats_enabled="$old_stats"
	[ -n "${wpid:-}" ] && kill "$wpid" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
sysctl -qw kernel.bpf_stats_enabled=1
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
# prog IDS: "ns/run runs total-ns" of the do_sample programs loaded now
# whose ids are not in IDS (those of other runs on a shared machine).
prog() {
	bpftool prog show -j | jq -r --argjson old "[$1]" '[.[] | select(.name == "do_sample" and
		(.run_cnt // 0) > 0 and ((.id as $i | $old | index($i)) == null))] |
		if length == 0 then "0 0 0" else
		"\((map(.run_time_ns) | add) / (map(.run_cnt) | add) | floor) \(map(.run_cnt) | add) \(map(.run_time_ns) | add)" end'
}
ids() { bpftool prog show -j | jq -r '[.[] | select(.name == "do_sample") | .id] | join(",")'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# The workload runs for the whole benchmark.
"$PY" tests/targets/pytree.py 100000 "$TMP/own" &
wpid=$!
sleep 1

# run ARGS...: profile ARGS for SECS seconds; prints "prog-ns/run runs prog-ns cpu-ticks".
run() {
	local tpid res t0 t1 old r0 r1
	old=$(ids)
	"$PR" -d "$SECS" "$@" >"$TMP/out" 2>"$TMP/err" &
	tpid=$!
	for ((i = 0; i < 200; i++)); do
		grep -qs 'Hit Ctrl-C' "$TMP/err" && break
		sleep 0.05
	done
	# The steady state: from 1 s after start to 1 s before the end.
	sleep 1
	t0=$(ticks "$tpid")
	r0=$(prog "$old")
	sleep "$((SECS - 2))"
	r1=$(prog "$old")
	t1=$(ticks "$tpid" 2>/dev/null || echo "$t0")
	wait "$tpid"
	set -- $r0 $r1
	# ns/run over the window, runs, ns, tool ticks
	awk -v a="$2" -v b="$3" -v c="$5" -v d="$6" -v t="$((t1 - t0))" 'BEGIN {
		n = c - a; r = n > 0 ? (d - b) / n : 0; printf "%d %d %d %d\n", r, n, d - b, t }'
}

declare -A ns
for ((r = 0; r < REPS; r++)); do
	for m in python native; do
		opt=()
		[ $m = native ] && opt=(--no-python)
		res=$(run -F 999 -p "$wpid" -f "${opt[@]}")
		ns[$m]+="${res%% *} "
	done
done
hz=$(getconf CLK_TCK)
printf '# %s, %s, %s CPUs, %s (pytree.py), median of %d runs of %d s\n' \
	"$(date -u '+%F %H:%M UTC')" "$(uname -r)" "$(nproc)" "$("$PY" -V)" "$REPS" "$SECS"
printf '## a. profile -F 999 -p: BPF program ns per sample\n'
p=$(echo ${ns[python]} | tr ' ' '\n' | median)
n=$(echo ${ns[native]} | tr ' ' '\n' | median)
printf '%-28s %8s\n' "with Python frames" "$p" "--no-python (native CFI walk)" "$n"
awk -v p="$p" -v n="$n" 'BEGIN { printf "Python frames add %d ns per sample (x%.2f)\n", p - n, p / n }'
printf '\n## b. profile -F 99 on every CPU, steady state (%d s)\n' "$((SECS - 2))"
for m in python native; do
	opt=()
	[ $m = native ] && opt=(--no-python)
	read -r pns runs tot cpu <<<"$(run -F 99 -f "${opt[@]}")"
	awk -v m="$m" -v runs="$runs" -v tot="$tot" -v cpu="$cpu" -v s="$((SECS - 2))" -v hz="$hz" 'BEGIN {
		printf "%-7s samples %d (%d ns each), BPF program %.3f%% of a core, profile process %.3f%% of a core\n",
			m, runs, runs ? tot / runs : 0, 100 * tot / (s * 1e9), 100 * cpu / hz / s }'
done
