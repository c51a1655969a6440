#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# syscount: exact counts with -p, -c, -t, --syscall, --comm and -P.
source "$(dirname "$0")/syscount_lib.sh"

check "-p PID: a workload making exactly 1234 getppid() calls"
start_target a "$T/sysload" getppid 1234 --wait
pid=$TARGET_PID fd=$TARGET_FD
start_sc "$OUT" --json -T 0 -p "$pid"
release_target "$pid" "$fd"
stop_sc
assert_eq "$(sys_count getppid)" 1234 "getppid of pid $pid"
other=$(jq -s '[.[] | select(.type == "count" and .syscall == "getppid")] | length' "$OUT")
assert_eq "$other" 1 "getppid records"

check "-c CMD: 777 getppid() calls"
sc_json -T 0 --cmd "$T/sysload getppid 777"
assert_eq "$(sys_count getppid)" 777 "getppid of the command"
assert_eq "$(jq -s '[.[] | select(.type == "summary")] | length' "$OUT")" 1 "summary records"
assert_eq "$(jq -s '[.[] | select(.type == "summary")][0].missed' "$OUT")" 0 "missed"

check "-c CMD --syscall getppid: only that syscall"
sc_json --cmd "$T/sysload getppid 500" --syscall getppid
assert_eq "$(sys_count getppid)" 500 "getppid"
assert_eq "$(jq -s '[.[] | select(.type == "count")] | length' "$OUT")" 1 "count records"
assert_eq "$(jq -s '[.[] | select(.type == "count")][0].nr' "$OUT")" \
	"$(printf '#include <sys/syscall.h>\nSYS_getppid\n' | cpp -P | tail -1)" "nr of getppid"

check "-t TID: the main thread of a single-threaded workload"
start_target b "$T/sysload" getppid 321 --wait
pid=$TARGET_PID fd=$TARGET_FD
start_sc "$OUT" --json -T 0 -t "$pid" --syscall getppid
release_target "$pid" "$fd"
stop_sc
assert_eq "$(sys_count getppid)" 321 "getppid of tid $pid"

check "--comm sysload, system-wide, with two workloads"
start_target c "$T/sysload" getppid 200 --wait
pid1=$TARGET_PID fd1=$TARGET_FD
start_target d "$T/sysload" getppid 300 --wait
pid2=$TARGET_PID fd2=$TARGET_FD
start_sc "$OUT" --json --comm sysload --syscall getppid
release_target "$pid1" "$fd1"
release_target "$pid2" "$fd2"
stop_sc
assert_eq "$(sys_count getppid)" 500 "getppid of every sysload"

check "-P --comm sysload: one record per process, with pid and comm"
start_target e "$T/sysload" getppid 40 --wait
pid1=$TARGET_PID fd1=$TARGET_FD
start_target f "$T/sysload" getppid 60 --wait
pid2=$TARGET_PID fd2=$TARGET_FD
start_sc "$OUT" --json -P --comm sysload --syscall getppid
release_target "$pid1" "$fd1"
release_target "$pid2" "$fd2"
stop_sc
pc() { jq -rs --argjson p "$1" '[.[] | select(.type == "count" and .pid == $p) | .count] | add // 0' "$OUT"; }
assert_eq "$(pc "$pid1")" 40 "getppid of pid $pid1"
assert_eq "$(pc "$pid2")" 60 "getppid of pid $pid2"
assert_eq "$(jq -rs --argjson p "$pid1" '[.[] | select(.pid == $p)][0].comm' "$OUT")" sysload "comm"

check "text output: bcc's header"
timeout 30 "$SC" --cmd "$T/sysload getppid 5" >"$TMP/text" 2>&1 || fail "text run"
grep -q '^SYSCALL  *COUNT$' "$TMP/text" || fail "no SYSCALL/COUNT header"
grep -Eq '^getppid +5$' "$TMP/text" || fail "no 'getppid 5' line"
echo "  ok: text table"

check "-l lists the syscalls without tracing"
"$SC" -l -j | jq -se 'any(.[]; .syscall == "getppid")' >/dev/null || fail "-l has no getppid"
echo "  ok: -l"

check "cleanup"
assert_sc_detached
echo PASS
