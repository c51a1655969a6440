#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end smoke suite for a second kernel (Debian's stock 6.1, booted by
# tests/vm/run.sh): every tool once, exact counts only. This kernel has
# kprobes but no multi-uprobe link, so user probes go through the
# one-perf-event-per-site fallback and kernel functions can be counted.
# Runs from the repository root, as root; every tool runs under a timeout.
# Each test runs in a subshell: one failure does not hide the others.
set -u
B=$PWD/build
T=$B/tests/targets
TMP=$(mktemp -d /tmp/cotrace-vm.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT
K=13	# openat calls made by the opener

fail() { echo "FAIL: $*"; exit 1; }
eq() { [ "$1" == "$2" ] || fail "$3: got '$1', expected '$2'"; echo "  ok: $3 = $2"; }
ge() { [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge "$2" ] || fail "$3: got '$1', expected >= $2"
       echo "  ok: $3 = $1 (>= $2)"; }
# run OUT TOOL ARGS...: TOOL ARGS with stdout in OUT, stderr in OUT.err; expect exit 0.
run() {
	local out=$1 rc=0
	shift
	timeout -s KILL 120 "$B/$1" "${@:2}" >"$out" 2>"$out.err" || rc=$?
	# Killed: say which processes were left stopped (a command held by a tool).
	[ "$rc" -ne 137 ] || grep -H '^State:.*stopped' /proc/[0-9]*/status 2>/dev/null |
		while IFS=/ read -r _ _ pid _; do echo "left stopped: $pid $(cat "/proc/$pid/comm")"; done
	[ "$rc" -eq 0 ] || { cat "$out.err"; fail "$* exited $rc"; }
}
# count FUNC FILE: funccount's JSON count of FUNC.
count() { jq -rs --arg f "$1" '[.[] | select(.type == "count" and .func == $f) | .count] | add // 0' "$2"; }
summary() { jq -rs --arg k "$1" '[.[] | select(.type == "summary")][0][$k]' "$2"; }

test_kernel() {
	echo "kernel $(uname -r)"
	[ -r /sys/kernel/btf/vmlinux ] || fail "no /sys/kernel/btf/vmlinux"
	case $(uname -r) in 6.1.*) ;; *) fail "expected Debian's 6.1 kernel, got $(uname -r)" ;; esac
	run "$TMP/o" funccount -v --cmd "$T/calls 1 1" "$T/calls:foo"
	grep '^kernel features:' "$TMP/o.err"
	# Debian's 6.1: kprobes, no fprobe (so no kprobe-multi), no multi-uprobe link.
	grep -q 'uprobe_multi=0 kprobe=1 kprobe_multi=0 fentry=1 bpf_cookie=1 ringbuf=1' "$TMP/o.err" ||
		fail "unexpected kernel features"
}

test_funccount_uprobes() {
	run "$TMP/o" funccount -v -j --cmd "$T/calls 5 3" "$T/calls:foo" "$T/calls:bar"
	grep -q 'uprobe_multi=0' "$TMP/o.err" || { cat "$TMP/o.err"; fail "-v does not report uprobe_multi=0"; }
	echo "  ok: -v reports uprobe_multi=0"
	eq "$(count foo "$TMP/o")" 5 "foo"
	eq "$(count bar "$TMP/o")" 3 "bar"
	eq "$(summary skipped "$TMP/o")" 0 "skipped"
	# Wildcards, through the same fallback (bar, and the static local_helper).
	run "$TMP/w" funccount -j --cmd "$T/calls 4 2" "$T/calls:?oo" "$T/calls:ba?" "$T/calls:local_*"
	eq "$(count foo "$TMP/w")" 4 "wildcard foo"
	eq "$(count bar "$TMP/w")" 2 "wildcard bar"
	eq "$(count local_helper "$TMP/w")" 1 "wildcard local_helper"
}

test_funccount_attach_multi() {
	local rc=0
	timeout -s KILL 60 "$B/funccount" --attach=multi --cmd "$T/calls 1 1" "$T/calls:foo" \
		>"$TMP/o" 2>"$TMP/o.err" || rc=$?
	cat "$TMP/o.err"
	eq "$rc" 1 "exit code of --attach=multi"
	eq "$(wc -l <"$TMP/o.err")" 1 "stderr lines"
	grep -q 'no multi-uprobe link' "$TMP/o.err" || fail "no reason given"
}

