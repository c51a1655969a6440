#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# --prom and --pprof files that cannot be written: a bad path is one
# sentence and status 2 before anything is traced; a full disk (a small
# tmpfs) is one sentence and status 1; never a half-written file under the
# final name, never a temporary file left behind.
source "$(dirname "$0")/lib.sh"
CALLS=$T/calls
FULL=$TMP/full
trap 'umount "$FULL" 2>/dev/null; _cleanup' EXIT

# expect_fail STATUS PATTERN TOOL ARGS...: TOOL ARGS exits STATUS with one
# stderr line matching PATTERN (grep -E), besides the "Tracing" line.
expect_fail() {
	local want=$1 pat=$2 tool=$3 rc=0 lines
	shift 3
	echo go | timeout -s KILL 60 "$ROOT/build/$tool" "$@" >"$TMP/e.out" 2>"$TMP/e.err" || rc=$?
	assert_eq "$rc" "$want" "exit status of $tool $*"
	lines=$(grep -vc 'Hit Ctrl-C' "$TMP/e.err")
	[ "$lines" = 1 ] && grep -Eq "^$tool: $pat\$" "$TMP/e.err" ||
		{ cat "$TMP/e.err"; fail "$tool $*: not one sentence '$tool: $pat'"; }
	echo "  ok: $(grep -v 'Hit Ctrl-C' "$TMP/e.err")"
}

check "a file in a directory that does not exist: status 2 before tracing, nothing created"
BAD=$TMP/no/such/dir/m
NOENT="cannot write '$BAD': No such file or directory"
expect_fail 2 "$NOENT" funccount --prom "$BAD" --cmd "$CALLS 1 1" "$CALLS:foo"
expect_fail 2 "$NOENT" syscount --prom "$BAD" -d 1
expect_fail 2 "$NOENT" ulatency --prom "$BAD" -c "$CALLS 1 1" "$CALLS:foo"
expect_fail 2 "$NOENT" argdist --prom "$BAD" -C "p:$CALLS:foo()" --cmd "$CALLS 1 1"
expect_fail 2 "$NOENT" proclife --prom "$BAD" -d 1
expect_fail 2 "$NOENT" stackcount --pprof "$BAD" --cmd "$CALLS 1 1" "$CALLS:foo"
expect_fail 2 "$NOENT" profile --pprof "$BAD" 1
expect_fail 2 "$NOENT" syscount --stack --syscall close --pprof "$BAD" -d 1
[ ! -e "$TMP/no" ] || fail "something was created"

check "a directory, an empty name, options that do not go together: status 2"
expect_fail 2 "cannot write '$TMP': it is a directory" funccount --prom "$TMP" "$CALLS:foo"
expect_fail 2 "cannot write '/dev/null': it is not a regular file" profile --pprof /dev/null 1
expect_fail 2 "--prom needs a file name \(try 'funccount --help'\)" funccount --prom '' "$CALLS:foo"
expect_fail 2 "--pprof needs --stack \(try 'syscount --help'\)" syscount --pprof "$TMP/x"
expect_fail 2 "--prom exports counts: with --stack, use --pprof \(try 'syscount --help'\)" \
	syscount --stack --comm x --prom "$TMP/x"
expect_fail 2 "--prom exports the histograms: -l does not apply \(try 'proclife --help'\)" \
	proclife -l --prom "$TMP/x"

check "a full disk: status 1, the file as it was, no temporary file"
mkdir -p "$FULL"
mount -t tmpfs -o size=64k,mode=0755 cotrace-e2e "$FULL" || fail "cannot mount a tmpfs"
printf 'old\n' >"$FULL/m.prom"
printf 'old\n' >"$FULL/p.pb.gz"
# Fill what is left (dd stops at ENOSPC).
dd if=/dev/zero of="$FULL/fill" bs=4k 2>/dev/null
expect_fail 1 "cannot write '$FULL/m.prom': No space left on device" \
	funccount --prom "$FULL/m.prom" --cmd "$CALLS 3 5" "$CALLS:foo"
expect_fail 1 "cannot write '$FULL/m.prom': No space left on device" \
	funccount -i 0.2 --prom "$FULL/m.prom" --cmd "$CALLS 3 5 --wait" "$CALLS:foo"
expect_fail 1 "cannot write '$FULL/p.pb.gz': No space left on device" \
	stackcount --pprof "$FULL/p.pb.gz" --cmd "$T/stacks 4" "$T/stacks:gamma"
assert_eq "$(cat "$FULL/m.prom")" old "the --prom file"
assert_eq "$(cat "$FULL/p.pb.gz")" old "the --pprof file"
assert_eq "$(find "$FULL" -name '.*' -type f | wc -l)" 0 "temporary files left"

check "nothing left attached"
assert_no_progs "$(progs_re funccount stackcount)"
echo PASS
