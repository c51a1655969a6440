#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# User-stack walks, side by side in one run (docs/performance.md):
#  a. per event, a uprobe on hit() with a 20-frame user stack (bench/unwind):
#     no stack (stackcount -K), frame pointers (--unwind fp), CFI
#     (--unwind cfi); ns/call of the loop, and the BPF program's own
#     ns/run from the kernel's BPF statistics (kernel.bpf_stats_enabled)
#  b. unwind tables of a python3 process and its libraries: files, rows,
#     memory, build time (profile -v -p); one table's build time for
#     python3, libc, cc1 and libLLVM (build/bench/unwind_build;
#     ALT_UNWIND_BUILD=PATH: another build's too)
#  c. profile -F 99 on every CPU, both CPUs busy, then under heavy process
#     churn: CPU of the tool and of its BPF programs, in % of one core
#  d. what the hooks on mmap, mprotect, munmap and exec cost every other
#     syscall: a getppid() loop without profile, under --unwind fp (no
#     hooks) and --unwind cfi (ALT_PROFILE=PATH: another build's cfi too)
#   bench/unwind.sh [CALLS] [REPS]   (as root, after make all and
#                                     make -f bench/bench.mk bench-bins)
#   SECTIONS="c d" bench/unwind.sh    only some of them
set -u
cd "$(dirname "$0")/.."
N=${1:-1000000}
REPS=${2:-5}
B=build
W=$B/bench/unwind
[ -x "$W" ] || { echo "run: make -f bench/bench.mk bench-bins" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench/unwind.sh: run as root" >&2; exit 1; }
TMP=$(mktemp -d)
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
cleanup() {
	sysctl -qw kernel.bpf_stats_enabled="$old_stats"
	rm -rf "$TMP"
}
trap cleanup EXIT
sysctl -qw kernel.bpf_stats_enabled=1
SECTIONS=${SECTIONS:-a b c d}
want() { [[ " $SECTIONS " == *" $1 "* ]]; }
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# prog_ns: ns per run of the stack_uprobe* programs loaded (this script
# runs one stackcount at a time; Debian's bpftool shows no pids).
prog_ns() {
	bpftool prog show -j | jq '[.[] | select((.name | startswith("stack_uprobe")) and
		(.run_cnt // 0) > 0)] | if length == 0 then 0 else
		((map(.run_time_ns) | add) / (map(.run_cnt) | add)) end | floor'
}

# one MODE ARGS...: a run of the workload traced by stackcount ARGS (none
# for "untraced"); prints "ns/call prog-ns/run".
one() {
	local mode=$1 wpid tpid ns prog=0 i
	shift
	mkfifo "$TMP/in"
	"$W" "$N" 14 <"$TMP/in" >"$TMP/w.out" &
	wpid=$!
	exec 7>"$TMP/in"
	if [ "$mode" != untraced ]; then
		: >"$TMP/t.err"
		$B/stackcount -p "$wpid" "$@" "$W:hit" >"$TMP/t.out" 2>"$TMP/t.err" &
		tpid=$!
		for ((i = 0; i < 600; i++)); do
			grep -qs 'Hit Ctrl-C' "$TMP/t.err" && break
			kill -0 "$tpid" 2>/dev/null || { cat "$TMP/t.err" >&2; break; }
			sleep 0.05
		done
	fi
	echo go >&7
	for ((i = 0; i < 1200; i++)); do
		grep -q ns/call "$TMP/w.out" && break
		sleep 0.05
	done
	ns=$(cut -d' ' -f1 "$TMP/w.out")
	if [ "$mode" != untraced ]; then
		prog=$(prog_ns)
		kill -INT "$tpid"
		wait "$tpid"
	fi
	echo go >&7
	exec 7>&-
	wait "$wpid"
	rm -f "$TMP/in"
	echo "$ns $prog"
}

printf '# %s, %s, %s CPUs, load %s; %d calls of hit() from a 20-frame stack, median of %d runs\n' \
	"$(date -u '+%F %H:%M UTC')" "$(uname -r)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$N" "$REPS"
if want a; then
declare -A ns prog
modes=(untraced nostack fp cfi)
for ((r = 0; r < REPS; r++)); do
	for m in "${modes[@]}"; do
		case $m in
		untraced) res=$(one untraced) ;;
		nostack) res=$(one nostack -K) ;;
		fp) res=$(one fp -U --unwind fp) ;;
		cfi) res=$(one cfi -U --unwind cfi) ;;
		esac
		ns[$m]+="${res% *} "
		prog[$m]+="${res#* } "
	done
done
# The stacks each mode saw, from the last run of each.
for m in cfi fp; do
	echo go | $B/stackcount -f -U --unwind $m --cmd "$W 1000 14" "$W:hit" 2>/dev/null |
		grep ';' >"$TMP/$m.f"