test_funccount_usdt() {
	run "$TMP/o" funccount -j --cmd "$T/usdt 10" "u:$T/usdt:cotrace:t*"
	eq "$(count cotrace:tick "$TMP/o")" 10 "cotrace:tick"
	eq "$(count cotrace:tock "$TMP/o")" 5 "cotrace:tock"
}

test_funccount_tracepoint() {
	run "$TMP/o" funccount -j --cmd "$T/sysload getppid 7" 't:syscalls:sys_enter_getppid'
	eq "$(count syscalls:sys_enter_getppid "$TMP/o")" 7 "sys_enter_getppid"
}

# Kernel functions: through BPF trampolines (fentry, fexit) by default on
# this kernel, through one kprobe each with --attach=single; same counts.
test_funccount_kernel() {
	local mode
	for mode in auto single; do
		echo "  --attach=$mode"
		run "$TMP/o" funccount -v -j --attach=$mode --cmd "$T/opener $K /etc/hostname" \
			do_sys_openat2 'p::__x64_sys_openat'
		grep '^attached' "$TMP/o.err"
		if [ $mode = auto ]; then
			grep -q '(2 through trampolines)' "$TMP/o.err" || fail "not through trampolines"
		else
			grep -q '(0 through trampolines)' "$TMP/o.err" || fail "trampolines with single"
		fi
		eq "$(count do_sys_openat2 "$TMP/o")" "$K" "do_sys_openat2"
		eq "$(count __x64_sys_openat "$TMP/o")" "$K" "__x64_sys_openat"
		eq "$(summary missed "$TMP/o")" 0 "missed"
		run "$TMP/r" funccount -j --attach=$mode --cmd "$T/opener $K /etc/hostname" 'r::do_sys_openat2'
		eq "$(count do_sys_openat2 "$TMP/r")" "$K" "do_sys_openat2 returns"
	done
}

test_funccount_kernel_wildcard() {
	local left mode t0
	for mode in auto single; do
		echo "  --attach=$mode"
		t0=$(date +%s.%N)
		run "$TMP/o" funccount -v -j --attach=$mode --cmd "$T/opener $K /etc/hostname" 'p::vfs_*'
		grep '^attached' "$TMP/o.err"
		awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "  run took %.1f s\n", b - a }'
		ge "$(summary sites "$TMP/o")" 20 "vfs_* sites"
		# Each open of the opener, and the open of its binary by execve().
		eq "$(count vfs_open "$TMP/o")" "$((K + 1))" "vfs_open"
		# Detached: no kprobe and no program of ours is left.
		left=$(grep -c ' vfs_' /sys/kernel/debug/kprobes/list 2>/dev/null)
		eq "${left:-0}" 0 "vfs_* kprobes left after exit"
		left=$(bpftool -j prog list 2>/dev/null | jq '[.[] | select(.name // "" | startswith("count_"))] | length')
		eq "${left:-0}" 0 "count_* programs left after exit"
	done
}

test_stackcount_kernel() {
	local mode
	# Trampolines (fentry) by default, kprobes with --attach=single: the
	# same stack, the probe's own frames left out.
	for mode in single auto; do
	echo "  --attach=$mode"
	run "$TMP/o" stackcount -K -j --attach=$mode --cmd "$T/opener 3 /etc/hostname" do_sys_openat2
	cat "$TMP/o"
	eq "$(jq -rs '[.[] | select(.type == "stack")] | length' "$TMP/o")" 1 "distinct stacks"
	eq "$(jq -rs '[.[] | select(.type == "stack")][0].count' "$TMP/o")" 3 "hits"
	eq "$(jq -rs '[.[] | select(.type == "stack")][0].kernel[0]' "$TMP/o")" do_sys_openat2 \
		"innermost kernel frame"
	jq -e -s '[.[] | select(.type == "stack") | .kernel[]] | any(. == "do_syscall_64")' \
		"$TMP/o" >/dev/null || fail "no do_syscall_64 frame"
	echo "  ok: do_syscall_64 frame"
	done
	run "$TMP/r" stackcount -K -j --cmd "$T/opener 3 /etc/hostname" r::do_sys_openat2
	eq "$(jq -rs '[.[] | select(.type == "stack")][0].kernel[0]' "$TMP/r")" do_sys_openat2 \
		"innermost kernel frame at the return"
	# User stacks through the uprobe fallback.
	run "$TMP/u" stackcount -j --cmd "$T/stacks 6" "$T/stacks:gamma"
	eq "$(jq -rs '[.[] | select(.type == "stack" and .user[0:4] == ["gamma","beta","alpha","main"]) | .count] | add' "$TMP/u")" \
		6 "gamma;beta;alpha;main"
}

