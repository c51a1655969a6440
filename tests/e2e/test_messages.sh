#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Messages that named the wrong cause or no way out (issue 12, item 6):
# (a) with few file descriptors (ulimit -n), the real cause, never "this
#     kernel has no multi-uprobe link" nor libbpf's "Invalid argument";
# (b) a C++ pattern with a lone ':' names the forms that work, and
#     bpftrace's cpp: qualifier works in the bcc forms too;
# (c) profile: a DURATION argument together with --duration, and a
#     duration that is not a plain decimal number, are usage errors (exit 2);
# (d) -c with a program of another architecture (a static i386 one) and a
#     probe of the 64-bit libc: refused in one sentence (exit 2), before
#     the program runs; the program itself, scripts and 64-bit programs
#     are not refused;
# (e) a command that cannot run (a directory, a file without execute
#     permission) ends every tool with one sentence and exit 2, and usage
#     errors name the option typed, even inside a cluster (profile -aQ).
# Every run is bounded by timeout; no assertion is about time.
. "$(dirname "$0")/lib.sh"

HELLO32=$T/hello32
[ -x "$HELLO32" ] || fail "$HELLO32 missing: run make targets"

# run TOOL ARGS...: build/TOOL ARGS, stdout in $TMP/r.out, stderr in
# $TMP/r.err, status in RC.
run() {
	local tool=$1
	shift
	RC=0
	timeout -s KILL 60 "$ROOT/build/$tool" "$@" >"$TMP/r.out" 2>"$TMP/r.err" || RC=$?
	[ "$RC" -ne 137 ] || fail "$tool $* did not end within 60 s"
}

# refused STATUS TEXT TOOL ARGS...: exit STATUS and one line of stderr,
# "TOOL: ..." containing TEXT.
refused() {
	local status=$1 text=$2 tool=$3 lines
	shift 3
	run "$tool" "$@"
	assert_eq "$RC" "$status" "$tool $*: exit status"
	lines=$(grep -vc 'Hit Ctrl-C to end' "$TMP/r.err")
	assert_eq "$lines" 1 "$tool: lines of stderr"
	grep -qF -- "$tool: " "$TMP/r.err" && grep -qF -- "$text" "$TMP/r.err" ||
		fail "$tool: stderr lacks '$text': $(cat "$TMP/r.err")"
	echo "  ok: $tool says: $text"
}

# ---- (a) few file descriptors ------------------------------------------------------
# Every limit from nearly none to plenty: each run either counts right or
# names the descriptors as the cause; none blames the kernel. Plenty is
# 40 above the descriptors this shell has open below 64 (the tools need
# 32 free).
low=0
for fd in /proc/$$/fd/*; do
	[ "${fd##*/}" -lt 64 ] && low=$((low + 1))
done
top=$((low + 40))
modes="single auto"
"$FC" -v -l c:malloc 2>&1 >/dev/null | grep -q 'uprobe_multi=1' && modes="$modes multi"
for mode in $modes; do
	check "funccount --attach=$mode under ulimit -n 4..$top"
	ok=0 short=0
	for ((n = 4; n <= top; n++)); do
		rc=0
		(ulimit -n "$n" && exec timeout -s KILL 30 "$FC" -j --attach="$mode" \
			--cmd "$T/calls 3 2" "$T/calls:foo") >"$TMP/fd.out" 2>"$TMP/fd.err" || rc=$?
		if [ "$rc" -eq 0 ]; then
			assert_eq "$(count_of foo "$TMP/fd.out")" 3 "ulimit -n $n: foo calls" >/dev/null
			ok=$((ok + 1))
			continue
		fi
		[ "$rc" -eq 1 ] || fail "ulimit -n $n: exit $rc: $(cat "$TMP/fd.err")"
		grep -v 'Hit Ctrl-C' "$TMP/fd.err" | grep -q 'file descriptor' ||
			fail "ulimit -n $n: the cause is not named: $(cat "$TMP/fd.err")"
		! grep -qE 'multi-uprobe|Invalid argument|not supported' "$TMP/fd.err" ||
			fail "ulimit -n $n: a wrong cause: $(cat "$TMP/fd.err")"
		short=$((short + 1))
	done
	echo "  ok: $ok limits counted foo 3 times, $short named the descriptors"
	[ "$ok" -gt 0 ] && [ "$short" -gt 0 ] || fail "expected both outcomes in the range"
done

