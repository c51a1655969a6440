#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# profile -U against perf record --call-graph dwarf on the same run: a
# pure-Python CPU loop in Debian's python3 (no frame pointers anywhere),
# sampled by both at once for 3 seconds. At least 99% of our samples
# reach _start, and each of our 20 heaviest stacks is, frame for frame
# (module and file offset of every frame), a stack perf unwound too.
# Native frames only (--no-python): perf names no Python function.
source "$(dirname "$0")/lib.sh"
PR=$ROOT/build/profile
PY=/usr/bin/python3
[ -x "$PR" ] || fail "$PR missing: run make"
[ -x "$PY" ] || fail "$PY (Debian's python3) is needed"
command -v perf >/dev/null || fail "perf is needed: apt-get install linux-perf"

check "python3 loop: profile -U -p and perf record --call-graph dwarf -p, 3 s at 999 Hz"
"$PY" "$ROOT/tests/targets/pyload.py" 12 >"$TMP/py.out" 2>&1 &
py=$!
BG_PIDS+=("$py")
wait_for_text "$TMP/py.out" ready 20 "$py"
timeout -s KILL 60 "$PR" -U --no-python -j -s -F 999 -p "$py" 3 >"$TMP/ours.json" 2>"$TMP/ours.err" &
prof=$!
BG_PIDS+=("$prof")
timeout -s KILL 60 perf record -q -F 999 --call-graph dwarf -p "$py" -o "$TMP/perf.data" \
	-- sleep 3 >/dev/null 2>"$TMP/perf.err" || { cat "$TMP/perf.err"; fail "perf record failed"; }
wait_exit "$prof" 30
[ "$WAIT_RC" -eq 0 ] || { cat "$TMP/ours.err"; fail "profile exited $WAIT_RC"; }
kill "$py" 2>/dev/null
perf script -i "$TMP/perf.data" -F ip,dso --no-inline >"$TMP/perf.txt" 2>/dev/null ||
	fail "perf script failed"
"$PY" "$ROOT/tests/e2e/compare_stacks.py" "$TMP/ours.json" "$TMP/perf.txt" 20 ||
	fail "the stacks differ from perf's"
assert_eq "$(summary_of cut_user_stacks "$TMP/ours.json")" 0 "stacks cut short"
assert_eq "$(summary_of lost_user_stacks "$TMP/ours.json")" 0 "user stacks lost"
echo PASS