test_profile() {
	run "$TMP/o" profile -F 99 -j --cmd "$T/spin 1"
	ge "$(summary samples "$TMP/o")" 1 "samples"
	eq "$(jq -rs '[.[] | select(.type == "stack" and .comm == "spin")] | max_by(.count) | .user[0]' "$TMP/o")" \
		hot_loop "top frame of spin's most sampled stack"
}

test_syscount() {
	run "$TMP/o" syscount -j --cmd "$T/sysload getppid 7"
	eq "$(jq -rs '[.[] | select(.type == "count" and .syscall == "getppid") | .count] | add' "$TMP/o")" \
		7 "getppid"
}

test_proclife() {
	local pl i rc=0
	"$B/proclife" -j -c cotrace-child >"$TMP/o" 2>"$TMP/o.err" &
	pl=$!
	for ((i = 0; i < 600; i++)); do
		grep -q Tracing "$TMP/o.err" && break
		kill -0 "$pl" 2>/dev/null || { cat "$TMP/o.err"; fail "proclife exited early"; }
		sleep 0.1
	done
	grep -q Tracing "$TMP/o.err" || { kill -KILL "$pl"; fail "proclife did not start"; }
	timeout -s KILL 60 "$T/forker" children 4 40 || { kill -KILL "$pl"; fail "forker failed"; }
	kill -INT "$pl"
	timeout -s KILL 60 tail --pid="$pl" -f /dev/null
	wait "$pl" || rc=$?
	eq "$rc" 0 "proclife exit code"
	eq "$(jq -rs '[.[] | select(.type == "hist" and .comm == "cotrace-child") | .count] | add // 0' "$TMP/o")" \
		4 "cotrace-child processes"
}

test_ulatency() {
	run "$TMP/o" ulatency -F -j -c "$T/calls 5 3" "$T/calls:foo" "$T/calls:bar"
	eq "$(jq -rs '[.[] | select(.type == "hist" and .func == "foo")][0].count' "$TMP/o")" 5 "foo timed"
	eq "$(jq -rs '[.[] | select(.type == "hist" and .func == "bar")][0].count' "$TMP/o")" 3 "bar timed"
}

# ulatency on kernel functions: a kprobe and a kretprobe each, matched by
# the kernel stack pointer; the opener makes exactly K openat() calls.
test_ulatency_kernel() {
	local rc=0 mode
	for mode in single auto; do
	echo "  --attach=$mode"
	run "$TMP/o" ulatency -v -F -j --attach=$mode -c "$T/opener $K /etc/hostname" do_sys_openat2 \
		'p::__x64_sys_openat' "$T/calls:foo"
	cat "$TMP/o.err"
	if [ $mode = auto ]; then
		grep -q '(4 through trampolines)' "$TMP/o.err" || fail "not through trampolines"
	else
		grep -q '(0 through trampolines)' "$TMP/o.err" || fail "trampolines with single"
	fi
	eq "$(jq -rs '[.[] | select(.type == "hist" and .func == "do_sys_openat2")][0].count' "$TMP/o")" \
		"$K" "do_sys_openat2 timed"
	eq "$(jq -rs '[.[] | select(.type == "hist" and .func == "__x64_sys_openat")][0].count' "$TMP/o")" \
		"$K" "__x64_sys_openat timed"
	eq "$(summary no_entry "$TMP/o")" 0 "returns without an entry"
	eq "$(summary abandoned "$TMP/o")" 0 "calls abandoned"
	# The outer function takes at least as long as the one it calls.
	[ "$(jq -rs '[.[] | select(.type == "hist" and .func == "__x64_sys_openat")][0].sum' "$TMP/o")" -ge \
	  "$(jq -rs '[.[] | select(.type == "hist" and .func == "do_sys_openat2")][0].sum' "$TMP/o")" ] ||
		fail "__x64_sys_openat took less time than the do_sys_openat2 it calls"
	echo "  ok: __x64_sys_openat's total >= do_sys_openat2's"
	done
	# A wildcard, and a return probe refused with one sentence.
	run "$TMP/w" ulatency -F -j -c "$T/opener 3 /etc/hostname" 'do_sys_open*'
	eq "$(jq -rs '[.[] | select(.type == "hist" and .func == "do_sys_openat2")][0].count' "$TMP/w")" \
		3 "wildcard do_sys_openat2 timed"
	timeout -s KILL 60 "$B/ulatency" -d 1 r::do_sys_openat2 >"$TMP/r" 2>"$TMP/r.err" || rc=$?
	cat "$TMP/r.err"
	eq "$rc" 2 "exit code for a return probe"
	eq "$(wc -l <"$TMP/r.err")" 1 "stderr lines"
}

