#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# uprobe-trace event storm: tick() called 1,000,000 times. Every hit is
# either printed or counted as lost: printed + lost == 1,000,000 exactly,
# with the default buffer; then 200,000 through a one-page buffer that drops.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/uprobe_trace_lib.sh"

N=1000000
for pages in 256; do
	check "-b $pages: $N calls"
	ut_json -b "$pages" --cmd "$T/tracee storm $N" "p:$T/tracee:tick \"%ld\", arg1"
	printed=$(grep -c '"type":"event"' "$OUT")
	lost=$(ut_summary lost)
	assert_eq "$(ut_summary events)" "$printed" "summary events = lines"
	assert_eq "$((printed + lost))" "$N" "printed ($printed) + lost ($lost)"
	assert_eq "$(ut_summary missed)" 0 "missed"
	if [ "$lost" -eq 0 ]; then
		# Nothing lost: the values are 0..N-1 in order.
		assert_eq "$(jq -r 'select(.type == "event") | .args[0]' "$OUT" |
			awk -v n="$N" '$1 != NR - 1 { bad++ } END { print bad + 0 }')" 0 "values in order"
	fi
done

check "text mode reports lost events on stderr"
timeout -s KILL 120 "$UT" -b 1 --cmd "$T/tracee storm 200000" "p:$T/tracee:tick \"%ld\", arg1" \
	>"$OUT" 2>"$OUT.err" || fail "text storm"
printed=$(($(wc -l <"$OUT") - 1))
lost=$(sed -n 's/^warning: \([0-9]*\) events lost.*/\1/p' "$OUT.err")
assert_eq "$((printed + ${lost:-0}))" 200000 "text printed ($printed) + lost (${lost:-0})"

check "cleanup"
assert_no_trace_progs
echo PASS
