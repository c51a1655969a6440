#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# --pprof read by the real consumer, go tool pprof: the samples of the
# profile and their counts are those of the folded output of the same
# run, exactly (stackcount on a known call chain, over several intervals
# too; profile; syscount --stack), its top function is the folded
# output's, mappings carry build-ids and, with --lines, source lines.
source "$(dirname "$0")/lib.sh"
SC=$ROOT/build/stackcount
PR=$ROOT/build/profile
SY=$ROOT/build/syscount
FOLD=$ROOT/tests/e2e/pprof_folded.py
command -v go >/dev/null || fail "go (golang-go) is needed: make deps"
[ -x "$T/stacks" ] && [ -x "$T/spin" ] && [ -x "$T/closer" ] || fail "targets missing: run make targets"

# go tool pprof writes nothing for a local file, but keep it out of $HOME.
export HOME=$TMP PPROF_TMPDIR=$TMP

# pprof ARGS...: go tool pprof ARGS, bounded; its stdout.
pprof() {
	timeout -s KILL 60 go tool pprof "$@" 2>"$TMP/pprof.err" ||
		{ cat "$TMP/pprof.err" >&2; fail "go tool pprof $* exited $?"; }
}

# folded_sum FILE: folded lines with the counts of equal lines summed (the
# lines of several intervals), sorted as pprof_folded.py sorts them.
folded_sum() {
	awk '{ n = $NF; $NF = ""; sub(/ $/, ""); c[$0] += n } END { for (k in c) print k, c[k] }' "$1" |
		LC_ALL=C sort
}

# same_stacks FOLDED PROFILE [--index N]: the profile's stacks and counts
# are the folded output's, line for line.
same_stacks() {
	local folded=$1 prof=$2
	shift 2
	pprof -raw "$prof" >"$TMP/raw"
	python3 "$FOLD" "$@" <"$TMP/raw" | LC_ALL=C sort >"$TMP/from_pprof"
	folded_sum "$folded" >"$TMP/from_folded"
	diff -u "$TMP/from_folded" "$TMP/from_pprof" ||
		fail "the profile's stacks differ from the folded output"
	echo "  ok: $(wc -l <"$TMP/from_pprof") stacks, $(awk '{n += $NF} END {print n}' "$TMP/from_pprof") counts, as folded"
}

N=12
check "stackcount --pprof: the call chains of stacks $N, as the folded output"
timeout -s KILL 60 "$SC" -f --pprof "$TMP/sc.pb.gz" --cmd "$T/stacks $N" "$T/stacks:gamma" \
	>"$TMP/sc.folded" 2>"$TMP/sc.err" || { cat "$TMP/sc.err"; fail "stackcount exited $?"; }
same_stacks "$TMP/sc.folded" "$TMP/sc.pb.gz"
assert_eq "$(grep -c . "$TMP/sc.folded")" 2 "distinct stacks"
grep -q '^PeriodType: hits count$' "$TMP/raw" || fail "no hits/count period type"
grep -q '^hits/count\[dflt\]$' "$TMP/raw" || fail "no hits/count sample type"
# The build-id of the target's mapping is the one in its ELF notes.
id=$(readelf -n "$T/stacks" | awk '/Build ID/ {print $3}')
[ -n "$id" ] || fail "the target has no build-id"
grep -Eq "^[0-9]+: 0x[0-9a-f]+/0x[0-9a-f]+/0x0 $T/stacks $id \[FN\]$" "$TMP/raw" ||
	{ grep -A9 '^Mappings' "$TMP/raw"; fail "no mapping of $T/stacks with build-id $id"; }
echo "  ok: mapping $T/stacks with build-id $id"

check "go tool pprof -top: gamma first, flat $((N + N / 2)) of $((N + N / 2)), as the folded leaves"
pprof -top "$TMP/sc.pb.gz" >"$TMP/top"
grep -q "^Showing nodes accounting for $((N + N / 2)), 100% of $((N + N / 2)) total$" "$TMP/top" ||
	{ cat "$TMP/top"; fail "wrong total in -top"; }
top=$(awk '/^ *flat/ { on = 1; next } on { print $1, $NF; exit }' "$TMP/top")
leaf=$(awk '{ n = split($1, f, ";"); c[f[n]] += $NF } END { for (k in c) print c[k], k }' \
	"$TMP/sc.folded" | sort -rn | head -1)
assert_eq "$top" "$leaf" "top function (flat count, name)"

check "--lines: source files and lines of the folded output, in the profile's lines"
timeout -s KILL 60 "$SC" -f --lines --pprof "$TMP/l.pb.gz" --cmd "$T/stacks 4" "$T/stacks:gamma" \
	>"$TMP/l.folded" 2>"$TMP/l.err" || { cat "$TMP/l.err"; fail "stackcount --lines exited $?"; }
pprof -raw "$TMP/l.pb.gz" >"$TMP/lraw"
# "gamma (tests/targets/stacks.c:23)" in folded, "gamma tests/targets/stacks.c:23 s=0" in -raw.
want=$(grep -o 'gamma ([^)]*)' "$TMP/l.folded" | sort -u | sed 's/[()]//g')
got=$(grep -Eo ' gamma [^ ]+:[0-9]+ ' "$TMP/lraw" | sort -u | sed 's/^ //; s/ $//')
[ -n "$want" ] || { cat "$TMP/l.folded"; fail "no gamma (file:line) in the folded output"; }
assert_eq "$got" "$want" "gamma's file:line"
grep -Eq "^[0-9]+: .* $T/stacks $id \[FN\]\[FL\]\[LN\]\[IN\]$" "$TMP/lraw" ||
	{ grep -A9 '^Mappings' "$TMP/lraw"; fail "the mapping does not say it has lines"; }
