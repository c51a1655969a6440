#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Raw offsets (PATH:0xOFFSET, c:0) never put a breakpoint in data or in the
# middle of an instruction: in every tool that takes a probe spec, offset 0
# and 1 of libc, an offset in .rodata and one inside a 10-byte movabs are
# refused with exit 2, one sentence and nothing attached, while the target
# prints exactly what it prints untraced. An instruction boundary inside a
# function counts exactly; ulatency (entry and return) takes only a
# function's start; in a copy without symbols an offset cannot be checked
# and needs --unsafe, which still refuses data. Every offset is computed
# here from the binary with nm, objdump and readelf.
source "$(dirname "$0")/lib.sh"

R=$T/rawoff
NOSYMS=$T/rawoff_nosyms
OLD=$T/rawoff_oldstyle
[ -x "$R" ] && [ -x "$NOSYMS" ] && [ -x "$OLD" ] || fail "rawoff targets missing: run make targets"
TOOLS=(funccount uprobe-trace ulatency argdist stackcount)
N=7

# expected_output N: what rawoff N prints, computed here: the .rodata
# string, N, and the sum of (i ^ K) * 3 over i < N modulo 2^64.
expected_output() {
	local i acc=0 k=0x1122334455667788
	for ((i = 0; i < $1; i++)); do
		acc=$((acc + ((i ^ k) * 3)))
	done
	printf 'HELLO-RODATA %d %016x\n' "$1" "$acc"
}

