#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Go programs (tests/targets/goprog.go, built by Go's toolchain), issue 12:
# - return probes are refused by every tool that places them (exit 2, one
#   sentence naming --force, nothing attached), and the Go program running
#   alongside is unharmed (its output checked byte for byte); --force warns
#   and traces, and then retval is right;
# - argN and declared signatures read Go's argument registers, named
#   registers print under their own names, -v names the convention, and a
#   Go program that does not say its convention gets argN refused.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/uprobe_trace_lib.sh"

G=$T/goprog
NOVER=$T/goprog_nover
[ -x "$G" ] && [ -x "$NOVER" ] || fail "$G missing: run make targets (it needs golang-go)"
printf '%s\n' 'alpha(0, 10, 20) = 120' 'alpha(1, 11, 21) = 231' 'alpha(2, 12, 22) = 342' \
	'nine = 285' 'rec(200) = 20100' >"$TMP/expected"

# same_output FILE WHAT: FILE holds goprog's output, byte for byte.
same_output() {
	cmp -s "$TMP/expected" "$1" || { diff "$TMP/expected" "$1" >&2; fail "$2: output differs"; }
	echo "  ok: $2: output byte for byte"
}

# refused TOOL ARGS...: build/TOOL exits 2 with one sentence on stderr
# naming the Go program and --force, and nothing on stdout.
refused() {
	local tool=$1 rc=0
	shift
	timeout -s KILL 60 "$ROOT/build/$tool" "$@" >"$OUT" 2>"$OUT.err" || rc=$?
	[ "$rc" -eq 2 ] || { cat "$OUT.err" >&2; fail "$tool $*: exited $rc, expected 2"; }
	assert_eq "$(wc -l <"$OUT.err")" 1 "$tool: lines on stderr"
	grep -qxF "$tool: $G is a Go program, and return probes corrupt Go stacks (the Go runtime crashes when a goroutine's stack grows); use --force to place them anyway" \
		"$OUT.err" || { cat "$OUT.err" >&2; fail "$tool: not the Go refusal"; }
	[ ! -s "$OUT" ] || fail "$tool wrote to stdout"
}

check "goprog alone"
"$G" >"$TMP/alone.out" || fail "goprog exited $?"
same_output "$TMP/alone.out" "goprog alone"

check "return probes refused while goprog runs; goprog unharmed"
start_target refuse "$G" -w
P=$TARGET_PID
refused funccount -p "$P" "r:$G:main.rec"
refused funccount "uretprobe:$G:main.rec"
refused funccount -p "$P" "p:$G:main.alpha" "r:$G:main.rec"
refused stackcount -p "$P" "r:$G:main.rec"
refused argdist -p "$P" -C "r:$G:main.rec():int:\$retval"
refused argdist -p "$P" -H "r:$G:main.alpha(int a):u64:\$latency"
refused uprobe-trace -p "$P" "r:$G:main.rec \"%d\", retval"
refused ulatency -p "$P" "$G:main.rec"
assert_nothing_attached
release_target "$P" "$TARGET_FD"
same_output "$TMP/refuse.out" "goprog beside the refusals"

check "--force: a warning, then return probes; retval is Go's (%ax)"
start_target force "$G" -w
P=$TARGET_PID
start_tool "$TMP/fc.json" funccount --force -j -p "$P" "r:$G:main.alpha"
FC_TOOL=$TOOL_PID
start_tool "$TMP/ut.json" uprobe-trace --force -j -p "$P" "r:$G:main.alpha \"%d\", retval" \
	"r:$G:main.nine \"%d\", \$retval"
UT_TOOL=$TOOL_PID
start_tool "$TMP/ad.json" argdist --force -j -i 60 -p "$P" -C "r:$G:main.alpha():long:\$retval"
AD_TOOL=$TOOL_PID
start_tool "$TMP/sc.json" stackcount --force -j -p "$P" "r:$G:main.nine"
SC_TOOL=$TOOL_PID
start_tool "$TMP/ul.json" ulatency --force -j -p "$P" "$G:main.alpha"
UL_TOOL=$TOOL_PID
release_target "$P" "$TARGET_FD"
same_output "$TMP/force.out" "goprog under --force return probes on alpha and nine"
for t in fc:funccount ut:uprobe-trace ad:argdist sc:stackcount ul:ulatency; do
	f=$TMP/${t%%:*}.json
	tool=${t#*:}
	pidvar=${t%%:*}
	pidvar=${pidvar^^}_TOOL
	wait_exit "${!pidvar}" 20
	[ "$WAIT_RC" -eq 0 ] || { cat "$f.err" >&2; fail "$tool --force exited $WAIT_RC"; }
	grep -qxF "$tool: warning: $G is a Go program: return probes may crash it (--force)" \
		"$f.err" || { cat "$f.err" >&2; fail "$tool: no --force warning"; }
	echo "  ok: $tool warns and exits 0"
done
assert_eq "$(count_of main.alpha "$TMP/fc.json")" 3 "funccount --force r:main.alpha"
assert_eq "$(jq -r 'select(.type == "event") | .message' "$TMP/ut.json" | tr '\n' ' ')" \
	"120 231 342 285 " "uprobe-trace retval of alpha and nine"
assert_eq "$(jq -r 'select(.type == "count") | "\(.["$retval"])=\(.count)"' "$TMP/ad.json" |
	sort | tr '\n' ' ')" "120=1 231=1 342=1 " "argdist \$retval of alpha"
assert_eq "$(jq -rs '[.[] | select(.type == "stack") | .count] | add' "$TMP/sc.json")" 1 \
	"stackcount r:main.nine"
assert_eq "$(jq -rs '[.[] | select(.type == "hist") | .count] | add' "$TMP/ul.json")" 3 \
	"ulatency main.alpha calls"

