#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# funccount on plain user functions: exact counts for every binary shape
# (PIE, non-PIE, debuglink, MiniDebugInfo), every spec form (wildcard,
# regex, bpftrace, raw file offset) and both attach modes.
source "$(dirname "$0")/lib.sh"

for bin in calls calls_nopie calls_stripped calls_minidebug; do
	check "$bin: foo 7, bar 13"
	fc_json --cmd "$T/$bin 7 13" "$T/$bin:foo" "$T/$bin:bar"
	assert_eq "$(count_of foo)" 7 "$bin foo"
	assert_eq "$(count_of bar)" 13 "$bin bar"
	assert_eq "$(summary_of sites)" 2 "$bin sites"
done

check "calls_minidebug: static local_helper found in .gnu_debugdata by wildcard"
fc_json --cmd "$T/calls_minidebug 7 13" "$T/calls_minidebug:local_*"
assert_eq "$(count_of local_helper)" 1 "calls_minidebug local_helper"
assert_eq "$(jq -s '[.[] | select(.type == "count")] | length' "$OUT")" 1 "count records"

check "wildcard calls:*o* matches foo, not bar"
fc_json --cmd "$T/calls 7 13" "$T/calls:*o*"
assert_eq "$(count_of foo)" 7 "wildcard foo"
assert_eq "$(jq -s '[.[] | select(.func == "bar")] | length' "$OUT")" 0 "bar records"

check "regex -r calls:^(foo|bar)\$"
fc_json -r --cmd "$T/calls 7 13" "$T/calls:^(foo|bar)\$"
assert_eq "$(count_of foo)" 7 "regex foo"
assert_eq "$(count_of bar)" 13 "regex bar"
assert_eq "$(summary_of sites)" 2 "regex sites"

check "-r matches from the start of the name, as bcc's re.match(): c:(write|read)\$ is 2 functions"
assert_eq "$("$FC" -l -r 'c:(write|read)$' | sed 's/.*://' | sort | tr '\n' ' ')" "read write " \
	"libc functions of (write|read)\$"

for mode in multi single; do
	check "--attach=$mode gives the same counts"
	fc_json --attach="$mode" --cmd "$T/calls 7 13" "$T/calls:foo" "$T/calls:bar"
	assert_eq "$(count_of foo)" 7 "$mode foo"
	assert_eq "$(count_of bar)" 13 "$mode bar"
done

check "bpftrace form uprobe:PATH:foo"
fc_json --cmd "$T/calls 7 13" "uprobe:$T/calls:foo"
assert_eq "$(count_of foo)" 7 "bpftrace foo"

for bin in calls calls_nopie; do
	check "$bin: raw file offset of foo (from -l -j) counts foo"
	fc_json -l "$T/$bin:foo"
	off=$(jq -rs '[.[] | select(.type == "site")] | if length == 1 then .[0].offset else "none" end' "$OUT")
	[[ "$off" =~ ^[0-9]+$ ]] || fail "no single site with an offset for $bin:foo: $(cat "$OUT")"
	hex=$(printf '0x%x' "$off")
	fc_json --cmd "$T/$bin 7 13" "$T/$bin:$hex"
	assert_eq "$(jq -s '[.[] | select(.type == "count") | .count] | add' "$OUT")" 7 "$bin:$hex"
done

check "cleanup"
assert_nothing_attached
echo PASS
