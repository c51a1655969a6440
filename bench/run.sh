#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench/run.sh: funccount against the kernel's own cost ("the floor",
# bench/floor.c: an empty BPF program on the same sites) and bpftrace, side
# by side in one run. Run as root after `make all targets` and
# `make -f bench/bench.mk bench-bins` (or simply `make bench`).
#
#   a. attach+detach, wall time from start to exit: all of libc and a
#      20,000-function binary in one multi-uprobe link; about 300 sites
#      with one perf-event uprobe each (detach costs ~0.1 s per probe)
#   b. bpftrace on the same libc patterns, start (-c /bin/true) to exit
#   c. per-hit cost of a uprobe on a `push %rbp` function
#   d. start-up to "Tracing", wall time and peak RSS for one probe
#
# Environment: BENCH_REPS (default 5) repetitions, alternating, of the fast
# measurements (a multi, d), BENCH_HIT_REPS (default 9) of c; single-probe
# and bpftrace runs are made once.
# BENCH_OUT (default build/bench/results) gets raw.tsv, table.txt and logs.
# Every command runs under timeout; background processes are killed on exit.
set -u
export LC_ALL=C

cd "$(dirname "$0")/.."
B=${BUILD:-build}
FC=$B/funccount
FL=$B/bench/floor
HL=$(realpath "$B/bench/hitloop")
MANY=$(realpath "$B/bench/many20k")
LIBC=/lib/x86_64-linux-gnu/libc.so.6
REPS=${BENCH_REPS:-5}
HITS=${BENCH_HITS:-2000000}
HREPS=${BENCH_HIT_REPS:-9}
OUT=${BENCH_OUT:-$B/bench/results}
TMO=${BENCH_TIMEOUT:-600}
BT_ENV="BPFTRACE_MAX_PROBES=4096 BPFTRACE_MAX_BPF_PROGS=4096"