check "the sentence, in every tool"
for t in funccount stackcount ulatency uprobe-trace; do
	(ulimit -n 12 && exec timeout -s KILL 30 "$ROOT/build/$t" --cmd "$T/calls 3 2" \
		"$T/calls:foo") >/dev/null 2>"$TMP/fd.err"
	RC=$?
	cp "$TMP/fd.err" "$TMP/r.err"
	assert_eq "$RC" 1 "$t: exit status"
	grep -qF "$t: only " "$TMP/r.err" &&
		grep -qF "file descriptors are free (ulimit -n is 12, " "$TMP/r.err" &&
		grep -qF "tracing needs at least 32: raise the limit with ulimit -n" "$TMP/r.err" ||
		fail "$t: $(cat "$TMP/r.err")"
	echo "  ok: $t: $(cat "$TMP/r.err")"
done
# fd_short TOOL ARGS...: under ulimit -n 12, TOOL says descriptors are short.
fd_short() {
	local tool=$1 rc=0
	shift
	(ulimit -n 12 && exec timeout -s KILL 30 "$ROOT/build/$tool" "$@") \
		>/dev/null 2>"$TMP/fd.err" || rc=$?
	assert_eq "$rc" 1 "$tool: exit status"
	grep -qF "$tool: only " "$TMP/fd.err" && grep -qF "raise the limit with ulimit -n" \
		"$TMP/fd.err" || fail "$tool: $(cat "$TMP/fd.err")"
	echo "  ok: $tool names the descriptors"
}
fd_short argdist --cmd "$T/calls 3 2" -C "p:$T/calls:foo()"
fd_short syscount -d 1
fd_short proclife -d 1
fd_short profile 1

check "a low soft limit is the limit: not raised behind the user's back"
rc=0
(ulimit -Sn 12 && exec timeout -s KILL 30 "$FC" -j --cmd "$T/calls 3 2" "$T/calls:foo") \
	>"$TMP/fd.out" 2>"$TMP/fd.err" || rc=$?
assert_eq "$rc" 1 "ulimit -Sn 12: exit status"
grep -qF "(ulimit -n is 12, " "$TMP/fd.err" || fail "ulimit -Sn 12: $(cat "$TMP/fd.err")"
assert_nothing_attached

# ---- (b) C++ patterns ---------------------------------------------------------------
N=4
check "bpftrace's cpp: in the bcc forms: $T/cxx:cpp:shapes::*::area and p:, r:"
for spec in "$T/cxx:cpp:shapes::*::area" "p:$T/cxx:cpp:\"shapes::*::area\"" \
	    "r:$T/cxx:cpp:shapes::*::area"; do
	fc_json --cmd "$T/cxx $N" "$spec"
	assert_eq "$(count_of "shapes::Circle::area() const")" "$N" "$spec: Circle::area"
	assert_eq "$(count_of "shapes::Square::area() const")" "$((2 * N))" "$spec: Square::area"
done

check "the issue's spec: libstdc++.so.6:cpp:std::*"
run funccount -l 'libstdc++.so.6:cpp:std::*'
if grep -q 'cannot find' "$TMP/r.err"; then
	echo "  skip: no libstdc++.so.6 here"
else
	assert_eq "$RC" 0 "funccount -l libstdc++.so.6:cpp:std::*: exit status"
	assert_ge "$(grep -c '^uprobe:.*libstdc++.so.6:std::' "$TMP/r.out")" 1 "std:: functions listed"
fi

check "a lone ':' names the C++ forms"
refused 2 "'$T/cxx:shapes:area' has too many fields: expected LIB:FUNC, or for C++ names $T/cxx:cpp:\"NS::*\" (bpftrace's uprobe:$T/cxx:cpp:\"NS::*\")" \
	funccount -l "$T/cxx:shapes:area"
refused 2 "or for C++ names r:$T/cxx:cpp:\"NS::*\" (bpftrace's uretprobe:$T/cxx:cpp:\"NS::*\")" \
	uprobe-trace "r:$T/cxx:shapes:area"
refused 2 "or for C++ names uprobe:$T/cxx:cpp:\"NS::*\"" stackcount "uprobe:$T/cxx:shapes:area"

# ---- (c) profile's DURATION ---------------------------------------------------------
check "profile: DURATION and --duration together, and durations that are not decimal"
refused 2 "the duration argument '0x10' and --duration cannot be used together" \
	profile --include-idle 0x10 --duration 1
