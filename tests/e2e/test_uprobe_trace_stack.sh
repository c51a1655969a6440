#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# uprobe-trace -U: the user stack of every event, exact, also for a -c
# command that exits right after its events.
source "$(dirname "$0")/lib.sh"
UT=$ROOT/build/uprobe-trace
[ -x "$UT" ] || fail "$UT missing: run make"

N=6
check "-U -j: $N events through alpha/beta, $((N / 2)) through delta, frames innermost first"
timeout -s KILL 60 "$UT" -U -j --cmd "$T/stacks $N" "p:$T/stacks:gamma \"%d\", arg1" \
	>"$TMP/u" 2>"$TMP/u.err" || { cat "$TMP/u.err"; fail "uprobe-trace -U exited $?"; }
frames() {
	jq -rs --argjson f "$1" '[.[] | select(.type == "event")
		| select([.user_stack[] | sub("\\+0x[0-9a-f]+$"; "")][0:($f | length)] == $f)] | length' "$TMP/u"
}
assert_eq "$(frames '["gamma","beta","alpha","main"]')" "$N" "events with gamma;beta;alpha;main"
assert_eq "$(frames '["gamma","delta","main"]')" "$((N / 2))" "events with gamma;delta;main"
assert_eq "$(jq -rs '[.[] | select(.type == "summary")][0].lost' "$TMP/u")" 0 "lost"

check "text: frames indented under each event line; -a adds addresses"
timeout -s KILL 60 "$UT" -U -a --cmd "$T/stacks 1" "p:$T/stacks:gamma" >"$TMP/t" 2>/dev/null ||
	fail "uprobe-trace -U -a exited $?"
grep -Eq '^        0x[0-9a-f]+ beta\+0x[0-9a-f]+$' "$TMP/t" || { cat "$TMP/t"; fail "no indented 'ADDR beta+0x..' frame"; }
echo "  ok: indented frames with addresses"

check "without -U, no stack and no stop"
timeout -s KILL 60 "$UT" -j --cmd "$T/stacks 2" "p:$T/stacks:gamma" >"$TMP/n" 2>/dev/null ||
	fail "uprobe-trace exited $?"
assert_eq "$(jq -rs '[.[] | select(.type == "event" and has("user_stack"))] | length' "$TMP/n")" 0 \
	"events with a user_stack key"
assert_eq "$(jq -rs '[.[] | select(.type == "event")] | length' "$TMP/n")" 3 "events"