for f in "$FC" "$FL" "$HL" "$MANY"; do
	[ -x "$f" ] || { echo "run.sh: $f missing: run make bench" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root" >&2; exit 1; }
mkdir -p "$OUT/logs"
RAW=$OUT/raw.tsv
TABLE=$OUT/table.txt
: > "$RAW"
: > "$TABLE"

BG=()
cleanup() {
	for p in "${BG[@]}"; do kill -INT "$p" 2>/dev/null; done
	sleep 0.2
	for p in "${BG[@]}"; do kill -KILL "$p" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s\n' "$*" | tee -a "$TABLE"; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
	if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A VALS
# rec NAME VALUE: one raw figure
rec() {
	printf '%s\t%s\n' "$1" "$2" >> "$RAW"
	VALS[$1]="${VALS[$1]:-} $2"
}
med() { median ${VALS[$1]}; }

# wall LOG CMD...: run CMD under timeout; WALL = seconds, RC = exit status
wall() {
	local logf=$1 t0 t1
	shift
	t0=$EPOCHREALTIME
	timeout -s INT -k 10 "$TMO" "$@" > "$logf" 2>&1
	RC=$?
	t1=$EPOCHREALTIME
	WALL=$(sub "$t0" "$t1")
	[ "$RC" = 0 ] || echo "  (exit $RC: $* ; see $logf)" >&2
}

# offsets FILE BINARY PATTERN...: the sites funccount lists for PATTERN,
# minus those whose first instruction funccount and the kernel refuse
offsets() {
	local file=$1 bin=$2
	shift 2
	"$FC" -l -j "$@" | sed -n 's/.*"offset":\([0-9]*\).*/\1/p' |
		"$FL" --filter "$bin" > "$file" 2>/dev/null
	wc -l < "$file"
}

summary_sites() { sed -n 's/.*"type":"summary","sites":\([0-9]*\).*/\1/p' "$1" | tail -1; }

# wait_for FILE REGEX SECS: poll until FILE has a line matching REGEX
wait_for() {
	local i
	for ((i = 0; i < $3 * 100; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.01
	done
	echo "run.sh: timed out waiting for '$2' in $1" >&2
	return 1
}

log "# cotrace bench, $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r), $(nproc) CPUs"
log "# funccount $("$FC" --version 2>&1 | head -1); $(bpftrace --version 2>/dev/null || echo 'bpftrace not installed')"
log "# reps=$REPS hit-reps=$HREPS hits=$HITS; at start: load $(cut -d' ' -f1-3 /proc/loadavg), $(ps -e --no-headers | wc -l) processes, $(grep -l libc.so.6 /proc/[0-9]*/maps 2>/dev/null | wc -l) map libc"

# ---- a. attach + detach, one multi-uprobe link ------------------------------
L=$OUT/logs
n_libc=$(offsets "$OUT/libc.offs" "$LIBC" 'c:*')
n_many=$(offsets "$OUT/many.offs" "$MANY" "$MANY:*")
log ""
log "## a. attach+detach, start to exit (s), median of $REPS, --attach=multi"
for ((r = 1; r <= REPS; r++)); do
	wall "$L/fc-libc-multi.$r" "$FC" --attach=multi -j -d 0.001 'c:*'
	rec fc_libc_multi "$WALL"
	rec fc_libc_multi_sites "$(summary_sites "$L/fc-libc-multi.$r")"
	wall "$L/fl-libc-multi.$r" "$FL" "$LIBC" "$OUT/libc.offs"
	rec fl_libc_multi "$WALL"
	wall "$L/fc-many-multi.$r" "$FC" --attach=multi -j -d 0.001 "$MANY:*"
	rec fc_many_multi "$WALL"
	rec fc_many_multi_sites "$(summary_sites "$L/fc-many-multi.$r")"
	wall "$L/fl-many-multi.$r" "$FL" "$MANY" "$OUT/many.offs"
	rec fl_many_multi "$WALL"
done
a1=$(med fc_libc_multi) b1=$(med fl_libc_multi) a2=$(med fc_many_multi) b2=$(med fl_many_multi)
log "$(printf '%-28s %7s %9s %7s %7s' target sites funccount floor ratio)"
log "$(printf '%-28s %7s %9s %7s %7s' "libc 'c:*'" "$(med fc_libc_multi_sites)/$n_libc" "$a1" "$b1" "$(ratio "$a1" "$b1")")"
log "$(printf '%-28s %7s %9s %7s %7s' "many20k 'PATH:*'" "$(med fc_many_multi_sites)/$n_many" "$a2" "$b2" "$(ratio "$a2" "$b2")")"

# ---- a. one perf-event uprobe per site, about 300 sites ---------------------
STR_PAT='c:*str*'
MANY_PATS=("$MANY:f_000??" "$MANY:f_001??" "$MANY:f_002??")
n_str=$(offsets "$OUT/str.offs" "$LIBC" "$STR_PAT")
n_m300=$(offsets "$OUT/many300.offs" "$MANY" "${MANY_PATS[@]}")
log ""
log "## a. attach+detach, start to exit (s), one run, --attach=single (~300 sites)"
wall "$L/fc-str-single" "$FC" --attach=single -j -d 0.001 "$STR_PAT"
rec fc_str_single "$WALL"; s1=$(summary_sites "$L/fc-str-single")
wall "$L/fl-str-single" "$FL" --single "$LIBC" "$OUT/str.offs"
rec fl_str_single "$WALL"
wall "$L/fc-m300-single" "$FC" --attach=single -j -d 0.001 "${MANY_PATS[@]}"
rec fc_m300_single "$WALL"; s2=$(summary_sites "$L/fc-m300-single")
wall "$L/fl-m300-single" "$FL" --single "$MANY" "$OUT/many300.offs"
rec fl_m300_single "$WALL"
a1=$(med fc_str_single) b1=$(med fl_str_single) a2=$(med fc_m300_single) b2=$(med fl_m300_single)
log "$(printf '%-28s %7s %9s %7s %7s' target sites funccount floor ratio)"
log "$(printf '%-28s %7s %9s %7s %7s' "libc '$STR_PAT'" "$s1/$n_str" "$a1" "$b1" "$(ratio "$a1" "$b1")")"
log "$(printf '%-28s %7s %9s %7s %7s' "many20k 'f_000??'..'f_002??'" "$s2/$n_m300" "$a2" "$b2" "$(ratio "$a2" "$b2")")"

# ---- b. bpftrace ------------------------------------------------------------
log ""
if command -v bpftrace > /dev/null; then
	log "## b. bpftrace -c /bin/true vs funccount -d 0.001, start to exit (s), one run"
	log "$(printf '%-12s %-26s %6s %7s %s' pattern tool probes wall status)"
	for pat in 'str*' '*str*'; do
		nfl=$(offsets "$OUT/bt.offs" "$LIBC" "c:$pat")
		wall "$L/bt-$pat" env $BT_ENV bpftrace -c /bin/true \
			-e "uprobe:$LIBC:$pat { @[probe] = count(); }"
		st=ok; [ "$RC" = 0 ] || st="FAILED (exit $RC: $(grep -m1 '^ERROR: Error attaching' "$L/bt-$pat" | cut -c8-))"
		np=$(sed -n 's/^Attaching \([0-9]*\) probes.*/\1/p' "$L/bt-$pat")
		log "$(printf '%-12s %-26s %6s %7s %s' "$pat" bpftrace "${np:-?}" "$WALL" "$st")"
		rec "bt_$pat" "$WALL"
		for mode in auto single; do
			wall "$L/fc-bt-$mode-$pat" "$FC" --attach=$mode -j -d 0.001 "c:$pat"
			st=ok; [ "$RC" = 0 ] || st="FAILED (exit $RC)"
			log "$(printf '%-12s %-26s %6s %7s %s' "$pat" "funccount --attach=$mode" \
				"$(summary_sites "$L/fc-bt-$mode-$pat")" "$WALL" "$st")"
			rec "fc_bt_${mode}_$pat" "$WALL"
		done
		wall "$L/fl-bt-$pat" "$FL" --single "$LIBC" "$OUT/bt.offs"
		log "$(printf '%-12s %-26s %6s %7s %s' "$pat" "floor --single" "$nfl" "$WALL" ok)"
		rec "fl_bt_single_$pat" "$WALL"
	done
else
	log "## b. bpftrace not installed: skipped (apt-get install bpftrace)"
fi

# ---- c. per-hit cost ------------------------------------------------------------
hit_off=$("$FC" -l -j "$HL:hit" | sed -n 's/.*"offset":\([0-9]*\).*/\1/p')
nsper() { sed -n 's/^\([0-9.]*\) ns\/call.*/\1/p' "$1"; }
for ((r = 1; r <= HREPS; r++)); do
	timeout 60 "$HL" "$HITS" > "$L/hit-none.$r"
	rec hit_none "$(nsper "$L/hit-none.$r")"

	echo "$hit_off" > "$OUT/hit.offs"
	timeout 120 "$FL" --hold 100 "$HL" "$OUT/hit.offs" > "$L/hit-floor-fl.$r" 2>&1 &
	BG+=($!)
	if wait_for "$L/hit-floor-fl.$r" '^floor: attached 1 ' 10; then
		timeout 60 "$HL" "$HITS" > "$L/hit-floor.$r"
		rec hit_floor "$(nsper "$L/hit-floor.$r")"
	fi
	kill -INT "${BG[-1]}" 2>/dev/null; wait "${BG[-1]}" 2>/dev/null

	timeout 120 "$FC" -d 100 "$HL:hit" > "$L/hit-fc-fc.$r" 2>&1 &
	BG+=($!)
	if wait_for "$L/hit-fc-fc.$r" '^Tracing' 10; then
		timeout 60 "$HL" "$HITS" > "$L/hit-fc.$r"
		rec hit_fc "$(nsper "$L/hit-fc.$r")"
	fi
	kill -INT "${BG[-1]}" 2>/dev/null; wait "${BG[-1]}" 2>/dev/null
	grep -q "hit *$HITS\$" "$L/hit-fc-fc.$r" || echo "run.sh: funccount did not count $HITS hits: $L/hit-fc-fc.$r" >&2
done
vmin() { printf '%s\n' ${VALS[$1]} | sort -g | head -1; }
log ""
log "## c. per hit, ns/call over $HITS calls of hit() (push %rbp), $HREPS runs each, alternating"
log "$(printf '%-8s %-10s %-10s %-10s %s' '' untraced floor funccount '(funccount-untraced)/(floor-untraced)')"
for stat in med vmin; do
	u=$($stat hit_none) f=$($stat hit_floor) c=$($stat hit_fc)
	log "$(printf '%-8s %-10s %-10s %-10s %s' "${stat#v}" "$u" "$f" "$c" "$(ratio "$(sub "$u" "$c")" "$(sub "$u" "$f")")")"
done

# ---- d. start-up and peak RSS, one probe -------------------------------------
malloc_off=$("$FC" -l -j 'c:malloc' | sed -n 's/.*"offset":\([0-9]*\).*/\1/p' | head -1)
echo "$malloc_off" > "$OUT/malloc.offs"
# startup NAME REGEX CMD...: time to the first line matching REGEX, wall, RSS
startup() {
	local name=$1 re=$2 t0 t1 ready= rss=
	shift 2
	t0=$EPOCHREALTIME
	while IFS= read -r line; do
		[ -z "$ready" ] && [[ $line =~ $re ]] && ready=$EPOCHREALTIME
		[[ $line =~ ^PEAKRSS\ ([0-9]+) ]] && rss=${BASH_REMATCH[1]}
	done < <(timeout -k 5 30 /usr/bin/time -f 'PEAKRSS %M' "$@" 2>&1)
	t1=$EPOCHREALTIME
	rec "${name}_ready" "$(sub "$t0" "${ready:-$t1}")"
	rec "${name}_wall" "$(sub "$t0" "$t1")"
	rec "${name}_rss" "${rss:-0}"
}
for ((r = 1; r <= REPS; r++)); do
	startup su_fc '^Tracing' "$FC" -d 0.001 'c:malloc'
	startup su_fl '^floor: attached' "$FL" "$LIBC" "$OUT/malloc.offs"
done
log ""
log "## d. one probe (c:malloc): start to attached, start to exit (s), peak RSS (KB), median of $REPS"
log "$(printf '%-10s %9s %9s %9s' tool attached exit rss)"
log "$(printf '%-10s %9s %9s %9s' funccount "$(med su_fc_ready)" "$(med su_fc_wall)" "$(med su_fc_rss)")"
log "$(printf '%-10s %9s %9s %9s' floor "$(med su_fl_ready)" "$(med su_fl_wall)" "$(med su_fl_rss)")"
log "ratio      $(ratio "$(med su_fc_ready)" "$(med su_fl_ready)") $(ratio "$(med su_fc_wall)" "$(med su_fl_wall)") $(ratio "$(med su_fc_rss)" "$(med su_fl_rss)")"
log ""
log "# raw figures: $RAW; logs: $L"