# uprobe-trace on a kernel function: a __user string argument (read from
# the process), and the return value.
test_uprobe_trace_kernel() {
	run "$TMP/o" uprobe-trace -j --cmd "$T/opener $K /etc/hostname" \
		'do_sys_openat2 "%s", arg2' 'r::do_sys_openat2 "%d", retval'
	eq "$(jq -rs '[.[] | select(.type == "event" and .func == "do_sys_openat2" and .message == "/etc/hostname")] | length' "$TMP/o")" \
		"$K" "entry events naming /etc/hostname"
	eq "$(jq -rs '[.[] | select(.type == "event" and .func == "do_sys_openat2" and .message == "3")] | length' "$TMP/o")" \
		"$K" "return events with fd 3"
	eq "$(summary lost "$TMP/o")" 0 "lost"
	# Filters run in the kernel (bpf_loop; 6.1's verifier checks its
	# callback once: the filter's stack must not look constant to it).
	run "$TMP/f" uprobe-trace -j --cmd "$T/opener $K /etc/hostname" \
		'do_sys_openat2 (arg1 != 0) "%d", arg1' 'do_sys_openat2 ($pid == 0) "%d", arg1' \
		'r::do_sys_openat2 (retval != 3) "%d", retval'
	eq "$(summary events "$TMP/f")" "$K" "events passing the filters"
	eq "$(jq -rs '[.[] | select(.type == "event" and .message == "-100")] | length' "$TMP/f")" \
		"$K" "entries with dfd AT_FDCWD"
}

# argdist on kernel functions: a __user string, and $latency through an
# entry twin.
test_argdist_kernel() {
	run "$TMP/o" argdist -j --cmd "$T/opener $K /etc/hostname" \
		-C 'p::do_sys_openat2(int dfd, const char *filename):char *:filename'
	eq "$(jq -rs '[.[] | select(.type == "count" and .event == "filename = /etc/hostname") | .count] | add' "$TMP/o")" \
		"$K" "filename counted"
	run "$TMP/l" argdist -j --cmd "$T/opener $K /etc/hostname" \
		-H 'r::do_sys_openat2():u64:$latency'
	eq "$(jq -rs '[.[] | select(.type == "hist")] | map(.count) | add' "$TMP/l")" "$K" "latencies"
	eq "$(summary no_entry "$TMP/l")" 0 "returns without an entry"
}

# Kernel functions' parameters by name, from the kernel's BTF (no signature).
test_argdist_kernel_btf() {
	run "$TMP/o" argdist -j --cmd "$T/opener $K /etc/hostname" \
		-C 'p::do_sys_openat2():char *,int:filename,dfd'
	eq "$(jq -rs '[.[] | select(.type == "count" and .event == "filename = /etc/hostname, dfd = -100") | .count] | add' "$TMP/o")" \
		"$K" "filename and dfd by name"
	run "$TMP/e" argdist -j --cmd "$T/opener $K /etc/hostname" \
		-C 'r::do_sys_openat2():int,long:$entry(dfd),$retval'
	eq "$(jq -rs '[.[] | select(.type == "count" and .event == "$entry(dfd) = -100, $retval = 3") | .count] | add' "$TMP/e")" \
		"$K" "\$entry(dfd) with its return value"
	# dd reads /dev/zero 5 times, 7 bytes each; the dynamic loader's reads
	# are of 784 and 832 bytes.
	run "$TMP/h" argdist -j --cmd "dd if=/dev/zero of=/dev/null bs=7 count=5 status=none" \
		-H 'p::vfs_read():size_t:count'
	eq "$(jq -rs '[.[] | select(.type == "hist") | .buckets[] | select(.low == 4) | .count] | add' "$TMP/h")" \
		5 "vfs_read count in [4, 7]"
	run "$TMP/c" argdist --cmd "dd if=/dev/zero of=/dev/null bs=7 count=5 status=none" \
		-C 'p::vfs_read():size_t:count'
	eq "$(awk '$2 == "count" && $4 == 7 { n += $1 } END { print n + 0 }' "$TMP/c")" 5 "vfs_read count = 7"
	# A filter on a named parameter keeps only dd's reads of 7 bytes.
	run "$TMP/f" argdist -j --cmd "dd if=/dev/zero of=/dev/null bs=7 count=5 status=none" \
		-H 'p::vfs_read():size_t:count:count == 7'
	eq "$(jq -s '[.[] | select(.type == "hist")] | map(.count) | add' "$TMP/f")" 5 "reads passing count == 7"
	# An unknown name: one sentence, exit 2.
	rc=0
	timeout -s KILL 60 "$B/argdist" -d 1 -C 'p::vfs_read():size_t:cnt' >"$TMP/x" 2>"$TMP/x.err" || rc=$?
	eq "$rc" 2 "unknown name exits 2"
	eq "$(cat "$TMP/x.err")" "argdist: unknown name 'cnt' in 'cnt': vfs_read's parameters are file, buf, count, pos" "unknown name message"
}

