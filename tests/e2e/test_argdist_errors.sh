#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# argdist: bad input gets one sentence on stderr and exit 2; nothing is
# left attached.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/argdist_lib.sh"

# bad EXPECTED_TEXT ARGS...: argdist ARGS exits 2 with one line containing TEXT.
bad() {
	local text=$1 rc=0
	shift
	timeout -s KILL 30 "$AD" "$@" >"$OUT" 2>"$OUT.err" || rc=$?
	assert_eq "$rc" 2 "exit code of argdist $*"
	assert_eq "$(wc -l <"$OUT.err")" 1 "one line on stderr"
	grep -qF -- "$text" "$OUT.err" || fail "stderr '$(cat "$OUT.err")' lacks '$text'"
	[ -s "$OUT" ] && fail "stdout not empty: $(cat "$OUT")"
	echo "  ok: $(cat "$OUT.err")"
}

P="p:$T/tracee:alloc"
# An empty library is a kernel function (tests/vm/smoke.sh counts them on
# 6.1); on a kernel without kprobes or trampolines: one sentence, exit 1.
if "$ROOT/build/funccount" -v -l c:malloc 2>&1 >/dev/null | grep -q 'kprobe=0 .*fentry=0'; then
	check "kernel functions on a kernel without kprobes or trampolines"
	rc=0
	timeout -s KILL 30 "$AD" -C 'p::vfs_read(int fd):int:fd' >"$OUT" 2>"$OUT.err" || rc=$?
	assert_eq "$rc" 1 "exit code"
	assert_eq "$(wc -l <"$OUT.err")" 1 "one line on stderr"
	grep -q "neither kprobes nor BPF trampolines" "$OUT.err" || fail "stderr: $(cat "$OUT.err")"
fi

check "malformed specifiers"
bad "must start with p:, r:, t: or u:" -C "x:$T/tracee:alloc(size_t size):size_t:size"
bad "signature in parentheses" -C "$P:size_t:size"
bad "unbalanced parentheses" -C "$P(size_t size:size_t:size"
bad "expected :TYPE:EXPR" -C "$P(size_t size):size_t"
bad "1 type for 2 expressions" -C "$P(size_t size):size_t:size,size"
bad "needs a type and a name" -C "$P(size):size_t:size"
bad "tracepoints take no signature" -C "t:sched:sched_switch(int x):int:1"
bad "USDT probes take no signature" -C "u:$T/usdt:tick(long i):long:i"
bad "a tracepoint needs its category" -C "t::sched_switch():int:1"
bad "no specifier given" --cmd "$T/tracee alloc 1"
bad "unknown option" -C "$P(size_t size):size_t:size" -Q

check "unknown types"
bad "unknown type 'struct foo' of parameter 'f'" -C "$P(struct foo f):int:1"

check "return values and entry values in entry probes"
bad "retval is only available in return probes" --cmd "$T/tracee alloc 1" -C "$P(size_t size):long:\$retval"
bad "\$latency is only available in return probes" -C "$P(size_t size):u64:\$latency"
bad "'nope' is not a parameter" -C "r:$T/tracee:alloc(size_t size):u64:\$entry(nope)"

check "typed expressions"
R="p:$T/typed:visit"
bad "'struct rec' has no member 'nope'" --cmd "$T/typed recs 1" -C "$R(struct rec *r):long:r->nope"
bad "unknown type 'struct nosuch'" --cmd "$T/typed recs 1" -C "$R(struct nosuch *r):long:r->id"
bad "is a struct: name one of its members" --cmd "$T/typed recs 1" -C "$R(struct rec *r):long:r->pos"
bad "'->id' in 'arg1->id' needs a typed pointer" --cmd "$T/typed recs 1" -C "$R():long:arg1->id"
bad "unknown type 'sizet' for 'size'" -C "$P(size_t size):sizet:size"

check "expressions"
bad "unknown name 'sz'" --cmd "$T/tracee alloc 1" -C "$P(size_t size):size_t:sz"
bad "a histogram needs a number" -H "p:$T/distee:word(char *w):char *:w"
bad "a histogram takes one expression" -H "$P(size_t size):u64,u64:size,size"
bad "no function matches" --cmd "$T/tracee alloc 1" -C "p:$T/tracee:nosuchfunc(int x):int:x"

check "cleanup"
assert_no_argdist_progs
echo PASS