check "arguments: argN, signatures and registers in Go's register ABI; -v names it"
start_target args "$G" -w
P=$TARGET_PID
start_tool "$TMP/args.json" uprobe-trace -v -j -p "$P" \
	"p:$G:main.alpha \"%d %d %d\", arg1, arg2, arg3" \
	"p:$G:main.nine \"%d %d %d %d %d %d %d %d %d\", arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9" \
	"p:$G:main.alpha %ax %bx:s64 \$arg3:u8" \
	"p:$G:main.alpha \"%d %d\", c, a"
UT_TOOL=$TOOL_PID
start_tool "$TMP/sig.json" argdist -v -j -i 60 -p "$P" \
	-C "p:$G:main.alpha(int a, int b, int c):int,int,int:a,b,c" \
	-C "p:$G:main.nine(long a1, long a2, long a3, long a4, long a5, long a6, long a7, long a8, long a9):long,long:a1,a9" \
	-C "p:$G:main.alpha():long:arg2"
AD_TOOL=$TOOL_PID
release_target "$P" "$TARGET_FD"
same_output "$TMP/args.out" "goprog under entry probes"
wait_exit "$UT_TOOL" 20
[ "$WAIT_RC" -eq 0 ] || { cat "$TMP/args.json.err" >&2; fail "uprobe-trace exited $WAIT_RC"; }
wait_exit "$AD_TOOL" 20
[ "$WAIT_RC" -eq 0 ] || { cat "$TMP/sig.json.err" >&2; fail "argdist exited $WAIT_RC"; }
# Four probes on one function fire in an order of their own: sort.
assert_eq "$(messages "$TMP/args.json" | sort | tr '\n' '|')" \
	"0 10 20|1 11 21|1 2 3 4 5 6 7 8 9|2 12 22|20 0|21 1|22 2|ax=0x0 bx=10 arg3=20|ax=0x1 bx=11 arg3=21|ax=0x2 bx=12 arg3=22|" \
	"uprobe-trace argN, named registers and DWARF parameters"
for f in args.json:uprobe-trace sig.json:argdist; do
	grep -qE "^${f#*:}: $G: a Go program, Go register ABI \(go1\.[0-9]+[^ ]* in \.go\.buildinfo\): arg1\.\.arg9 are %ax %bx %cx %di %si %r8 %r9 %r10 %r11, retval is %ax$" \
		"$TMP/${f%%:*}.err" || { cat "$TMP/${f%%:*}.err" >&2; fail "${f#*:} -v: no convention line"; }
	echo "  ok: ${f#*:} -v names Go's register ABI"
done
assert_eq "$(jq -r 'select(.type == "count" and (.probe | test("main.alpha\\(int"))) | "\(.a),\(.b),\(.c)=\(.count)"' \
	"$TMP/sig.json" | sort | tr '\n' ' ')" "0,10,20=1 1,11,21=1 2,12,22=1 " \
	"argdist declared signature of alpha"
assert_eq "$(jq -r 'select(.type == "count" and (.probe | test("main.nine"))) | "\(.a1),\(.a9)=\(.count)"' \
	"$TMP/sig.json")" "1,9=1" "argdist declared signature of nine (arg1 and arg9)"
assert_eq "$(jq -r 'select(.type == "count" and (.probe | test("alpha\\(\\)"))) | "\(.arg2)=\(.count)"' \
	"$TMP/sig.json" | sort | tr '\n' ' ')" "10=1 11=1 12=1 " "argdist arg2 of alpha"

check "a Go program that does not say its convention: argN refused, registers work"
expect_go_refusal() {
	local tool=$1 rc=0
	shift
	timeout -s KILL 60 "$ROOT/build/$tool" "$@" >"$OUT" 2>"$OUT.err" || rc=$?
	[ "$rc" -eq 2 ] || { cat "$OUT.err" >&2; fail "$tool $*: exited $rc, expected 2"; }
	assert_eq "$(wc -l <"$OUT.err")" 1 "$tool: lines on stderr"
	grep -qF "cannot be read: the calling convention of this Go program is unknown" "$OUT.err" &&
		grep -qF "read a register, as %ax" "$OUT.err" ||
		{ cat "$OUT.err" >&2; fail "$tool: not the convention refusal"; }
}
expect_go_refusal uprobe-trace "p:$NOVER:main.alpha \"%d\", arg1"
expect_go_refusal uprobe-trace "p:$NOVER:main.alpha (arg2 == 11) \"%d\", %ax"
expect_go_refusal argdist -C "p:$NOVER:main.alpha(int a):int:a"
expect_go_refusal argdist -C "p:$NOVER:main.alpha():long:arg1"
assert_nothing_attached
timeout -s KILL 60 "$ROOT/build/uprobe-trace" -v -j --cmd "$NOVER" \
	"p:$NOVER:main.alpha \"%d %d %d\", %ax, %rbx, %cx" >"$OUT" 2>"$OUT.err" ||
	{ cat "$OUT.err" >&2; fail "uprobe-trace on goprog_nover exited $?"; }
# -c: the command's output comes between the JSON lines.
grep '^{' "$OUT" >"$TMP/nover.json"
grep -v '^{' "$OUT" >"$TMP/nover.out"
same_output "$TMP/nover.out" "goprog_nover under uprobe-trace -c"
assert_eq "$(messages "$TMP/nover.json" | tr '\n' '|')" "0 10 20|1 11 21|2 12 22|" \
	"registers by name in goprog_nover"
grep -qF "uprobe-trace: $NOVER: a Go program, unknown Go convention" "$OUT.err" ||
	{ cat "$OUT.err" >&2; fail "-v does not say the convention is unknown"; }

check "cleanup"
assert_nothing_attached
echo PASS