test_uprobe_trace_kernel_btf() {
	run "$TMP/o" uprobe-trace -j --cmd "$T/opener $K /etc/hostname" \
		'do_sys_openat2 "%s %d", filename, dfd' 'r::do_sys_openat2 "%d", retval'
	eq "$(jq -rs '[.[] | select(.type == "event" and .func == "do_sys_openat2" and .message == "/etc/hostname -100")] | length' "$TMP/o")" \
		"$K" "entry events with filename and dfd by name"
	eq "$(summary lost "$TMP/o")" 0 "lost"
	run "$TMP/l" uprobe-trace -l -v vfs_read
	eq "$(cat "$TMP/l")" "kprobe:vfs_read
    struct file *file
    char *buf
    size_t count
    loff_t *pos
    ssize_t retval" "-l -v vfs_read"
	run "$TMP/j" uprobe-trace -j -l -v 'r::do_sys_openat2'
	eq "$(jq -rs '[.[] | select(.param)] | length' "$TMP/j")" 4 "JSON params of do_sys_openat2"
	rc=0
	timeout -s KILL 60 "$B/uprobe-trace" -d 1 'vmf_insert_pfn_prot "%d", pgprot' >"$TMP/x" 2>"$TMP/x.err" || rc=$?
	eq "$rc" 2 "struct by value exits 2"
	eq "$(cat "$TMP/x.err")" "uprobe-trace: parameter 'pgprot' in 'pgprot' cannot be read: it is a struct passed by value" \
		"struct by value message"
}

test_uprobe_trace() {
	run "$TMP/o" uprobe-trace -j --cmd "$T/calls 4 2" "$T/calls:foo" "$T/calls:bar"
	eq "$(jq -rs '[.[] | select(.type == "event" and .func == "foo")] | length' "$TMP/o")" 4 "foo events"
	eq "$(jq -rs '[.[] | select(.type == "event" and .func == "bar")] | length' "$TMP/o")" 2 "bar events"
	run "$TMP/f" uprobe-trace -j --cmd "$T/tracee alloc 16 16 32 100" "$T/tracee:alloc (\$pid == 0)" \
		"$T/tracee:alloc (arg1 == 16) \"%d\", arg1"
	eq "$(summary events "$TMP/f")" 2 "events passing the filters"
}

