#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# funccount on tracepoints: exact syscall counts of one process, selected
# by -c or -p, by exact name, wildcard and the bpftrace form.
# The target is tests/targets/sysload ("sysload getppid K" makes exactly K
# getppid syscalls through syscall(2)). Other processes' getppid calls are
# excluded by the -c/-p filter, so the counts are exact.
source "$(dirname "$0")/lib.sh"
K=11
[ -x "$T/sysload" ] || fail "$T/sysload missing: run make targets"

# Five runs: the count must be exact every time, whatever the scheduling
# of the -c child before it execs (its own syscalls are not the command's).
for run in 1 2 3 4 5; do
	check "t:syscalls:sys_enter_getppid with -c -> $K (run $run)"
	fc_json --cmd "$T/sysload getppid $K" t:syscalls:sys_enter_getppid
	assert_eq "$(count_of syscalls:sys_enter_getppid)" "$K" "sys_enter_getppid"
	assert_eq "$(summary_of sites)" 1 "sites"
done

check "wildcard t:syscalls:sys_enter_getppi* -> one tracepoint, $K"
fc_json --cmd "$T/sysload getppid $K" 't:syscalls:sys_enter_getppi*'
assert_eq "$(count_of syscalls:sys_enter_getppid)" "$K" "sys_enter_getppid"
assert_eq "$(summary_of sites)" 1 "sites"

check "bpftrace form, entry and exit together -> $K each"
fc_json --cmd "$T/sysload getppid $K" tracepoint:syscalls:sys_enter_getppid \
	tracepoint:syscalls:sys_exit_getppid
assert_eq "$(count_of syscalls:sys_enter_getppid)" "$K" "sys_enter_getppid"
assert_eq "$(count_of syscalls:sys_exit_getppid)" "$K" "sys_exit_getppid"

check "-p on a waiting process -> $K"
fc_on_target "$OUT" "$T/sysload" getppid "$K" --wait -- -p @PID@ t:syscalls:sys_enter_getppid
assert_eq "$(count_of syscalls:sys_enter_getppid)" "$K" "sys_enter_getppid"

check "cleanup"
assert_nothing_attached
echo PASS