refused 2 "the duration argument '2' and --duration cannot be used together" profile --duration 1 2
refused 2 "the duration argument '2' and --duration cannot be used together" profile 2 --duration 1
refused 2 "invalid duration '0x10' (seconds, a decimal number)" profile 0x10
refused 2 "invalid duration '1e1' (seconds, a decimal number)" profile 1e1
refused 2 "invalid duration '0x10' (seconds, a decimal number)" profile --duration 0x10
refused 2 "invalid interval '0x1' (seconds, a decimal number)" funccount -i 0x1 c:malloc
check "profile: a decimal DURATION alone runs"
run profile -f --include-idle 0.3
assert_eq "$RC" 0 "profile --include-idle 0.3: exit status"

# ---- (d) a -c program of another architecture -------------------------------------
LIBC_SENTENCE="is a program for i386 (32-bit) and cannot load "
LIBC_TAIL="which is for x86-64: no probe there would ever fire"
check "-c $HELLO32 (i386) with c:printf: refused before it runs"
for t in funccount stackcount ulatency uprobe-trace; do
	refused 2 "'$HELLO32' $LIBC_SENTENCE" "$t" --cmd "$HELLO32" c:printf
	grep -qF "$LIBC_TAIL" "$TMP/r.err" || fail "$t: $(cat "$TMP/r.err")"
	! grep -q 'hello from i386' "$TMP/r.out" || fail "$t: the program ran"
done
refused 2 "'$HELLO32' $LIBC_SENTENCE" argdist --cmd "$HELLO32" -C 'p:c:puts(char *s):char *:s'
check "-c found through PATH: the path it runs"
PATH="$T:$PATH" run funccount --cmd hello32 c:printf
assert_eq "$RC" 2 "funccount --cmd hello32: exit status"
grep -qF "funccount: '$T/hello32' $LIBC_SENTENCE" "$TMP/r.err" || fail "$(cat "$TMP/r.err")"
assert_nothing_attached

check "not refused: the 64-bit libc with a 64-bit program, or a script"
fc_json --cmd "$T/calls 3 2" "$T/calls:foo" c:malloc
assert_eq "$(count_of foo)" 3 "calls: foo"
printf '#!/bin/sh\nexit 0\n' >"$TMP/script.sh" && chmod +x "$TMP/script.sh"
fc_json --cmd "$TMP/script.sh" c:malloc
echo "  ok: a script with c:malloc runs"

check "the program itself: its own sentence, as before"
refused 1 "'$HELLO32' is not an x86-64 ELF file" funccount --cmd "$HELLO32" "$HELLO32:_start"
check "hello32 itself is a working program"
assert_eq "$("$HELLO32")" "hello from i386" "hello32 output"
assert_nothing_attached

# ---- (e) commands that cannot run; options named ---------------------------------
mkdir "$TMP/adir" && printf '#!/bin/sh\nexit 0\n' >"$TMP/noexec" || fail "setup"
# Runnable at start, but its exec fails once the probes are attached.
printf '#!/nonexistent/interpreter\n' >"$TMP/badinterp" && chmod +x "$TMP/badinterp" ||
	fail "setup"
check "--cmd DIR and --cmd FILE-without-x: one sentence, exit 2, in every tool"
for t in funccount stackcount ulatency uprobe-trace argdist syscount profile; do
	case $t in
	argdist) spec=(-C 'p:c:malloc(size_t n):size_t:n') ;;
	syscount|profile) spec=() ;;
	*) spec=(c:malloc) ;;
	esac
	refused 2 "$t: cannot run '$TMP/adir': Is a directory" "$t" --cmd "$TMP/adir" "${spec[@]}"
	refused 2 "$t: cannot run '$TMP/noexec': Permission denied" "$t" --cmd "$TMP/noexec" \
		"${spec[@]}"
	refused 2 "$t: cannot run '$TMP/badinterp': No such file or directory" "$t" \
		--cmd "$TMP/badinterp" "${spec[@]}"
done
assert_nothing_attached
check "usage errors name the option, not the program"
refused 2 "profile: unknown option '-Q'" profile -aQ 1
refused 2 "funccount: unknown option '-Q'" funccount -TQ c:malloc
refused 2 "syscount: option '-c' needs an argument" syscount -c
refused 2 "uprobe-trace: unknown option '--no-such'" uprobe-trace --no-such=1 c:malloc

echo "PASS: test_messages"