# CFI unwinding on 6.1's verifier (bpf_loop, global functions, bpf_find_vma):
# whole stacks through frameless code, the awkward frames, exact counts.
test_unwind_cfi() {
	local S="_start;__libc_start_main;__libc_start_call_main;main"
	run "$TMP/c" stackcount -v -f --cmd "$T/closer_nofp 7 3" c:close </dev/null
	grep -q 'user stacks: call-frame information' "$TMP/c.err" || fail "CFI walk not used"
	echo go | timeout -s KILL 120 "$B/stackcount" -f --cmd "$T/closer_nofp 7 3" c:close \
		>"$TMP/c" 2>"$TMP/c.err" || fail "stackcount on closer_nofp"
	eq "$(grep -cxF "closer_nofp;$S;path_a;close_a;__close 7" "$TMP/c")" 1 "close() from close_a"
	eq "$(grep -cxF "closer_nofp;$S;path_b;close_b;__close 3" "$TMP/c")" 1 "close() from close_b"
	# Shards of the pool (an array of maps) past the first: the same stacks.
	echo go | COTRACE_TEST_UNWIND_ROWS=29000 timeout -s KILL 120 "$B/stackcount" -v -f \
		--cmd "$T/closer_nofp 7 3" c:close >"$TMP/c2" 2>"$TMP/c2.err" ||
		fail "stackcount with shards of 29000 rows"
	grep -q 'in [2-9] of at most 32 shards' "$TMP/c2.err" || { cat "$TMP/c2.err"; fail "one shard"; }
	eq "$(sed 's/0x[0-9a-f]* //g' "$TMP/c2" | grep -cxF "closer_nofp;$S;path_a;close_a;__close 7")" \
		1 "close() from close_a, second shard (-v: addresses left out)"
	echo go | timeout -s KILL 120 "$B/syscount" --stack --syscall close -f \
		--cmd "$T/closer_nofp 5 2" >"$TMP/s" 2>"$TMP/s.err" || fail "syscount --stack"
	eq "$(grep -cE "^closer_nofp-[0-9]+;$S;path_a;close_a;__close 5$" "$TMP/s")" 1 \
		"syscount: close() from close_a"
	run "$TMP/g" stackcount -f --cmd "$T/unwinder signal 4" c:close
	eq "$(grep -cxF "unwinder;$S;run_signal;kill;__restore_rt;on_signal;sig_work;__close 4" \
		"$TMP/g")" 1 "through __restore_rt"
	run "$TMP/d" stackcount -f --cmd "$T/unwinder dlopen 4" c:close
	eq "$(grep -cxF "unwinder;$S;run_dlopen;lib_outer;lib_inner;__close 4" "$TMP/d")" 1 \
		"a dlopen()ed library"
	run "$TMP/r" stackcount -f --cmd "$T/unwinder chain 3" "$T/unwinder:touch" "r:$T/unwinder:beta"
	eq "$(grep -cxF "unwinder;$S;alpha;beta;gamma_;touch 3" "$TMP/r")" 1 \
		"through the uretprobe trampoline"
	# Under TCG the exec and ld.so's start-up take many samples: count
	# those in the loop's own functions, every one of which must be whole.
	run "$TMP/p" profile -U -F 99 -f --cmd "$T/unwinder spin 2000"
	local total full
	total=$(grep 'spin_' "$TMP/p" | awk '{n += $NF} END {print n + 0}')
	full=$(grep 'spin_' "$TMP/p" |
		awk -v s="unwinder;$S;spin_outer" 'index($0, s) == 1 {n += $NF} END {print n + 0}')
	ge "$total" 20 "profile samples in spin_*"
	eq "$full" "$total" "samples in spin_* that reach _start;...;main"
	# uprobe-trace -U: the same walk (the Python frames' code is loaded
	# and checked too: no interpreter runs here).
	run "$TMP/u" uprobe-trace -U -j --cmd "$T/calls_nofp 4 2" "$T/calls_nofp:foo"
	eq "$(jq -rs '[.[] | select(.type == "event") | select([.user_stack[] |
		sub("\\+0x[0-9a-f]+$"; "")] == ["foo", "main", "__libc_start_call_main",
		"__libc_start_main", "_start"])] | length' "$TMP/u")" 4 "uprobe-trace -U: foo;main;...;_start"
	# System-wide (late tables, notes read at the tick), over a busy loop:
	# the guest is idle otherwise.
	"$T/unwinder" spin 4000 >/dev/null &
	local busy=$!
	run "$TMP/w" profile -U -j -F 49 2
	kill "$busy" 2>/dev/null
	wait "$busy" 2>/dev/null
	ge "$(jq -rs '[.[] | select(.type == "stack" and .comm == "unwinder") | .count] | add // 0' \
		"$TMP/w")" 1 "system-wide samples of the busy loop"
}

tests=(kernel funccount_uprobes funccount_attach_multi funccount_usdt funccount_tracepoint
       funccount_kernel funccount_kernel_wildcard stackcount_kernel profile syscount proclife
       ulatency ulatency_kernel uprobe_trace uprobe_trace_kernel argdist_kernel
       uprobe_trace_kernel_btf argdist_kernel_btf unwind_cfi)
[ $# -gt 0 ] && tests=("$@")
passed=0 failed=()
for t in "${tests[@]}"; do
	echo "=== $t"
	start=$(date +%s)
	if (set -u; "test_$t"); then
		passed=$((passed + 1))
		echo "PASS $t ($(( $(date +%s) - start ))s)"
	else
		failed+=("$t")
		echo "FAIL $t ($(( $(date +%s) - start ))s)"
	fi
done
echo "smoke: $passed passed, ${#failed[@]} failed${failed:+: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
