#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A wildcard of 20,000 sites: many20k (bench/gen20k.sh) has 20,000
# functions f_00000..f_19999 and calls each exactly once. funccount,
# ulatency and uprobe-trace attach to all of them (one multi-uprobe link),
# count every call exactly, detach cleanly, and a SIGKILL with all 20,000
# attached leaves nothing behind.
source "$(dirname "$0")/ulatency_lib.sh"
source "$(dirname "$0")/uprobe_trace_lib.sh"

[ -x "$T/many20k" ] || fail "$T/many20k missing: run make targets"
# A private copy (uprobes are per inode), run system-wide so that its own
# output never mixes with the tool's.
cp "$T/many20k" "$TMP/m20k" || fail "cp"
BIN=$TMP/m20k
# What main prints: the result of the 20,000 calls.
want=$("$BIN") || fail "$BIN failed"

# run_bin: run the copy once; it must print the same result.
run_bin() {
	assert_eq "$("$BIN")" "$want" "result of $BIN while probed"
}

# stop_tool: SIGINT $TOOL_PID; it must exit 0 (bounded).
stop_tool() {
	kill -INT "$TOOL_PID"
	wait_exit "$TOOL_PID" 30
	[ "$WAIT_RC" -eq 0 ] || { cat "$TMP/t.json.err" >&2; fail "tool exited $WAIT_RC"; }
}

check "funccount: 20,000 sites, each called once"
start_tool "$TMP/t.json" funccount --json "$BIN:f_*"
grep -qF 'Tracing 20000 functions' "$TMP/t.json.err" || fail "$(cat "$TMP/t.json.err")"
run_bin
stop_tool
OUT=$TMP/t.json
assert_eq "$(jq -s '[.[] | select(.type == "count")] | length' "$OUT")" 20000 "count records"
assert_eq "$(jq -s '[.[] | select(.type == "count" and .count == 1)] | length' "$OUT")" 20000 \
	"functions counted exactly once"
assert_eq "$(jq -rs '[.[] | select(.type == "count") | .func] | unique | length' "$OUT")" 20000 \
	"distinct functions"
assert_eq "$(summary_of sites)" 20000 "summary sites"
assert_eq "$(summary_of skipped)" 0 "summary skipped"
assert_eq "$(summary_of missed)" 0 "summary missed"
assert_nothing_attached 10

check "ulatency: 20,000 functions timed, one histogram of 20,000 calls"
start_tool "$TMP/t.json" ulatency --json "$BIN:f_*"
run_bin
stop_tool
assert_eq "$(hist_count "" "$TMP/t.json")" 20000 "timed calls"
assert_eq "$(ul_summary functions "$TMP/t.json")" 20000 "summary functions"
for k in no_entry abandoned lost skipped; do
	assert_eq "$(ul_summary "$k" "$TMP/t.json")" 0 "summary $k"
done
assert_nothing_attached 10

check "uprobe-trace: 20,000 probes, one event each"
start_tool "$TMP/t.json" uprobe-trace --json -b 4096 "p:$BIN:f_*"
run_bin
stop_tool
assert_eq "$(jq -s '[.[] | select(.type == "event")] | length' "$TMP/t.json")" 20000 "events"
assert_eq "$(jq -rs '[.[] | select(.type == "event") | .func] | unique | length' "$TMP/t.json")" \
	20000 "distinct functions"
assert_eq "$(jq -rs '[.[] | select(.type == "summary")][0].lost' "$TMP/t.json")" 0 "lost"
assert_nothing_attached 10

check "SIGKILL with 20,000 sites attached: nothing left, the program still right"
start_tool "$TMP/t.json" funccount --json "$BIN:f_*"
run_bin
kill -KILL "$TOOL_PID"
wait_exit "$TOOL_PID" 10
assert_eq "$WAIT_RC" 137 "exit status after SIGKILL"
assert_nothing_attached 10
run_bin

echo PASS
