#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# funccount and signals: SIGINT and SIGTERM end a run cleanly with its
# counts printed; after SIGINT, SIGTERM and even SIGKILL nothing of ours
# stays attached.
source "$(dirname "$0")/lib.sh"

# A private copy of calls: uprobes are per inode, so nothing another test
# runs at the same time can add to its counts.
cp "$T/calls" "$TMP/calls_sig" || fail "cp"
BIN=$TMP/calls_sig

# foo_count: foo's count in $OUT. With two binaries traced the JSON "func"
# carries the module as a prefix ("calls_sig:foo"), so match on "target".
foo_count() {
	jq -rs --arg t "$BIN" '[.[] | select(.type == "count" and .target == $t and
		(.func == "foo" or .func == "calls_sig:foo")) | .count] | add // 0' "$OUT"
}

for sig in INT TERM; do
	check "SIG$sig: counts printed, exit 0"
	start_fc "$OUT" c:malloc "$BIN:foo"
	"$BIN" 3 0 || fail "$BIN failed while probed"
	stop_fc "$sig"
	assert_eq "$(foo_count)" 3 "foo after SIG$sig"
	assert_eq "$(summary_of sites)" 2 "sites after SIG$sig"
	assert_nothing_attached
done

check "SIGKILL: the kernel releases everything of ours"
start_fc "$OUT" c:malloc "$BIN:foo"
kill -KILL "$FC_PID"
wait_exit "$FC_PID" 10
assert_eq "$WAIT_RC" 137 "exit status after SIGKILL"
assert_nothing_attached 5
"$BIN" 3 0 || fail "$BIN failed after funccount was killed"
echo "  ok: the probed program still runs"

check "SIGKILL in single-attach mode (perf-event uprobes)"
start_fc "$OUT" --attach=single "$BIN:foo" "$BIN:bar"
kill -KILL "$FC_PID"
wait_exit "$FC_PID" 10
assert_nothing_attached 5

echo PASS
