#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A system-wide profile builds the unwind tables of large files when a
# sample's walk first needs them (docs/unwinding.md). The test knob
# COTRACE_TEST_UNWIND_LATE_BYTES=1 makes every file of a process wait so
# (libc and ld.so are built at start all the same): the frameless CPU
# loop's program gets its table at its first sample, and its samples
# reach _start from then on.
source "$(dirname "$0")/lib.sh"
PR=$ROOT/build/profile
U=$T/unwinder
[ -x "$PR" ] || fail "$PR missing: run make"
[ -x "$U" ] || fail "$U missing: run make targets"
START="_start;__libc_start_main;__libc_start_call_main;main"

check "profile -U -F 199 (system-wide, 3 s) over unwinder spin, every table late"
"$U" spin 8000 >/dev/null &
spin=$!
BG_PIDS+=("$spin")
COTRACE_TEST_UNWIND_LATE_BYTES=1 timeout -s KILL 60 "$PR" -v -U -f -F 199 3 >"$TMP/p" \
	2>"$TMP/p.err" || { cat "$TMP/p.err"; fail "profile exited $?"; }
kill "$spin" 2>/dev/null
late=$(sed -n 's/.*unwind tables: .*, \([0-9]*\) built when a walk needed them.*/\1/p' "$TMP/p.err")
assert_ge "${late:-0}" 1 "tables built when a walk needed them"
total=$(grep '^unwinder;' "$TMP/p" | grep 'spin_' | awk '{n += $NF} END {print n + 0}')
full=$(grep -F "unwinder;$START;spin_outer" "$TMP/p" | awk '{n += $NF} END {print n + 0}')
assert_ge "$total" 100 "samples in spin_*"
# Only the samples before the table was in (a few milliseconds) may be cut.
assert_ge "$((full * 100 / total))" 95 "% of them through main to _start"
assert_no_progs "$(progs_re profile)"
echo PASS
