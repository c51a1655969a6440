#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Raw offsets (PATH:0xOFFSET, c:0) never put a breakpoint in data or in the
# middle of an instruction: in every tool that takes a probe spec, offset 0
# and 1 of libc, an offset in .rodata and one inside a 10-byte movabs are
# refused with exit 2, one sentence and nothing attached, while the target
# prints exactly what it prints untraced. An instruction boundary inside a
# function counts exactly; ulatency (entry and return) takes only a
# function's start; in a copy without symbols an offset cannot be checked
# and needs --unsafe, which still refuses data. The same places named as
# bcc's FUNC+OFFSET (wide+0xd): refused inside an instruction, past the
# function's end, for return probes and patterns; counted exactly, with
# the registers' values there (ctx->REG), and bcc trace's own example
# (deadbeef's main+0xd and main+0x25: 0xdead, then 0xbeef). Every offset
# is computed here from the binary with nm, objdump and readelf.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/uprobe_trace_lib.sh"

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

# spec_for TOOL SPEC: the probe spec as TOOL takes it, in SPEC_ARGS
# (argdist wants -C, a probe type and a signature, unless SPEC has them).
spec_for() {
	local s=$2
	if [ "$1" != argdist ]; then
		SPEC_ARGS=("$s")
		return
	fi
	[[ $s == *"("* ]] || s="$s()"
	[[ $s == [pr]:* ]] || s="p:$s"
	SPEC_ARGS=(-C "$s")
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
	spec_for "$tool" "$spec"
	timeout -s KILL 30 "$ROOT/build/$tool" -p "$TARGET_PID" "$@" "${SPEC_ARGS[@]}" \
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
	spec_for "$tool" "$spec"
	start_tool "$out" "$tool" --json -p "$TARGET_PID" "$@" "${SPEC_ARGS[@]}"
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

# ---- FUNC+OFFSET: the same places named from the function ---------------------------
# Offsets into wide() from its disassembly: the movabs, the instruction
# after it (where the movabs' register holds K), inside the movabs, and
# the function's size (nm -S), just past its end.
AT_MOVABS=$(printf '0x%x' $((MOVABS - FUNC)))
AT_NEXT=$(printf '0x%x' $((NEXT - FUNC)))
AT_INSIDE=$(printf '0x%x' $((INSIDE - FUNC)))
SIZE=$(nm -S "$R" | awk '$4 == "wide" { print "0x" $2; exit }')
[ -n "$SIZE" ] || fail "no size of wide in nm -S"
SIZE=$(printf '0x%x' $((SIZE)))
# The movabs' destination register, as pt_regs names it (%rdi: di, %r8: r8).
KREG=$(objdump -d --no-show-raw-insn "$R" | awk '/<wide>:/ { on = 1 } on && $2 ~ /^movabs/ {
	n = split($3, a, ","); r = a[n]; sub(/^%r?/, "", r); print r; exit }')
[ -n "$KREG" ] || fail "no register in wide()'s movabs"
echo "wide+$AT_MOVABS movabs into ctx->$KREG, wide+$AT_NEXT next, wide+$AT_INSIDE inside, size $SIZE"

for tool in "${TOOLS[@]}"; do
	if [ "$tool" = ulatency ]; then
		refused "$tool" "a return probe must be at the function's start, not $AT_NEXT bytes into it" \
			"$R:wide+$AT_NEXT"
		continue
	fi
	refused "$tool" "wide+$AT_INSIDE is inside an instruction (wide+$AT_MOVABS to wide+$AT_NEXT), where a breakpoint would crash the program" \
		"$R:wide+$AT_INSIDE"
	refused "$tool" "wide+$AT_INSIDE is inside an instruction" "$R:wide+$((AT_INSIDE))" --unsafe
	refused "$tool" "offset $SIZE is past the end of wide, which is $SIZE bytes long" \
		"$R:wide+$SIZE"
	refused "$tool" "an offset needs one function, not a pattern" "$R:wid*+$AT_NEXT"
done
refused uprobe-trace "a return probe must be at the function's start, not $AT_NEXT bytes into it" \
	"r:$R:wide+$AT_NEXT"
refused argdist "a return probe must be at the function's start" "r:$R:wide+$AT_NEXT"
refused uprobe-trace "is an IFUNC" "c:strlen+4"
refused uprobe-trace "offsets into kernel functions are not supported" "kfree_skb+0x12"

check "funccount, stackcount: wide+$AT_NEXT counts exactly $N"
traced funccount "$TMP/fc.json" "$R:wide+$AT_NEXT"
assert_eq "$(count_of "wide+$AT_NEXT" "$TMP/fc.json")" "$N" "funccount wide+$AT_NEXT"
traced stackcount "$TMP/sc.json" "$R:wide+$AT_NEXT"
assert_eq "$(jq -s '[.[] | select(.type == "stack") | .count] | add // 0' "$TMP/sc.json")" "$N" "stackcount"

check "uprobe-trace: at wide+$AT_MOVABS arg1 is each call's i, at wide+$AT_NEXT ctx->$KREG is K"
traced uprobe-trace "$TMP/ut.json" "$R:wide+$AT_MOVABS \"%d %d\", arg1, %di"
assert_eq "$(messages "$TMP/ut.json" | tr '\n' ' ')" "$(for ((i = 0; i < N; i++)); do printf '%d %d ' $i $i; done)" \
	"arg1 at the movabs"
assert_eq "$(jq -r 'select(.type == "event") | .func' "$TMP/ut.json" | sort -u)" "wide+$AT_MOVABS" "FUNC"
traced uprobe-trace "$TMP/ut.json" "p:$R:wide+$AT_NEXT \"%llx\", ctx->$KREG"
assert_eq "$(messages "$TMP/ut.json" | sort | uniq -c | awk '{ print $1, $2 }')" "$N 1122334455667788" \
	"ctx->$KREG after the movabs"

check "argdist: ctx->$KREG at wide+$AT_NEXT, exactly $N times K"
traced argdist "$TMP/ad.json" "$R:wide+$AT_NEXT():u64:ctx->$KREG"
# The event's text: jq reads the value itself as a double.
assert_eq "$(jq -r -s '[.[] | select(.type == "count")] | map("\(.count) \(.event)") | join(",")' \
	"$TMP/ad.json")" "$N ctx->$KREG = 1234605616436508552" "argdist"

check "bcc trace's example: deadbeef's main holds 0xdead, then 0xbeef, in %edx"
DB=$T/deadbeef
[ -x "$DB" ] || fail "$DB missing: run make targets"
# The instructions right after each mov into %edx, as offsets into main.
DBOFF=()
start='' want=0
while read -r addr insn ops; do
	addr=$((0x${addr%:}))
	[ -n "$start" ] || start=$addr
	[ "$want" -eq 1 ] && DBOFF+=("$(printf '0x%x' $((addr - start)))")
	want=0
	[[ $insn == mov && $ops == *,%edx ]] && want=1
done < <(objdump -d --no-show-raw-insn "$DB" | awk '/<main>:/ { on = 1; next } on && /^$/ { exit } on')
[ "${#DBOFF[@]}" -eq 2 ] || fail "deadbeef's main has not two movs into %edx: ${DBOFF[*]}"
echo "after the movs: main+${DBOFF[0]}, main+${DBOFF[1]} (bcc's listing: main+0xd, main+0x25)"
OUT=$TMP/db.json tool_json uprobe-trace 60 -- --cmd "$DB" "p:$DB:main+${DBOFF[0]} \"%x\", ctx->dx" \
	"p:$DB:main+${DBOFF[1]} \"%x\", ctx->dx"
# deadbeef's own lines share stdout with the JSON records.
assert_eq "$(grep -v '^{' "$TMP/db.json" | tr '\n' ' ')" "57005 48879 " "deadbeef's output"
grep '^{' "$TMP/db.json" >"$TMP/db.events"
assert_eq "$(messages "$TMP/db.events" | tr '\n' ' ')" "dead beef " "ctx->dx"
assert_eq "$(jq -r 'select(.type == "event") | .func' "$TMP/db.events" | tr '\n' ' ')" \
	"main+${DBOFF[0]} main+${DBOFF[1]} " "FUNC"

check "cleanup"
assert_nothing_attached
echo PASS
