#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# funccount -i/-d/-T: interval records add up to the exact total, interval
# numbers increase, -T adds a "time" key, -d ends the run by itself.
# Nothing here depends on how the work falls into intervals.
source "$(dirname "$0")/lib.sh"

cp "$T/calls" "$TMP/calls_iv" || fail "cp"
BIN=$TMP/calls_iv	# private inode: no other process adds to its counts

# sum_foo: total foo count over every record of $OUT.
sum_foo() {
	count_of foo
}

check "-i 1 -c 'calls 100 0': interval counts add up to 100"
fc_json -i 1 --cmd "$BIN 100 0" "$BIN:foo"
assert_eq "$(sum_foo)" 100 "sum of foo over intervals"
assert_eq "$(jq -s '[.[] | select(.type == "count" and has("time"))] | length' "$OUT")" 0 \
	"count records with a time key without -T"

check "-i 1 -T: two batches land in different intervals; total exact, intervals increase"
start_fc "$OUT" -i 1 -T "$BIN:foo"
"$BIN" 100 0 || fail "$BIN failed"
# Wait (bounded) until an interval with foo was printed, then run batch 2,
# which can only be counted in a later interval.
wait_for_text "$OUT" '"func":"foo"' 10 "$FC_PID"
"$BIN" 50 0 || fail "$BIN failed"
for ((i = 0; i < 200; i++)); do
	[ "$(sum_foo)" -ge 150 ] && break
	sleep 0.05
done
stop_fc INT
assert_eq "$(sum_foo)" 150 "sum of foo over intervals"
n=$(jq -s '[.[] | select(.type == "count")] | length' "$OUT")
assert_ge "$n" 2 "count records"
assert_eq "$(jq -s '[.[] | select(.type == "count") | .interval] |
	. as $a | [range(1; length) | select($a[.] <= $a[. - 1])] | length' "$OUT")" 0 \
	"interval numbers that do not increase"
assert_eq "$(jq -s '[.[] | select(.type == "count" and (.time | type) != "number")] | length' "$OUT")" 0 \
	"count records without a numeric time under -T"

check "-d 2 -i 1 ends by itself with exit 0"
fc_json -d 2 -i 1 "$BIN:foo"
assert_eq "$(summary_of sites)" 1 "sites"

check "cleanup"
assert_nothing_attached
echo PASS