# file_offset BIN VADDR: the file offset of link-time address VADDR (hex)
# through the PT_LOAD headers of readelf, as "0x..."; fails if none holds it.
file_offset() {
	local va=$((0x${2#0x})) type off vaddr fsz
	while read -r type off vaddr _ fsz _; do
		[ "$type" = LOAD ] || continue
		if ((va >= vaddr && va < vaddr + fsz)); then
			printf '0x%x\n' $((va - vaddr + off))
			return 0
		fi
	done < <(readelf -lW "$1")
	fail "no PT_LOAD of $1 holds $2"
}

# sym_vaddr BIN NAME: the address of symbol NAME per nm.
sym_vaddr() {
	local a
	a=$(nm "$1" | awk -v n="$2" '$3 == n { print $1; exit }')
	[ -n "$a" ] || fail "no symbol $2 in $1"
	echo "$a"
}

# wide_insns BIN: the addresses of wide()'s instructions, one a line,
# then a line "movabs INDEX".
wide_insns() {
	objdump -d --no-show-raw-insn "$1" | awk '/<wide>:/ { on = 1; next } on && /^$/ { exit }
		on { sub(/:$/, "", $1); print $1; if ($2 ~ /^movabs/) m = n; n++ }
		END { print "movabs", m }'
}

mapfile -t insns < <(wide_insns "$R")
mi=${insns[-1]#movabs }
unset 'insns[-1]'
[[ "$mi" =~ ^[0-9]+$ ]] && [ $((mi + 1)) -lt ${#insns[@]} ] || fail "no movabs in wide(): ${insns[*]}"
[ $((0x${insns[mi + 1]} - 0x${insns[mi]})) -eq 10 ] || fail "wide()'s movabs is not 10 bytes"
FUNC=$(file_offset "$R" "$(sym_vaddr "$R" wide)")		# wide()'s start
MOVABS=$(file_offset "$R" "${insns[mi]}")
INSIDE=$(printf '0x%x' $((MOVABS + 2)))				# inside the movabs' immediate
NEXT=$(file_offset "$R" "${insns[mi + 1]}")			# the instruction after it
RODATA=$(file_offset "$R" "$(sym_vaddr "$R" banner)")		# the string rawoff prints
echo "wide at $FUNC, movabs at $MOVABS, next instruction at $NEXT, banner at $RODATA"
# The stripped copy has the same code at the same offsets.
cmp -s <(tail -c +$((FUNC + 1)) "$R" | head -c 32) <(tail -c +$((FUNC + 1)) "$NOSYMS" | head -c 32) ||
	fail "rawoff_nosyms has other bytes at $FUNC"
[ -z "$(nm "$NOSYMS" 2>/dev/null)" ] || fail "rawoff_nosyms has symbols"
WANT=$(expected_output "$N")

# target_of SPEC: the rawoff binary SPEC probes, which the target runs.
target_of() {
	case $1 in
	*"$NOSYMS":*) echo "$NOSYMS" ;;
	*"$OLD":*) echo "$OLD" ;;
	*) echo "$R" ;;
	esac
}

# target_output_is: the last target's output is exactly $WANT.
target_output_is() {
	local f=$TMP/$LAST_TARGET.out
	cmp -s "$f" <(printf '%s\n' "$WANT") || { od -c "$f" | head >&2; fail "rawoff printed other bytes"; }
	echo "  ok: rawoff printed '$WANT' exactly"
}

# start_rawoff SPEC: start_target for the binary of SPEC, waiting; sets
# LAST_TARGET (the name of its output file) too.
start_rawoff() {
	RAW_SEQ=$((${RAW_SEQ:-0} + 1))
	LAST_TARGET=raw$RAW_SEQ
	start_target "$LAST_TARGET" "$(target_of "$1")" "$N" --wait
}

# spec_for TOOL SPEC: the probe spec as TOOL takes it (argdist wants a signature).
spec_for() {
	if [ "$1" = argdist ]; then
		echo "-C p:$2()"
	else
		echo "$2"
	fi
}

# refused TOOL TEXT SPEC [OPTIONS...]: TOOL -p PID OPTIONS SPEC, against a
# waiting rawoff, exits 2 with one line on stderr, "TOOL: " and TEXT in it
# (@LIBC@: libc's path), nothing on stdout and nothing attached; then
# rawoff runs and prints exactly what it prints untraced.
refused() {
	local tool=$1 text=$2 spec=$3 rc=0 lines
	shift 3
	echo "check: $tool${*:+ $*} $spec -> exit 2: $text"
	start_rawoff "$spec"
	# @LIBC@: libc as the target maps it, which is how -p names it.
	text=${text//@LIBC@/$(awk '$6 ~ /\/libc\.so\.6$/ { print $6; exit }' "/proc/$TARGET_PID/maps")}
	# shellcheck disable=SC2046
	timeout -s KILL 30 "$ROOT/build/$tool" -p "$TARGET_PID" "$@" $(spec_for "$tool" "$spec") \
		</dev/null >"$TMP/out" 2>"$TMP/err" || rc=$?
	lines=$(wc -l <"$TMP/err")
	if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q "^$tool: " "$TMP/err" ||
	   ! grep -qF -- "$text" "$TMP/err" || [ -s "$TMP/out" ]; then
		sed 's/^/    | /' "$TMP/err" "$TMP/out" >&2
		fail "$tool $spec: exit $rc, $lines line(s) on stderr"
	fi
	echo "  ok: $(cat "$TMP/err")"
	assert_nothing_attached
	release_target "$TARGET_PID" "$TARGET_FD"
	target_output_is
}

# traced TOOL OUTFILE SPEC [OPTIONS...]: TOOL --json -p PID OPTIONS SPEC on
# a waiting rawoff N, which then runs; TOOL stops when it exits. rawoff
# must print exactly what it prints untraced.
traced() {
	local tool=$1 out=$2 spec=$3
	shift 3
	start_rawoff "$spec"
	# shellcheck disable=SC2046
	start_tool "$out" "$tool" --json -p "$TARGET_PID" "$@" $(spec_for "$tool" "$spec")
	release_target "$TARGET_PID" "$TARGET_FD"
	wait_exit "$TOOL_PID" 10
	[ "$WAIT_RC" -eq 0 ] || { cat "$out.err" >&2; fail "$tool exited $WAIT_RC"; }
	target_output_is
}

check "rawoff untraced prints '$WANT'"
"$R" "$N" >"$TMP/plain.out" || fail "rawoff exited $?"
cmp -s "$TMP/plain.out" <(printf '%s\n' "$WANT") || fail "rawoff printed $(cat "$TMP/plain.out")"

for tool in "${TOOLS[@]}"; do
	refused "$tool" "offset 0x0 of @LIBC@ is not in an executable segment" c:0
	refused "$tool" "offset 0x1 of @LIBC@ is not in an executable segment" c:0x1
	refused "$tool" "offset $RODATA of $R is not in an executable segment" "$R:$RODATA"
	refused "$tool" "offset $RODATA of $R is not in an executable segment" "$R:$RODATA" --unsafe
	if [ "$tool" = ulatency ]; then
		refused "$tool" "offset $INSIDE of $R is inside wide, not at its start ($FUNC)" "$R:$INSIDE"
		refused "$tool" "offset $NEXT of $R is inside wide, not at its start ($FUNC)" "$R:$NEXT"
	else
		refused "$tool" "offset $INSIDE of $R is inside an instruction of wide, where a breakpoint would crash the program (the nearest instructions start at $MOVABS and $NEXT)" "$R:$INSIDE"
		refused "$tool" "inside an instruction of wide" "$R:$INSIDE" --unsafe
	fi
	refused "$tool" "offset $FUNC of $NOSYMS cannot be checked" "$NOSYMS:$FUNC"
	refused "$tool" "offset $RODATA of $NOSYMS is not in an executable segment" "$NOSYMS:$RODATA" --unsafe
	refused "$tool" "offset 0x0 of @LIBC@ is not in an executable segment" c:0 --unsafe
done

check "-z noseparate-code: headers and .rodata share the executable segment"
OLDRO=$(file_offset "$OLD" "$(sym_vaddr "$OLD" banner)")
refused funccount "offset 0x0 of $OLD is in no section of code" "$OLD:0x0" --unsafe
refused funccount "offset $OLDRO of $OLD is in section .rodata, which is not code" "$OLD:$OLDRO" --unsafe

check "funccount: the instruction after the movabs counts exactly $N"
traced funccount "$TMP/fc.json" "$R:$NEXT"
assert_eq "$(count_of "$NEXT" "$TMP/fc.json")" "$N" "funccount $R:$NEXT"
check "funccount: wide's start counts exactly $N"
traced funccount "$TMP/fc.json" "$R:$FUNC"
assert_eq "$(count_of "$FUNC" "$TMP/fc.json")" "$N" "funccount $R:$FUNC"

check "uprobe-trace: the instruction after the movabs fires exactly $N times"
traced uprobe-trace "$TMP/ut.json" "$R:$NEXT"
assert_eq "$(jq -s '[.[] | select(.type == "event")] | length' "$TMP/ut.json")" "$N" "uprobe-trace events"
check "uprobe-trace: a return probe at wide's start returns $N times"
traced uprobe-trace "$TMP/ut.json" "r:$R:$FUNC"
assert_eq "$(jq -s '[.[] | select(.type == "event")] | length' "$TMP/ut.json")" "$N" "uprobe-trace returns"
refused uprobe-trace "offset $NEXT of $R is inside wide, not at its start ($FUNC)" "r:$R:$NEXT"

check "ulatency: wide's start times exactly $N calls"
traced ulatency "$TMP/ul.json" "$R:$FUNC"
assert_eq "$(jq -s '[.[] | select(.type == "hist") | .count] | add // 0' "$TMP/ul.json")" "$N" "ulatency calls"

check "argdist and stackcount: the instruction after the movabs, exactly $N"
traced argdist "$TMP/ad.json" "$R:$NEXT"
assert_eq "$(jq -s '[.[] | select(.type == "count") | .count] | add // 0' "$TMP/ad.json")" "$N" "argdist"
traced stackcount "$TMP/sc.json" "$R:$NEXT"
assert_eq "$(jq -s '[.[] | select(.type == "stack") | .count] | add // 0' "$TMP/sc.json")" "$N" "stackcount"

check "without symbols, --unsafe probes wide's start: exactly $N each"
traced funccount "$TMP/fc.json" "$NOSYMS:$FUNC" --unsafe
assert_eq "$(count_of "$FUNC" "$TMP/fc.json")" "$N" "funccount --unsafe"
traced uprobe-trace "$TMP/ut.json" "$NOSYMS:$FUNC" --unsafe
assert_eq "$(jq -s '[.[] | select(.type == "event")] | length' "$TMP/ut.json")" "$N" "uprobe-trace --unsafe"
traced ulatency "$TMP/ul.json" "$NOSYMS:$FUNC" --unsafe
assert_eq "$(jq -s '[.[] | select(.type == "hist") | .count] | add // 0' "$TMP/ul.json")" "$N" "ulatency --unsafe"

check "cleanup"
assert_nothing_attached
echo PASS