done

printf '## a. per event: ns/call of the loop, and of the BPF program alone (bpf_stats)\n'
printf '%-10s %10s %14s %14s %8s\n' mode ns/call +ns/untraced prog-ns/run frames
un=$(echo ${ns[untraced]} | tr ' ' '\n' | median)
for m in "${modes[@]}"; do
	c=$(echo ${ns[$m]} | tr ' ' '\n' | median)
	p=$(echo ${prog[$m]} | tr ' ' '\n' | median)
	f=-
	[ "$m" = cfi ] && f=$(awk '{print gsub(/;/, ";")}' "$TMP/cfi.f" | sort -n | tail -1)
	[ "$m" = fp ] && f=$(awk '{print gsub(/;/, ";")}' "$TMP/fp.f" | sort -n | tail -1)
	printf '%-10s %10s %14s %14s %8s\n' "$m" "$c" \
		"$(awk -v c="$c" -v u="$un" 'BEGIN { printf "%.0f", c - u }')" "$p" "$f"
done
echo "(frames: the deepest stack each walk gave, the comm included as one)"
head -c 300 "$TMP/cfi.f"; echo
head -c 300 "$TMP/fp.f"; echo

fi

if want b; then
printf '\n## b. unwind tables of python3 and its libraries (profile -v -p, cold)\n'
mkfifo "$TMP/py.in"
exec 8<>"$TMP/py.in"
/usr/bin/python3 -c '
import json, decimal, sqlite3, ssl, hashlib, zlib, ctypes, xml.etree.ElementTree, asyncio, sys
print("ready", flush=True)
sys.stdin.readline()' <"$TMP/py.in" >"$TMP/py.out" 2>&1 &
py=$!
for ((i = 0; i < 200; i++)); do grep -q ready "$TMP/py.out" 2>/dev/null && break; sleep 0.05; done
echo "python3 maps $(awk '$2 ~ /x/ && $6 ~ /^\// {print $6}' /proc/$py/maps | sort -u | wc -l) executable files"
$B/profile -v -U -p "$py" 0.2 2>&1 >/dev/null | grep 'unwind tables' | sed 's/^/  /'
echo >&8
wait "$py" 2>/dev/null
exec 8>&-
echo "one table's build, CPU ms, median of 5 (build/bench/unwind_build${ALT_UNWIND_BUILD:+; alt: $ALT_UNWIND_BUILD}):"
files=()
for f in /usr/bin/python3.11 /lib/x86_64-linux-gnu/libc.so.6 /usr/lib/gcc/x86_64-linux-gnu/12/cc1 \
	/usr/lib/x86_64-linux-gnu/libLLVM-14.so.1; do
	[ -e "$f" ] && files+=("$f")
done
if [ -x $B/bench/unwind_build ]; then
	$B/bench/unwind_build -n 5 "${files[@]}" | sed 's/^/  /'
	[ -n "${ALT_UNWIND_BUILD:-}" ] && "$ALT_UNWIND_BUILD" -n 5 "${files[@]}" | sed 's/^/  alt /'
else
	echo "  (make build/bench/unwind_build)"
fi

fi

