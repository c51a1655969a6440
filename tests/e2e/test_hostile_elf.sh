#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Hostile ELF files (tests/targets/hostile_elf.c: truncated at several
# lengths, overlapping segments, huge section and segment counts, bogus
# string offsets, notes longer than their section, corrupt debuglink and
# MiniDebugInfo, wrong class/machine/type) through every tool's listing
# mode (funccount -l, uprobe-trace -l, for functions and USDT probes) and
# through stackcount and ulatency, which have no listing mode (-D 1, -d 1).
# Each run: exit code 0, 1 or 2 (never a signal), under a 1 GiB address
# space limit and a 30 s timeout; on failure exactly one sentence on
# stderr that names the file; exact messages for the damage classes the
# ELF reader must recognise.
source "$(dirname "$0")/lib.sh"

GEN=$T/hostile_elf
[ -x "$GEN" ] || fail "$GEN missing: run make targets"
UT=$ROOT/build/uprobe-trace
SK=$ROOT/build/stackcount
UL=$ROOT/build/ulatency
for b in "$UT" "$SK" "$UL"; do [ -x "$b" ] || fail "$b missing: run make"; done

# ASan reserves terabytes of address space: no ulimit -v under SANITIZE=1.
VMEM=1048576
[ "${SANITIZE:-}" = 1 ] && VMEM=unlimited

runs=0
# probe TOOL FILE ARGS...: run, then check the outcome.
probe() {
	local tool=$1 file=$2 name rc=0 err expect_rc="" expect_msg=""
	shift 2
	name=$(basename "$file")
	(ulimit -v "$VMEM"; exec timeout -s KILL 30 "$@") >"$TMP/out" 2>"$TMP/err" || rc=$?
	runs=$((runs + 1))
	last_rc=$rc
	[ "$rc" -lt 128 ] || fail "$tool $* on $name: killed by signal $((rc - 128)) (exit $rc)"
	[[ "$rc" =~ ^[012]$ ]] || fail "$tool $* on $name: exit $rc"
	! grep -qE 'Sanitizer|runtime error|Segmentation|core dumped|Aborted' "$TMP/err" ||
		fail "$tool $* on $name: $(head -n 3 "$TMP/err")"
	# Progress and -v lines aside, at most one line of diagnostics.
	err=$(grep -vE '^(kernel features:|Tracing |Detaching)' "$TMP/err" || true)
	if [ "$rc" -ne 0 ]; then
		[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && [ -n "$err" ] ||
			fail "$tool $* on $name: exit $rc without exactly one sentence: $err"
		[[ "$err" == "$tool: "*"$file"* ]] ||
			fail "$tool $* on $name: the message does not name the file: $err"
	fi
	case $name in
	trunc-*|phnum-huge|phoff-bogus|shnum-huge|shnum-extended-huge|shstrndx-bogus|\
	shentsize-7|symtab-past-end|symtab-offset-bogus|note-section-past-end)
		expect_rc=2 expect_msg="$tool: '$file' is a truncated or corrupt ELF file" ;;
	class-32|machine-aarch64)
		expect_rc=1 expect_msg="$tool: '$file' is not an x86-64 ELF file" ;;
	type-core)
		expect_rc=2 expect_msg="$tool: '$file' is not an ELF file" ;;
	esac
	if [ -n "$expect_rc" ]; then
		[ "$rc" -eq "$expect_rc" ] && [ "$err" == "$expect_msg" ] ||
			fail "$tool $* on $name: got exit $rc '$err', expected exit $expect_rc '$expect_msg'"
	fi
}

for seed in usdt calls_minidebug calls_stripped; do
	dir=$TMP/$seed
	mkdir -p "$dir"
	"$GEN" "$T/$seed" "$dir" >"$TMP/names" || fail "hostile_elf $seed failed"
	check "$(wc -l <"$TMP/names") hostile variants of $seed"
	while read -r name; do
		f=$dir/$name
		probe funccount "$f" "$FC" -l -v "$f:*"
		probe funccount "$f" "$FC" -l -v "u:$f:*"
		probe funccount "$f" "$FC" -l "p:$f:main"
		probe uprobe-trace "$f" "$UT" -l "$f:*"
		probe uprobe-trace "$f" "$UT" -l "u:$f:*"
		if [ "$seed" = usdt ]; then
			probe stackcount "$f" "$SK" -D 1 "$f:*"
			probe ulatency "$f" "$UL" -d 1 "$f:*"
		fi
	done <"$TMP/names"
	echo "  ok: every variant of $seed: exit 0/1/2, one sentence, exact messages"
done
# The untouched seeds still list (the damage, not the reader, made them fail).
for seed in usdt calls_minidebug calls_stripped; do
	probe funccount "$T/$seed" "$FC" -l "$T/$seed:*"
	assert_eq "$last_rc" 0 "funccount -l exit code on the intact $seed"
	assert_ge "$(grep -c . "$TMP/out")" 1 "lines listed for the intact $seed"
done
echo "  ok: $runs runs"
echo "PASS"