echo "  ok: [FN][FL][LN][IN]"

check "C++: demangled names as the folded output has them, not shortened by pprof"
timeout -s KILL 60 "$SC" -f --pprof "$TMP/c.pb.gz" --cmd "$T/cxx 3" "$T/cxx:shapes::scale(int)" \
	>"$TMP/c.folded" 2>"$TMP/c.err" || { cat "$TMP/c.err"; fail "stackcount on cxx exited $?"; }
grep -q 'main;shapes::scale(int) 3$' "$TMP/c.folded" || { cat "$TMP/c.folded"; fail "no demangled frame"; }
same_stacks "$TMP/c.folded" "$TMP/c.pb.gz"
grep -q ' shapes::scale(int) :0 s=0(_ZN6shapes5scaleEi)$' "$TMP/raw" ||
	{ cat "$TMP/raw"; fail "no system name _ZN6shapes5scaleEi"; }
echo "  ok: shapes::scale(int), system name _ZN6shapes5scaleEi"

check "-i: the profile holds every interval since the start, rewritten at each"
start_target rounds "$T/stacks" "$N" --rounds
start_tool "$TMP/i.folded" stackcount -f -i 0.2 --pprof "$TMP/i.pb.gz" -p "$TARGET_PID" \
	"$T/stacks:gamma"
for k in 1 2 3; do
	echo go >&"$TARGET_FD"
	# The file of a later interval has this round too: poll it (bounded).
	for ((i = 0; i < 100; i++)); do
		got=$([ -s "$TMP/i.pb.gz" ] && pprof -raw "$TMP/i.pb.gz" | python3 "$FOLD" --total)
		[ "$got" = $((k * (N + N / 2))) ] && break
		sleep 0.1
	done
	assert_eq "$got" $((k * (N + N / 2))) "hits in the profile after round $k"
done
# The tool holds the fifo open too (it inherited it): end the target with a line.
echo stop >&"$TARGET_FD"
wait_exit "$TARGET_PID" 10
eval "exec $TARGET_FD>&-"
wait_exit "$TOOL_PID" 20
assert_eq "$WAIT_RC" 0 "exit status of stackcount -p, ended by the process"
assert_ge "$(grep -c '' "$TMP/i.folded")" 3 "folded lines over the intervals"
same_stacks "$TMP/i.folded" "$TMP/i.pb.gz"

check "profile --pprof: the samples of the folded output; cpu/nanoseconds = samples * 1e9 / 99"
timeout -s KILL 60 "$PR" -F 99 -f --pprof "$TMP/p.pb.gz" --cmd "$T/spin 1" >"$TMP/p.folded" \
	2>"$TMP/p.err" || { cat "$TMP/p.err"; fail "profile exited $?"; }
same_stacks "$TMP/p.folded" "$TMP/p.pb.gz"
grep -q '^samples/count cpu/nanoseconds\[dflt\]$' "$TMP/raw" || fail "sample types"
grep -q '^PeriodType: cpu nanoseconds$' "$TMP/raw" && grep -q '^Period: 10101010$' "$TMP/raw" ||
	fail "period type or period"
grep -q '^Time: ' "$TMP/raw" && grep -q '^Duration: ' "$TMP/raw" || fail "no time or duration"
bad=$(awk '/^Samples:/ { on = 1; next } /^Locations/ { on = 0 }
	on && $3 ~ /^[0-9]+:$/ { if ($1 * 10101010 != $2 + 0) n++ } END { print n + 0 }' "$TMP/raw")
assert_eq "$bad" 0 "samples whose nanoseconds are not 10101010 per sample"
grep -Eq '^ *[0-9]+: 0x[0-9a-f]+/0x[0-9a-f]+/0x0 .*/spin [0-9a-f]{40} ' "$TMP/raw" ||
	fail "no mapping of spin with a build-id"
echo "  ok: spin's mapping"

check "syscount --stack --pprof: close() stacks of closer, labels comm, pid and syscall"
name=closer$RANDOM
start_target "$name" "$T/closer" 5 2 --hold
cpid=$TARGET_PID
cfd=$TARGET_FD
start_tool "$TMP/s.folded" syscount -f --stack --syscall close --comm closer --pprof "$TMP/s.pb.gz"
echo go >&"$cfd"
wait_for_text "$TMP/$name.out" done 10 "$cpid"
kill -INT "$TOOL_PID"
wait_exit "$TOOL_PID" 20
assert_eq "$WAIT_RC" 0 "exit status of syscount"
release_target "$cpid" "$cfd"
same_stacks "$TMP/s.folded" "$TMP/s.pb.gz"
grep -q "syscall:\[close\]" "$TMP/raw" || fail "no syscall label"
assert_eq "$(python3 "$FOLD" --total <"$TMP/raw")" 7 "close() calls in the profile"

check "nothing left attached"
assert_no_progs "$(progs_re stackcount profile syscount)"
echo PASS
