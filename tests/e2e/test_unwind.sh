#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# CFI unwinding (--unwind auto, the default): exact call chains and counts
# through code without frame pointers (Debian's libc, targets built with
# -fomit-frame-pointer), and the awkward frames: a syscall wrapper's
# caller, a frameless function's entry, signal handlers (__restore_rt),
# a thread's first frame (clone3), PLT stubs (lazy binding), the vDSO, a
# library dlopen()ed after the process was announced, an exec, and the
# uprobes return trampoline. Every assertion is an exact count or an
# exact stack; none depends on timing.
source "$(dirname "$0")/lib.sh"
SC=$ROOT/build/stackcount
PR=$ROOT/build/profile
SYS=$ROOT/build/syscount
U=$T/unwinder
for b in "$SC" "$PR" "$SYS"; do [ -x "$b" ] || fail "$b missing: run make"; done
for t in closer closer_nofp calls_nofp unwinder unwinder_fp libunwlib.so; do
	[ -e "$T/$t" ] || fail "$T/$t missing: run make targets"
done
# Every complete user stack starts here (glibc's _start: return address undefined).
START="_start;__libc_start_main;__libc_start_call_main;main"

# has_line FILE LINE: FILE holds LINE exactly, once.
has_line() {
	assert_eq "$(grep -cxF "$2" "$1")" 1 "line '$2'"
}

# sc_folded OUT ARGS...: stackcount -f ARGS, stdin from /dev/null unless
# the caller redirects; fails unless it exits 0.
sc_folded() {
	local out=$1
	shift
	timeout -s KILL 60 "$SC" -f "$@" >"$out" 2>"$out.err" ||
		{ cat "$out.err" >&2; fail "stackcount $* exited $?"; }
}

check "-v says which walk is used"
echo go | sc_folded "$TMP/v" -v --cmd "$T/closer 1 1" c:close
grep -q '^stackcount: user stacks: call-frame information' "$TMP/v.err" ||
	{ cat "$TMP/v.err"; fail "no 'user stacks: call-frame information' line"; }
echo go | sc_folded "$TMP/v" -v --unwind fp --cmd "$T/closer 1 1" c:close
grep -q '^stackcount: user stacks: frame pointers (--unwind fp)' "$TMP/v.err" ||
	{ cat "$TMP/v.err"; fail "no 'user stacks: frame pointers' line"; }
echo "  ok: -v names the walk"

check "stackcount c:close: the wrapper's caller, exact counts, with and without frame pointers"
for b in closer closer_nofp; do
	echo go | sc_folded "$TMP/c" --cmd "$T/$b 7 3" c:close
	cat "$TMP/c"
	assert_eq "$(grep -c ";" "$TMP/c")" 2 "$b: distinct stacks (the target prints \"done\")"
	has_line "$TMP/c" "$b;$START;path_a;close_a;__close 7"
	has_line "$TMP/c" "$b;$START;path_b;close_b;__close 3"
done

check "syscount --stack -c: the same chains at the syscall"
for b in closer closer_nofp; do
	echo go | timeout -s KILL 60 "$SYS" --stack --syscall close -f --cmd "$T/$b 5 2" \
		>"$TMP/s" 2>"$TMP/s.err" || { cat "$TMP/s.err"; fail "syscount exited $?"; }
	cat "$TMP/s"
	assert_eq "$(grep -cE "^$b-[0-9]+;$START;path_a;close_a;__close 5$" "$TMP/s")" 1 \
		"$b: close() through path_a"
	assert_eq "$(grep -cE "^$b-[0-9]+;$START;path_b;close_b;__close 2$" "$TMP/s")" 1 \
		"$b: close() through path_b"
done

check "syscount --stack --comm (system-wide) of a process running before it: read at start"
start_target closerN "$T/closer_nofp" 6 4 --hold
pid=$TARGET_PID fd=$TARGET_FD
bg_start "$TMP/sw" Tracing "$SYS" --stack --syscall close --comm closer_nofp -f
swpid=$BG_PID
echo go >&"$fd"
wait_for_text "$TMP/closerN.out" done 10 "$pid"
bg_stop "$swpid" "$TMP/sw"
release_target "$pid" "$fd"
cat "$TMP/sw"
assert_eq "$(grep -cE "^closer_nofp-[0-9]+;$START;path_a;close_a;__close 6$" "$TMP/sw")" 1 \
	"close() through path_a"
assert_eq "$(grep -cE "^closer_nofp-[0-9]+;$START;path_b;close_b;__close 4$" "$TMP/sw")" 1 \
	"close() through path_b"

check "a frameless function's entry: main is its caller"
sc_folded "$TMP/e" --cmd "$T/calls_nofp 4 2" "$T/calls_nofp:foo"
has_line "$TMP/e" "calls_nofp;$START;foo 4"
sc_folded "$TMP/e" --cmd "$T/calls 4 2" "$T/calls:foo"
has_line "$TMP/e" "calls;$START;foo 4"

check "a signal handler: through __restore_rt to the interrupted kill()"
for b in unwinder unwinder_fp; do
	sc_folded "$TMP/g" --cmd "$T/$b signal 6" c:close
	has_line "$TMP/g" "$b;$START;run_signal;kill;__restore_rt;on_signal;sig_work;__close 6"
done

