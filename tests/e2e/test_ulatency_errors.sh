#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# ulatency on bad input: one clear sentence on stderr, exit 2, nothing on
# stdout, nothing left attached. Go programs (here a C program with a
# .gopclntab section) are refused unless --force.
source "$(dirname "$0")/ulatency_lib.sh"

check "no match"
assert_usage_error "no function matches 'no_such_function'" "$T/sleeper:no_such_function"
assert_usage_error "no function matches" 'c:no_such_function_*'

check "missing file, not an ELF file"
assert_usage_error "cannot find" "/no/such/binary:foo"
assert_usage_error "not an ELF file" "$T/notelf:foo"

check "Go program: refused without --force, timed with it"
assert_usage_error "is a Go program" "$T/fakego:sleep_ms"
grep -qF -- "--force" "$OUT.err" || fail "the Go refusal does not name --force"
ul_json -m --force -c "$T/fakego 3 0 0 0" "$T/fakego:sleep_ms"
assert_eq "$(hist_count)" 3 "fakego sleep_ms with --force"
grep -q "Go program" "$OUT.err" || fail "no warning with --force"

check "probe kinds that cannot be timed"
assert_usage_error "is a return probe" "r:$T/sleeper:sleep_ms"
assert_usage_error "is a return probe" "uretprobe:$T/sleeper:sleep_ms"
assert_usage_error "is a USDT probe" "u:$T/sleeper:probe"
assert_usage_error "is a tracepoint" "t:sched:sched_switch"
assert_usage_error "is a return probe" "r::vfs_read"
assert_usage_error "is a return probe" "kretprobe:vfs_read"

# A bare name is a kernel function, as in funclatency. Kernel functions are
# timed on kernels with kprobes or trampolines (tests/vm/smoke.sh); this
# one has neither: one sentence, exit 1.
if "$ROOT/build/funccount" -v -l c:malloc 2>&1 >/dev/null | grep -q 'kprobe=0 .*fentry=0'; then
	check "kernel functions on a kernel without kprobes or trampolines"
	assert_error 1 "neither kprobes nor BPF trampolines" "p::vfs_read"
	assert_error 1 "neither kprobes nor BPF trampolines" "sleep_ms"
fi

check "bad options"
assert_usage_error "no pattern given"
assert_usage_error "unknown option" -x "$T/sleeper:sleep_ms"
assert_usage_error "-u and -m cannot be used together" -u -m "$T/sleeper:sleep_ms"
assert_usage_error "-p and -c cannot be used together" -p 1 -c true "$T/sleeper:sleep_ms"
assert_usage_error "invalid interval" -i 0 "$T/sleeper:sleep_ms"
assert_usage_error "invalid duration" -d abc "$T/sleeper:sleep_ms"
assert_usage_error "invalid pid" -p -3 "$T/sleeper:sleep_ms"
assert_usage_error "invalid attach mode" --attach bogus "$T/sleeper:sleep_ms"
assert_usage_error "option '-p' needs an argument" -p
assert_usage_error "does not exist" -p 999999999 "$T/sleeper:sleep_ms"

check "help and version exit 0"
"$UL" --help | grep -q '^Examples:' || fail "--help has no examples"
"$UL" --version | grep -q '^ulatency (cotrace) ' || fail "--version"

check "cleanup"
assert_ul_detached
echo PASS