if want c; then
printf '\n## c. profile -F 99 on every CPU: steady state from 2 s to 10 s, in %% of one core\n'
echo "(tool: its utime + stime; BPF: run time of its programs, from their fdinfo)"
tick=$(getconf CLK_TCK)
cpu_ms() { awk -v t="$tick" '{printf "%.0f", ($14 + $15) * 1000 / t}' "/proc/$1/stat"; }
# bpf_ns PID: run time of the BPF programs PID holds (their fdinfo), ns.
bpf_ns() {
	local f t=0 n
	for f in /proc/$1/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = anon_inode:bpf-prog ] || continue
		n=$(awk '/^run_time_ns:/ {print $2}' "/proc/$1/fdinfo/${f##*/}" 2>/dev/null)
		t=$((t + ${n:-0}))
	done
	echo "$t"
}
forks() { awk '/^processes/ {print $2}' /proc/stat; }
# busy: one endless loop per CPU; churn: per CPU, short processes one
# after the other (awk for ~10 ms, sed, and gcc checking an empty file:
# some 100 to 300 new processes a second in all).
start_load() {
	local i
	for ((i = 0; i < $(nproc); i++)); do
		if [ "$1" = busy ]; then
			timeout 40 sh -c 'while :; do :; done' &
		else
			timeout 40 sh -c 'while :; do
				awk "BEGIN { for (i = 0; i < 20000; i++) s += i }"
				sed -n 1p /etc/passwd >/dev/null
				gcc -fsyntax-only -x c /dev/null
			done' &
		fi
	done
}
for load in busy churn; do
	start_load $load
	sleep 1
	cmodes=(fp cfi)
	[ -n "${ALT_PROFILE:-}" ] && cmodes+=(alt)
	for m in "${cmodes[@]}"; do
		prof=$B/profile
		um=$m
		[ "$m" = alt ] && { prof=$ALT_PROFILE; um=cfi; }
		"$prof" -v -j -F 99 --unwind $um 12 >"$TMP/p.json" 2>"$TMP/p.err" &
		pp=$!
		sleep 2
		c0=$(cpu_ms "$pp"); b0=$(bpf_ns "$pp"); f0=$(forks)
		sleep 8
		c1=$(cpu_ms "$pp"); b1=$(bpf_ns "$pp"); f1=$(forks)
		wait "$pp"
		awk -v m="$m" -v l="$load" -v c=$((c1 - c0)) -v b=$((b1 - b0)) -v f=$(((f1 - f0) / 8)) \
			'BEGIN { printf "%-6s %-4s %4d new processes/s: tool %4d ms, BPF %4d ms in 8 s: %.2f%% of one core\n",
				l, m, f, c, b / 1e6, (c + b / 1e6) / 80 }'
		jq -rs '[.[] | select(.type == "summary")][0] |
			"  \(.samples) samples in 12 s: \(.cut_user_stacks) cut short, \(.fp_user_stacks) with frame-pointer frames, \(.early_user_stacks) before their tables"' \
			"$TMP/p.json"
		[ "$um" = cfi ] && grep 'unwind tables:' "$TMP/p.err" | sed 's/^/  /'
	done
	kill $(jobs -p) 2>/dev/null
	wait 2>/dev/null
done

fi

if want d; then
printf '\n## d. the mapping-change hooks per syscall: getppid() on CPU 0, 1000000 calls, median of %d\n' "$REPS"
echo "(profile -F 99 on every CPU; fp has no hook, cfi attaches them; ALT_PROFILE=PATH adds a build to compare;"
echo " hook runs and ns: the tool's programs other than do_sample, over the loop, from bpftool)"
cc -O2 -o "$TMP/sysloop" bench/sysloop.c || exit 1
# hook_stats PID: "runs ns" of PID's BPF programs other than do_sample.
hook_stats() {
	local f id r=0 t=0 line
	for f in /proc/$1/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = anon_inode:bpf-prog ] || continue
		id=$(awk '/^prog_id:/ {print $2}' "/proc/$1/fdinfo/${f##*/}" 2>/dev/null)
		[ -n "$id" ] || continue
		line=$(bpftool prog show id "$id" -j 2>/dev/null |
			jq -r 'select(.name != "do_sample") | "\(.run_cnt // 0) \(.run_time_ns // 0)"')
		[ -n "$line" ] || continue
		r=$((r + ${line% *}))
		t=$((t + ${line#* }))
	done
	echo "$r $t"
}
declare -A sys hruns hns
smodes=(untraced fp cfi)
[ -n "${ALT_PROFILE:-}" ] && smodes+=(alt)
for ((r = 0; r < REPS; r++)); do
	for m in "${smodes[@]}"; do
		pp=
		case $m in
		fp | cfi) $B/profile -F 99 --unwind $m 60 >/dev/null 2>"$TMP/p.err" & pp=$! ;;
		alt) "$ALT_PROFILE" -F 99 --unwind cfi 60 >/dev/null 2>"$TMP/p.err" & pp=$! ;;
		esac
		if [ -n "$pp" ]; then
			for ((i = 0; i < 200; i++)); do
				grep -qs 'Hit Ctrl-C' "$TMP/p.err" && break
				sleep 0.05
			done
			h0=$(hook_stats "$pp")
		fi
		sys[$m]+="$(taskset -c 0 "$TMP/sysloop" 1000000) "
		if [ -n "$pp" ]; then
			h1=$(hook_stats "$pp")
			hruns[$m]+="$((${h1% *} - ${h0% *})) "
			hns[$m]+="$((${h1#* } - ${h0#* })) "
			kill -INT "$pp"
			wait "$pp"
		fi
	done
done
printf '%-10s %8s %12s %12s\n' mode ns/call hook-runs hook-ms
for m in "${smodes[@]}"; do
	printf '%-10s %8s %12s %12s\n' "$m" "$(echo ${sys[$m]} | tr ' ' '\n' | median)" \
		"$(echo ${hruns[$m]:-0} | tr ' ' '\n' | median)" \
		"$(echo ${hns[$m]:-0} | tr ' ' '\n' | median | awk '{printf "%.1f", $1 / 1e6}')"
done
fi