check "a thread: its first frame is clone3's, then start_thread"
sc_folded "$TMP/t" --cmd "$U thread 5" c:close
assert_eq "$(grep -cE '^unwinder;[A-Za-z_]*clone3;start_thread;thread_main;thread_work;__close 5$' \
	"$TMP/t")" 1 "clone3;start_thread;thread_main;thread_work;__close 5"

check "a library dlopen()ed after the process was announced"
for b in unwinder unwinder_fp; do
	sc_folded "$TMP/d" --cmd "$T/$b dlopen 5" c:close
	has_line "$TMP/d" "$b;$START;run_dlopen;lib_outer;lib_inner;__close 5"
done

check "an exec after the process was announced: both images' stacks"
sc_folded "$TMP/x" --cmd "$U exec 3" c:close
has_line "$TMP/x" "unwinder;$START;run_exec;pre_exec;__close 1"
has_line "$TMP/x" "unwinder;$START;run_dlopen;lib_outer;lib_inner;__close 3"

check "PLT stubs: the stub's caller at the stub (rsp+8) and past the lazy push (rsp+16)"
plt=$(objdump -d --section=.plt "$U" | awk '/<getppid@plt>:/ {print $1}')
[ -n "$plt" ] || fail "no getppid@plt in $U"
at=$(printf '0x%x' $((0x$plt)))
sc_folded "$TMP/p" --unsafe --cmd "$U plt 5" "$U:$at"
assert_eq "$(grep -cE "^unwinder;$START;run_plt;plt_caller;[^;]+ 5$" "$TMP/p")" 1 \
	"5 calls through the stub, caller plt_caller"
at=$(printf '0x%x' $((0x$plt + 11)))
sc_folded "$TMP/p" --unsafe --cmd "$U plt 5" "$U:$at"
assert_eq "$(grep -cE "^unwinder;$START;run_plt;plt_caller;[^;]+ 1$" "$TMP/p")" 1 \
	"1 lazy binding (the push done), caller plt_caller"

check "the uprobes return trampoline: return probes on the frames being walked"
for b in unwinder unwinder_fp; do
	sc_folded "$TMP/r" --cmd "$T/$b chain 4" "$T/$b:touch" "r:$T/$b:beta" "r:$T/$b:alpha"
	cat "$TMP/r"
	has_line "$TMP/r" "$b;$START;alpha;beta;gamma_;touch 4"
	has_line "$TMP/r" "$b;$START;alpha 4"
	has_line "$TMP/r" "$b;$START 4"
done

check "profile -U, a frameless CPU loop: every sample reaches _start"
timeout -s KILL 60 "$PR" -U -F 199 -f --cmd "$U spin 2500" >"$TMP/pr" 2>"$TMP/pr.err" ||
	{ cat "$TMP/pr.err"; fail "profile exited $?"; }
total=$(awk '{n += $NF} END {print n + 0}' "$TMP/pr")
full=$(awk -v s="unwinder;$START;" 'index($0, s) == 1 {n += $NF} END {print n + 0}' "$TMP/pr")
spin=$(grep -F "unwinder;$START;spin_outer;spin_mid;spin_leaf " "$TMP/pr" | awk '{print $NF}')
echo "  samples: $total, reaching main: $full, in spin_leaf: ${spin:-0}"
# The loop spins for 2.5 s of wall time: on a loaded machine it gets less
# CPU, so only enough samples for the shares below to mean something.
assert_ge "$total" 50 "samples"
# Samples in ld.so before main, or in exit after it, may not reach main;
# a few of several hundred at most.
[ $((full * 100)) -ge $((total * 99)) ] || { cat "$TMP/pr"; fail "only $full of $total samples reach main"; }
assert_ge "${spin:-0}" $((total * 9 / 10)) "samples in main;spin_outer;spin_mid;spin_leaf"
echo "  ok: >= 99% of samples reach _start;...;main"

check "profile -U in the vDSO: its frames, then the caller's to _start"
timeout -s KILL 60 "$PR" -U -F 199 -f --cmd "$U vdso 1500" >"$TMP/vd" 2>"$TMP/vd.err" ||
	{ cat "$TMP/vd.err"; fail "profile exited $?"; }
assert_ge "$(grep -c '__vdso_clock_gettime' "$TMP/vd")" 1 "stacks in __vdso_clock_gettime"
assert_eq "$(grep '__vdso_clock_gettime' "$TMP/vd" |
	grep -cvE "^unwinder;$START;run_vdso;(vdso_caller|now_ms);__clock_gettime;__vdso_clock_gettime(;[^;]+)* [0-9]+$")" \
	0 "vDSO stacks not through vdso_caller or now_ms to _start"

check "summary: no stack cut short in these runs; JSON carries the counters"
timeout -s KILL 60 "$SC" -j --cmd "$U signal 2" c:close >"$TMP/j" 2>"$TMP/j.err" || fail "stackcount -j"
for k in cut_user_stacks early_user_stacks fp_user_stacks lost_user_stacks; do
	assert_eq "$(summary_of "$k" "$TMP/j")" 0 "$k"
done

check "nothing of stackcount, profile or syscount stays loaded"
assert_no_progs "$(progs_re stackcount)"
assert_no_progs "$(progs_re profile)"
assert_no_progs "$(progs_re syscount)"
echo PASS
